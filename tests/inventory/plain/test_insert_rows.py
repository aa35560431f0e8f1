"""INSERT rows as the COPY text pg_dump would have written for them (plain/insert_rows.py)."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dumpcheck.fingerprint import RowHasher
from dumpcheck.inventory.plain import insert_rows
from dumpcheck.inventory.plain.insert_rows import (
    InsertHasher,
    NotSimpleError,
    hash_statements,
    row_as_copy,
)
from dumpcheck.inventory.plain.inserts import SIMPLE_ROW


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


_PIECES = [b"(", b")", b", ", b",", b"'", b"''", b"NULL", b"true", b"false", b"DEFAULT"]
_PIECES += [b"1", b"-2.5", b"a", b" ", b"\t", b"\n", b"\\", b"\r", b"\x0b", b"x y", b"\xc3\xa9"]
_ROWS_TEXT = re.compile(rb"(" + SIMPLE_ROW.pattern + rb"(?:,\s*+" + SIMPLE_ROW.pattern + rb")*+)")


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_c_rows_read_what_the_python_rows_read(pieces: list[bytes]) -> None:
    """rowhash.c insert_rows against row_as_copy, on every VALUES list the simple regex
    lets through (the only input it is given): the same rows and the same sum."""
    if insert_rows._rows_in_c is None:
        if os.environ.get("CI") == "true":
            pytest.fail("dumpcheck._rowhash is not built (make install builds it)")
        pytest.skip("dumpcheck._rowhash is not built here")
    text = b"(" + b"".join(pieces) + b")"
    assume(_ROWS_TEXT.fullmatch(text) is not None)
    try:
        python: tuple[int, int] | None = insert_rows._rows_in_python(text, 0, len(text))
    except NotSimpleError:
        python = None
    rows, total, done = insert_rows._rows_in_c(text, [(0, len(text))])
    native = (rows, total) if done == 1 else None
    if native is not None:
        assert python is not None and native == (python[0], python[1] % 2**64), text
    else:
        assert python is None, text
