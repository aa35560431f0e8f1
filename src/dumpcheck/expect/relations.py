"""Foreign keys and implicit many-to-many join tables.

prisma-engines sql_schema_calculator.rs (push_inline_relations, push_relation_tables) and
psl-core parser_database/src/walkers/relation (referential actions, model A/B of a join table).
"""

from __future__ import annotations

from dataclasses import dataclass

from dumpcheck.catalog import Column, FkAction, ForeignKey, Index, PrimaryKey, QualifiedName
from dumpcheck.expect.ast import Array, Attribute, Field, Ident, SchemaAst
from dumpcheck.expect.build import TableDraft, column_type
from dumpcheck.expect.datasource import fail
from dumpcheck.expect.names import foreign_key_name, join_table_object_name, pg_ident
from dumpcheck.expect.symbols import ModelInfo, Symbols, string_arg

_ACTIONS: dict[str, FkAction] = {
    "Cascade": "CASCADE",
    "Restrict": "RESTRICT",
    "NoAction": "NO ACTION",
    "SetNull": "SET NULL",
    "SetDefault": "SET DEFAULT",
}


@dataclass(frozen=True)
class RelationField:
    """A field whose type is another model."""

    model: ModelInfo
    field: Field
    target: ModelInfo
    name: str | None  # the relation name, when given
    attr: Attribute | None


def relation_fields(ast: SchemaAst, symbols: Symbols) -> list[RelationField]:
    """Every relation field of every model and view, in schema order."""
    out: list[RelationField] = []
    for model in symbols.models.values():
        for fld in model.block.fields:
            if fld.type is None or fld.type.name not in symbols.models:
                continue
            attr = fld.attribute("relation")
            name = string_arg(ast, attr, "name") if attr else None
            out.append(RelationField(model, fld, symbols.models[fld.type.name], name, attr))
    return out


def _names(ast: SchemaAst, attr: Attribute, key: str, model: ModelInfo) -> list[str]:
    arg = attr.arg(key, None)
    if arg is None:
        return []
    if not isinstance(arg.value, Array) or not all(isinstance(i, Ident) for i in arg.value.items):
        raise fail(ast, arg.value.pos, f"{key} must be a list of field names")
    names = [i.name for i in arg.value.items if isinstance(i, Ident)]
    for item in arg.value.items:
        if isinstance(item, Ident) and item.name not in model.columns:
            raise fail(ast, item.pos, f"{item.name!r} is not a scalar field of {model.name}")
    return names


def _action(ast: SchemaAst, attr: Attribute, key: str, default: FkAction) -> FkAction:
    arg = attr.arg(key, None)
    if arg is None:
        return default
    if not isinstance(arg.value, Ident) or arg.value.name not in _ACTIONS:
        raise fail(ast, arg.value.pos, f"{key} must be one of {', '.join(_ACTIONS)}")
    return _ACTIONS[arg.value.name]


def foreign_keys(
    ast: SchemaAst, rels: list[RelationField], relation_mode_prisma: bool
) -> dict[QualifiedName, list[ForeignKey]]:
    """The FKs each table gets, from the relation fields that carry ``fields:``."""
    out: dict[QualifiedName, list[ForeignKey]] = {}
    for rel in rels:
        if rel.attr is None:
            continue
        fields = _names(ast, rel.attr, "fields", rel.model)
        refs = _names(ast, rel.attr, "references", rel.target)
        if not fields and not refs:
            continue
        if len(fields) != len(refs):
            raise fail(ast, rel.attr.pos, "fields and references must have the same length")
        # relationMode = "prisma" emulates relations in the client: no FKs at all; views
        # cannot be referenced and have no table (sql_schema_calculator.rs).
        if relation_mode_prisma or rel.model.is_view or rel.target.is_view:
            continue
        # Default referential actions (parser_database walkers/relation_field.rs
        # default_on_delete_action): Restrict when any FK field is required, else SetNull;
        # onUpdate defaults to Cascade.
        required = any(
            f.type is not None and not f.type.optional
            for f in rel.model.block.fields
            if f.name in fields
        )
        on_delete = _action(ast, rel.attr, "onDelete", "RESTRICT" if required else "SET NULL")
        on_update = _action(ast, rel.attr, "onUpdate", "CASCADE")
        cols = tuple(rel.model.columns[f] for f in fields)
        mapped = string_arg(ast, rel.attr, "map") if rel.attr.arg("map", None) else None
        fk = ForeignKey(
            mapped or foreign_key_name(rel.model.table, cols),
            cols,
            rel.target.key,
            tuple(rel.target.columns[r] for r in refs),
            on_delete,
            on_update,
        )
        out.setdefault(rel.model.key, []).append(fk)
    return out


def join_tables(
    ast: SchemaAst, symbols: Symbols, rels: list[RelationField], relation_mode_prisma: bool
) -> list[tuple[TableDraft, str]]:
    """The implicit many-to-many tables ``_<RelationName>``, with their model name."""
    out: list[tuple[TableDraft, str]] = []
    done: set[tuple[str, str]] = set()
    for rel in rels:
        if rel.field.type is None or not rel.field.type.is_list or rel.model.is_view:
            continue
        if rel.attr is not None and rel.attr.arg("fields", None) is not None:
            continue
        back = _back_relation(rels, rel)
        if back is None or back.field.type is None or not back.field.type.is_list:
            continue
        a, b = sorted((rel, back), key=lambda r: (r.model.name.encode(), r.field.name.encode()))
        relation = rel.name or back.name or f"{a.model.name}To{b.model.name}"
        if (a.model.name, relation) in done:
            continue
        done.add((a.model.name, relation))
        out.append(
            (_join_table(ast, symbols, a, b, relation, relation_mode_prisma), "_" + relation)
        )
    return out


def _back_relation(rels: list[RelationField], rel: RelationField) -> RelationField | None:
    for other in rels:
        if other is rel or other.model is not rel.target or other.target is not rel.model:
            continue
        if other.name == rel.name:
            return other
    return None


def _join_table(
    ast: SchemaAst,
    symbols: Symbols,
    a: RelationField,
    b: RelationField,
    relation: str,
    relation_mode_prisma: bool,
) -> TableDraft:
    table = pg_ident("_" + relation)
    # The join table lives in model A's schema (sql_schema_calculator.rs push_relation_tables).
    model = ModelInfo("_" + relation, a.model.block, table, a.model.schema, is_view=False)
    draft = TableDraft(model)
    for side, rel in (("A", a), ("B", b)):
        owner = rel.model
        if len(owner.id_fields) != 1:
            raise fail(
                ast,
                rel.field.pos,
                f"implicit many-to-many relation {relation!r} needs a single-field @id "
                f"on {owner.name}",
            )
        id_field = next(f for f in owner.block.fields if f.name == owner.id_fields[0])
        ctype = column_type(ast, symbols, id_field)
        assert ctype is not None
        draft.columns.append(Column(side, ctype.canonical, False))
        draft.ddl_types[side] = ctype.ddl
        if not relation_mode_prisma:
            draft.foreign_keys.append(
                ForeignKey(
                    join_table_object_name(relation, f"_{side}_fkey"),
                    (side,),
                    owner.key,
                    (owner.columns[owner.id_fields[0]],),
                    "CASCADE",
                    "CASCADE",
                )
            )
    draft.primary_key = PrimaryKey(join_table_object_name(relation, "_AB_pkey"), ("A", "B"))
    draft.indexes.append(Index(join_table_object_name(relation, "_B_index"), ("B",)))
    draft.index_order.append(draft.indexes[-1].name)
    return draft
