"""Models and enums resolved to database names: the symbol table the rules work from."""

from __future__ import annotations

from dataclasses import dataclass, field

from dumpcheck.catalog import QualifiedName, quote_ident
from dumpcheck.expect.ast import Attribute, Block, Field, SchemaAst, Str
from dumpcheck.expect.datasource import Datasource, fail
from dumpcheck.expect.names import pg_ident
from dumpcheck.expect.types import SCALARS

# The attributes Prisma knows (psl-core/src/validate/validation_pipeline/context/attributes.rs
# and the postgres connector); anything else is an error, as `prisma validate` says.
FIELD_ATTRIBUTES = frozenset(
    {"id", "unique", "default", "map", "relation", "updatedAt", "ignore", "shardKey"}
)
BLOCK_ATTRIBUTES = frozenset({"id", "unique", "index", "map", "schema", "ignore", "shardKey"})
ENUM_VALUE_ATTRIBUTES = frozenset({"map"})
ENUM_ATTRIBUTES = frozenset({"map", "schema"})


@dataclass(frozen=True)
class EnumInfo:
    """An enum with its database name, schema and the database label of each value."""

    name: str
    db_name: str
    schema: str
    labels: dict[str, str]  # Prisma value -> database label

    @property
    def type_name(self) -> str:
        """format_type() spelling: ``public."Role"``."""
        return f"{quote_ident(self.schema)}.{quote_ident(self.db_name)}"


@dataclass
class ModelInfo:
    """A model or view with its table name, schema and each field's column name."""

    name: str
    block: Block
    table: str
    schema: str
    is_view: bool
    columns: dict[str, str] = field(default_factory=dict)  # scalar field -> column name
    id_fields: tuple[str, ...] = ()

    @property
    def key(self) -> QualifiedName:
        """The table's (schema, name) key."""
        return QualifiedName(self.schema, self.table)


@dataclass
class Symbols:
    """Every enum and model of the schema, by Prisma name."""

    enums: dict[str, EnumInfo]
    models: dict[str, ModelInfo]
    multi_schema: bool = False
    default_schema: str = "public"


def string_arg(ast: SchemaAst, attr: Attribute, name: str) -> str | None:
    """The string argument ``name`` (or the first positional one) of ``attr``."""
    arg = attr.arg(name)
    if arg is None:
        return None
    if not isinstance(arg.value, Str):
        raise fail(ast, arg.value.pos, f"@{attr.name}: {name} must be a string")
    return arg.value.value


def _schema_of(ast: SchemaAst, block: Block, ds: Datasource, default_schema: str) -> str:
    attr = block.attribute("schema")
    if attr is None:
        if ds.schemas:
            raise fail(ast, block.pos, f"{block.kind} {block.name!r} has no @@schema attribute")
        return default_schema
    name = string_arg(ast, attr, "name")
    if name is None:
        raise fail(ast, attr.pos, "@@schema needs a schema name")
    if ds.schemas and name not in ds.schemas:
        raise fail(ast, attr.pos, f"schema {name!r} is not in the datasource's schemas")
    return pg_ident(name)


def _check_attributes(ast: SchemaAst, block: Block) -> None:
    allowed_block = ENUM_ATTRIBUTES if block.kind == "enum" else BLOCK_ATTRIBUTES
    for attr in block.attributes:
        if attr.name not in allowed_block:
            raise fail(
                ast, attr.pos, f"unknown attribute @@{attr.name} on {block.kind} {block.name!r}"
            )
    allowed_field = ENUM_VALUE_ATTRIBUTES if block.kind == "enum" else FIELD_ATTRIBUTES
    for fld in block.fields:
        for attr in fld.attributes:
            if attr.name not in allowed_field and not (
                block.kind != "enum" and attr.name.startswith("db.")
            ):
                raise fail(ast, attr.pos, f"unknown attribute @{attr.name} on field {fld.name!r}")


def resolve(ast: SchemaAst, ds: Datasource, default_schema: str) -> Symbols:
    """Check names and attributes, and resolve every model and enum to its database name."""
    seen: dict[str, Block] = {}
    enums: dict[str, EnumInfo] = {}
    models: dict[str, ModelInfo] = {}
    for block in ast.blocks:
        if block.kind in ("datasource", "generator"):
            continue
        if block.name in seen or block.name in SCALARS:
            raise fail(ast, block.pos, f"the name {block.name!r} is defined more than once")
        seen[block.name] = block
        if block.kind == "type":
            raise fail(
                ast, block.pos, f"composite type {block.name!r}: composite types are MongoDB only"
            )
        _check_attributes(ast, block)
        mapped = block.attribute("map")
        db_name = pg_ident((string_arg(ast, mapped, "name") if mapped else None) or block.name)
        schema = _schema_of(ast, block, ds, default_schema)
        if block.kind == "enum":
            enums[block.name] = EnumInfo(block.name, db_name, schema, _labels(ast, block))
        else:
            models[block.name] = ModelInfo(
                block.name, block, db_name, schema, is_view=block.kind == "view"
            )
    return Symbols(enums, models, bool(ds.schemas), default_schema)


def _labels(ast: SchemaAst, block: Block) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value in block.fields:
        attr = value.attribute("map")
        labels[value.name] = (string_arg(ast, attr, "name") if attr else None) or value.name
    return labels


def column_name(ast: SchemaAst, fld: Field) -> str:
    """The column a scalar field becomes: ``@map`` or the field name, cut to 63 bytes."""
    attr = fld.attribute("map")
    return pg_ident((string_arg(ast, attr, "name") if attr else None) or fld.name)
