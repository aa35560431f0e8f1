"""Compare enums, and attach each enum's differences to the tables that use it."""

from __future__ import annotations

import re

from dumpcheck.catalog import Catalog, Enum, QualifiedName, Table
from dumpcheck.compare.equivalences import ENUM_ORDER
from dumpcheck.compare.findings import Difference

# A column type naming an enum: `public."Role"`, `"Role"`, `shop."Status"[]`, `role`.
_TYPE_NAME = re.compile(
    r'^(?:(?P<schema>"(?:[^"]|"")+"|[^".\[]+)\.)?(?P<name>"(?:[^"]|"")+"|[^".\[]+)'
)


def _unquote(ident: str) -> str:
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident


def _counterpart(key: QualifiedName, actual: Catalog) -> Enum | None:
    # The same schema first: a database may hold enums of one name in several schemas
    # (one per app or tenant), and only the one Prisma uses is comparable.
    if key in actual.enums:
        return actual.enums[key]
    same_name = [e for k, e in actual.enums.items() if k.name == key.name]
    return same_name[0] if len(same_name) == 1 else None


def enum_differences(expected: Catalog, actual: Catalog) -> dict[QualifiedName, Difference]:
    """Differences per expected enum, keyed by its (schema, name)."""
    diffs: dict[QualifiedName, Difference] = {}
    for key, exp in expected.enums.items():
        act = _counterpart(key, actual)
        if act is None:
            diffs[key] = Difference("enum", key.name, ", ".join(exp.values), None)
        elif act.values != exp.values:
            # Prisma compares the values as a set: the same values in another order are a note.
            reason = ENUM_ORDER if sorted(act.values) == sorted(exp.values) else None
            diffs[key] = Difference(
                "enum", key.name, ", ".join(exp.values), ", ".join(act.values), reason
            )
    return diffs


def enum_differences_for(table: Table, diffs: dict[QualifiedName, Difference]) -> list[Difference]:
    """The enum differences that concern one table's columns."""
    found: list[Difference] = []
    for column in table.columns:
        m = _TYPE_NAME.match(column.type.strip())
        if m is None:
            continue
        name = _unquote(m["name"])
        schema = _unquote(m["schema"]) if m["schema"] else None
        keys = [k for k in diffs if k.name == name and (schema is None or k.schema == schema)]
        if len(keys) > 1:
            # Unqualified: the type resolves through search_path, i.e. the table's own schema.
            keys = [k for k in keys if k.schema == table.schema] or keys[:1]
        for key in keys[:1]:
            if diffs[key] not in found:
                found.append(diffs[key])
    return found
