"""The datasource block and the schema-wide settings it carries."""

from __future__ import annotations

from dataclasses import dataclass

from dumpcheck.errors import SchemaParseError
from dumpcheck.expect.ast import Array, Block, Call, Ident, Pos, SchemaAst, Str, Value
from dumpcheck.expect.parser import location

# psl-core/src/datamodel_connector.rs: the providers that select the PostgreSQL connector.
_POSTGRES = frozenset({"postgresql", "postgres"})


@dataclass(frozen=True)
class Datasource:
    """What the expectation needs from ``datasource``: schemas, relation mode, extensions."""

    schemas: tuple[str, ...] = ()  # multiSchema: every schema the datasource lists
    relation_mode_prisma: bool = False
    extensions: tuple[str, ...] = ()


def fail(ast: SchemaAst, pos: Pos, message: str) -> SchemaParseError:
    """A SchemaParseError at ``pos`` with its source line."""
    return SchemaParseError(message, location(ast.sources, pos))


def read_datasource(ast: SchemaAst) -> Datasource:
    """Read the one datasource block; the provider must be PostgreSQL."""
    blocks = [b for b in ast.blocks if b.kind == "datasource"]
    if len(blocks) > 1:
        raise fail(ast, blocks[1].pos, "only one datasource block is allowed")
    if not blocks:
        return Datasource()
    block = blocks[0]
    provider = block.prop("provider")
    if provider is None:
        raise fail(ast, block.pos, f"datasource {block.name!r} has no provider")
    if not isinstance(provider.value, Str) or provider.value.value not in _POSTGRES:
        shown = provider.value.value if isinstance(provider.value, Str) else "a non-string"
        raise fail(
            ast,
            provider.value.pos,
            f'provider {shown!r} is not supported: dumpcheck expects provider = "postgresql"',
        )
    return Datasource(
        schemas=_strings(ast, block, "schemas"),
        relation_mode_prisma=_relation_mode(ast, block),
        extensions=_extensions(ast, block),
    )


def _strings(ast: SchemaAst, block: Block, key: str) -> tuple[str, ...]:
    prop = block.prop(key)
    if prop is None:
        return ()
    if not isinstance(prop.value, Array) or not all(isinstance(v, Str) for v in prop.value.items):
        raise fail(ast, prop.value.pos, f"{key} must be a list of strings")
    return tuple(v.value for v in prop.value.items if isinstance(v, Str))


def _relation_mode(ast: SchemaAst, block: Block) -> bool:
    # "referentialIntegrity" is the Prisma 3/4 name of "relationMode" (psl-core
    # configuration/datasource.rs still reads both).
    prop = block.prop("relationMode") or block.prop("referentialIntegrity")
    if prop is None:
        return False
    if not isinstance(prop.value, Str) or prop.value.value not in ("prisma", "foreignKeys"):
        raise fail(ast, prop.value.pos, 'relationMode must be "prisma" or "foreignKeys"')
    return prop.value.value == "prisma"


def _extensions(ast: SchemaAst, block: Block) -> tuple[str, ...]:
    prop = block.prop("extensions")
    if prop is None:
        return ()
    if not isinstance(prop.value, Array):
        raise fail(ast, prop.value.pos, "extensions must be a list")
    return tuple(_extension_name(ast, v) for v in prop.value.items)


def _extension_name(ast: SchemaAst, value: Value) -> str:
    # `uuid_ossp(map: "uuid-ossp", schema: "extensions")`: map gives the database name.
    if isinstance(value, Ident):
        return value.name
    if isinstance(value, Call):
        for arg in value.args:
            if arg.name == "map" and isinstance(arg.value, Str):
                return arg.value.value
        return value.name
    raise fail(ast, value.pos, "an extension is a name, optionally with (map:, schema:, version:)")
