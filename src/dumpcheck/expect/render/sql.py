"""The expectation as DDL in Prisma's own migration style (``prisma migrate diff --script``).

Layout follows prisma-engines sql-schema-connector/src/sql_renderer/postgres_renderer.rs:
schemas, enums, tables (PK inline), then indexes, then foreign keys, each under a comment.
"""

from __future__ import annotations

from dumpcheck.catalog import (
    Catalog,
    Enum,
    ForeignKey,
    Index,
    QualifiedName,
    Table,
    UniqueConstraint,
)
from dumpcheck.errors import BadInputError
from dumpcheck.expect.model import Expectation, differ_ignores


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ref(schema: str, name: str, default_schema: str) -> str:
    # Objects in the connection's schema are written unqualified, others as "schema"."name".
    if schema == default_schema:
        return _q(name)
    return f"{_q(schema)}.{_q(name)}"


def _table_ref(expectation: Expectation, key: QualifiedName) -> str:
    # Names as Prisma writes them; PostgreSQL cuts one past 63 bytes as the catalog has it.
    return _ref(key.schema, expectation.written.table(key), expectation.default_schema)


def _enum_ref(expectation: Expectation, key: QualifiedName) -> str:
    return _ref(key.schema, expectation.written.enum(key), expectation.default_schema)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_sql(key: str) -> str:
    column, _, rest = key.partition(" ")
    return _q(column) + (f" {rest}" if rest else "")


def _index_sql(expectation: Expectation, table: Table, index: Index | UniqueConstraint) -> str:
    if isinstance(index, UniqueConstraint):
        keys, unique, method = index.columns, True, "btree"
    else:
        keys, unique, method = index.keys, index.unique, index.method
    using = "" if method == "btree" else f" USING {method.upper()} "
    written = expectation.index_ddl.get(table.key, {}).get(index.name)
    cols = ", ".join(written) if written else ", ".join(_key_sql(k) for k in keys)
    ref = _table_ref(expectation, table.key)
    head = "CREATE UNIQUE INDEX" if unique else "CREATE INDEX"
    where = expectation.index_predicates.get(table.key, {}).get(index.name)
    tail = f" WHERE {where}" if where else ""
    name = expectation.written.object(table.key, index.name)
    return f"{head} {_q(name)} ON {ref}{using}({cols}){tail};"


def _fk_sql(expectation: Expectation, table: Table, fk: ForeignKey) -> str:
    written = expectation.written
    cols = ", ".join(_q(written.column(table.key, c)) for c in fk.columns)
    refs = ", ".join(_q(written.column(fk.ref_table, c)) for c in fk.ref_columns)
    return (
        f"ALTER TABLE {_table_ref(expectation, table.key)} ADD CONSTRAINT "
        f"{_q(written.object(table.key, fk.name))} FOREIGN KEY ({cols}) REFERENCES "
        f"{_table_ref(expectation, fk.ref_table)}({refs}) "
        f"ON DELETE {fk.on_delete} ON UPDATE {fk.on_update};"
    )


def _create_table(expectation: Expectation, table: Table) -> str:
    ddl = expectation.column_ddl.get(table.key, {})
    written = expectation.written
    lines: list[str] = []
    for col in table.columns:
        type_sql, default_sql = ddl.get(col.name, (col.type, col.default))
        line = f"    {_q(written.column(table.key, col.name))} {type_sql}"
        if not col.nullable:
            line += " NOT NULL"
        if default_sql is not None and not type_sql.endswith("SERIAL"):
            line += f" DEFAULT {default_sql}"
        lines.append(line)
    body = ",\n".join(lines)
    if table.primary_key is not None:
        pk = ",".join(_q(written.column(table.key, c)) for c in table.primary_key.columns)
        name = _q(written.object(table.key, table.primary_key.name))
        body += f",\n\n    CONSTRAINT {name} PRIMARY KEY ({pk})"
    return f"CREATE TABLE {_table_ref(expectation, table.key)} (\n{body}\n);"


def _enums_used(catalog: Catalog, tables: list[Table]) -> list[Enum]:
    spelled = {c.type.removesuffix("[]").replace('"', "") for t in tables for c in t.columns}
    return [
        e for e in catalog.enums.values() if e.name in spelled or f"{e.schema}.{e.name}" in spelled
    ]


def _extensions(expectation: Expectation) -> list[str]:
    # postgres_renderer.rs render_create_extension: WITH SCHEMA and VERSION when declared.
    if expectation.resolved is None:
        return [
            f"CREATE EXTENSION IF NOT EXISTS {_q(e)};"
            for e in sorted(expectation.catalog.extensions)
        ]
    out = []
    # One per database name, the last one listed winning; in the order of their names in the
    # schema, not as listed: [pg_trgm, btree_gin] creates btree_gin first (as the engine does).
    last = {e.name: e for e in expectation.resolved.datasource.extensions}
    for ext in sorted(last.values(), key=lambda e: e.prisma_name or e.name):
        text = f"CREATE EXTENSION IF NOT EXISTS {_q(ext.name)}"
        if ext.schema or ext.version:
            text += " WITH"
        if ext.schema:
            text += f" SCHEMA {_q(ext.schema)}"
        if ext.version:
            text += f" VERSION {_q(ext.version)}"
        out.append(text + ";")
    return out


def render_sql(expectation: Expectation, table: str | None = None) -> str:
    """DDL for the whole expectation, or for the one table called ``table``."""
    catalog = expectation.catalog
    default_schema = expectation.default_schema
    tables = [
        t
        for t in catalog.tables.values()
        if t.name != "_prisma_migrations" and not differ_ignores(t.name)
    ]
    if table is not None:
        names = (table, table.removeprefix(f"{default_schema}."))

        def asked(t: Table) -> bool:
            return (
                table in (t.name, str(t.key), f"{t.schema}.{t.name}")
                or expectation.models.get(t.key) in names  # the model name, as code spells it
            )

        tables = [t for t in tables if asked(t)]
        if not tables:
            if any(asked(t) and differ_ignores(t.name) for t in catalog.tables.values()):
                raise BadInputError(
                    f"{table!r} is a PostGIS table: CREATE EXTENSION postgis makes it, and "
                    "Prisma migrate never creates it"
                )
            raise BadInputError(f"no table {table!r} in the Prisma schema")
    chunks: list[str] = []
    if table is None:
        # A schema that only a table Prisma's differ leaves out would be in is not created.
        left_out = {t.schema for t in catalog.tables.values() if differ_ignores(t.name)}
        left_out -= {t.schema for t in tables} | {e.schema for e in catalog.enums.values()}
        for schema in sorted(catalog.schemas - left_out):
            chunks.append(f"-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS {_q(schema)};")
        for ext_sql in _extensions(expectation):
            chunks.append(f"-- CreateExtension\n{ext_sql}")
        for enum in catalog.enums.values():
            labels = ", ".join(_sql_string(v) for v in enum.values)
            ref = _enum_ref(expectation, enum.key)
            chunks.append(f"-- CreateEnum\nCREATE TYPE {ref} AS ENUM ({labels});")
    else:
        # One table's DDL must run on its own: the enums its columns use come with it.
        for enum in _enums_used(catalog, tables):
            labels = ", ".join(_sql_string(v) for v in enum.values)
            ref = _enum_ref(expectation, enum.key)
            chunks.append(
                "-- CreateEnum (used by this table; skip it if the database has the type already)"
                f"\nCREATE TYPE {ref} AS ENUM ({labels});"
            )
    for t in tables:
        chunks.append("-- CreateTable\n" + _create_table(expectation, t))
    for t in tables:
        every: list[Index | UniqueConstraint] = [*t.uniques, *t.indexes]
        order = expectation.index_order.get(t.key, ())
        for idx in sorted(
            every, key=lambda i: (order.index(i.name) if i.name in order else len(order), i.name)
        ):
            chunks.append("-- CreateIndex\n" + _index_sql(expectation, t, idx))
    for t in tables:
        for fk in t.foreign_keys:
            chunks.append("-- AddForeignKey\n" + _fk_sql(expectation, t, fk))
    return "\n\n".join(chunks) + "\n"
