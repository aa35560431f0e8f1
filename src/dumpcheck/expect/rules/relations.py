"""Foreign keys and the join tables of implicit many-to-many relations.

sql_schema_calculator.rs push_inline_relations (one FK per relation, on the table whose model
holds ``fields:``; none under relationMode = "prisma", none to or from a view) and
push_relation_tables (``_<Relation>`` with columns A and B, PRIMARY KEY ``_<Relation>_AB_pkey``
since Prisma 6, an index on B and two cascading FKs).
"""

from __future__ import annotations

from dumpcheck.catalog import Column, FkAction, ForeignKey, Index, PrimaryKey, QualifiedName, Table
from dumpcheck.expect.model import ColumnOrigin
from dumpcheck.expect.psl import fk_db_name
from dumpcheck.expect.psl.constraint_names import join_table_name, join_table_object_name
from dumpcheck.expect.psl.schema import EnumDef, InlineRelation, ManyToMany, Model
from dumpcheck.expect.rules.names import pg_ident
from dumpcheck.expect.rules.types import column_type

_ACTIONS: dict[str, FkAction] = {
    "Cascade": "CASCADE",
    "Restrict": "RESTRICT",
    "NoAction": "NO ACTION",
    "SetNull": "SET NULL",
    "SetDefault": "SET DEFAULT",
}


def table_key(model: Model) -> QualifiedName:
    """The (schema, table) a model's table has."""
    return QualifiedName(model.schema, pg_ident(model.db_name))


def foreign_keys(
    relations: tuple[InlineRelation, ...], models: dict[str, Model], relation_mode_prisma: bool
) -> dict[str, list[ForeignKey]]:
    """The FKs of each model's table (by model name), in declaration order."""
    out: dict[str, list[tuple[int, ForeignKey]]] = {}
    if relation_mode_prisma:
        return {}  # relationMode = "prisma": the client emulates relations, no FKs at all
    for rel in relations:
        owner, target = models[rel.model], models[rel.target]
        if owner.is_view or target.is_view:
            continue
        columns = tuple(pg_ident(_column(owner, f)) for f in rel.fields)
        fk = ForeignKey(
            pg_ident(fk_db_name(owner, rel)),
            columns,
            table_key(target),
            tuple(pg_ident(_column(target, r)) for r in rel.references),
            _ACTIONS[rel.on_delete],
            _ACTIONS[rel.on_update],
        )
        out.setdefault(rel.model, []).append((_position(owner, rel.field), fk))
    # In the order the relation fields are declared on the model that holds the key.
    return {
        name: [fk for _, fk in sorted(pairs, key=lambda p: p[0])] for name, pairs in out.items()
    }


def _position(model: Model, field: str) -> int:
    return next(i for i, r in enumerate(model.relations) if r.name == field)


def _column(model: Model, field: str) -> str:
    scalar = model.scalar(field)
    assert scalar is not None  # resolution checked every field of every relation
    return scalar.column


def join_table(
    m2m: ManyToMany,
    models: dict[str, Model],
    enums: dict[str, EnumDef],
    default_schema: str,
    relation_mode_prisma: bool,
) -> tuple[Table, dict[str, tuple[str, str | None]], dict[str, ColumnOrigin]]:
    """The join table ``_<name>`` and the DDL types of its two columns."""
    a, b = models[m2m.model_a], models[m2m.model_b]
    columns: list[Column] = []
    ddl: dict[str, tuple[str, str | None]] = {}
    origins: dict[str, ColumnOrigin] = {}
    fks: list[ForeignKey] = []
    for side, owner in (("A", a), ("B", b)):
        assert owner.primary_key is not None and len(owner.primary_key.fields) == 1
        id_field = owner.scalar(owner.primary_key.fields[0].field)
        assert id_field is not None
        ctype = column_type(id_field, enums.get(id_field.type), default_schema)
        columns.append(Column(side, ctype.canonical, False))
        ddl[side] = (ctype.ddl, None)
        origins[side] = ColumnOrigin("Enum" if id_field.is_enum else id_field.type)
        if not relation_mode_prisma:
            fks.append(
                ForeignKey(
                    _join_object(m2m.name, f"_{side}_fkey"),
                    (side,),
                    table_key(owner),
                    (pg_ident(id_field.column),),
                    "CASCADE",
                    "CASCADE",
                )
            )
    table = Table(
        # The join table lives in model A's schema (push_relation_tables).
        schema=a.schema,
        name=pg_ident(join_table_name(m2m.name)),
        columns=tuple(columns),
        primary_key=PrimaryKey(_join_object(m2m.name, "_AB_pkey"), ("A", "B")),
        indexes=(Index(_join_object(m2m.name, "_B_index"), ("B",)),),
        foreign_keys=tuple(fks),
    )
    return table, ddl, origins


def _join_object(relation: str, suffix: str) -> str:
    written = join_table_object_name(relation, suffix)
    assert written is not None  # psl/relations.py refuses the names the engine panics on
    return pg_ident(written)
