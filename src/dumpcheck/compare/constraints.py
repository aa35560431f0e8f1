"""Compare primary keys, unique rules and foreign keys."""

from __future__ import annotations

from dumpcheck.catalog import ForeignKey, Table, UniqueConstraint
from dumpcheck.compare.findings import Difference


def _cols(columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"


def compare_primary_key(expected: Table, actual: Table) -> list[Difference]:
    """The primary key: same columns in the same order (names may differ only by style)."""
    exp, act = expected.primary_key, actual.primary_key
    if exp is None and act is None:
        return []
    if exp is not None and act is not None and exp.columns == act.columns:
        return []
    # Prisma < 6 made implicit m2m tables with a unique index `_AB_unique` instead of a PK;
    # Prisma >= 6 makes `_AB_pkey`. Both enforce the same rule.
    if _is_m2m(expected) and (
        (exp is not None and act is None and any(u.columns == exp.columns for u in actual.uniques))
        or (
            act is not None
            and exp is None
            and any(u.columns == act.columns for u in expected.uniques)
        )
    ):
        return []
    named = exp or act
    return [
        Difference(
            "primary_key",
            named.name if named else "",
            f"{exp.name} {_cols(exp.columns)}" if exp else None,
            f"{act.name} {_cols(act.columns)}" if act else None,
        )
    ]


def join_table_style(actual: Table) -> str | None:
    """Which Prisma generation made an implicit m2m table: the `_AB_pkey` or `_AB_unique` one."""
    if actual.primary_key is not None and actual.primary_key.columns == ("A", "B"):
        return f"Prisma >= 6 style: primary key {actual.primary_key.name} on (A, B)"
    unique = next((u for u in actual.uniques if u.columns == ("A", "B")), None)
    if unique is not None:
        return f"Prisma < 6 style: unique index {unique.name} on (A, B)"
    return None


def _is_m2m(table: Table) -> bool:
    return table.name.startswith("_") and {c.name for c in table.columns} == {"A", "B"}


def compare_uniques(expected: Table, actual: Table) -> list[Difference]:
    """Unique rules, matched by column list; a UNIQUE constraint equals a unique index."""
    diffs: list[Difference] = []
    actual_by_cols: dict[tuple[str, ...], UniqueConstraint] = {u.columns: u for u in actual.uniques}
    act_pk = actual.primary_key.columns if actual.primary_key else None
    for exp in expected.uniques:
        if exp.columns in actual_by_cols:
            continue
        # `_AB_unique` expected but the table has `_AB_pkey` on the same columns (Prisma >= 6).
        if _is_m2m(expected) and act_pk == exp.columns:
            continue
        diffs.append(Difference("unique", exp.name, f"UNIQUE {_cols(exp.columns)}", None))
    expected_cols = {u.columns for u in expected.uniques}
    exp_pk = expected.primary_key.columns if expected.primary_key else None
    for act in actual.uniques:
        if act.columns in expected_cols:
            continue
        if _is_m2m(expected) and exp_pk == act.columns:
            continue
        diffs.append(Difference("unique", act.name, None, f"UNIQUE {_cols(act.columns)}"))
    return diffs


def _fk_signature(fk: ForeignKey) -> tuple[object, ...]:
    # The target with its schema: with several schemas (Prisma's multiSchema) a table of the
    # same name elsewhere is another table.
    return (fk.columns, fk.ref_table, fk.ref_columns)


def _fk_text(fk: ForeignKey, schema: str) -> str:
    target = fk.ref_table.name if fk.ref_table.schema == schema else str(fk.ref_table)
    return (
        f"{_cols(fk.columns)} REFERENCES {target}{_cols(fk.ref_columns)} "
        f"ON DELETE {fk.on_delete} ON UPDATE {fk.on_update}"
    )


def compare_foreign_keys(expected: Table, actual: Table) -> list[Difference]:
    """Foreign keys, matched by columns and target, then compared by their actions."""
    diffs: list[Difference] = []
    schema = expected.schema
    actual_by_sig = {_fk_signature(fk): fk for fk in actual.foreign_keys}
    expected_sigs = set()
    for exp in expected.foreign_keys:
        sig = _fk_signature(exp)
        expected_sigs.add(sig)
        act = actual_by_sig.get(sig)
        if act is None:
            diffs.append(Difference("foreign_key", exp.name, _fk_text(exp, schema), None))
        elif (exp.on_delete, exp.on_update) != (act.on_delete, act.on_update):
            diffs.append(
                Difference("foreign_key", exp.name, _fk_text(exp, schema), _fk_text(act, schema))
            )
    for act in actual.foreign_keys:
        if _fk_signature(act) not in expected_sigs:
            diffs.append(Difference("foreign_key", act.name, None, _fk_text(act, schema)))
    return diffs
