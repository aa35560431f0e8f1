"""Facts derived from what a dump holds: its kind and the traces of excluded table data."""

from __future__ import annotations

from collections.abc import Iterable

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.inventory.model import DumpKind

# Relations that never carry a TABLE DATA entry of their own (pg_dump.c makeTableDataInfo:
# views, partitioned parents and foreign tables have no data; matviews get MATERIALIZED VIEW DATA).
_NO_DATA_KINDS = frozenset({"view", "matview", "partitioned", "foreign"})


def dump_kind(catalog: Catalog, has_data: bool, complete: bool = True) -> DumpKind:
    """full, schema-only (tables but no data at all) or data-only (data but no CREATE TABLE).

    A truncated dump with no data yet was cut before its data section: that says nothing about
    how it was made, so it is not called schema-only (the truncation is the finding).
    """
    if not complete and not has_data:
        return "full"
    if not catalog.tables and has_data:
        return "data-only"
    if (
        catalog.tables
        and not has_data
        and any(t.kind not in _NO_DATA_KINDS for t in catalog.tables.values())
    ):
        return "schema-only"
    return "full"


def tables_without_data(
    catalog: Catalog, data_tables: Iterable[QualifiedName]
) -> tuple[QualifiedName, ...]:
    """Tables the dump creates but carries no data for: ``--exclude-table-data`` traces."""
    with_data = set(data_tables)
    return tuple(
        key
        for key, table in sorted(catalog.tables.items())
        if table.kind not in _NO_DATA_KINDS and key not in with_data
    )
