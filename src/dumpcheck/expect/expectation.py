"""Assemble the expected catalog from a parsed schema: tables, enums, sequences, join tables."""

from __future__ import annotations

from dataclasses import replace

from dumpcheck.catalog import (
    Catalog,
    Column,
    Enum,
    PrimaryKey,
    QualifiedName,
    Table,
    UniqueConstraint,
)
from dumpcheck.expect.ast import SchemaAst
from dumpcheck.expect.build import TableDraft, model_columns, model_keys
from dumpcheck.expect.columns import add_columns
from dumpcheck.expect.datasource import read_datasource
from dumpcheck.expect.model import Expectation, Migration
from dumpcheck.expect.names import join_table_object_name
from dumpcheck.expect.relations import foreign_keys, join_tables, relation_fields
from dumpcheck.expect.symbols import resolve

JOIN_TABLE_STYLE = "pkey"  # Prisma >= 6: "_<name>_AB_pkey"; Prisma < 6: "_<name>_AB_unique"


def legacy_join_table(table: Table) -> Table:
    """A join table in its Prisma < 6 form: no PK, a unique index ``_<name>_AB_unique`` on (A, B).

    Prisma 6 replaced the unique index by ``_<name>_AB_pkey`` (its upgrade migration renames
    one into the other); both are correct, so compare can accept either form.
    """
    if table.primary_key is None or not table.primary_key.name.endswith("_AB_pkey"):
        return table
    relation = table.primary_key.name[1 : -len("_AB_pkey")]
    unique = UniqueConstraint(join_table_object_name(relation, "_AB_unique"), ("A", "B"))
    return replace(
        table,
        primary_key=None,
        uniques=tuple(sorted((*table.uniques, unique), key=lambda u: u.name)),
    )


def migrations_table(schema: str) -> Table:
    """``_prisma_migrations`` as the schema engine creates it (sql-schema-connector
    flavour/postgres.rs create_migrations_table)."""
    ts = "timestamp with time zone"
    return Table(
        schema=schema,
        name="_prisma_migrations",
        columns=(
            Column("id", "character varying(36)", False),
            Column("checksum", "character varying(64)", False),
            Column("finished_at", ts, True),
            Column("migration_name", "character varying(255)", False),
            Column("logs", "text", True),
            Column("rolled_back_at", ts, True),
            Column("started_at", ts, False, "now()"),
            Column("applied_steps_count", "integer", False, "0"),
        ),
        primary_key=PrimaryKey("_prisma_migrations_pkey", ("id",)),
    )


def build_expectation(
    ast: SchemaAst,
    default_schema: str,
    migrations: tuple[Migration, ...] = (),
    files: tuple[str, ...] = (),
) -> Expectation:
    """The Expectation for a parsed schema (pure: no file or database access)."""
    ds = read_datasource(ast)
    symbols = resolve(ast, ds, default_schema)
    drafts: list[tuple[TableDraft, str]] = []
    views: dict[QualifiedName, str] = {}
    for model in symbols.models.values():
        fields = model_columns(ast, symbols, model)
        if model.is_view:
            views[model.key] = model.name
            continue  # migrate never creates views (sql_schema_calculator.rs skips them)
        draft = TableDraft(model)
        add_columns(ast, symbols, draft, fields)
        model_keys(ast, symbols, draft)
        drafts.append((draft, model.name))
    rels = relation_fields(ast, symbols)
    fks = foreign_keys(ast, rels, ds.relation_mode_prisma)
    for draft, _ in drafts:
        draft.foreign_keys.extend(fks.get(draft.model.key, ()))
    joins = join_tables(ast, symbols, rels, ds.relation_mode_prisma)
    tables: list[Table] = []
    models: dict[QualifiedName, str] = {}
    column_ddl: dict[QualifiedName, dict[str, tuple[str, str | None]]] = {}
    sequences = []
    index_order: dict[QualifiedName, tuple[str, ...]] = {}
    for draft, name in [*drafts, *joins]:
        table = draft.freeze()
        tables.append(table)
        models[table.key] = name
        sequences.extend(draft.sequences)
        index_order[table.key] = tuple(draft.index_order)
        column_ddl[table.key] = {
            c.name: (draft.ddl_types[c.name], draft.ddl_defaults.get(c.name)) for c in table.columns
        }
    if migrations:
        tables.append(migrations_table(default_schema))
    enums = [Enum(e.schema, e.db_name, tuple(e.labels.values())) for e in symbols.enums.values()]
    catalog = Catalog.build(
        tables=tables,
        enums=enums,
        sequences=sequences,
        schemas=(default_schema, *ds.schemas),
        extensions=ds.extensions,
    )
    return Expectation(
        catalog=catalog,
        models=models,
        schema_files=files,
        migrations=migrations,
        join_table_style={d.model.key: JOIN_TABLE_STYLE for d, _ in joins},
        index_order=index_order,
        default_schema=default_schema,
        column_ddl=column_ddl,
        views=views,
    )
