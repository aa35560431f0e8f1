"""Inventory output: stable JSON (documented by inventory.schema.json) and a text table."""

from __future__ import annotations

import json
from typing import Any

from dumpcheck.catalog import QualifiedName, Table
from dumpcheck.inventory.model import (
    ClusterInventory,
    DumpInventory,
    RoleDefinition,
    RoleMembership,
)
from dumpcheck.inventory.texttable import Justify, render_table

SCHEMA_VERSION = 1
_COLUMNS: tuple[tuple[str, Justify], ...] = (
    ("schema", "left"),
    ("table", "left"),
    ("columns", "right"),
    ("rows", "right"),
    ("flags", "left"),
)


def _name(key: QualifiedName) -> dict[str, str]:
    return {"schema": key.schema, "name": key.name}


def table_flags(inv: DumpInventory, table: Table) -> list[str]:
    """Short words about a table: its kind, and whether its data is there."""
    flags: list[str] = [] if table.kind == "table" else [table.kind]
    if table.unlogged:
        flags.append("unlogged")
    if table.partition_of is not None:
        flags.append(f"partition of {table.partition_of}")
    if table.key in inv.facts.excluded_table_data:
        flags.append("data excluded")
    elif table.rows is None and table.kind == "table":
        flags.append("no data")
    elif table.rows == 0:
        flags.append("empty")
    if (
        not table.columns
        and table.kind in ("table", "partitioned")
        and inv.facts.kind != "data-only"
    ):
        flags.append("no columns")
    return flags


def _table_json(inv: DumpInventory, t: Table) -> dict[str, Any]:
    return {
        "schema": t.schema,
        "name": t.name,
        "kind": t.kind,
        "rows": t.rows,
        "location": inv.locations.get(t.key),
        "data_columns": list(cols) if (cols := inv.data_columns.get(t.key)) else None,
        "fingerprint": fp.shown() if (fp := inv.fingerprints.get(t.key)) else None,
        "fingerprint_note": inv.unfingerprinted.get(t.key),
        "flags": table_flags(inv, t),
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "nullable": c.nullable,
                "default": c.default,
                "identity": c.identity,
                "generated": c.generated,
            }
            for c in t.columns
        ],
        "primary_key": (
            {"name": t.primary_key.name, "columns": list(t.primary_key.columns)}
            if t.primary_key
            else None
        ),
        "uniques": [
            {
                "name": u.name,
                "columns": list(u.columns),
                "via_index": u.via_index,
                "nulls_not_distinct": u.nulls_not_distinct,
                "include": list(u.include),
            }
            for u in t.uniques
        ],
        "indexes": [
            {
                "name": i.name,
                "keys": list(i.keys),
                "unique": i.unique,
                "method": i.method,
                "predicate": i.predicate,
                "include": list(i.include),
            }
            for i in t.indexes
        ],
        "foreign_keys": [
            {
                "name": f.name,
                "columns": list(f.columns),
                "ref_table": _name(f.ref_table),
                "ref_columns": list(f.ref_columns),
                "on_delete": f.on_delete,
                "on_update": f.on_update,
            }
            for f in t.foreign_keys
        ],
        "checks": [{"name": c.name, "expression": c.expression} for c in t.checks],
        "excludes": [{"name": x.name, "definition": x.definition} for x in t.excludes],
        "unlogged": t.unlogged,
        "partition_key": t.partition_key,
        "partition_of": _name(t.partition_of) if t.partition_of else None,
    }


def to_json_data(inv: DumpInventory) -> dict[str, Any]:
    """The inventory as plain JSON values, in a stable order."""
    f = inv.facts
    cat = inv.catalog
    return {
        "schema_version": SCHEMA_VERSION,
        "facts": {
            "path": f.path,
            "format": f.format,
            "compression": f.compression,
            "archive_version": f.archive_version,
            "pg_dump_version": f.pg_dump_version,
            "server_version": f.server_version,
            "database": f.database,
            "encoding": f.encoding,
            "kind": f.kind,
            "complete": f.complete,
            "stops_at": f.stops_at,
            "roles": sorted(f.roles),
            "extensions": sorted(f.extensions),
            "excluded_table_data": [_name(k) for k in f.excluded_table_data],
            "excluded_traces": [{"table": _name(k), "evidence": ev} for k, ev in f.excluded_traces],
            "damaged": [{"table": _name(k), "where": where} for k, where in f.damaged],
        },
        "tables": [_table_json(inv, t) for _, t in sorted(cat.tables.items())],
        "enums": [
            {"schema": e.schema, "name": e.name, "values": list(e.values)}
            for _, e in sorted(cat.enums.items())
        ],
        "sequences": [
            {
                "schema": s.schema,
                "name": s.name,
                "data_type": s.data_type,
                "owned_by": (
                    {**_name(s.owned_by[0]), "column": s.owned_by[1]} if s.owned_by else None
                ),
            }
            for _, s in sorted(cat.sequences.items())
        ],
        "domains": [
            {
                "schema": d.schema,
                "name": d.name,
                "base_type": d.base_type,
                "nullable": d.nullable,
                "default": d.default,
                "checks": list(d.checks),
            }
            for _, d in sorted(cat.domains.items())
        ],
        "composite_types": [
            {
                "schema": c.schema,
                "name": c.name,
                "attributes": [{"name": n, "type": t} for n, t in c.attributes],
            }
            for _, c in sorted(cat.composites.items())
        ],
        "schemas": sorted(cat.schemas),
        "unparsed": [
            {"location": u.location, "statement": u.statement, "reason": u.reason}
            for u in inv.unparsed
        ],
        "prisma_migrations": (
            None
            if inv.prisma_migrations is None
            else [
                {
                    "migration_name": m.migration_name,
                    "checksum": m.checksum,
                    "finished_at": m.finished_at,
                    "rolled_back_at": m.rolled_back_at,
                    "applied_steps_count": m.applied_steps_count,
                }
                for m in inv.prisma_migrations
            ]
        ),
    }


def to_json(inv: DumpInventory) -> str:
    """Indented JSON text with a trailing newline."""
    return json.dumps(to_json_data(inv), indent=2, ensure_ascii=False) + "\n"


def cluster_to_json_data(cluster: ClusterInventory, users: tuple[str, ...]) -> dict[str, Any]:
    """A pg_dumpall file as plain JSON values: the file, then each database's inventory."""
    return {
        "schema_version": SCHEMA_VERSION,
        "cluster": {
            "path": cluster.path,
            "format": "plain",
            "compression": cluster.compression,
            "complete": cluster.complete,
            "stops_at": cluster.stops_at,
            "databases": list(cluster.databases),
            "user_databases": list(users),
            "roles": [{"name": r.name, "attributes": list(r.attributes)} for r in cluster.roles],
            "memberships": [
                {
                    "role": m.role,
                    "member": m.member,
                    "admin": m.admin,
                    "inherit": m.inherit,
                    "set": m.set_role,
                }
                for m in cluster.memberships
            ],
        },
        "databases": [
            to_json_data(cluster.inventories[name])
            for name in cluster.databases
            if name in cluster.inventories
        ],
    }


def cluster_to_json(cluster: ClusterInventory, users: tuple[str, ...]) -> str:
    """Indented JSON text of a pg_dumpall file, with a trailing newline."""
    return json.dumps(cluster_to_json_data(cluster, users), indent=2, ensure_ascii=False) + "\n"


def cluster_to_text(cluster: ClusterInventory, users: tuple[str, ...], *, width: int = 120) -> str:
    """Each database of a pg_dumpall file on its own (never merged), then how to pick one."""
    names = ", ".join(cluster.databases) or "none"
    lines = [
        f"{cluster.path}: a pg_dumpall file of {len(cluster.databases)} databases ({names}), "
        f"compression {cluster.compression}",
        "complete: yes" if cluster.complete else f"complete: NO, stops at {cluster.stops_at}",
        f"roles section: {_roles_text(cluster.roles, cluster.memberships)}",
        "",
    ]
    out = "\n".join(lines) + "\n"
    for name in cluster.databases:
        inv = cluster.inventories.get(name)
        if inv is None:
            continue
        if name not in users:
            out += f"database {name}: no tables (as initdb made it)\n\n"
            continue
        out += to_text(inv, width=width, title=f"database {name}", in_cluster=True) + "\n"
    if users:
        out += f"pick one database with --database NAME ({', '.join(users)})\n"
    else:
        out += "no user database in this file (pg_dumpall --globals-only, or cut short)\n"
    return out


def _roles_text(roles: tuple[RoleDefinition, ...], memberships: tuple[RoleMembership, ...]) -> str:
    """``app_owner (NOINHERIT LOGIN), reader; memberships: app_owner in reader``."""
    text = ", ".join(
        f"{r.name} ({' '.join(r.attributes)})" if r.attributes else r.name for r in roles
    )
    if memberships:
        text += "; memberships: " + ", ".join(f"{m.member} in {m.role}" for m in memberships)
    return text or "-"


def to_text(
    inv: DumpInventory, *, width: int = 120, title: str | None = None, in_cluster: bool = False
) -> str:
    """A table of the tables, then the facts, as plain text (``in_cluster``: one database
    of a pg_dumpall listing, whose roles section the listing shows once)."""
    rows = []
    for _, t in sorted(inv.catalog.tables.items()):
        columns = str(len(t.columns))
        if not t.columns and inv.data_columns.get(t.key):
            # No CREATE TABLE (a data-only dump): count the columns its COPY loads.
            columns = f"{len(inv.data_columns[t.key])} in data"
        rows.append(
            (
                t.schema,
                t.name,
                columns,
                "" if t.rows is None else f"{t.rows:,}",
                ", ".join(table_flags(inv, t)),
            )
        )
    lines = fact_lines(inv)[: -1 if in_cluster and inv.facts.cluster else None]
    return render_table(title or f"{inv.facts.path}", _COLUMNS, rows, lines, width=width)


def fact_lines(inv: DumpInventory) -> list[str]:
    """The facts about the dump, one per line."""
    f = inv.facts
    fmt = f.format + (f" {f.archive_version}" if f.archive_version else "")
    lines = [
        f"format: {fmt}, compression {f.compression}, kind {f.kind}",
        f"pg_dump {f.pg_dump_version or '?'}, source server {f.server_version or '?'}, "
        f"database {f.database or '?'}, encoding {f.encoding or '?'}",
        "complete: yes" if f.complete else f"complete: NO, stops at {f.stops_at}",
        f"roles: {', '.join(sorted(f.roles)) or '-'}",
        f"extensions: {', '.join(sorted(f.extensions)) or '-'}",
    ]
    if f.excluded_table_data:
        lines.append("data excluded for: " + ", ".join(str(k) for k in f.excluded_table_data))
    for key, evidence in f.excluded_traces:
        lines.append(f"never created: {key} ({evidence})")
    for key, where in f.damaged:
        lines.append(f"data damaged or cut short: {key} ({where})")
    if inv.unparsed:
        lines.append(f"unparsed statements: {len(inv.unparsed)}")
        lines += [f"  {u.location}: {u.reason}: {u.statement[:100]}" for u in inv.unparsed[:20]]
    if inv.prisma_migrations is not None:
        lines.append(f"_prisma_migrations rows: {len(inv.prisma_migrations)}")
    if f.cluster is not None:  # the last line: a pg_dumpall listing leaves it out
        lines.append(
            f"pg_dumpall file: database {f.database} of {', '.join(f.cluster.databases)}; "
            f"its roles in the roles section: {_roles_text(f.cluster.roles, f.cluster.memberships)}"
        )
    return lines
