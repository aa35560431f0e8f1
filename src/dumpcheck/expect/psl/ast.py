"""The syntax tree of a Prisma schema, as the grammar reads it (no name resolved, no rule applied).

Mirrors prisma-engines ``psl/schema-ast/src/ast``: top-level blocks, fields, attributes with
positional, named and empty arguments, and the five kinds of expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

BlockKind = Literal["datasource", "generator", "model", "view", "enum", "type"]


class Pos(NamedTuple):
    """Where a node starts: file and character offset (line and column are derived on error)."""

    file: str
    offset: int


@dataclass(frozen=True)
class Str:
    """A string literal, with its escapes resolved (JSON escapes, as parse_expression.rs)."""

    value: str
    pos: Pos


@dataclass(frozen=True)
class Num:
    """A numeric literal, kept as written (``-1``, ``2.50``): Prisma writes it back verbatim."""

    text: str
    pos: Pos


@dataclass(frozen=True)
class Ident:
    """A constant: a bare identifier (``Cascade``, ``true``, ``ADMIN``) or a dotted path."""

    name: str
    pos: Pos


@dataclass(frozen=True)
class Array:
    """``[a, b, ...]``."""

    items: tuple[Value, ...]
    pos: Pos


@dataclass(frozen=True)
class Call:
    """A function call: ``now()``, ``env("X")``, ``createdAt(sort: Desc)``, ``raw("ops")``."""

    name: str
    args: tuple[Arg, ...]
    pos: Pos
    trailing_comma: bool = False


@dataclass(frozen=True)
class Obj:
    """``{ key: value, ... }``: an object expression (a partial index's ``where:``)."""

    entries: tuple[Arg, ...]
    pos: Pos


Value = Str | Num | Ident | Array | Call | Obj


@dataclass(frozen=True)
class Arg:
    """One argument; ``name`` is None for a positional one, ``value`` None for ``name:``."""

    name: str | None
    value: Value | None
    pos: Pos


@dataclass(frozen=True)
class Attribute:
    """``@name(args)`` or ``@@name(args)``; ``name`` has no ``@`` (``db.VarChar``)."""

    name: str
    args: tuple[Arg, ...]
    pos: Pos
    trailing_comma: bool = False
    has_parens: bool = False

    def arg(self, name: str, position: int | None = 0) -> Arg | None:
        """The argument called ``name``, else the positional one at ``position``."""
        for a in self.args:
            if a.name == name:
                return a
        positional = [a for a in self.args if a.name is None]
        if position is not None and position < len(positional):
            return positional[position]
        return None


@dataclass(frozen=True)
class FieldType:
    """``Name``, ``Name?``, ``Name[]`` or ``Unsupported("...")``."""

    name: str
    optional: bool = False
    is_list: bool = False
    unsupported: str | None = None
    pos: Pos | None = None


@dataclass(frozen=True)
class Field:
    """A model/view field, or an enum value (then ``type`` is None)."""

    name: str
    type: FieldType | None
    attributes: tuple[Attribute, ...]
    pos: Pos

    def attribute(self, name: str) -> Attribute | None:
        """The first attribute called ``name``."""
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True)
class Property:
    """``key = value`` inside a datasource or generator block (``value`` None: ``key =``)."""

    key: str
    value: Value | None
    pos: Pos


@dataclass(frozen=True)
class Block:
    """A top-level block with its fields, block attributes and properties."""

    kind: BlockKind
    name: str
    pos: Pos
    fields: tuple[Field, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    properties: tuple[Property, ...] = ()
    name_pos: Pos | None = None

    def attribute(self, name: str) -> Attribute | None:
        """The first block attribute called ``name``."""
        return next((a for a in self.attributes if a.name == name), None)

    def prop(self, key: str) -> Property | None:
        """The property called ``key``."""
        return next((p for p in self.properties if p.key == key), None)


@dataclass(frozen=True)
class SchemaAst:
    """Every block of every file, in file order, plus each file's text for error carets."""

    blocks: tuple[Block, ...]
    sources: dict[str, str] = field(default_factory=dict)
