"""Read a restored database back into the shared catalog model, with exact row counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast, get_args

import psycopg
from psycopg import sql
from psycopg.abc import Buffer
from psycopg.adapt import Loader

from dumpcheck.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    CompositeType,
    Domain,
    Enum,
    ExcludeConstraint,
    FkAction,
    ForeignKey,
    Index,
    PrimaryKey,
    QualifiedName,
    Sequence,
    Table,
    TableKind,
    UniqueConstraint,
)

_KINDS: dict[str, TableKind] = {
    "r": "table",
    "p": "partitioned",
    "v": "view",
    "m": "matview",
    "f": "foreign",
}
# pg_constraint.confdeltype / confupdtype letters (src/include/catalog/pg_constraint.h).
_FK_ACTIONS: dict[str, FkAction] = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
assert set(_FK_ACTIONS.values()) == set(get_args(FkAction))

# The catalog model's canonical spelling is PostgreSQL's output under an empty search_path,
# the one pg_dump sets: format_type() and ruleutils.c qualify every name outside pg_catalog
# (public."Role", nextval('public.products_id_seq'::regclass)).
_SEARCH_PATH = "SET search_path = ''"


@cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql`` shipped inside this package."""
    return (resources.files("dumpcheck.restore") / "sql" / f"{name}.sql").read_text("utf-8")


class _Latin1TextLoader(Loader):
    """Text of a SQL_ASCII database, decoded byte for byte (as the plain-dump reader does)."""

    def load(self, data: Buffer) -> str:
        return bytes(data).decode("latin-1")


def _decode_sql_ascii(conn: psycopg.Connection[Any]) -> None:
    # psycopg has no codec for SQL_ASCII and returns bytes; asking the server for UTF8 instead
    # fails on the first high byte ("invalid byte sequence for encoding "UTF8"").
    for type_name in ("text", "name", "varchar", "bpchar"):
        conn.adapters.register_loader(type_name, _Latin1TextLoader)


def _rows(cur: psycopg.Cursor[Any], name: str) -> list[dict[str, Any]]:
    cur.execute(load_sql(name))
    cols = [d.name for d in cur.description or ()]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


@dataclass
class _TableParts:
    """Everything collected for one relation before it is frozen into a Table."""

    schema: str
    name: str
    kind: TableKind
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    excludes: list[ExcludeConstraint] = field(default_factory=list)
    rows: int | None = None
    unlogged: bool = False
    partition_key: str | None = None
    partition_of: QualifiedName | None = None


def read_catalog(conninfo: str, *, uncounted: Collection[QualifiedName] = ()) -> Catalog:
    """Read every user object of the database at ``conninfo`` into a Catalog.

    ``uncounted``: ordinary tables left with rows None, because the caller reads their rows
    anyway (verify's fingerprints) and counts them there; a scan saved per table.
    """
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return read_catalog_in(conn, uncounted=uncounted)


def read_catalog_in(
    conn: psycopg.Connection[Any],
    *,
    estimate_rows: bool = False,
    uncounted: Collection[QualifiedName] = (),
) -> Catalog:
    """Read the catalog through an open connection (a live database's read-only snapshot).

    ``estimate_rows``: Table.rows from pg_class.reltuples, not count(*) (None where the table
    was never analyzed), for databases too big to count during an incident.
    """
    if conn.info.encoding == "ascii":
        _decode_sql_ascii(conn)  # before the cursor, which copies the loaders
    return _read(conn, estimate_rows, uncounted)


def count_tables(conninfo: str, keys: Collection[QualifiedName]) -> dict[QualifiedName, int]:
    """Exact row counts of ordinary tables (ONLY, as in read_catalog); absent ones left out."""
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
        names = {sql.Identifier(k.schema, k.name).as_string(conn): k for k in keys}
        cur.execute(
            "SELECT n, c.oid FROM unnest(%s::text[]) n JOIN pg_class c ON c.oid = to_regclass(n) "
            "WHERE c.relkind = 'r'",
            (list(names),),
        )
        tables = [
            {"oid": oid, "relkind": "r", "schema": names[n].schema, "name": names[n].name}
            for n, oid in cur.fetchall()
        ]
        counts = _count_rows(cur, tables, ())
    return {QualifiedName(t["schema"], t["name"]): counts[t["oid"]] for t in tables}


def _read(
    conn: psycopg.Connection[Any], estimate_rows: bool, uncounted: Collection[QualifiedName]
) -> Catalog:
    with conn.cursor() as cur:
        cur.execute(_SEARCH_PATH)
        # pg_get_expr prints a timestamptz constant in the session's TimeZone, which comes from
        # the server's postgresql.conf (initdb copies the machine's zone) or PGTZ; read in UTC,
        # as Prisma writes its literals, so defaults read alike on every machine.
        cur.execute("SET TIME ZONE 'UTC'")
        # Date and interval constants print in DateStyle / IntervalStyle, which a user's
        # PGDATESTYLE or PGOPTIONS can change; pg_dump writes them as ISO / postgres.
        cur.execute("SET DateStyle = 'ISO, MDY'")
        cur.execute("SET IntervalStyle = 'postgres'")
        schemas = [r["schema"] for r in _rows(cur, "schemas")]
        tables = _rows(cur, "tables")
        columns = _rows(cur, "columns")
        sequences = _rows(cur, "sequences")
        extensions = [r["name"] for r in _rows(cur, "extensions")]
        enums = _rows(cur, "enums")
        defaults = _rows(cur, "column_defaults")
        constraints = _rows(cur, "constraints")
        indexes = _rows(cur, "indexes")
        domains = _rows(cur, "domains")
        composites = _rows(cur, "composites")
        counts = _estimate_rows(cur) if estimate_rows else _count_rows(cur, tables, uncounted)

    parts: dict[int, _TableParts] = {t["oid"]: _table_parts(t, counts) for t in tables}
    _add_columns(parts, columns, defaults)
    _add_constraints(parts, constraints)
    _add_indexes(parts, indexes)
    return Catalog.build(
        tables=(_freeze(p) for p in parts.values()),
        enums=(Enum(e["schema"], e["name"], tuple(e["labels"])) for e in enums),
        sequences=(_sequence(s) for s in sequences),
        schemas=schemas,
        extensions=extensions,
        domains=(_domain(d) for d in domains),
        composites=(
            CompositeType(
                c["schema"],
                c["name"],
                tuple(zip(c["attribute_names"], c["attribute_types"], strict=True)),
            )
            for c in composites
        ),
    )


def _table_parts(row: dict[str, Any], counts: dict[int, int]) -> _TableParts:
    parent: QualifiedName | None = None
    if row["parent_name"] is not None:
        parent = QualifiedName(row["parent_schema"], row["parent_name"])
    return _TableParts(
        row["schema"],
        row["name"],
        _KINDS[row["relkind"]],
        rows=counts.get(row["oid"]),
        unlogged=bool(row["unlogged"]),
        partition_key=row["partition_key"],
        partition_of=parent,
    )


def _domain(row: dict[str, Any]) -> Domain:
    return Domain(
        row["schema"],
        row["name"],
        row["base_type"],
        nullable=bool(row["nullable"]),
        default=row["default_expr"],
        checks=tuple(row["checks"]),
    )


def _count_rows(
    cur: psycopg.Cursor[Any],
    tables: list[dict[str, Any]],
    uncounted: Collection[QualifiedName],
) -> dict[int, int]:
    """Exact row counts, all in one UNION ALL round trip.

    reltuples is -1 for a table that was never vacuumed or analyzed (a fresh restore) and an
    estimate after ANALYZE, so only count(*) is exact. Plain tables are counted with ONLY, so
    inheritance children count once, as in the dump's per-table COPY; a partitioned table is
    counted as the sum of its partitions (it holds no rows itself). Views are not counted (that
    would run them), nor foreign tables (that would reach the remote server), nor unpopulated
    materialized views (count(*) on them raises "has not been populated").
    """
    parts: list[sql.Composable] = []
    for t in tables:
        kind = t["relkind"]
        if kind not in ("r", "p", "m") or (kind == "m" and not t["is_populated"]):
            continue
        if kind == "r" and uncounted and QualifiedName(t["schema"], t["name"]) in uncounted:
            continue
        only = sql.SQL("ONLY ") if kind == "r" else sql.SQL("")
        parts.append(
            sql.SQL("SELECT {}::oid, count(*) FROM {}{}").format(
                sql.Literal(t["oid"]), only, sql.Identifier(t["schema"], t["name"])
            )
        )
    if not parts:
        return {}
    cur.execute(sql.SQL(" UNION ALL ").join(parts))
    return {int(oid): int(n) for oid, n in cur.fetchall()}


def _estimate_rows(cur: psycopg.Cursor[Any]) -> dict[int, int]:
    """pg_class.reltuples: -1 (PostgreSQL 14+) or 0 with relpages 0 before ANALYZE ever ran,
    so those are left unknown; a partitioned table sums its leaf partitions (pg_inherits)."""
    cur.execute(load_sql("row_estimates"))
    return {int(oid): int(n) for oid, n in cur.fetchall() if n is not None}


def _add_columns(
    parts: dict[int, _TableParts], columns: list[dict[str, Any]], defaults: list[dict[str, Any]]
) -> None:
    exprs = {(d["oid"], d["name"]): d["expr"] for d in defaults}
    for c in columns:
        table = parts.get(c["oid"])
        if table is None:
            continue  # a column of an extension-owned relation
        expr = exprs.get((c["oid"], c["name"]))
        generated = c["generated"] or ""
        identity = {"a": "always", "d": "by default"}.get(c["identity"] or "")
        table.columns.append(
            Column(
                name=c["name"],
                type=c["type"],
                nullable=bool(c["nullable"]),
                default=None if generated else expr,
                identity=cast(Any, identity),
                generated=expr if generated else None,
            )
        )


def _add_constraints(parts: dict[int, _TableParts], constraints: list[dict[str, Any]]) -> None:
    for c in constraints:
        table = parts.get(c["oid"])
        if table is None:
            continue
        cols = tuple(c["columns"] or ())
        match c["contype"]:
            case "p":
                table.primary_key = PrimaryKey(c["name"], cols)
            case "u":
                table.uniques.append(
                    UniqueConstraint(
                        c["name"],
                        cols,
                        via_index=False,
                        nulls_not_distinct=bool(c["nulls_not_distinct"]),
                        include=tuple(c["include"] or ()),
                    )
                )
            case "f":
                table.foreign_keys.append(
                    ForeignKey(
                        name=c["name"],
                        columns=cols,
                        ref_table=QualifiedName(c["ref_schema"], c["ref_table"]),
                        ref_columns=tuple(c["ref_columns"] or ()),
                        on_delete=_FK_ACTIONS[c["on_delete"]],
                        on_update=_FK_ACTIONS[c["on_update"]],
                    )
                )
            case "c":
                table.checks.append(CheckConstraint(c["name"], c["definition"]))
            case "x":
                table.excludes.append(ExcludeConstraint(c["name"], c["definition"]))


def _add_indexes(parts: dict[int, _TableParts], rows: list[dict[str, Any]]) -> None:
    by_index: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_index[(r["oid"], r["name"])].append(r)
    for (oid, name), keys in by_index.items():
        table = parts.get(oid)
        if table is None:
            continue
        first = keys[0]
        bare = all(_is_bare(k) for k in keys)
        if (
            first["is_unique"]
            and first["method"] == "btree"
            and first["predicate"] is None
            and bare
        ):
            # A unique index on plain columns is what Prisma's @unique / @@unique creates
            # (prisma-engines sql-schema-connector: CREATE UNIQUE INDEX), so it is a uniqueness
            # rule like a UNIQUE constraint; via_index records how it was made.
            table.uniques.append(
                UniqueConstraint(
                    name,
                    tuple(k["column_name"] for k in keys),
                    via_index=True,
                    nulls_not_distinct=bool(first["nulls_not_distinct"]),
                    include=tuple(first["include"] or ()),
                )
            )
            continue
        table.indexes.append(
            Index(
                name=name,
                keys=tuple(_key_text(k) for k in keys),
                unique=bool(first["is_unique"]),
                method=first["method"],
                predicate=first["predicate"],
                include=tuple(first["include"] or ()),
            )
        )


def _is_bare(key: dict[str, Any]) -> bool:
    return (
        key["column_name"] is not None
        and key["opclass"] is None
        and key["collation"] is None
        and not key["opclass_options"]
        and not key["descending"]
    )


def _key_text(key: dict[str, Any]) -> str:
    """One index key as pg_get_indexdef() prints it inside the parentheses."""
    text: str = key["column_name"] if key["column_name"] is not None else key["key_text"]
    if key["collation"] is not None:
        text += f" COLLATE {key['collation']}"
    if key["opclass"] is not None:
        text += f" {key['opclass']}"
    if key["opclass_options"]:
        # ruleutils.c get_reloptions: name='value', the value always quoted.
        pairs = (o.split("=", 1) for o in key["opclass_options"])
        text += " (" + ", ".join(f"{n}='{v.replace(chr(39), chr(39) * 2)}'" for n, v in pairs) + ")"
    # btree's default is ASC NULLS LAST and DESC NULLS FIRST; ruleutils.c prints only the
    # deviation from that default.
    if key["descending"]:
        text += " DESC"
        if not key["nulls_first"]:
            text += " NULLS LAST"
    elif key["nulls_first"]:
        text += " NULLS FIRST"
    return text


def _sequence(row: dict[str, Any]) -> Sequence:
    owned: tuple[QualifiedName, str] | None = None
    if row["owner_table"] is not None:
        owned = (QualifiedName(row["owner_schema"], row["owner_table"]), row["owner_column"])
    return Sequence(row["schema"], row["name"], owned_by=owned, data_type=row["data_type"])


def _freeze(p: _TableParts) -> Table:
    return Table(
        schema=p.schema,
        name=p.name,
        columns=tuple(p.columns),
        primary_key=p.primary_key,
        uniques=tuple(sorted(p.uniques, key=lambda u: u.name)),
        indexes=tuple(sorted(p.indexes, key=lambda i: i.name)),
        foreign_keys=tuple(sorted(p.foreign_keys, key=lambda f: f.name)),
        checks=tuple(sorted(p.checks, key=lambda c: c.name)),
        kind=p.kind,
        rows=p.rows,
        excludes=tuple(sorted(p.excludes, key=lambda x: x.name)),
        unlogged=p.unlogged,
        partition_key=p.partition_key,
        partition_of=p.partition_of,
    )
