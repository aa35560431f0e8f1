"""The PSL parser: blocks, fields, attributes, comments, and errors with file:line:col."""

from __future__ import annotations

import pytest

from dumpcheck.errors import SchemaParseError
from dumpcheck.expect.ast import Array, Call, Ident, Num, Str
from dumpcheck.expect.parser import parse_text
from tests.expect.helpers import expectation_of


def test_blocks_fields_and_attributes() -> None:
    blocks = parse_text(
        """
/// doc comment
model User { // trailing
  id    Int     @id @default(autoincrement())
  tags  String[]
  bio   String? @db.VarChar(200)
  geo   Unsupported("geometry(Point, 4326)")?
  @@index([bio(sort: Desc), tags], map: "ix", type: Gin)
}
enum Role {
  A @map("a")
  B
  @@map("roles")
}
""",
        "s.prisma",
    )
    model, enum = blocks
    assert (model.kind, model.name, enum.kind) == ("model", "User", "enum")
    id_, tags, bio, geo = model.fields
    assert id_.attribute("default") is not None
    default = id_.attribute("default")
    assert default is not None and isinstance(default.args[0].value, Call)
    assert tags.type is not None and tags.type.is_list and not tags.type.optional
    assert bio.type is not None and bio.type.optional
    db = bio.attribute("db.VarChar")
    assert db is not None and isinstance(db.args[0].value, Num) and db.args[0].value.text == "200"
    assert geo.type is not None and geo.type.unsupported == "geometry(Point, 4326)"
    index = model.attributes[0]
    fields = index.arg("fields")
    assert fields is not None and isinstance(fields.value, Array)
    first = fields.value.items[0]
    assert isinstance(first, Call) and first.name == "bio"
    assert isinstance(first.args[0].value, Ident) and first.args[0].value.name == "Desc"
    type_arg = index.arg("type", None)
    assert type_arg is not None and isinstance(type_arg.value, Ident)
    assert [v.name for v in enum.fields] == ["A", "B"]


def test_string_escapes_and_multiline_arguments() -> None:
    (block,) = parse_text(
        'model M {\n  s String @default("a\\"b\\\\c\\u00e9")\n  @@unique([\n    s\n  ])\n}\n',
        "s.prisma",
    )
    default = block.fields[0].attribute("default")
    assert default is not None and isinstance(default.args[0].value, Str)
    assert default.args[0].value.value == 'a"b\\cé'
    assert block.attributes[0].name == "unique"


def test_datasource_properties() -> None:
    (block,) = parse_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("X")\n  schemas = ["a", "b"]\n}',
        "s.prisma",
    )
    url = block.prop("url")
    assert url is not None and isinstance(url.value, Call) and url.value.name == "env"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("model A {\n  id Int @id\n", 1, 1, "never closed"),
        ("model A {\n  id Int @id @@map\n}", 2, 14, "block attributes"),
        ("modle A {\n}", 1, 1, "unknown block"),
        ('model A {\n  s String @default("abc)\n}', 2, 21, "unterminated string"),
        ("model A {\n  id Int @id(\n}", 3, 1, "expected a value"),
        ("model A {\n  id Int[]? @id\n}", 2, 11, "cannot be optional"),
        ("model A {\n  id Int @id $\n}", 2, 14, "unexpected character"),
    ],
)
def test_syntax_errors_carry_file_line_column(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(SchemaParseError) as info:
        parse_text(text, "bad.prisma")
    loc = info.value.location
    assert (loc.file, loc.line, loc.column) == ("bad.prisma", line, column)
    assert message in info.value.message
    assert str(info.value).startswith(f"bad.prisma:{line}:{column}: ")
    caret = info.value.with_caret().splitlines()
    assert caret[-1] == " " * (column - 1) + "^"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model A {\n  id Int @id @foo\n}", "unknown attribute @foo"),
        ("model A {\n  id Int @id\n  @@fulltext([id])\n}", "unknown attribute @@fulltext"),
        ("model A {\n  id Int @id\n  b Bee\n}", "unknown type 'Bee'"),
        ("model A {\n  id Int @id @db.Nope\n}", "unknown native type"),
        ("type T {\n  x Int\n}", "MongoDB only"),
        ("model A {\n  id Int @id\n}\nmodel A {\n  id Int @id\n}", "more than once"),
        ("model A {\n  id Int @id @default(nope())\n}", "unknown default function"),
        ('model A {\n  id Int @id @default("x")\n}', "whole number"),
        ("model A {\n  id Int @id\n  @@index([nope])\n}", "not a scalar field"),
    ],
)
def test_rule_errors_point_at_the_offending_text(text: str, message: str) -> None:
    with pytest.raises(SchemaParseError) as info:
        expectation_of(text)
    assert message in info.value.message
    assert info.value.location.line >= 4  # after the 3-line datasource the helper prepends


def test_relation_to_unknown_model_is_an_error() -> None:
    with pytest.raises(SchemaParseError) as info:
        expectation_of(
            "model A {\n  id Int @id\n  bId Int\n"
            "  b Ghost @relation(fields: [bId], references: [id])\n}"
        )
    assert "relation field 'b' names unknown model 'Ghost'" in info.value.message
    assert (info.value.location.line, info.value.location.column) == (7, 3)


def test_provider_other_than_postgresql_is_an_error() -> None:
    text = 'datasource db {\n  provider = "mysql"\n}\nmodel A {\n  id Int @id\n}'
    with pytest.raises(SchemaParseError) as info:
        expectation_of(text, datasource=False)
    assert "provider 'mysql' is not supported" in info.value.message
    assert (info.value.location.line, info.value.location.column) == (2, 14)
