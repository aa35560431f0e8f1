"""A column of a domain type is compared by its base type, as Prisma's describer reads it."""

from __future__ import annotations

from dumpcheck.catalog import Column, Domain, Table
from dumpcheck.compare.columns import base_type, compare_columns
from dumpcheck.compare.equivalences import DOMAIN_TYPE
from dumpcheck.expect.model import ColumnOrigin

DOMAINS = {
    d.key: d
    for d in (
        Domain("public", "email", "character varying(255)"),
        Domain("public", "Odd Name", "text"),
        Domain("public", "short_email", "public.email"),
        Domain("other", "email", "text"),
    )
}


def test_base_type_resolves_qualified_quoted_nested_and_array_names() -> None:
    assert base_type('public."Odd Name"', DOMAINS) == "text"
    assert base_type("public.short_email", DOMAINS) == "character varying(255)"
    assert base_type("public.short_email[]", DOMAINS) == "character varying(255)[]"
    assert base_type("other.email", DOMAINS) == "text"
    assert base_type("email", DOMAINS) is None  # two schemas have one: not guessed
    assert base_type("text", DOMAINS) is None
    assert base_type("character varying(255)", DOMAINS) is None


def _compare(actual_type: str) -> tuple[list[str | None], list[str | None]]:
    expected = Table("public", "t", columns=(Column("e", "character varying(255)", False),))
    actual = Table("public", "t", columns=(Column("e", actual_type, False),))
    drift, notes = compare_columns(expected, actual, {"e": ColumnOrigin("String")}, None, DOMAINS)
    return [d.kind for d in drift], [n.reason for n in notes]


def test_a_domain_over_the_expected_type_is_a_note() -> None:
    assert _compare("public.email") == ([], [DOMAIN_TYPE])
    assert _compare("public.short_email") == ([], [DOMAIN_TYPE])


def test_a_domain_over_another_type_is_drift() -> None:
    assert _compare("other.email") == (["type"], [])


def test_without_domains_nothing_changes() -> None:
    expected = Table("public", "t", columns=(Column("e", "text"),))
    actual = Table("public", "t", columns=(Column("e", "public.email"),))
    drift, _ = compare_columns(expected, actual, {"e": ColumnOrigin("String")})
    assert [d.kind for d in drift] == ["type"]
