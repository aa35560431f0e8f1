"""Fields: each one's type, its attributes, and what it becomes (a column or a relation).

parser-database ``types.rs`` and ``attributes.rs`` (which attributes exist where, each once),
``attributes/map.rs``, ``attributes/native_types.rs``; psl-core ``validations/fields.rs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dumpcheck.expect.psl.arguments import Arguments
from dumpcheck.expect.psl.ast import Attribute, Block, Field, Pos
from dumpcheck.expect.psl.defaults import read_default
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.names import SCALARS
from dumpcheck.expect.psl.native_types import native_type
from dumpcheck.expect.psl.schema import Arity, Datasource, NativeType, ScalarField

FIELD_ATTRIBUTES = frozenset(
    {"id", "unique", "default", "map", "relation", "updatedAt", "ignore", "shardKey"}
)
BLOCK_ATTRIBUTES = frozenset(
    {"id", "unique", "index", "map", "ignore", "schema", "shardKey", "fulltext"}
)
_REPEATABLE_BLOCK = frozenset({"unique", "index"})
ENUM_ATTRIBUTES = frozenset({"map", "schema"})


@dataclass(frozen=True)
class RawRelation:
    """A relation field before the relation is resolved against the other side."""

    field: Field
    target: str
    arity: Arity
    attr: Attribute | None
    ignored: bool


def arity_of(fld: Field) -> Arity:
    """required, optional or list, as the field type says."""
    assert fld.type is not None
    if fld.type.is_list:
        return "list"
    return "optional" if fld.type.optional else "required"


def map_name(sources: Mapping[str, str], attr: Attribute | None, shown: str) -> str | None:
    """The name ``@map``/``@@map`` gives (a string, positional or ``name:``)."""
    if attr is None:
        return None
    args = Arguments(sources, attr, ("name",), "name", shown)
    name = args.string("name")
    if name is None:
        raise args.error(attr.pos, 'Argument "name" is missing.')
    return name


def check_attributes(sources: Mapping[str, str], block: Block, ds: Datasource | None) -> None:
    """Every attribute is known where it is written, and the non-repeatable ones appear once."""
    if block.kind == "enum":
        allowed_block, allowed_field = ENUM_ATTRIBUTES, frozenset({"map"})
    else:
        allowed_block, allowed_field = BLOCK_ATTRIBUTES, FIELD_ATTRIBUTES
    seen: set[str] = set()
    for attr in block.attributes:
        if attr.name not in allowed_block:
            raise fail(sources, attr.pos, f'Attribute not known: "@{attr.name}".')
        if attr.name == "fulltext":
            raise fail(
                sources,
                attr.pos,
                "Defining fulltext indexes is not supported with the current connector.",
            )
        if attr.name == "shardKey":
            raise fail(
                sources, attr.pos, "Shard keys are not currently supported for provider postgresql"
            )
        if attr.name in seen and attr.name not in _REPEATABLE_BLOCK:
            raise fail(sources, attr.pos, f'Attribute "@{attr.name}" can only be defined once.')
        seen.add(attr.name)
    for fld in block.fields:
        names: set[str] = set()
        for attr in fld.attributes:
            key = attr.name
            if "." in key and block.kind != "enum":
                prefix = key.split(".", 1)[0]
                if ds is None:
                    raise fail(
                        sources,
                        attr.pos,
                        f"Native type {key.split('.', 1)[1]} is not supported for Default "
                        "connector.",
                    )
                if prefix != ds.name:
                    raise fail(
                        sources,
                        attr.pos,
                        f"The prefix {prefix} is invalid. It must be equal to the name of an "
                        f"existing datasource e.g. {ds.name}. Did you mean to use "
                        f"{ds.name}.{key.split('.', 1)[1]}?",
                    )
                key = prefix
            elif key not in allowed_field:
                raise fail(sources, attr.pos, f'Attribute not known: "@{attr.name}".')
            if key == "shardKey":
                raise fail(
                    sources,
                    attr.pos,
                    "Shard keys are not currently supported for provider postgresql",
                )
            if key in names:
                raise fail(sources, attr.pos, f'Attribute "@{key}" can only be defined once.')
            names.add(key)


def read_fields(
    sources: Mapping[str, str],
    block: Block,
    ds: Datasource | None,
    enums: Mapping[str, tuple[str, ...]],
    models: frozenset[str],
    composites: frozenset[str],
    model_ignored: bool,
) -> tuple[list[ScalarField], list[RawRelation]]:
    """Every field of a model or view: scalars become columns, the rest relations."""
    scalars: list[ScalarField] = []
    relations: list[RawRelation] = []
    for fld in block.fields:
        if fld.type is None:
            raise fail(
                sources,
                fld.pos,
                f'Error validating model "{block.name}": This field declaration is invalid. It is '
                "either missing a name or a type.",
            )
        ignored = fld.attribute("ignore") is not None
        name = fld.type.name
        is_relation = fld.type.unsupported is None and name in models
        if ignored and model_ignored and not is_relation:
            raise fail(
                sources,
                fld.pos,
                "Fields on an already ignored Model do not need an `@ignore` annotation.",
            )
        if is_relation:
            relations.append(_relation(sources, fld, ignored))
            continue
        if fld.type.unsupported is None and name not in SCALARS and name not in enums:
            if name in composites:
                raise fail(sources, fld.pos, "Composite types are not supported on Postgres.")
            raise fail(
                sources,
                fld.type.pos or fld.pos,
                f'Type "{name}" is neither a built-in type, nor refers to another model, composite '
                "type, or enum.",
            )
        if fld.attribute("relation") is not None:
            raise fail(
                sources,
                fld.pos,
                f"Error validating field `{fld.name}` in model `{block.name}`: Invalid field type, "
                "not a relation.",
            )
        scalars.append(_scalar(sources, block, fld, ds, enums, ignored))
    return scalars, relations


def _relation(sources: Mapping[str, str], fld: Field, ignored: bool) -> RawRelation:
    for attr in fld.attributes:
        if attr.name == "map":
            raise fail(sources, attr.pos, "The attribute `@map` cannot be used on relation fields.")
        if attr.name == "default":
            raise fail(sources, attr.pos, "Cannot set a default value on a relation field.")
        if attr.name in ("unique", "id"):
            raise fail(
                sources,
                attr.pos,
                f"The field `{fld.name}` is a relation field and cannot be marked with "
                f"`{attr.name}`. Only scalar fields can be made unique.",
            )
        if attr.name == "updatedAt":
            raise fail(
                sources,
                attr.pos,
                "Fields that are marked with @updatedAt must be of type DateTime.",
            )
        if "." in attr.name:
            raise fail(sources, attr.pos, "Native types can only be used on scalar fields.")
    assert fld.type is not None
    return RawRelation(fld, fld.type.name, arity_of(fld), fld.attribute("relation"), ignored)


def _scalar(
    sources: Mapping[str, str],
    block: Block,
    fld: Field,
    ds: Datasource | None,
    enums: Mapping[str, tuple[str, ...]],
    ignored: bool,
) -> ScalarField:
    assert fld.type is not None
    arity = arity_of(fld)
    is_enum = fld.type.unsupported is None and fld.type.name in enums
    scalar = "Unsupported" if fld.type.unsupported is not None else fld.type.name
    native: NativeType | None = None
    for attr in fld.attributes:
        if "." in attr.name:
            if is_enum or scalar == "Unsupported":
                raise fail(sources, attr.pos, f"Native types are not supported on {scalar} fields.")
            assert ds is not None
            native = native_type(sources, attr, ds.name, scalar)
    updated = fld.attribute("updatedAt")
    if updated is not None:
        Arguments(sources, updated, (), None, "@updatedAt")
        if scalar != "DateTime":
            raise fail(
                sources,
                updated.pos,
                "Fields that are marked with @updatedAt must be of type DateTime.",
            )
        if arity == "list":
            raise fail(
                sources, updated.pos, "Fields that are marked with @updatedAt cannot be lists."
            )
    default_attr = fld.attribute("default")
    default = None
    if default_attr is not None:
        values = enums.get(scalar) if is_enum else None
        default = read_default(sources, default_attr, scalar, arity == "list", values)
    column = map_name(sources, fld.attribute("map"), "@map") or fld.name
    return ScalarField(
        name=fld.name,
        column=column,
        type=scalar,
        arity=arity,
        pos=fld.pos,
        is_enum=is_enum,
        unsupported=fld.type.unsupported,
        native=native,
        default=default,
        updated_at=updated is not None,
        ignored=ignored,
    )


def schema_of(
    sources: Mapping[str, str], block: Block, ds: Datasource | None, default_schema: str
) -> str:
    """The database schema a model, view or enum lives in (``@@schema``, multiSchema)."""
    attr = block.attribute("schema")
    schemas = ds.schemas if ds is not None else ()
    if attr is None:
        if schemas:
            noun = "enum" if block.kind == "enum" else "model"
            raise fail(
                sources,
                block.pos,
                f'Error validating {noun} "{block.name}": This {noun} is missing an `@@schema` '
                "attribute.",
            )
        return default_schema
    args = Arguments(sources, attr, ("name",), "name", "@schema")
    name = args.string("name")
    if name is None:
        raise args.error(attr.pos, 'Argument "name" is missing.')
    if name not in schemas:
        raise fail(
            sources,
            attr.pos,
            "This schema is not defined in the datasource. Read more on `@@schema` at "
            "https://pris.ly/d/multi-schema",
        )
    return name


def ignore_flag(sources: Mapping[str, str], block: Block) -> bool:
    """``@@ignore``: the model stays out of the client, its table stays in the database."""
    attr = block.attribute("ignore")
    if attr is not None:
        Arguments(sources, attr, (), None, "@ignore")
    return attr is not None


def field_pos(fld: Field) -> Pos:
    """Where a field starts (for messages that point at the field)."""
    return fld.pos
