"""Names: what a model, enum, field or value may be called, and which names may not repeat.

parser-database ``names.rs`` and ``names/reserved_model_names.rs``, psl-core
``validations/names.rs``: one namespace for models, views, enums and composite types; reserved
scalar and JavaScript names; no leading digit and no ``-`` (the grammar lets both through).
"""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.expect.psl.ast import Block, Field, Pos, SchemaAst
from dumpcheck.expect.psl.diagnostics import fail

SCALARS = frozenset(
    {"String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"}
)
# reserved_model_names.rs: the client's own name and JavaScript's reserved words.
RESERVED_NAMES = frozenset(
    """PrismaClient break case catch class const continue debugger default delete do else enum
    export extends false finally for function if implements import in instanceof interface let new
    null package private protected public return super switch this throw true try typeof var void
    while with yield""".split()  # noqa: SIM905
)
_KIND_WORD = {"model": "Model", "view": "View", "enum": "Enum", "type": "Composite type"}


def check_identifier(sources: Mapping[str, str], name: str, what: str, pos: Pos) -> None:
    """No leading digit, no ``-`` (names.rs validate_identifier)."""
    if name[0].isdigit():
        raise fail(
            sources, pos, f"Error validating: The name of a {what} must not start with a number."
        )
    if "-" in name:
        raise fail(
            sources, pos, f"Error validating: The character `-` is not allowed in {what} names."
        )


def check_top_level(ast: SchemaAst) -> dict[str, Block]:
    """Every model, view, enum and type by name, after checking that no two share one."""
    sources = ast.sources
    seen: dict[str, Block] = {}
    generators: set[str] = set()
    for block in ast.blocks:
        pos = block.name_pos or block.pos
        if block.kind == "generator":
            if block.name in generators:
                raise fail(
                    sources,
                    pos,
                    f'The generator "{block.name}" cannot be defined because a generator with that '
                    "name already exists.",
                )
            generators.add(block.name)
            continue
        if block.kind == "datasource":
            continue
        what = _KIND_WORD[block.kind]
        check_identifier(sources, block.name, what, pos)
        if block.name in SCALARS:
            raise fail(
                sources, pos, f'"{block.name}" is a reserved scalar type name and cannot be used.'
            )
        if block.name in RESERVED_NAMES and block.kind != "type":
            noun = {"model": "model", "view": "view", "enum": "enum"}[block.kind]
            raise fail(
                sources,
                pos,
                f"The {noun} name `{block.name}` is invalid. It is a reserved name. Please change "
                "it. Read more at https://pris.ly/d/naming-models",
            )
        if block.name in seen:
            other = seen[block.name].kind
            raise fail(
                sources,
                pos,
                f'The {block.kind} "{block.name}" cannot be defined because a {other} with that '
                "name already exists.",
            )
        seen[block.name] = block
    return seen


def check_field_names(sources: Mapping[str, str], block: Block) -> None:
    """Field (or enum value) names: valid, and each once per block."""
    what = "Enum Value" if block.kind == "enum" else "Field"
    seen: set[str] = set()
    for fld in block.fields:
        check_identifier(sources, fld.name, what, fld.pos)
        if fld.name in seen:
            if block.kind == "enum":
                message = f'Value "{fld.name}" is already defined on enum "{block.name}".'
            else:
                message = f'Field "{fld.name}" is already defined on {block.kind} "{block.name}".'
            raise fail(sources, fld.pos, message)
        seen.add(fld.name)


def check_column_names(
    sources: Mapping[str, str], block: Block, columns: list[tuple[Field, str]]
) -> None:
    """Two scalar fields may not map to one column (parser-database attributes/map.rs
    scalar_field), as Prisma checks it, field by field in order: a field's ``@map`` name may
    not be another field's ``@map`` name, nor the name of another *scalar* field unless that
    field came earlier with a ``@map`` elsewhere (a later field's ``@map`` is not read yet, so
    ``a @map("b")`` before ``b @map("c")`` is refused, after it accepted). A relation field
    has no column: ``authorId String? @map("author")`` beside the relation ``author`` is valid.
    """
    scalars = {fld.name for fld, _ in columns}
    mapped: dict[str, str] = {}  # field -> its @map name, for the fields read so far
    for fld, column in columns:
        if fld.attribute("map") is None:
            continue
        other_elsewhere = column in mapped and mapped[column] != column
        if column in mapped.values() or (
            column != fld.name and column in scalars and not other_elsewhere
        ):
            raise fail(
                sources,
                fld.pos,
                f'Field "{fld.name}" is already defined on {block.kind} "{block.name}".',
            )
        mapped[fld.name] = column
