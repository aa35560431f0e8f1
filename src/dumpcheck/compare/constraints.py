"""Compare primary keys and foreign keys, by Prisma's differ.

sql_schema_differ.rs: a primary key is the same when its columns are, in order, and its name
is compared too (a different name is a RenamePrimaryKey step). Foreign keys are matched by
columns, referenced table and columns, ON DELETE and ON UPDATE; a matched pair with another
name is a RenameForeignKey step, except on implicit many-to-many tables.
"""

from __future__ import annotations

from dataclasses import replace

from dumpcheck.catalog import ForeignKey, Table
from dumpcheck.compare.equivalences import FK_TARGET_SCHEMA, JOIN_TABLE_FK_NAME
from dumpcheck.compare.findings import Difference


def _cols(columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"


def compare_primary_key(expected: Table, actual: Table) -> list[Difference]:
    """The primary key: the same columns in the same order, and the same name."""
    exp, act = expected.primary_key, actual.primary_key
    if exp is None and act is None:
        return []
    if exp is not None and act is not None and (exp.columns, exp.name) == (act.columns, act.name):
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
        return (
            f"Prisma < 6 style: unique index {unique.name} on (A, B); Prisma 6 and later build a "
            "primary key `_AB_pkey` instead, and `prisma migrate dev` writes the migration that "
            "converts it"
        )
    return None


def is_join_table(table: Table) -> bool:
    """An implicit many-to-many table: ``_Name`` with exactly columns A and B."""
    return table.name.startswith("_") and [c.name for c in table.columns] == ["A", "B"]


def _fk_signature(fk: ForeignKey) -> tuple[object, ...]:
    # The referenced table by name: the differ matches foreign keys without the schema.
    return (fk.columns, fk.ref_table.name, fk.ref_columns, fk.on_delete, fk.on_update)


def _fk_text(fk: ForeignKey, schema: str) -> str:
    target = fk.ref_table.name if fk.ref_table.schema == schema else str(fk.ref_table)
    return (
        f"{_cols(fk.columns)} REFERENCES {target}{_cols(fk.ref_columns)} "
        f"ON DELETE {fk.on_delete} ON UPDATE {fk.on_update}"
    )


def compare_foreign_keys(
    expected: Table, actual: Table
) -> tuple[list[Difference], list[Difference]]:
    """(drift, notes) for the foreign keys."""
    drift: list[Difference] = []
    notes: list[Difference] = []
    schema = expected.schema
    join = is_join_table(expected) and is_join_table(actual)
    remaining = list(actual.foreign_keys)
    for exp in expected.foreign_keys:
        # The same name first: two keys of one shape (two relations over the same columns)
        # pair up by name, not by the order they come in.
        same = [a for a in remaining if _fk_signature(a) == _fk_signature(exp)]
        match = next((a for a in same if a.name == exp.name), same[0] if same else None)
        if match is None:
            # The same key with other actions: one difference (Prisma drops and re-adds it).
            other = next(
                (a for a in remaining if _fk_signature(a)[:3] == _fk_signature(exp)[:3]), None
            )
            if other is not None:
                remaining.remove(other)
            actual_text = _fk_text(other, schema) if other is not None else None
            drift.append(Difference("foreign_key", exp.name, _fk_text(exp, schema), actual_text))
            continue
        remaining.remove(match)
        if match.ref_table != exp.ref_table:
            notes.append(
                Difference(
                    "foreign_key",
                    exp.name,
                    str(exp.ref_table),
                    str(match.ref_table),
                    FK_TARGET_SCHEMA,
                )
            )
        if match.name != exp.name:
            diff = Difference("foreign_key", exp.name, exp.name, match.name)
            if join:
                notes.append(replace(diff, reason=JOIN_TABLE_FK_NAME))
            else:
                drift.append(diff)
    for act in remaining:
        drift.append(Difference("foreign_key", act.name, None, _fk_text(act, schema)))
    return drift, notes
