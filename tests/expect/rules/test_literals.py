"""Literals as PostgreSQL's output functions print them (no database needed; the engine cases
in tests/cases/prisma check the same against a server)."""

from __future__ import annotations

import pytest

from dumpcheck.expect.rules.literals import inet_output, jsonb_output


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:0:0:0:1/128", "2001:db8::1"),
        ("::FFFF:1.2.3.4", "::ffff:1.2.3.4"),
        ("::1.2.3.4", "::1.2.3.4"),
        ("::1", "::1"),
        ("::", "::"),
        ("1:0:0:2:0:0:0:3/64", "1:0:0:2::3/64"),
        ("10.0.0.1/32", "10.0.0.1"),
        ("10.0.0.1/8", "10.0.0.1/8"),
        ("not an address", "not an address"),
    ],
)
def test_inet_as_inet_out_prints_it(text: str, printed: str) -> None:
    assert inet_output(text) == printed


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ('{"b": 1, "a": [1.0, 1e2, -0, 0.10, 1E-3, 1.50e-1]}',
         '{"a": [1.0, 100, 0, 0.10, 0.001, 0.150], "b": 1}'),
        ('{"k": 1, "k": 2}', '{"k": 2}'),
        ('{"aa": 1, "b": 2, "ab": 3}', '{"b": 2, "aa": 1, "ab": 3}'),
    ],
)  # fmt: skip
def test_jsonb_as_jsonb_out_prints_it(text: str, printed: str) -> None:
    assert jsonb_output(text) == printed
