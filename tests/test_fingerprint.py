"""The row fingerprint (dumpcheck.fingerprint): order-independent, split-independent, keyed."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dumpcheck import fingerprint
from dumpcheck.fingerprint import KEY_VARIABLE, Fingerprint, RowHasher, row_hash
from dumpcheck.inventory.archive._rows import CopyRowCounter

ROWS = st.lists(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"\\n")), min_size=0, max_size=60
)


@pytest.fixture(autouse=True, params=["native", "python"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test runs on both paths: the C hash (rowhash.c) and the Python one it replaces."""
    if request.param == "python":
        monkeypatch.setattr(fingerprint, "_hash_lines", None)
        monkeypatch.setattr(fingerprint, "_newline", None)
    elif not fingerprint.NATIVE:
        if os.environ.get("CI") == "true":
            pytest.fail("dumpcheck._rowhash is not built (make install builds it)")
        pytest.skip("dumpcheck._rowhash is not built here")
    yield request.param


def _direct(rows: list[bytes]) -> Fingerprint:
    return Fingerprint(len(rows), sum(map(row_hash, rows)) % 2**64)


@given(ROWS, st.lists(st.integers(0, 4000), max_size=8), st.randoms())
def test_any_split_and_any_order_give_one_fingerprint(
    rows: list[bytes], cuts: list[int], rng: random.Random
) -> None:
    data = b"".join(r + b"\n" for r in rows)
    hasher = RowHasher()
    last = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts):
        hasher.feed(data, last, cut)
        last = cut
    hasher.feed(data, last)
    assert hasher.result() == _direct(rows)
    # A memoryview and a bytearray, as the readers pass them, give the same.
    for kind in (memoryview, bytearray):
        other = RowHasher()
        other.feed(kind(data), 0, len(data) // 2)
        other.feed(kind(data), len(data) // 2)
        assert other.result() == _direct(rows)
    shuffled = list(rows)
    rng.shuffle(shuffled)
    assert _direct(shuffled) == _direct(rows)


def test_a_partial_last_line_is_not_a_row() -> None:
    hasher = RowHasher()
    hasher.feed(b"a\tb\nc\td\ne\tf")  # cut short inside the third row
    assert hasher.result() == _direct([b"a\tb", b"c\td"])


def test_changed_duplicated_or_swapped_values_change_it() -> None:
    base = _direct([b"1\t2024-03-01 10:00:00.123456", b"2\tx"])
    assert base != _direct([b"1\t2024-03-01 10:00:00.123", b"2\tx"])
    assert base != _direct([b"1\t2024-03-01 10:00:00.123456", b"1\t2024-03-01 10:00:00.123456"])
    assert base != _direct([b"2024-03-01 10:00:00.123456\t1", b"2\tx"])


@pytest.mark.parametrize("trailer", [b"\\.\n\n\n", b"\\.\n"])
def test_archive_counter_takes_pg_dumps_trailer_out(trailer: bytes) -> None:
    """pg_dump ends each COPY entry with "\\.\\n\\n\\n" (dumpTableData_copy); empty lines
    before it are rows (a one-column table holding '')."""
    rows = [b"1\ta", b"", b"3\t\\N"]
    counter = CopyRowCounter(fingerprint=True)
    data = b"".join(r + b"\n" for r in rows) + trailer
    for i in range(0, len(data), 3):
        counter.feed(data[i : i + 3])
    assert counter.rows == 3
    assert counter.fingerprint() == _direct(rows)


def test_a_counter_without_the_end_marker_has_no_fingerprint() -> None:
    counter = CopyRowCounter(fingerprint=True)
    counter.feed(b"1\ta\n2\tb\n")
    assert counter.fingerprint() is None


def test_shown_is_keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    fp = _direct([b"t"])  # one boolean row: guessable from an unkeyed hash
    monkeypatch.setenv(KEY_VARIABLE, "one secret")
    first = fp.shown()
    assert first == _direct([b"t"]).shown() and len(first) == 16
    monkeypatch.setenv(KEY_VARIABLE, "another secret")
    assert fp.shown() != first
    monkeypatch.delenv(KEY_VARIABLE)
    assert fp.shown() not in (first, _direct([b"f"]).shown())


def test_a_row_longer_than_many_pieces_is_hashed_whole() -> None:
    rows = [b"1\t" + b"y" * 300_000, b"", b"2\tshort", b"3\t" + b"z" * 70_000]
    data = b"".join(r + b"\n" for r in rows) + b"4\tcut"
    for piece in (1000, 65_536, 1 << 20):
        hasher = RowHasher()
        for at in range(0, len(data), piece):
            hasher.feed(data[at : at + piece])
        assert hasher.result() == _direct(rows), piece
