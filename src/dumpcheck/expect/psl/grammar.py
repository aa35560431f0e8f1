"""Prisma's grammar: one schema file's text in, its syntax tree out.

A rule-for-rule reading of prisma-engines ``psl/schema-ast/src/parser/datamodel.pest`` as the
Prisma 7.10 engine builds it, with pest's semantics: ordered choice that never backtracks once
an alternative matched, greedy repetition, and implicit whitespace (spaces and tabs, not line
breaks) between the parts of every non-atomic rule. What the grammar leaves to its catch-all
rules (a line no rule reads) is an error here at once, with file, line and caret, which is where
``prisma validate`` reports it too (schema-ast parse_schema.rs, parse_model.rs).

Facts checked against the engine (tests/expect/test_grammar.py):

* Comments are ``//``, ``///`` and ``/* ... */`` (not nested). A comment may stand on lines of
  its own, before a field on the same line, or once after a field, attribute or property.
* A field, block attribute, enum value or property is one line: argument lists never span
  lines.
* Identifiers start with an ASCII letter or digit or any Unicode letter, then also ``_`` and
  ``-``; the name rules reject a leading digit or a ``-`` later (psl/parser-database names).
* ``model``, ``view``, ``type``, ``enum``, ``datasource`` and ``generator`` need no space after
  them (``modelA {`` is model A), and the line that opens a block is read to its end.
"""

from __future__ import annotations

from dumpcheck.expect.psl.ast import (
    Attribute,
    Block,
    BlockKind,
    Field,
    FieldType,
    Pos,
    Property,
)
from dumpcheck.expect.psl.expressions import ExpressionReader, NoMatch
from dumpcheck.expect.psl.lexical import (
    CONFIG_KEYWORDS,
    MODEL_KEYWORDS,
    REST_OF_LINE,
    STRING,
)


class _Reader(ExpressionReader):
    """The block and line rules of one file."""

    def schema(self) -> list[Block]:
        blocks: list[Block] = []
        n = len(self.text)
        while True:
            self.ws()
            if self.i >= n:
                return blocks
            block = self.block()
            if block is not None:
                blocks.append(block)
                continue
            if self.comment_block() or self.empty_lines():
                continue
            raise self.catch_all(
                "This line is invalid. It does not start with any known Prisma schema keyword."
            )

    def keyword(self, words: tuple[BlockKind, ...]) -> BlockKind | None:
        for word in words:
            if self.text.startswith(word, self.i):
                self.i += len(word)
                return word
        return None

    def block(self) -> Block | None:
        start = self.i
        for words, body in (
            (MODEL_KEYWORDS, self.model_contents),
            (("enum",), self.enum_contents),
            (CONFIG_KEYWORDS, self.config_contents),
        ):
            self.i = start
            kind = self.keyword(words)
            if kind is None:
                continue
            self.ws()
            name_at = self.i
            name = self.identifier()
            if name is None:
                continue
            if kind == "type":
                self.ws()
                if self.text.startswith("=", self.i):
                    # type_alias: `type X = Int @db.X` parses, and is always rejected.
                    raise self.error(
                        start,
                        "Invalid type definition. Please check the documentation in "
                        "https://pris.ly/d/composite-types",
                    )
            self.ws()
            if not self.block_open():
                continue
            fields, attrs, props = body(kind, name, start)
            if not self.lit("}"):
                raise self.error(start, f"{kind} {name!r} is never closed: expected '}}'")
            return Block(kind, name, Pos(self.file, start), fields, attrs, props, self.pos(name_at))
        self.i = start
        self.arbitrary_block()
        return None

    def block_open(self) -> bool:
        # BLOCK_OPEN = { "{" ~ (!NEWLINE ~ ANY)* ~ NEWLINE }: the rest of the line is ignored.
        if not self.lit("{"):
            return False
        m = REST_OF_LINE.match(self.text, self.i)
        assert m is not None
        self.i = m.end()
        return self.newline()

    def arbitrary_block(self) -> None:
        # arbitrary_block = { identifier ~ BLOCK_OPEN ~ ... ~ BLOCK_CLOSE }: a block with an
        # unknown keyword parses only to be rejected (parse_schema.rs).
        start = self.i
        word = self.identifier()
        if word is None:
            return
        self.ws()
        if self.block_open() and "}" in self.text[self.i :]:
            raise self.error(
                start,
                "This block is invalid. It does not start with any known Prisma schema keyword. "
                "Valid keywords include 'model', 'enum', 'type', 'datasource' and 'generator'.",
            )
        self.i = start

    def at_block_close(self) -> bool:
        return self.text.startswith("}", self.i)

    def model_contents(
        self, kind: BlockKind, name: str, start: int
    ) -> tuple[tuple[Field, ...], tuple[Attribute, ...], tuple[Property, ...]]:
        fields: list[Field] = []
        attrs: list[Attribute] = []
        while True:
            self.ws()
            if self.at_block_close():
                return tuple(fields), tuple(attrs), ()
            at = self.i
            fld = self.attempt(self.field_declaration)
            if fld is not None:
                fields.append(fld)
                continue
            attr = self.attempt(self.block_attribute_line)
            if attr is not None:
                attrs.append(attr)
                continue
            if self.comment_block() or self.empty_lines():
                continue
            if self.i >= len(self.text):
                raise self.error(start, f"{kind} {name!r} is never closed: expected '}}'")
            self.i = at
            raise self.catch_all("This line is not a valid field or attribute definition.")

    def enum_contents(
        self, kind: BlockKind, name: str, start: int
    ) -> tuple[tuple[Field, ...], tuple[Attribute, ...], tuple[Property, ...]]:
        values: list[Field] = []
        attrs: list[Attribute] = []
        while True:
            self.ws()
            if self.at_block_close():
                return tuple(values), tuple(attrs), ()
            at = self.i
            value = self.attempt(self.enum_value_declaration)
            if value is not None:
                values.append(value)
                continue
            attr = self.attempt(self.block_attribute_line)
            if attr is not None:
                attrs.append(attr)
                continue
            if self.comment_block() or self.empty_lines():
                continue
            if self.i >= len(self.text):
                raise self.error(start, f"{kind} {name!r} is never closed: expected '}}'")
            self.i = at
            raise self.catch_all("This line is not a valid enum value definition.")

    def config_contents(
        self, kind: BlockKind, name: str, start: int
    ) -> tuple[tuple[Field, ...], tuple[Attribute, ...], tuple[Property, ...]]:
        props: list[Property] = []
        while True:
            self.ws()
            if self.at_block_close():
                return (), (), tuple(props)
            at = self.i
            prop = self.attempt(self.key_value_line)
            if prop is not None:
                props.append(prop)
                continue
            if self.comment_block() or self.empty_lines():
                continue
            if self.i >= len(self.text):
                raise self.error(start, f"{kind} {name!r} is never closed: expected '}}'")
            self.i = at
            raise self.catch_all(f"This line is not a valid definition within a {kind}.")

    def end_of_line(self) -> None:
        # `~ trailing_comment? ~ NEWLINE`, with implicit whitespace before each.
        self.ws()
        self.trailing_comment()
        self.ws()
        if not self.newline():
            raise NoMatch

    def field_declaration(self) -> Field:
        start = self.i
        name = self.identifier()
        if name is None:
            raise NoMatch
        self.ws()
        if self.lit(":"):
            raise self.error(self.i - 1, "Field declarations don't require a `:`.")
        self.ws()
        ftype = self.field_type()
        attrs = self.field_attributes()
        self.end_of_line()
        return Field(name, ftype, attrs, Pos(self.file, start))

    def enum_value_declaration(self) -> Field:
        start = self.i
        name = self.identifier()
        if name is None:
            raise NoMatch
        attrs = self.field_attributes()
        self.end_of_line()
        return Field(name, None, attrs, Pos(self.file, start))

    def field_attributes(self) -> tuple[Attribute, ...]:
        attrs: list[Attribute] = []
        while True:
            self.ws()
            at = self.i
            # field_attribute = { "@" ~ path ~ arguments_list? }; "@@" is not one.
            if not self.lit("@") or self.text.startswith("@", self.i):
                self.i = at
                return tuple(attrs)
            self.ws()
            name = self.path()
            if name is None:
                self.i = at
                return tuple(attrs)
            attrs.append(self.attribute_arguments(name, at))

    def block_attribute_line(self) -> Attribute:
        start = self.i
        if not self.lit("@@"):
            raise NoMatch
        self.ws()
        name = self.path()
        if name is None:
            raise NoMatch
        attr = self.attribute_arguments(name, start)
        self.end_of_line()
        return attr

    def attribute_arguments(self, name: str, start: int) -> Attribute:
        save = self.i
        self.ws()
        parsed = self.attempt(self.arguments_list)
        if parsed is None:
            self.i = save
            return Attribute(name, (), Pos(self.file, start))
        args, trailing = parsed
        return Attribute(name, args, Pos(self.file, start), trailing, has_parens=True)

    def key_value_line(self) -> Property:
        # key_value = { identifier ~ "=" ~ expression? ~ trailing_comment? } ~ NEWLINE
        start = self.i
        key = self.identifier()
        if key is None:
            raise NoMatch
        self.ws()
        if not self.lit("="):
            raise NoMatch
        self.ws()
        value = self.attempt(self.expression)
        self.end_of_line()
        return Property(key, value, Pos(self.file, start))

    # -- field types --------------------------------------------------------------------
    def field_type(self) -> FieldType | None:
        start = self.i
        if self.lit("["):
            # legacy_list_type = { "[" ~ base_type ~ "]" }
            self.ws()
            if self.base_type() is not None:
                self.ws()
                if self.lit("]"):
                    raise self.error(
                        start, "To specify a list, please use `Type[]` instead of `[Type]`."
                    )
            self.i = start
            return None
        base = self.base_type()
        if base is None:
            return None
        name, unsupported = base
        after = self.i
        self.ws()
        if self.lit("[]"):
            list_end = self.i
            self.ws()
            if self.lit("?"):
                raise self.error(
                    start, "Optional lists are not supported. Use either `Type[]` or `Type?`."
                )
            self.i = list_end
            return FieldType(name, False, True, unsupported, Pos(self.file, start))
        if self.lit("?"):
            return FieldType(name, True, False, unsupported, Pos(self.file, start))
        if self.lit("!"):
            raise self.error(start, "Fields are required by default, `!` is no longer required.")
        self.i = after
        return FieldType(name, False, False, unsupported, Pos(self.file, start))

    def base_type(self) -> tuple[str, str | None] | None:
        # base_type = { unsupported_type | identifier }
        start = self.i
        if self.lit("Unsupported("):
            self.ws()
            m = STRING.match(self.text, self.i)
            if m is not None:
                self.i = m.end()
                self.ws()
                if self.lit(")"):
                    return "Unsupported", self._unescape(m.group(1), m.start() + 1)
            self.i = start
        name = self.identifier()
        return None if name is None else (name, None)

    # -- arguments and expressions ------------------------------------------------------


def parse_file(text: str, file: str) -> list[Block]:
    """Parse one file's text into blocks; raises SchemaParseError with file:line:col."""
    return _Reader(text, file).schema()
