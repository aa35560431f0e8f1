"""Defaults read as Prisma's describer reads them (postgres/default.rs), compared by value."""

from __future__ import annotations

import pytest

from dumpcheck.compare.defaults import defaults_match, parse

ENUM_ARRAY = "ARRAY['ACTIVE'::auth.\"Status\", 'DISABLED'::auth.\"Status\"]"


@pytest.mark.parametrize(
    ("a", "b", "fam"),
    [
        # A literal array and ARRAY[...] of casts: the cast's [] is never ARRAY's bracket.
        ("'{ACTIVE,DISABLED}'::auth.\"Status\"[]", ENUM_ARRAY, "Enum"),
        ("'{ACTIVE,DISABLED}'::\"Status\"[]", "ARRAY['ACTIVE'::\"Status\", 'DISABLED']", "Enum"),
        ("'{1,2,3}'::integer[]", "ARRAY[1, 2, 3]", "Int"),
        ("'{a,b}'::character varying(10)[]", "ARRAY['a'::character varying(10), 'b']", "String"),
    ],
)
def test_list_defaults_spelled_otherwise_match(a: str, b: str, fam: str) -> None:
    left, right = parse(a, fam, True), parse(b, fam, True)
    assert left.kind == right.kind == "value"
    assert defaults_match(left, right, fam)


def test_list_defaults_in_another_order_differ() -> None:
    other = parse("'{DISABLED,ACTIVE}'::auth.\"Status\"[]", "Enum", True)
    assert not defaults_match(parse(ENUM_ARRAY, "Enum", True), other, "Enum")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'x'::character varying(255)", "x"),
        ("'x'::text", "x"),
        ("('x'::text)", "x"),
        ("'it''s'::character varying", "it's"),
    ],
)
def test_casts_come_off_a_string(text: str, value: str) -> None:
    assert parse(text, "String", False).value == value


def test_dbgenerated_text_is_read_as_printed_and_compared_ignoring_ascii_case() -> None:
    """column.rs: DbGenerated texts match by eq_ignore_ascii_case, and the describer keeps the
    database's text whole (default.rs), its outer parentheses too."""
    database = parse("(now() + '00:20:00'::interval)", "DateTime", False)
    assert database.kind == "dbgenerated" and database.text.startswith("(now()")
    schema = parse("(NOW() + '00:20:00'::interval)", "DateTime", False)
    assert defaults_match(schema, database, "DateTime")
    bare = parse("NOW() + '00:20:00'::interval", "DateTime", False)
    assert not defaults_match(bare, database, "DateTime")  # Prisma lists it on every run
    other = parse("(now() + '00:30:00'::interval)", "DateTime", False)
    assert not defaults_match(schema, other, "DateTime")


@pytest.mark.parametrize(
    ("schema", "database", "equal"),
    [
        ('{"a": [1, 0.5]}', '{"a": [1, 0.5]}', True),
        ('{"b": 1, "a": 2}', '{"a": 2, "b": 1}', True),
        ("[1.50e-1]", "[0.150]", True),  # both floats to serde_json
        ("[1e2]", "[100]", False),  # a float is never an integer
        ("[-0]", "[0]", False),  # serde_json reads -0 as the float -0.0
        ("[18446744073709551616]", "[1.8446744073709552e19]", True),  # past u64: a float
        ("not json", "[1]", True),  # the differ treats JSON it cannot parse as equal
    ],
)
def test_json_defaults_compare_as_serde_json_values(
    schema: str, database: str, equal: bool
) -> None:
    # sql_schema_differ column.rs: Json defaults are equal when their serde_json Values are.
    left = parse(f"'{schema}'::jsonb", "Json", False)
    right = parse(f"'{database}'::jsonb", "Json", False)
    assert defaults_match(left, right, "Json") is equal
