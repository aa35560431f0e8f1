"""The expectation as a plain-text listing and as JSON, for ``dumpcheck expect``."""

from __future__ import annotations

from typing import Any

from dumpcheck.catalog import Table
from dumpcheck.errors import BadInputError
from dumpcheck.expect.model import Expectation


def select_tables(expectation: Expectation, table: str | None) -> list[Table]:
    """Every table, or the one called ``table`` (``name`` or ``schema.name``)."""
    tables = [t for _, t in sorted(expectation.catalog.tables.items())]
    if table is None:
        return tables
    chosen = [t for t in tables if table in (t.name, f"{t.schema}.{t.name}", str(t.key))]
    if not chosen:
        raise BadInputError(f"no table {table!r} in the Prisma schema")
    return chosen


def _table_json(expectation: Expectation, t: Table) -> dict[str, Any]:
    return {
        "schema": t.schema,
        "name": t.name,
        "model": expectation.models.get(t.key),
        "columns": [
            {"name": c.name, "type": c.type, "nullable": c.nullable, "default": c.default}
            for c in t.columns
        ],
        "primary_key": (
            {"name": t.primary_key.name, "columns": list(t.primary_key.columns)}
            if t.primary_key
            else None
        ),
        "uniques": [{"name": u.name, "columns": list(u.columns)} for u in t.uniques],
        "indexes": [
            {"name": i.name, "keys": list(i.keys), "unique": i.unique, "method": i.method}
            for i in t.indexes
        ],
        "foreign_keys": [
            {
                "name": f.name,
                "columns": list(f.columns),
                "references": {"schema": f.ref_table.schema, "table": f.ref_table.name},
                "ref_columns": list(f.ref_columns),
                "on_delete": f.on_delete,
                "on_update": f.on_update,
            }
            for f in t.foreign_keys
        ],
        "join_table_style": expectation.join_table_style.get(t.key),
    }


def to_json(expectation: Expectation, table: str | None = None) -> dict[str, Any]:
    """A JSON-ready dict: tables, enums, sequences and the migration history."""
    catalog = expectation.catalog
    return {
        "schema_files": list(expectation.schema_files),
        "default_schema": expectation.default_schema,
        "tables": [_table_json(expectation, t) for t in select_tables(expectation, table)],
        "enums": [
            {"schema": e.schema, "name": e.name, "values": list(e.values)}
            for _, e in sorted(catalog.enums.items())
        ],
        "sequences": [
            {
                "schema": s.schema,
                "name": s.name,
                "data_type": s.data_type,
                "owned_by": f"{s.owned_by[0]}.{s.owned_by[1]}" if s.owned_by else None,
            }
            for _, s in sorted(catalog.sequences.items())
        ],
        "migrations": [
            {
                "name": m.name,
                "checksum": m.checksum,
                "creates": [str(k) for k in m.creates],
                "drops": [str(k) for k in m.drops],
                "renames": [[str(a), str(b)] for a, b in m.renames],
            }
            for m in expectation.migrations
        ],
    }


def render_text(expectation: Expectation, table: str | None = None) -> str:
    """A readable listing of every expected table (or one), its keys, indexes and FKs."""
    lines: list[str] = []
    for t in select_tables(expectation, table):
        model = expectation.models.get(t.key)
        lines.append(f"{t.key}" + (f"  (model {model})" if model else ""))
        for c in t.columns:
            null = "" if c.nullable else " NOT NULL"
            default = f" DEFAULT {c.default}" if c.default is not None else ""
            lines.append(f"    {c.name} {c.type}{null}{default}")
        if t.primary_key:
            lines.append(f"  primary key {t.primary_key.name} ({', '.join(t.primary_key.columns)})")
        for u in t.uniques:
            lines.append(f"  unique index {u.name} ({', '.join(u.columns)})")
        for i in t.indexes:
            kind = "unique index" if i.unique else "index"
            using = "" if i.method == "btree" else f" using {i.method}"
            lines.append(f"  {kind} {i.name}{using} ({', '.join(i.keys)})")
        for f in t.foreign_keys:
            lines.append(
                f"  foreign key {f.name} ({', '.join(f.columns)}) -> {f.ref_table} "
                f"({', '.join(f.ref_columns)}) on delete {f.on_delete} on update {f.on_update}"
            )
        lines.append("")
    if table is None:
        for _, e in sorted(expectation.catalog.enums.items()):
            lines.append(f"enum {e.key}: {', '.join(e.values)}")
        n = len(expectation.migrations)
        lines.append(f"{len(expectation.catalog.tables)} tables; {n} migrations")
    return "\n".join(lines).rstrip() + "\n"
