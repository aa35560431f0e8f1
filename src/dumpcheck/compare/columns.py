"""Compare columns: presence, type, nullability and default."""

from __future__ import annotations

from dumpcheck.catalog import Column, Table
from dumpcheck.compare.findings import Difference
from dumpcheck.compare.normalize import normalize_default, normalize_type


def _describe(column: Column) -> str:
    null = "" if column.nullable else " NOT NULL"
    default = f" DEFAULT {column.default}" if column.default is not None else ""
    return f"{column.type}{null}{default}"


def compare_columns(expected: Table, actual: Table) -> list[Difference]:
    """Every column difference between the expected and the actual table."""
    diffs: list[Difference] = []
    actual_by_name = {c.name: c for c in actual.columns}
    expected_names = {c.name for c in expected.columns}
    for exp in expected.columns:
        act = actual_by_name.get(exp.name)
        if act is None:
            diffs.append(Difference("missing_column", exp.name, _describe(exp), None))
            continue
        if normalize_type(exp.type) != normalize_type(act.type):
            diffs.append(Difference("type", exp.name, exp.type, act.type))
        if exp.nullable != act.nullable:
            diffs.append(
                Difference(
                    "nullability",
                    exp.name,
                    "NULL" if exp.nullable else "NOT NULL",
                    "NULL" if act.nullable else "NOT NULL",
                )
            )
        if not _same_default(exp, act):
            diffs.append(Difference("default", exp.name, exp.default, act.default))
    for act in actual.columns:
        if act.name not in expected_names:
            diffs.append(Difference("extra_column", act.name, None, _describe(act)))
    return diffs


def _same_default(exp: Column, act: Column) -> bool:
    # An identity column has no default expression in pg_attrdef; Prisma never makes one,
    # but a hand-made table may use one where Prisma expects a serial.
    if exp.identity != act.identity:
        return False
    return normalize_default(exp.default) == normalize_default(act.default)


def columns_missing_from_data(expected: Table, data_columns: tuple[str, ...]) -> list[Difference]:
    """Expected columns a data-only dump's COPY leaves out: the source table lacks them.

    pg_dump lists every column it dumps in the COPY (or INSERT) of a table, except generated
    ones, which Prisma never creates. A data-only dump has no CREATE TABLE, so this list is all
    it says about the source's columns; the rows still load (the missing column takes its
    default), which would hide the difference.
    """
    present = set(data_columns)
    return [
        Difference("missing_column", c.name, _describe(c), None)
        for c in expected.columns
        if c.name not in present
    ]
