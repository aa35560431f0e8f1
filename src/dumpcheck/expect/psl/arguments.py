"""Reading an attribute's arguments the way parser-database does (``context/attributes.rs``).

Every attribute takes a fixed set of named arguments, one of which may be given positionally.
Prisma rejects an unknown name ("No such argument."), a name given twice, a second positional
argument, a ``name:`` without a value and a trailing comma; this reader does the same, once,
so that the rules only ever see arguments that Prisma would have read.
"""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.errors import SchemaParseError
from dumpcheck.expect.psl.ast import Arg, Array, Attribute, Call, Ident, Num, Pos, Str, Value
from dumpcheck.expect.psl.diagnostics import fail


class Arguments:
    """The checked arguments of one attribute: ``get("fields")`` and friends."""

    def __init__(
        self,
        sources: Mapping[str, str],
        attr: Attribute,
        known: tuple[str, ...],
        positional: str | None,
        shown: str,
    ) -> None:
        self.sources = sources
        self.attr = attr
        self.shown = shown  # how Prisma names the attribute in messages: "@default", "@index"
        self.values: dict[str, Arg] = {}
        if attr.trailing_comma or _has_trailing_comma(attr.args):
            raise self.error(
                attr.pos,
                "Trailing commas are not valid in attribute arguments, please remove the comma.",
            )
        unnamed = [a for a in attr.args if a.name is None]
        if len(unnamed) > 1:
            raise self.error(
                unnamed[1].pos,
                "You provided multiple unnamed arguments. This is not possible. Did you forget the "
                "brackets?",
            )
        for arg in attr.args:
            if arg.name is None:
                continue
            if arg.name not in known:
                raise self.error(arg.pos, "No such argument.")
            if arg.name in self.values:
                raise self.error(arg.pos, f'Argument "{arg.name}" is already specified.')
            if arg.value is None:
                raise self.error(arg.pos, f"The `{arg.name}` argument is missing a value.")
            self.values[arg.name] = arg
        if unnamed:
            if positional is None:
                raise self.error(unnamed[0].pos, "No such argument.")
            if positional in self.values:
                raise self.error(
                    unnamed[0].pos,
                    f'Argument "{positional}" is already specified as unnamed argument.',
                )
            self.values[positional] = unnamed[0]

    def error(self, pos: Pos, message: str) -> SchemaParseError:
        """An error about this attribute, in Prisma's wording."""
        return fail(self.sources, pos, f'Error parsing attribute "{self.shown}": {message}')

    def get(self, name: str) -> Value | None:
        """The value of argument ``name``, if given."""
        arg = self.values.get(name)
        return None if arg is None else arg.value

    def require(self, name: str) -> Value:
        """The value of argument ``name``; an error when it is missing."""
        value = self.get(name)
        if value is None:
            raise self.error(self.attr.pos, f'Argument "{name}" is missing.')
        return value

    def string(self, name: str) -> str | None:
        """A string argument."""
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Str):
            raise self.error(value.pos, f"Expected a string value, but received {describe(value)}.")
        return value.value

    def constant(self, name: str, allowed: tuple[str, ...]) -> str | None:
        """A constant argument (``Desc``, ``Cascade``, ``Gin``) from ``allowed``."""
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Ident):
            raise self.error(
                value.pos, f"Expected a constant value, but received {describe(value)}."
            )
        if value.name not in allowed:
            raise self.error(value.pos, f"Unexpected token. Expected one of: {', '.join(allowed)}")
        return value.name

    def field_names(self, name: str) -> tuple[tuple[str, Value], ...] | None:
        """A list of field references (``[a, b(sort: Desc)]``, or a bare ``a``)."""
        value = self.get(name)
        if value is None:
            return None
        items = value.items if isinstance(value, Array) else (value,)
        out: list[tuple[str, Value]] = []
        for item in items:
            if isinstance(item, Ident | Call) and "." not in item.name:
                out.append((item.name, item))
            else:
                raise self.error(
                    item.pos, f"Expected a constant literal value, but received {describe(item)}."
                )
        return tuple(out)


def _has_trailing_comma(args: tuple[Arg, ...]) -> bool:
    """A trailing comma in a function call nested in the arguments is the same error."""
    for arg in args:
        stack: list[Value | None] = [arg.value]
        while stack:
            value = stack.pop()
            if isinstance(value, Call):
                if value.trailing_comma:
                    return True
                stack.extend(a.value for a in value.args)
            elif isinstance(value, Array):
                stack.extend(value.items)
    return False


def describe(value: Value) -> str:
    """How Prisma's messages name a value: ``string value `"x"` ``, ``literal value `x` ``."""
    if isinstance(value, Str):
        return f'string value `"{value.value}"`'
    if isinstance(value, Ident):
        return f"literal value `{value.name}`"
    if isinstance(value, Array):
        return "array value"
    if isinstance(value, Call):
        return f"function value `{value.name}(...)`"
    if isinstance(value, Num):
        return f"numeric value `{value.text}`"
    return f"value `{getattr(value, 'text', '{ }')}`"
