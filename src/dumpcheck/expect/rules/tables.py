"""The calculator: a resolved schema becomes the catalog ``prisma migrate`` builds.

sql_schema_calculator.rs: one table per model (views are never created), the join tables of
implicit many-to-many relations, the enums, and ``_prisma_migrations`` when the project has a
migration history. Each kind of object has its own module; this one only assembles them.
"""

from __future__ import annotations

from dataclasses import replace

from dumpcheck.catalog import (
    Catalog,
    Column,
    Enum,
    PrimaryKey,
    QualifiedName,
    Sequence,
    Table,
    UniqueConstraint,
)
from dumpcheck.expect.model import ColumnOrigin, Expectation, Migration, WrittenNames
from dumpcheck.expect.psl.constraint_names import (
    join_table_name,
    join_table_object_name,
    pg_ident,
)
from dumpcheck.expect.psl.schema import ManyToMany, Model, ResolvedSchema
from dumpcheck.expect.rules.columns import model_columns
from dumpcheck.expect.rules.indexes import model_keys
from dumpcheck.expect.rules.relations import foreign_keys, join_table, table_key

JOIN_TABLE_STYLE = "pkey"  # Prisma >= 6: "_<name>_AB_pkey"; Prisma < 6: "_<name>_AB_unique"


def build_expectation(
    schema: ResolvedSchema,
    migrations: tuple[Migration, ...] = (),
    files: tuple[str, ...] = (),
) -> Expectation:
    """The Expectation for a resolved schema (pure: no file or database access)."""
    enums = {e.name: e for e in schema.enums}
    models = {m.name: m for m in schema.models}
    default_schema = schema.default_schema
    relation_mode_prisma = schema.datasource.relation_mode_prisma
    fks = foreign_keys(schema.inline_relations, models, relation_mode_prisma)
    tables: list[Table] = []
    names: dict[QualifiedName, str] = {}
    column_ddl: dict[QualifiedName, dict[str, tuple[str, str | None]]] = {}
    index_order: dict[QualifiedName, tuple[str, ...]] = {}
    index_ddl: dict[QualifiedName, dict[str, tuple[str, ...]]] = {}
    predicates: dict[QualifiedName, dict[str, str]] = {}
    sequences: list[Sequence] = []
    views: dict[QualifiedName, str] = {}
    origins: dict[QualifiedName, dict[str, ColumnOrigin]] = {}
    written = WrittenNames()
    for model in schema.models:
        key = table_key(model)
        if model.is_view:
            views[key] = model.name  # migrate never creates views
            continue
        cols = model_columns(model, enums, default_schema)
        keys = model_keys(model)
        tables.append(
            Table(
                schema=model.schema,
                name=key.name,
                columns=cols.columns,
                primary_key=keys.primary_key,
                uniques=keys.uniques,
                indexes=keys.indexes,
                foreign_keys=tuple(fks.get(model.name, ())),  # declaration order
            )
        )
        names[key] = model.name
        _write_model(written, key, model)
        column_ddl[key] = cols.ddl
        origins[key] = cols.origins
        index_order[key] = keys.order
        index_ddl[key] = keys.ddl
        predicates[key] = keys.predicates
        sequences.extend(cols.sequences)
    order = {m.name: i for i, m in enumerate(schema.models)}

    def _field_at(m2m: ManyToMany) -> int:
        fields = models[m2m.model_a].relations
        return next((i for i, r in enumerate(fields) if r.name == m2m.field_a), 0)

    join_styles: dict[QualifiedName, str] = {}
    # The schema engine emits join tables by model A, then by model A's relation field, each in
    # declaration order.
    for m2m in sorted(schema.many_to_many, key=lambda r: (order[r.model_a], _field_at(r))):
        table, ddl, scalars = join_table(m2m, models, enums, default_schema, relation_mode_prisma)
        tables.append(table)
        names[table.key] = "_" + m2m.name
        _write_join_table(written, table.key, m2m.name)
        column_ddl[table.key] = ddl
        origins[table.key] = scalars
        index_order[table.key] = tuple(i.name for i in table.indexes)
        join_styles[table.key] = JOIN_TABLE_STYLE
    if migrations:
        tables.append(migrations_table(default_schema))
    catalog = Catalog.build(
        tables=tables,
        enums=[
            Enum(e.schema, pg_ident(e.db_name), tuple(label for _, label in e.values))
            for e in schema.enums
        ],
        sequences=sequences,
        # The engine creates the schemas that hold a table or an enum, no others.
        extensions=[x.name for x in schema.datasource.extensions],
    )
    return Expectation(
        catalog=catalog,
        models=names,
        schema_files=files,
        migrations=migrations,
        join_table_style=join_styles,
        index_order=index_order,
        default_schema=default_schema,
        column_ddl=column_ddl,
        views=views,
        index_ddl=index_ddl,
        index_predicates=predicates,
        partial_indexes="partialindexes" in schema.preview_features,
        resolved=schema,
        column_origins=origins,
        written=_write_enums(written, schema),
    )


def _write_model(written: WrittenNames, key: QualifiedName, model: Model) -> None:
    if key.name != model.db_name:
        written.tables[key] = model.db_name
    for fld in model.scalars:
        if pg_ident(fld.column) != fld.column:
            written.columns.setdefault(key, {})[pg_ident(fld.column)] = fld.column


def _write_join_table(written: WrittenNames, key: QualifiedName, relation: str) -> None:
    if key.name != join_table_name(relation):
        written.tables[key] = join_table_name(relation)
    for suffix in ("_AB_pkey", "_B_index", "_A_fkey", "_B_fkey"):
        name = join_table_object_name(relation, suffix)
        if name is not None and pg_ident(name) != name:
            written.objects.setdefault(key, {})[pg_ident(name)] = name


def _write_enums(written: WrittenNames, schema: ResolvedSchema) -> WrittenNames:
    for enum in schema.enums:
        if pg_ident(enum.db_name) != enum.db_name:
            written.enums[QualifiedName(enum.schema, pg_ident(enum.db_name))] = enum.db_name
    return written


def legacy_join_table(table: Table) -> Table:
    """A join table in its Prisma < 6 form: no PK, a unique index ``_<name>_AB_unique`` on (A, B).

    Prisma 6 replaced the unique index by ``_<name>_AB_pkey`` (its upgrade migration renames
    one into the other).
    """
    if table.primary_key is None or not table.primary_key.name.endswith("_AB_pkey"):
        return table
    relation = table.primary_key.name[1 : -len("_AB_pkey")]
    unique_name = join_table_object_name(relation, "_AB_unique")
    assert unique_name is not None  # only foreign key names can make the engine panic
    unique = UniqueConstraint(pg_ident(unique_name), ("A", "B"))
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
