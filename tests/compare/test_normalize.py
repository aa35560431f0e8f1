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
        # One instant, printed in the reading session's TimeZone (Asia/Kolkata vs UTC).
        (
            "'2024-01-01 05:30:00+05:30'::timestamp with time zone",
            "'2024-01-01 00:00:00+00'::timestamp with time zone",
        ),
        (
            "'2024-06-30 17:00:00.5-07'::timestamp(3) with time zone",
            "'2024-07-01 00:00:00.5+00'::timestamp(3) with time zone",
        ),
    ],
)
def test_equivalent_defaults(a: str, b: str) -> None:
    assert normalize_default(a) == normalize_default(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("'a'::text", "'b'::text"),
        ("1", "2"),
        ("CURRENT_TIMESTAMP", "CURRENT_DATE"),
        (
            "'2024-01-01 00:00:00+05:30'::timestamp with time zone",
            "'2024-01-01 00:00:00+00'::timestamp with time zone",
        ),
        # Without a time zone the wall-clock time is the value: no conversion.
        (
            "'2024-01-01 05:30:00'::timestamp without time zone",
            "'2024-01-01 00:00:00'::timestamp without time zone",
        ),
    ],
)
def test_different_defaults(a: str, b: str) -> None:
    assert normalize_default(a) != normalize_default(b)


def test_types() -> None:
    assert normalize_type('public."Role"') == normalize_type('"Role"')
    assert normalize_type('public."Role"[]') == normalize_type('"Role"[]')
    assert normalize_type("text") != normalize_type("integer")
    assert normalize_type('"my schema"."T"') == normalize_type('"T"')
