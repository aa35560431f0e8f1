"""Facts derived from what a dump holds: its kind and the traces of excluded table data."""

from __future__ import annotations

from collections.abc import Iterable

from dumpcheck.catalog import Catalog, Column, QualifiedName, Table
from dumpcheck.inventory.model import DumpKind

# Relations that never carry a TABLE DATA entry of their own (pg_dump.c makeTableDataInfo:
# views, partitioned parents and foreign tables have no data; matviews get MATERIALIZED VIEW DATA).
_NO_DATA_KINDS = frozenset({"view", "matview", "partitioned", "foreign"})


def dump_kind(
    catalog: Catalog, has_data: bool, complete: bool = True, *, statistics: bool = False
) -> DumpKind:
    """full, schema-only (tables but no data at all), data-only (data but no CREATE TABLE) or
    statistics-only (pg_dump 18 --statistics-only: only STATISTICS DATA entries, which restore
    planner statistics into tables that must already exist, and no table and no row).

    A truncated dump with no data yet was cut before its data section: that says nothing about
    how it was made, so it is not called schema-only (the truncation is the finding).
    """
    if not complete and not has_data:
        return "full"
    if not catalog.tables and not has_data and statistics:
        return "statistics-only"
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


def stored_columns(columns: Iterable[Column]) -> tuple[str, ...]:
    """The columns whose values a data section carries: all but generated ones (pg_dump's
    COPY column list leaves them out, and the server computes them on restore)."""
    return tuple(c.name for c in columns if c.generated is None)


def data_only_tables(catalog: Catalog, rows: dict[QualifiedName, int]) -> Catalog:
    """A data-only dump creates no tables; list each table it has data for, columns unknown."""
    tables = [Table(k.schema, k.name, rows=n) for k, n in sorted(rows.items())]
    return Catalog.build(
        tables=tables,
        enums=catalog.enums.values(),
        sequences=catalog.sequences.values(),
        schemas=catalog.schemas,
        extensions=catalog.extensions,
    )
