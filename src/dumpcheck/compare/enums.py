"""Compare enums, and attach each enum's differences to the tables that use it."""

from __future__ import annotations

from dumpcheck.catalog import Catalog, Table
from dumpcheck.compare.findings import Difference
from dumpcheck.compare.normalize import normalize_type


def enum_differences(expected: Catalog, actual: Catalog) -> dict[str, Difference]:
    """Differences per enum, keyed by its unqualified normalised name."""
    diffs: dict[str, Difference] = {}
    actual_by_name = {k.name: e for k, e in actual.enums.items()}
    for key, exp in expected.enums.items():
        act = actual_by_name.get(key.name)
        if act is None:
            diffs[key.name] = Difference("enum", key.name, ", ".join(exp.values), None)
        elif act.values != exp.values:
            diffs[key.name] = Difference(
                "enum", key.name, ", ".join(exp.values), ", ".join(act.values)
            )
    return diffs


def enum_differences_for(table: Table, diffs: dict[str, Difference]) -> list[Difference]:
    """The enum differences that concern one table's columns."""
    found: list[Difference] = []
    for column in table.columns:
        name = normalize_type(column.type).removesuffix("[]").strip('"')
        if name in diffs and diffs[name] not in found:
            found.append(diffs[name])
    return found
