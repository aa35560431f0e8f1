"""The datasource and generator blocks (psl-core ``validate/datasource_loader.rs``,
``generator_loader.rs``, ``validations/datasource.rs``).

Prisma 7 rejects ``url``, ``directUrl`` and ``shadowDatabaseUrl`` in the schema (they moved to
prisma.config.ts), and rejects preview features it does not know. dumpcheck reads schemas of
Prisma 5 and 6 as well, whose datasources must carry a ``url`` and whose generators list flags
that Prisma 7 retired; both change nothing in the database, so both are accepted here. Every
other rule is Prisma 7.10's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dumpcheck.errors import SchemaParseError
from dumpcheck.expect.psl.ast import Array, Block, Call, Ident, Pos, Property, SchemaAst, Str, Value
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.schema import Datasource, Extension

# psl-core datamodel_connector: the providers that select the PostgreSQL connector.
POSTGRES_PROVIDERS = frozenset({"postgresql", "postgres"})
_OTHER_PROVIDERS = frozenset({"mysql", "sqlite", "sqlserver", "mongodb", "cockroachdb"})
_DATASOURCE_KEYS = frozenset(
    {
        "provider",
        "url",  # Prisma <= 6 (see the module docstring)
        "directUrl",
        "shadowDatabaseUrl",
        "relationMode",
        "referentialIntegrity",  # the Prisma 3/4 name of relationMode, still read
        "schemas",
        "extensions",
    }
)
_EXTENSION_ARGS = frozenset({"map", "schema", "version"})


@dataclass(frozen=True)
class Config:
    """The datasource (or None when the schema has none) and the enabled preview features."""

    datasource: Datasource | None
    preview_features: frozenset[str]  # lower-cased, as Prisma compares them


def read_config(ast: SchemaAst) -> Config:
    """Validate every datasource and generator block and read what the rules need."""
    previews: set[str] = set()
    for block in ast.blocks:
        if block.kind == "generator":
            previews |= _generator(ast.sources, block)
    sources = [b for b in ast.blocks if b.kind == "datasource"]
    if len(sources) > 1:
        raise fail(
            ast.sources,
            sources[1].pos,
            f"Error validating datasource `{sources[1].name}`: You defined more than one "
            "datasource. This is not allowed yet because support for multiple databases has not "
            "been implemented yet.",
        )
    datasource = _datasource(ast.sources, sources[0], previews) if sources else None
    return Config(datasource, frozenset(previews))


def _unique_keys(sources: Mapping[str, str], block: Block, what: str) -> None:
    seen: set[str] = set()
    for prop in block.properties:
        if prop.key in seen:
            raise fail(
                sources, prop.pos, f'Key "{prop.key}" is already defined in {what} "{block.name}".'
            )
        seen.add(prop.key)
        if prop.value is None:
            kind = "datasource" if block.kind == "datasource" else "generator"
            raise fail(
                sources,
                prop.pos,
                f"Property {prop.key} in {kind} {block.name} needs to be assigned a value",
            )


def _generator(sources: Mapping[str, str], block: Block) -> set[str]:
    _unique_keys(sources, block, "generator")
    provider = block.prop("provider")
    if provider is None:
        raise fail(
            sources, block.pos, f'Argument "provider" is missing in generator block "{block.name}".'
        )
    if not (_is_env(provider.value) or isinstance(provider.value, Str)):
        raise fail(sources, provider.pos, "Expected a String value for the generator provider.")
    flags = block.prop("previewFeatures")
    if flags is None or flags.value is None:
        return set()
    items = flags.value.items if isinstance(flags.value, Array) else (flags.value,)
    out: set[str] = set()
    for item in items:
        if not isinstance(item, Str):
            raise fail(sources, item.pos, "previewFeatures must be a list of strings")
        out.add(item.value.lower())
    return out


def _is_env(value: Value | None) -> bool:
    return isinstance(value, Call) and value.name == "env"


def _datasource(sources: Mapping[str, str], block: Block, previews: set[str]) -> Datasource:
    _unique_keys(sources, block, "source")
    for prop in block.properties:
        if prop.key not in _DATASOURCE_KEYS:
            raise fail(sources, prop.pos, f'Property not known: "{prop.key}".')
    provider = block.prop("provider")
    if provider is None:
        raise fail(
            sources,
            block.pos,
            f'Argument "provider" is missing in data source block "{block.name}".',
        )
    value = provider.value
    if _is_env(value):
        raise fail(
            sources,
            provider.pos,
            "A datasource must not use the env() function in the provider argument.",
        )
    if not isinstance(value, Str):
        raise fail(
            sources,
            provider.pos,
            f"Error validating datasource `{block.name}`: The provider argument in a datasource "
            "must be a string literal",
        )
    if value.value not in POSTGRES_PROVIDERS:
        known = value.value in _OTHER_PROVIDERS
        raise fail(
            sources,
            value.pos,
            f'provider "{value.value}" is not supported: dumpcheck verifies PostgreSQL dumps and '
            'expects provider = "postgresql"'
            if known
            else f'Datasource provider not known: "{value.value}".',
        )
    url_env = None
    url = block.prop("url")
    if url is not None and isinstance(url.value, Call) and url.value.name == "env":
        first = url.value.args[0].value if url.value.args else None
        url_env = first.value if isinstance(first, Str) else None
    return Datasource(
        name=block.name,
        provider=value.value,
        schemas=_schemas(sources, block.prop("schemas")),
        extensions=_extensions(sources, block.prop("extensions"), previews),
        relation_mode_prisma=_relation_mode(sources, block),
        url_env=url_env,
    )


def _schemas(sources: Mapping[str, str], prop: Property | None) -> tuple[str, ...]:
    if prop is None or prop.value is None:
        return ()
    value = prop.value
    items = value.items if isinstance(value, Array) else (value,)
    names: list[str] = []
    for item in items:
        if not isinstance(item, Str):
            raise fail(sources, item.pos, f"Expected a string value, but received {item!r}.")
        if item.value in names:
            raise fail(sources, item.pos, "Duplicated schema names are not allowed")
        names.append(item.value)
    if not names:
        raise fail(sources, prop.pos, "If provided, the schemas array can not be empty.")
    return tuple(names)


def _relation_mode(sources: Mapping[str, str], block: Block) -> bool:
    prop = block.prop("relationMode") or block.prop("referentialIntegrity")
    if prop is None:
        return False
    value = prop.value
    if not isinstance(value, Str) or value.value not in ("prisma", "foreignKeys"):
        shown = value.value if isinstance(value, Str) else "?"
        raise fail(
            sources,
            prop.pos,
            "Error validating datasource `relationMode`: Invalid relation mode setting: "
            f'"{shown}". '
            'Supported values: "prisma", "foreignKeys"',
        )
    return value.value == "prisma"


def _extensions(
    sources: Mapping[str, str], prop: Property | None, previews: set[str]
) -> tuple[Extension, ...]:
    if prop is None or prop.value is None:
        return ()
    if "postgresqlextensions" not in previews:
        raise fail(
            sources,
            prop.pos,
            "The `extensions` property is only available with the `postgresqlExtensions` preview "
            "feature.",
        )
    value = prop.value
    items = value.items if isinstance(value, Array) else (value,)
    return tuple(_extension(sources, item) for item in items)


def _extension(sources: Mapping[str, str], value: Value) -> Extension:
    # `uuid_ossp(map: "uuid-ossp", schema: "extensions", version: "1.1")`.
    if isinstance(value, Ident):
        return Extension(value.name)
    if not isinstance(value, Call):
        raise fail(
            sources, value.pos, "An extension is a name, optionally with (map:, schema:, version:)."
        )
    given: dict[str, str] = {}
    for arg in value.args:
        if arg.name not in _EXTENSION_ARGS:
            raise fail(sources, arg.pos, f'Argument not known: "{arg.name}".')
        if not isinstance(arg.value, Str):
            raise fail(sources, arg.pos, f"The `{arg.name}` argument of an extension is a string.")
        given[arg.name] = arg.value.value
    return Extension(
        given.get("map", value.name), given.get("schema"), given.get("version"), value.name
    )


def error_at(sources: Mapping[str, str], pos: Pos, message: str) -> SchemaParseError:
    """An error with Prisma's wording at ``pos`` (re-exported for the other validators)."""
    return fail(sources, pos, message)
