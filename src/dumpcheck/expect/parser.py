"""A parser for the Prisma schema language (PSL): text in, syntax tree out.

The grammar follows prisma-engines ``psl/schema-ast/src/parser/datamodel.pest``: line-based
blocks, ``//`` and ``///`` comments, field and block attributes with positional and named
arguments. Newlines end a field or attribute line, except inside parentheses and brackets.
"""

from __future__ import annotations

import re
from typing import NamedTuple, cast

from dumpcheck.errors import SchemaParseError, SourceLocation
from dumpcheck.expect.ast import (
    Arg,
    Array,
    Attribute,
    Block,
    BlockKind,
    Call,
    Field,
    FieldType,
    Ident,
    Num,
    Pos,
    Property,
    Str,
    Value,
)

_KINDS: frozenset[str] = frozenset({"datasource", "generator", "model", "view", "enum", "type"})
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\f\v\ufeff]+)
      | (?P<comment>//[^\n]*)
      | (?P<nl>\n)
      | (?P<str>"(?:[^"\\\n]|\\.)*")
      | (?P<badstr>")
      | (?P<num>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_]))
      | (?P<name>[^\W\d][\w\-]*)
      | (?P<punct>@@|[{}()\[\],:=?.@])
      | (?P<bad>.)
    """,
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_MAX_DEPTH = 64
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "/": "/", "b": "\b", "f": "\f"}


class Token(NamedTuple):
    """One lexical token; ``kind`` is name, str, num, punct, nl or eof."""

    kind: str
    text: str
    pos: Pos


def location(sources: dict[str, str], pos: Pos) -> SourceLocation:
    """A SourceLocation (1-based line and column) for ``pos``, with the line for the caret."""
    text = sources.get(pos.file, "")
    offset = min(max(pos.offset, 0), len(text))
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end >= 0 else len(text)]
    number = text.count("\n", 0, offset) + 1
    return SourceLocation(pos.file, number, offset - start + 1, line.rstrip("\r"))


def _fail(text: str, pos: Pos, message: str) -> SchemaParseError:
    return SchemaParseError(message, location({pos.file: text}, pos))


def tokenize(text: str, file: str) -> list[Token]:
    """Split ``text`` into tokens; newlines inside () and [] are dropped."""
    tokens: list[Token] = []
    append = tokens.append
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        start = m.start()
        if kind == "nl":
            if depth == 0:
                append(Token("nl", "\n", Pos(file, start)))
        elif kind == "name" or kind == "num":
            append(Token(kind, m.group(), Pos(file, start)))
        elif kind == "punct":
            tok = m.group()
            if tok in "([":
                depth += 1
            elif tok in ")]" and depth > 0:
                depth -= 1
            append(Token("punct", tok, Pos(file, start)))
        elif kind == "str":
            raw = m.group()[1:-1]
            append(Token("str", _unescape(raw) if "\\" in raw else raw, Pos(file, start)))
        elif kind == "badstr":
            raise _fail(text, Pos(file, start), "unterminated string literal")
        else:
            raise _fail(text, Pos(file, start), f"unexpected character {m.group()!r}")
    append(Token("eof", "", Pos(file, len(text))))
    return tokens


def _unescape(raw: str) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] == "u" and len(esc) == 5:
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, "\\" + esc)

    return _ESCAPE.sub(one, raw)


class _Parser:
    """Recursive descent over one file's tokens."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.tokens = tokenize(text, file)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, tok: Token | None = None) -> SchemaParseError:
        return _fail(self.text, (tok or self.tok).pos, message)

    def next(self) -> Token:
        tok = self.tok
        if tok.kind != "eof":
            self.i += 1
        return tok

    def at(self, text: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == text

    def expect(self, text: str, what: str | None = None) -> Token:
        if not self.at(text):
            found = self.tok.text.strip() or self.tok.kind
            raise self.error(f"expected {what or repr(text)}, found {found!r}")
        return self.next()

    def name(self, what: str) -> Token:
        if self.tok.kind != "name":
            found = self.tok.text.strip() or (
                "end of line" if self.tok.kind == "nl" else "end of file"
            )
            raise self.error(f"expected {what}, found {found!r}")
        return self.next()

    def skip_newlines(self) -> None:
        while self.tok.kind == "nl":
            self.next()

    def end_of_line(self) -> None:
        if self.tok.kind not in ("nl", "eof") and not self.at("}"):
            raise self.error(f"unexpected {self.tok.text!r}")
        if self.tok.kind == "nl":
            self.next()

    # -- top level ---------------------------------------------------------------------
    def blocks(self) -> list[Block]:
        out: list[Block] = []
        self.skip_newlines()
        while self.tok.kind != "eof":
            kw = self.name("a block: model, enum, view, datasource or generator")
            if kw.text not in _KINDS:
                raise self.error(
                    f"unknown block {kw.text!r}: expected model, enum, view, type, "
                    "datasource or generator",
                    kw,
                )
            kind = cast(BlockKind, kw.text)
            name = self.name(f"a name for the {kind}")
            self.expect("{", "'{'")
            out.append(self.block_body(kind, name.text, kw.pos))
            self.skip_newlines()
        return out

    def block_body(self, kind: BlockKind, name: str, pos: Pos) -> Block:
        fields: list[Field] = []
        attrs: list[Attribute] = []
        props: list[Property] = []
        while True:
            self.skip_newlines()
            if self.at("}"):
                self.next()
                self.end_of_line()
                return Block(kind, name, pos, tuple(fields), tuple(attrs), tuple(props))
            if self.tok.kind == "eof":
                raise _fail(self.text, pos, f"{kind} {name!r} is never closed: expected '}}'")
            if self.at("@@"):
                attrs.append(self.attribute("@@"))
                self.end_of_line()
            elif kind in ("datasource", "generator"):
                props.append(self.property())
            elif kind == "enum":
                fields.append(self.enum_value())
            else:
                fields.append(self.field())

    def property(self) -> Property:
        key = self.name("a property name")
        self.expect("=", "'='")
        value = self.value()
        self.end_of_line()
        return Property(key.text, value, key.pos)

    def enum_value(self) -> Field:
        name = self.name("an enum value")
        attrs = self.field_attributes()
        self.end_of_line()
        return Field(name.text, None, tuple(attrs), name.pos)

    def field(self) -> Field:
        name = self.name("a field name")
        type_tok = self.name(f"a type for field {name.text!r}")
        unsupported: str | None = None
        if type_tok.text == "Unsupported" and self.at("("):
            self.next()
            if self.tok.kind != "str":
                raise self.error('expected a string: Unsupported("type")')
            unsupported = self.next().text
            self.expect(")", "')'")
        is_list = optional = False
        if self.at("["):
            self.next()
            self.expect("]", "']'")
            is_list = True
        if self.at("?"):
            if is_list:
                raise self.error("a list field cannot be optional")
            self.next()
            optional = True
        attrs = self.field_attributes()
        self.end_of_line()
        ftype = FieldType(type_tok.text, optional, is_list, unsupported)
        return Field(name.text, ftype, tuple(attrs), name.pos)

    def field_attributes(self) -> list[Attribute]:
        attrs: list[Attribute] = []
        while self.at("@"):
            attrs.append(self.attribute("@"))
        if self.at("@@"):
            raise self.error("block attributes (@@) go on their own line")
        return attrs

    def attribute(self, sigil: str) -> Attribute:
        start = self.expect(sigil)
        parts = [self.name("an attribute name").text]
        while self.at("."):
            self.next()
            parts.append(self.name("an attribute name").text)
        args: tuple[Arg, ...] = ()
        if self.at("("):
            args = self.arguments()
        return Attribute(".".join(parts), args, start.pos)

    # -- values ------------------------------------------------------------------------
    def arguments(self) -> tuple[Arg, ...]:
        self.expect("(")
        args: list[Arg] = []
        while not self.at(")"):
            pos = self.tok.pos
            name: str | None = None
            if self.tok.kind == "name" and self.tokens[self.i + 1].text == ":":
                name = self.next().text
                self.next()
            args.append(Arg(name, self.value(), pos))
            if not self.at(")"):
                self.expect(",", "',' or ')'")
        self.next()
        return tuple(args)

    def value(self) -> Value:
        # Nested lists and calls recurse; a bound keeps hostile input from exhausting the stack.
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise self.error(f"values nested deeper than {_MAX_DEPTH} levels")
            return self._value()
        finally:
            self.depth -= 1

    def _value(self) -> Value:
        tok = self.tok
        if tok.kind == "str":
            self.next()
            return Str(tok.text, tok.pos)
        if tok.kind == "num":
            self.next()
            return Num(tok.text, tok.pos)
        if self.at("["):
            self.next()
            items: list[Value] = []
            while not self.at("]"):
                items.append(self.value())
                if not self.at("]"):
                    self.expect(",", "',' or ']'")
            self.next()
            return Array(tuple(items), tok.pos)
        if tok.kind == "name":
            parts = [self.next().text]
            while self.at("."):
                self.next()
                parts.append(self.name("a name after '.'").text)
            name = ".".join(parts)
            if self.at("("):
                return Call(name, self.arguments(), tok.pos)
            return Ident(name, tok.pos)
        found = tok.text.strip() or ("end of line" if tok.kind == "nl" else tok.kind)
        raise self.error(f"expected a value, found {found!r}")


def parse_text(text: str, file: str) -> list[Block]:
    """Parse one file's text into blocks; raises SchemaParseError with file:line:col."""
    return _Parser(text, file).blocks()
