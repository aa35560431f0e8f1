"""Object-by-object differences between two catalogs, as readable one-line strings."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from dumpcheck.catalog import Catalog, QualifiedName, Table


def _mapping_diff(
    kind: str, a: Mapping[QualifiedName, object], b: Mapping[QualifiedName, object]
) -> list[str]:
    out: list[str] = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            out.append(f"{kind} {key}: only in the dump")
        elif key not in a:
            out.append(f"{kind} {key}: only in the restored database")
        elif a[key] != b[key]:
            out.append(f"{kind} {key}: dump {a[key]!r} != restored {b[key]!r}")
    return out


def _table_diff(a: Table, b: Table) -> list[str]:
    out: list[str] = []
    for f in dataclasses.fields(Table):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if left != right:
            out.append(f"table {a.key} {f.name}: dump {left!r} != restored {right!r}")
    return out


def catalog_differences(dump: Catalog, restored: Catalog) -> list[str]:
    """Every difference between the dump's catalog and the restored one, object by object."""
    out: list[str] = []
    if dump.schemas != restored.schemas:
        out.append(f"schemas: dump {sorted(dump.schemas)} != restored {sorted(restored.schemas)}")
    if dump.extensions != restored.extensions:
        out.append(
            f"extensions: dump {sorted(dump.extensions)} != restored {sorted(restored.extensions)}"
        )
    out += _mapping_diff("enum", dump.enums, restored.enums)
    out += _mapping_diff("sequence", dump.sequences, restored.sequences)
    out += _mapping_diff("domain", dump.domains, restored.domains)
    out += _mapping_diff("composite", dump.composites, restored.composites)
    for key in sorted(set(dump.tables) | set(restored.tables)):
        if key not in restored.tables:
            out.append(f"table {key}: only in the dump")
        elif key not in dump.tables:
            out.append(f"table {key}: only in the restored database")
        else:
            out += _table_diff(dump.tables[key], restored.tables[key])
    return out
