"""The tables `prisma migrate` creates for each model: columns, keys, uniques and indexes.

Rules from prisma-engines schema-engine/connectors/sql-schema-connector/src/
sql_schema_calculator.rs (one table per model, views skipped) and psl-core's
constraint_names.rs for the generated names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dumpcheck.catalog import (
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Sequence,
    Table,
    UniqueConstraint,
)
from dumpcheck.expect.ast import Array, Attribute, Call, Field, Ident, SchemaAst, Str, Value
from dumpcheck.expect.datasource import fail
from dumpcheck.expect.defaults import ColumnType
from dumpcheck.expect.names import index_name, primary_key_name, unique_index_name
from dumpcheck.expect.symbols import ModelInfo, Symbols, column_name, string_arg
from dumpcheck.expect.types import NATIVE, SCALARS, native_type, unsupported_type


@dataclass
class TableDraft:
    """A table under construction, with the DDL spellings render_sql needs."""

    model: ModelInfo
    columns: list[Column] = field(default_factory=list)
    ddl_types: dict[str, str] = field(default_factory=dict)  # column -> DDL type
    ddl_defaults: dict[str, str] = field(default_factory=dict)  # column -> DDL default
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    # Prisma's migration order of a table's indexes: field @unique, then @@index, then
    # @@unique, each in declaration order (observed from the schema engine's diff output).
    index_order: list[str] = field(default_factory=list)

    def freeze(self) -> Table:
        """The finished Table (uniques and indexes by name, as the restore reader sorts them)."""
        return Table(
            schema=self.model.schema,
            name=self.model.table,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            uniques=tuple(sorted(self.uniques, key=lambda u: u.name)),
            indexes=tuple(sorted(self.indexes, key=lambda i: i.name)),
            foreign_keys=tuple(self.foreign_keys),  # declaration order, as Prisma adds them
        )


def column_type(ast: SchemaAst, symbols: Symbols, fld: Field) -> ColumnType | None:
    """The column type of a scalar or enum field; None for a relation field."""
    ftype = fld.type
    assert ftype is not None
    if ftype.unsupported is not None:
        text = unsupported_type(ftype.unsupported)
        return ColumnType(text, ftype.unsupported, "Unsupported", ftype.is_list)
    if ftype.name in symbols.enums:
        enum = symbols.enums[ftype.name]
        # Prisma qualifies a type outside the connection's schema (postgres_renderer.rs).
        ddl = f'"{enum.db_name}"'
        if enum.schema != symbols.default_schema:
            ddl = f'"{enum.schema}"."{enum.db_name}"'
        return ColumnType(enum.type_name, ddl, "Enum", ftype.is_list)
    if ftype.name in symbols.models:
        return None
    if ftype.name not in SCALARS:
        if fld.attribute("relation") is not None:
            raise fail(
                ast, fld.pos, f"relation field {fld.name!r} names unknown model {ftype.name!r}"
            )
        raise fail(ast, fld.pos, f"field {fld.name!r} has unknown type {ftype.name!r}")
    canonical, ddl = SCALARS[ftype.name]
    for attr in fld.attributes:
        if attr.name.startswith("db."):
            canonical, ddl = _native(ast, attr)
    return ColumnType(canonical, ddl, ftype.name, ftype.is_list)


def _native(ast: SchemaAst, attr: Attribute) -> tuple[str, str]:
    name = attr.name[3:]
    if name not in NATIVE:
        raise fail(ast, attr.pos, f"unknown native type @{attr.name} for postgresql")
    args: list[int] = []
    for arg in attr.args:
        text = getattr(arg.value, "text", None)
        if text is None or not text.isdigit():
            raise fail(ast, arg.pos, f"@{attr.name}: arguments must be whole numbers")
        args.append(int(text))
    try:
        return native_type(name, tuple(args))
    except ValueError as exc:
        raise fail(ast, attr.pos, str(exc)) from None


def field_list(ast: SchemaAst, attr: Attribute, model: ModelInfo) -> list[tuple[str, Value]]:
    """The ``fields: [a, b(sort: Desc)]`` argument: (field name, the item as written)."""
    arg = attr.arg("fields")
    if arg is None or not isinstance(arg.value, Array) or not arg.value.items:
        raise fail(ast, attr.pos, f"@@{attr.name} needs a non-empty list of fields")
    out: list[tuple[str, Value]] = []
    for item in arg.value.items:
        if not isinstance(item, Ident | Call):
            raise fail(ast, item.pos, "expected a field name")
        if item.name not in model.columns:
            raise fail(
                ast, item.pos, f"@@{attr.name}: {item.name!r} is not a scalar field of {model.name}"
            )
        out.append((item.name, item))
    return out


def index_key(ast: SchemaAst, column: str, item: Value) -> str:
    """One index key as the catalog spells it: ``col``, ``col DESC``, ``col gin_trgm_ops``."""
    text = column
    if isinstance(item, Call):
        for arg in item.args:
            if arg.name == "ops":
                ops = _opclass(ast, arg.value)
                if ops is not None:
                    text += f" {ops}"
            elif arg.name == "sort":
                if not isinstance(arg.value, Ident) or arg.value.name not in ("Asc", "Desc"):
                    raise fail(ast, arg.value.pos, "sort must be Asc or Desc")
                if arg.value.name == "Desc":
                    text += " DESC"
            elif arg.name != "length":
                raise fail(ast, arg.pos, f"unknown index field argument {arg.name!r}")
    return text


# Operator classes that are their type's default for the method (pg_opclass.opcdefault), so
# pg_get_indexdef and the restore reader print no opclass for them.
_DEFAULT_OPS = frozenset({"jsonb_ops", "array_ops"})


def _opclass(ast: SchemaAst, value: Value) -> str | None:
    # psl-core/src/datamodel_connector/... OperatorClass: `raw("x")` is verbatim, an
    # identifier like JsonbPathOps becomes jsonb_path_ops (postgres_datamodel_connector.rs).
    if isinstance(value, Call) and value.name == "raw" and value.args:
        inner = value.args[0].value
        if isinstance(inner, Str):
            return inner.value
    if isinstance(value, Ident):
        snake = "".join("_" + c.lower() if c.isupper() else c for c in value.name).lstrip("_")
        snake = snake.replace("min_max", "minmax")
        return None if snake in _DEFAULT_OPS else snake
    raise fail(ast, value.pos, 'ops must be an operator class name or raw("...")')


def model_keys(ast: SchemaAst, symbols: Symbols, draft: TableDraft) -> None:
    """Primary key, uniques and indexes of one model."""
    model = draft.model
    table = model.table
    block = model.block
    for fld in block.fields:
        col = model.columns.get(fld.name)
        if col is None:
            continue
        if (attr := fld.attribute("id")) is not None:
            if draft.primary_key is not None:
                raise fail(ast, attr.pos, f"model {model.name} has more than one @id")
            name = string_arg(ast, attr, "map") if attr.arg("map", None) else None
            draft.primary_key = PrimaryKey(name or primary_key_name(table), (col,))
            model.id_fields = (fld.name,)
        if (attr := fld.attribute("unique")) is not None:
            name = string_arg(ast, attr, "map") if attr.arg("map", None) else None
            sort = tuple(a for a in attr.args if a.name in ("sort", "length"))
            key = index_key(ast, col, Call(fld.name, sort, attr.pos))
            draft.index_order.append(
                _add_unique(draft, name or unique_index_name(table, [col]), [key])
            )
    block_uniques: list[str] = []
    for attr in block.attributes:
        if attr.name not in ("id", "unique", "index"):
            continue
        items = field_list(ast, attr, model)
        cols = [model.columns[f] for f, _ in items]
        keys = [index_key(ast, model.columns[f], item) for f, item in items]
        mapped = string_arg(ast, attr, "map") if attr.arg("map", None) else None
        if attr.name == "id":
            if draft.primary_key is not None:
                raise fail(ast, attr.pos, f"model {model.name} has both @id and @@id")
            draft.primary_key = PrimaryKey(mapped or primary_key_name(table), tuple(cols))
            model.id_fields = tuple(f for f, _ in items)
        elif attr.name == "unique":
            block_uniques.append(_add_unique(draft, mapped or unique_index_name(table, cols), keys))
        else:
            # On @@index, `name:` is the pre-Prisma-3 spelling of `map:` (the database name);
            # on @@id/@@unique it names the client API only (psl-core attributes/id.rs).
            if mapped is None and attr.arg("name", None) is not None:
                mapped = string_arg(ast, attr, "name")
            method = _index_method(ast, attr)
            name = mapped or index_name(table, cols)
            draft.indexes.append(Index(name, tuple(keys), False, method))
            draft.index_order.append(name)
    draft.index_order.extend(block_uniques)
    if draft.primary_key is not None:
        pk_cols = set(draft.primary_key.columns)
        draft.columns = [
            Column(c.name, c.type, False, c.default) if c.name in pk_cols else c
            for c in draft.columns
        ]


def _add_unique(draft: TableDraft, name: str, keys: list[str]) -> str:
    # A unique index on bare columns is a uniqueness rule; with DESC or an opclass it is an
    # index (the restore reader draws the same line, restore/catalog_reader.py).
    if all(" " not in k for k in keys):
        draft.uniques.append(UniqueConstraint(name, tuple(keys), via_index=True))
    else:
        draft.indexes.append(Index(name, tuple(keys), True, "btree"))
    return name


_METHODS = {"BTree": "btree", "Hash": "hash", "Gist": "gist", "Gin": "gin", "SpGist": "spgist"}
_METHODS["Brin"] = "brin"


def _index_method(ast: SchemaAst, attr: Attribute) -> str:
    arg = attr.arg("type", None)
    if arg is None:
        return "btree"
    if not isinstance(arg.value, Ident) or arg.value.name not in _METHODS:
        raise fail(ast, arg.value.pos, f"index type must be one of {', '.join(_METHODS)}")
    return _METHODS[arg.value.name]


def model_columns(
    ast: SchemaAst, symbols: Symbols, model: ModelInfo
) -> list[tuple[Field, ColumnType]]:
    """Fill ``model.columns`` and return the scalar fields with their types, in order."""
    scalars: list[tuple[Field, ColumnType]] = []
    for fld in model.block.fields:
        ctype = column_type(ast, symbols, fld)
        if ctype is None:
            continue
        model.columns[fld.name] = column_name(ast, fld)
        scalars.append((fld, ctype))
    return scalars
