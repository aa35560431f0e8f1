"""Partial-index predicates as Prisma's differ compares them (compare/predicates.py): the
spelling PostgreSQL stores (pg_get_expr) against the one Prisma's DDL writes."""

from __future__ import annotations

import pytest

from dumpcheck.compare.predicates import predicates_match

SAME = [
    # parentheses, quotes and the literal casts PostgreSQL adds
    ("((id IS NULL) AND (f3 = (0)::numeric))", '"id" IS NULL AND "f3" = 0'),
    ("(s = 'x'::text)", "\"s\" = 'x'"),
    ("(role = 'USER'::role)", "\"role\" = 'USER'"),
    ("(flag = true)", '"flag" = true'),
    ("(a <> 3)", '"a" != 3'),
    ("(NOT active)", 'NOT "active"'),
    ('("Name" IS NOT NULL)', "Name IS NOT NULL"),  # bare Name reads as that identifier
    ("(x BETWEEN 1 AND 2)", '"x" BETWEEN 1 AND 2'),
    ("(length(body) > 3)", "length(body) > 3"),
    ("((a)::text = 'b'::text)", "(a)::text = 'b'"),
    ("(t.x = 1)", '"t"."x" = 1'),
]
DIFFERENT = [
    ("(a > 5)", "a >= 5"),
    ("(a = 1)", "a = 2"),
    ("(a = 1)", "b = 1"),
    # a cast of a column, and a negative literal PostgreSQL stores as a string: not a bare
    # literal's annotation, so Prisma lists the index on every migrate diff
    ("((status)::text = 'active'::text)", "status = 'active'"),
    ("(f3 = '-1.5'::numeric)", '"f3" = -1.5'),
    ("(length(body) > 3)", 'length("body") > 3'),  # only the comparison's operands are read
    ("(a IS NULL)", "a IS NOT NULL"),
    ("(a = 1)", "a = 1 AND"),  # not SQL: never the same
]


@pytest.mark.parametrize(("stored", "written"), SAME)
def test_spellings_prisma_takes_for_the_same_predicate(stored: str, written: str) -> None:
    assert predicates_match(stored, written)
    assert predicates_match(written, stored)


@pytest.mark.parametrize(("stored", "written"), DIFFERENT)
def test_predicates_prisma_takes_for_another_index(stored: str, written: str) -> None:
    assert not predicates_match(stored, written)
    assert not predicates_match(written, stored)
