"""Arguments and expressions, and the reading helpers every grammar rule shares.

datamodel.pest's arguments_list, argument (named, empty, positional), and expression
(function call, array, object, number, string, path), with pest's implicit whitespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dumpcheck.errors import SchemaParseError
from dumpcheck.expect.psl.ast import Arg, Array, Call, Ident, Num, Obj, Pos, Str, Value
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.lexical import (
    COMMENT,
    EMPTY_LINES,
    NEWLINE,
    NUMBER,
    STRING,
    WORD,
    WS,
    EscapeError,
    identifier_length,
    unescape,
)

_MAX_DEPTH = 64
T = TypeVar("T")


class NoMatch(Exception):  # noqa: N818 (control flow: a PEG alternative did not match)
    """A rule did not match at this position; the caller tries its next alternative."""


class ExpressionReader:
    """Recursive descent over one file's text: the shared helpers and the expression rules."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.i = 0
        self.depth = 0

    # -- helpers ------------------------------------------------------------------------
    def pos(self, at: int | None = None) -> Pos:
        return Pos(self.file, self.i if at is None else at)

    def error(self, at: int, message: str) -> SchemaParseError:
        return fail({self.file: self.text}, self.pos(at), message)

    def ws(self) -> None:
        m = WS.match(self.text, self.i)
        if m is not None:
            self.i = m.end()

    def lit(self, s: str) -> bool:
        if self.text.startswith(s, self.i):
            self.i += len(s)
            return True
        return False

    def newline(self) -> bool:
        m = NEWLINE.match(self.text, self.i)
        if m is None:
            return False
        self.i = m.end()
        return True

    def identifier(self) -> str | None:
        m = WORD.match(self.text, self.i)
        if m is None:
            return None
        n = identifier_length(m.group())
        if n == 0:
            return None
        self.i += n
        return m.group()[:n]

    def path(self) -> str | None:
        # path = @{ identifier ~ ("." ~ path?)* }
        start = self.i
        if self.identifier() is None:
            return None
        while self.lit("."):
            self.identifier()
        return self.text[start : self.i]

    def trailing_comment(self) -> None:
        m = COMMENT.match(self.text, self.i)
        if m is not None:
            self.i = m.end()

    def comment_block(self) -> bool:
        # comment_block = ${ ((doc_comment | comment | multi_line_comment) ~ NEWLINE?)+ }
        start = self.i
        while True:
            m = COMMENT.match(self.text, self.i)
            if m is None:
                break
            self.i = m.end()
            self.newline()
        return self.i > start

    def empty_lines(self) -> bool:
        m = EMPTY_LINES.match(self.text, self.i)
        if m is None:
            return False
        self.i = m.end()
        return True

    def catch_all(self, message: str) -> SchemaParseError:
        # CATCH_ALL: the rest of the line is something no rule reads.
        return self.error(self.i, message)

    # -- top level ----------------------------------------------------------------------
    def attempt(self, rule: Callable[[], T]) -> T | None:
        start = self.i
        try:
            return rule()
        except NoMatch:
            self.i = start
            return None

    # -- lines --------------------------------------------------------------------------
    def arguments_list(self) -> tuple[tuple[Arg, ...], bool]:
        # arguments_list = { "(" ~ (argument ~ ("," ~ argument)*)? ~ trailing_comma? ~ ")" }
        if not self.lit("("):
            raise NoMatch
        args: list[Arg] = []
        self.ws()
        first = self.attempt(self.argument)
        if first is not None:
            args.append(first)
            while True:
                save = self.i
                self.ws()
                if not self.lit(","):
                    self.i = save
                    break
                self.ws()
                nxt = self.attempt(self.argument)
                if nxt is None:
                    self.i = save
                    break
                args.append(nxt)
        self.ws()
        trailing = self.lit(",")
        self.ws()
        if not self.lit(")"):
            raise NoMatch
        return tuple(args), trailing

    def argument(self) -> Arg:
        # argument = _{ named_argument | empty_argument | expression }
        start = self.i
        name = self.identifier()
        if name is not None:
            self.ws()
            if self.lit(":"):
                colon = self.i
                self.ws()
                value = self.attempt(self.expression)
                if value is None:
                    self.i = colon
                return Arg(name, value, Pos(self.file, start))
            self.i = start
        return Arg(None, self.expression(), Pos(self.file, start))

    def expression(self) -> Value:
        # expression = { function_call | array_expression | object_expression
        #                | numeric_literal | string_literal | path }
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise self.error(self.i, f"values nested deeper than {_MAX_DEPTH} levels")
            return self._expression()
        finally:
            self.depth -= 1

    def _expression(self) -> Value:
        start = self.i
        pos = Pos(self.file, start)
        name = self.path()
        if name is not None:
            after = self.i
            self.ws()
            parsed = self.attempt(self.arguments_list)
            if parsed is not None:
                return Call(name, parsed[0], pos, parsed[1])
            self.i = start
        if self.lit("["):
            items: list[Value] = []
            self.ws()
            first = self.attempt(self.expression)
            if first is not None:
                items.append(first)
                while True:
                    save = self.i
                    self.ws()
                    if not self.lit(","):
                        self.i = save
                        break
                    self.ws()
                    items.append(self.expression())
            self.ws()
            if not self.lit("]"):
                raise NoMatch
            return Array(tuple(items), pos)
        if self.lit("{"):
            return self.object_expression(pos)
        m = NUMBER.match(self.text, self.i)
        if m is not None:
            self.i = m.end()
            return Num(m.group(), pos)
        m = STRING.match(self.text, self.i)
        if m is not None:
            self.i = m.end()
            return Str(self._unescape(m.group(1), start + 1), pos)
        if name is not None:
            self.i = after
            return Ident(name, pos)
        raise NoMatch

    def object_expression(self, pos: Pos) -> Obj:
        # `{ key: value, ... }` (partial indexes' `where:`), read with the argument rules.
        entries: list[Arg] = []
        self.ws()
        first = self.attempt(self.argument)
        if first is not None:
            entries.append(first)
            while True:
                save = self.i
                self.ws()
                if not self.lit(","):
                    self.i = save
                    break
                self.ws()
                entries.append(self.argument())
        self.ws()
        if not self.lit("}"):
            raise NoMatch
        return Obj(tuple(entries), pos)

    def _unescape(self, raw: str, at: int) -> str:
        try:
            return unescape(raw)
        except EscapeError as exc:
            raise self.error(at + exc.offset, exc.message) from None
