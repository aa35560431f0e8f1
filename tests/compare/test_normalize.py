from __future__ import annotations

import pytest

from dumpcheck.compare.normalize import normalize_default, normalize_type


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("now()", "CURRENT_TIMESTAMP"),
        ("nextval('public.\"User_id_seq\"'::regclass)", "nextval('\"User_id_seq\"'::regclass)"),
        ("'USER'::public.\"Role\"", "'USER'::\"Role\""),
        ("'draft'::text", "'draft'"),
        ("'{}'::jsonb", "'{}'"),
        ("(1)", "1"),
    ],
)
def test_equivalent_defaults(a: str, b: str) -> None:
    assert normalize_default(a) == normalize_default(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("'a'::text", "'b'::text"), ("1", "2"), ("CURRENT_TIMESTAMP", "CURRENT_DATE")],
)
def test_different_defaults(a: str, b: str) -> None:
    assert normalize_default(a) != normalize_default(b)


def test_types() -> None:
    assert normalize_type('public."Role"') == normalize_type('"Role"')
    assert normalize_type('public."Role"[]') == normalize_type('"Role"[]')
    assert normalize_type("text") != normalize_type("integer")
    assert normalize_type('"my schema"."T"') == normalize_type('"T"')
