"""INSERT rows as the COPY text pg_dump would have written for them (plain/insert_rows.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dumpcheck.fingerprint import RowHasher
from dumpcheck.inventory.plain.insert_rows import (
    InsertHasher,
    NotSimpleError,
    hash_statements,
    row_as_copy,
)


@pytest.mark.parametrize(
    ("row", "copy"),
    [
        (b"(1, 'a', NULL)", b"1\ta\t\\N"),
        (b"(true, false, DEFAULT, -1.5e+3)", b"t\tf\t-1.5e+3"),  # DEFAULT: a generated column
        (b"('it''s', '')", b"it's\t"),
        (
            b"('back\\slash', 'tab\there', 'new\nline', 'cr\rx')",
            b"back\\\\slash\ttab\\there\tnew\\nline\tcr\\rx",
        ),
        (b"('NaN', 'Infinity')", b"NaN\tInfinity"),
        (b"('\x08\x0b\x0c')", b"\\b\\v\\f"),
    ],
)
def test_row_as_copy(row: bytes, copy: bytes) -> None:
    assert row_as_copy(row) == copy


def test_statements_of_every_shape_pg_dump_writes() -> None:
    data = (
        b"INSERT INTO public.t VALUES (1, 'a');\n"
        b'INSERT INTO public."User" ("Id", "Name") VALUES (2, \'b\');\n'
        b"INSERT INTO public.t OVERRIDING SYSTEM VALUE VALUES (3, 'c');\n"
        b"INSERT INTO public.t VALUES\n\t(4, 'd'),\n\t(5, 'e');\n"
    )
    hasher = RowHasher()
    hash_statements(hasher, data, 0, len(data))
    direct = RowHasher()
    direct.feed(b"1\ta\n2\tb\n3\tc\n4\td\n5\te\n")
    assert hasher.result() == direct.result()


def test_anything_else_is_not_simple() -> None:
    with pytest.raises(NotSimpleError):
        hash_statements(RowHasher(), b"INSERT INTO t VALUES (B'1010');\n", 0, 31)


@given(st.lists(st.integers(1, 200), max_size=12))
def test_an_archive_entry_fed_in_any_pieces(cuts: list[int]) -> None:
    data = b"".join(
        b"INSERT INTO public.t VALUES (%d, 'v''%d\\x);\n');\n" % (i, i) for i in range(30)
    )
    whole = RowHasher()
    hash_statements(whole, data, 0, len(data))
    hasher = InsertHasher()
    pos = 0
    for cut in cuts:
        hasher.feed(data[pos : pos + cut])
        pos += cut
    hasher.feed(data[pos:])
    assert hasher.done()
    assert hasher.hasher.result() == whole.result()
    assert whole.rows == 30
