"""From syntax tree to resolved schema: every check Prisma makes, in one pass per concern.

The order follows parser-database's ``ParserDatabase::new`` then psl-core's validation
pipeline: configuration, names, attributes and types per block, indexes, relations, and last
the constraint names that must not collide. The first violation ends the run with Prisma's
message (Prisma collects them all; one is enough to reject the schema).
"""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.expect.psl.ast import Block, Field, SchemaAst
from dumpcheck.expect.psl.config import read_config
from dumpcheck.expect.psl.constraint_names import (
    MAX_IDENT,
    foreign_key_name,
    index_name,
    primary_key_name,
    unique_index_name,
)
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.fields import (
    RawRelation,
    check_attributes,
    ignore_flag,
    map_name,
    read_fields,
    schema_of,
)
from dumpcheck.expect.psl.indexes import read_indexes
from dumpcheck.expect.psl.names import check_column_names, check_field_names, check_top_level
from dumpcheck.expect.psl.relations import ModelInfo, pair_relations, read_relation_field
from dumpcheck.expect.psl.schema import (
    Datasource,
    EnumDef,
    IndexDef,
    InlineRelation,
    Model,
    RelationField,
    ResolvedSchema,
    ScalarField,
)


def resolve(ast: SchemaAst, default_schema: str, files: tuple[str, ...] = ()) -> ResolvedSchema:
    """Validate ``ast`` as Prisma 7.10 does and resolve every name in it."""
    sources = ast.sources
    config = read_config(ast)
    ds = config.datasource
    blocks = check_top_level(ast)
    for block in blocks.values():
        if block.kind == "type":
            raise fail(
                sources,
                block.pos,
                "Error validating: Composite types are not supported on Postgres.",
            )
        if block.kind == "view" and "views" not in config.preview_features:
            raise fail(
                sources,
                block.pos,
                "Error validating: View definitions are only available with the `views` preview "
                "feature.",
            )
    enums = tuple(
        _enum(sources, b, ds, default_schema) for b in blocks.values() if b.kind == "enum"
    )
    enum_values = {e.name: tuple(v for v, _ in e.values) for e in enums}
    model_names = frozenset(n for n, b in blocks.items() if b.kind in ("model", "view"))
    composites = frozenset(n for n, b in blocks.items() if b.kind == "type")
    drafts: list[tuple[Model, tuple[RelationField, ...]]] = []
    infos: dict[str, ModelInfo] = {}
    raw_relations: dict[str, list[RawRelation]] = {}
    for block in blocks.values():
        if block.kind not in ("model", "view"):
            continue
        check_attributes(sources, block, ds)
        check_field_names(sources, block)
        ignored = ignore_flag(sources, block)
        scalars, relations = read_fields(
            sources, block, ds, enum_values, model_names, composites, ignored
        )
        check_column_names(sources, block, [(f, s.column) for f, s in _with_fields(block, scalars)])
        by_name = {s.name: s for s in scalars}
        primary, indexes = read_indexes(
            sources,
            block,
            by_name,
            frozenset(r.field.name for r in relations),
            config.preview_features,
        )
        db_name = map_name(sources, block.attribute("map"), "@map") or block.name
        model = Model(
            name=block.name,
            db_name=db_name,
            schema=schema_of(sources, block, ds, default_schema),
            is_view=block.kind == "view",
            pos=block.pos,
            scalars=tuple(scalars),
            relations=(),
            primary_key=primary,
            indexes=indexes,
            ignored=ignored,
        )
        _check_unique_criteria(sources, block, model)
        infos[model.name] = ModelInfo(model.name, model.is_view, ignored, by_name, primary, indexes)
        raw_relations[model.name] = relations
        drafts.append((model, ()))
    relation_mode_prisma = ds is not None and ds.relation_mode_prisma
    rel_fields = {
        name: tuple(
            read_relation_field(sources, infos[name], r, relation_mode_prisma) for r in raws
        )
        for name, raws in raw_relations.items()
    }
    inline, many = pair_relations(sources, infos, rel_fields, relation_mode_prisma)
    models = tuple(Model(**{**m.__dict__, "relations": rel_fields[m.name]}) for m, _ in drafts)
    _check_table_names(sources, models)
    _check_constraint_names(sources, models, inline)
    datasource = ds or Datasource("db", "postgresql")
    return ResolvedSchema(
        datasource, default_schema, models, enums, inline, many, files, config.preview_features
    )


def _with_fields(block: Block, scalars: list[ScalarField]) -> list[tuple[Field, ScalarField]]:
    fields = {f.name: f for f in block.fields}
    return [(fields[s.name], s) for s in scalars]


def _enum(sources: Mapping[str, str], block: Block, ds: Datasource | None, default: str) -> EnumDef:
    check_attributes(sources, block, ds)
    check_field_names(sources, block)
    if not block.fields:
        raise fail(sources, block.pos, "Error validating: An enum must have at least one value.")
    values = []
    for value in block.fields:
        label = map_name(sources, value.attribute("map"), "@map") or value.name
        values.append((value.name, label))
    db_name = map_name(sources, block.attribute("map"), "@map") or block.name
    return EnumDef(block.name, db_name, schema_of(sources, block, ds, default), tuple(values))


def _check_unique_criteria(sources: Mapping[str, str], block: Block, model: Model) -> None:
    # validations/models.rs has_a_unique_criteria: views and ignored models are exempt.
    if model.is_view or model.ignored:
        return
    for index in (model.primary_key, *model.indexes):
        if index is None or index.kind == "index":
            continue
        fields = [model.scalar(f.field) for f in index.fields]
        # unique_criteria.rs is_strict_criteria: no optional field (a list is not optional) and
        # no Unsupported one.
        if all(f is not None and f.arity != "optional" and f.type != "Unsupported" for f in fields):
            return
    raise fail(
        sources,
        block.pos,
        f'Error validating model "{model.name}": Each model must have at least one unique '
        "criteria that has only required fields. Either mark a single field with `@id`, "
        "`@unique` or add a multi field criterion with `@@id([])` or `@@unique([])` to the model.",
    )


def _check_table_names(sources: Mapping[str, str], models: tuple[Model, ...]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for model in models:
        key = (model.schema, model.db_name)
        if key in seen:
            raise fail(
                sources,
                model.pos,
                f'The model with database name "{model.db_name}" could not be defined because '
                f'another model or view with this name exists: "{seen[key]}"',
            )
        seen[key] = model.name


def index_db_name(model: Model, index: IndexDef) -> str:
    """The database name of a key or index: ``map:``, else Prisma's default name."""
    if index.db_name is not None:
        return index.db_name
    columns = [f.column for f in index.fields]
    if index.kind == "id":
        return primary_key_name(model.db_name)
    if index.kind == "unique":
        return unique_index_name(model.db_name, columns)
    return index_name(model.db_name, columns)


def fk_db_name(model: Model, rel: InlineRelation) -> str:
    """The database name of a foreign key: ``map:``, else ``<table>_<columns>_fkey``."""
    if rel.fk_name is not None:
        return rel.fk_name
    columns = [s.column for f in rel.fields if (s := model.scalar(f)) is not None]
    return foreign_key_name(model.db_name, columns)


def _check_constraint_names(
    sources: Mapping[str, str], models: tuple[Model, ...], inline: tuple[InlineRelation, ...]
) -> None:
    # validations/constraint_namespace.rs: on PostgreSQL, keys and indexes share one namespace
    # per schema; a model's keys, indexes and foreign keys share another.
    global_names: dict[tuple[str, str], str] = {}
    for model in models:
        if model.is_view:
            continue
        local: set[str] = set()
        keys = [k for k in (model.primary_key, *model.indexes) if k is not None]
        for key in keys:
            name = index_db_name(model, key)
            attr = {"id": "@id", "unique": "@unique", "index": "@@index"}[key.kind]
            if not key.field_level and key.kind != "index":
                attr = "@" + attr
            _check_length(sources, key, name, attr)
            scope = (model.schema, name)
            if scope in global_names or name in local:
                raise fail(
                    sources,
                    key.pos,
                    f"The given constraint name `{name}` has to be unique in the following "
                    "namespace: global for primary key, indexes and unique constraints. Please "
                    "provide a different name using the `map` argument.",
                )
            global_names[scope] = model.name
            local.add(name)
        for rel in inline:
            if rel.model != model.name:
                continue
            name = fk_db_name(model, rel)
            field = next(r for r in model.relations if r.name == rel.field)
            if rel.fk_name is not None and len(name.encode()) > MAX_IDENT:
                raise fail(
                    sources,
                    field.pos,
                    f"The constraint name '{name}' specified in the `map` argument for the "
                    "`@relation` constraint is too long for your chosen provider. The maximum "
                    "allowed length is 63 bytes.",
                )
            if name in local:
                raise fail(
                    sources,
                    field.pos,
                    f"The given constraint name `{name}` has to be unique in the following "
                    f"namespace: on model `{model.name}` for primary key, indexes, unique "
                    "constraints and foreign keys. Please provide a different name using the "
                    "`map` argument.",
                )
            local.add(name)


def _check_length(sources: Mapping[str, str], key: IndexDef, name: str, attr: str) -> None:
    if key.db_name is not None and len(name.encode()) > MAX_IDENT:
        raise fail(
            sources,
            key.pos,
            f"The constraint name '{name}' specified in the `map` argument for the `{attr}` "
            "constraint is too long for your chosen provider. The maximum allowed length is 63 "
            "bytes.",
        )
