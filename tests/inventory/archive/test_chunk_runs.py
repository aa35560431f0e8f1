"""Bulk walking of uncompressed custom-archive chunks gives what the one-by-one walk gives."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import _chunkrun, _custom
from dumpcheck.inventory.archive._binary import ByteReader, InputTruncated
from dumpcheck.inventory.archive._rows import CopyRowCounter
from dumpcheck.inventory.plain.copydata import numpy_module


def _chunk(payload: bytes) -> bytes:
    return b"\x00" + len(payload).to_bytes(4, "little") + payload


def _count(data: bytes, *, bulk: bool) -> tuple[int, int, bytes, bool]:
    counter = CopyRowCounter()
    reader = ByteReader(io.BytesIO(data), "test")
    chunks = _custom._chunks(reader, "test", counter if bulk else None)
    truncated = False
    try:
        for piece in chunks:
            counter.feed(piece)
    except InputTruncated:
        truncated = True
    return counter.newlines, counter.total, counter.tail, truncated


# Rows as pg_dump writes them, and chunks no pg_dump writes: several rows, none, a header
# holding a newline byte (length 10 or 266), a payload that starts with a newline.
_PAYLOADS = st.sampled_from(
    [
        b"1\tsome text\t\\N\n",
        b"22\tmore\n",
        b"x" * 9 + b"\n",  # length 10: the header's length byte is a newline
        b"y" * 265 + b"\n",  # length 266
        b"a\nb\n",
        b"\nzz",
        b"no newline",
        b"\\.\n\n\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    payloads=st.lists(
        st.one_of(_PAYLOADS, st.just(b"r\t1\n"), st.just(b"row\tvalue\n")), max_size=400
    ),
    cut=st.one_of(st.none(), st.integers(0, 8000)),
    window=st.sampled_from([16, 100, 1000, 1 << 20]),
    with_numpy=st.booleans(),
)
def test_bulk_walk_matches_chunk_by_chunk(
    payloads: list[bytes], cut: int | None, window: int, with_numpy: bool
) -> None:
    data = b"".join(_chunk(p) for p in payloads) + b"\x00\x00\x00\x00\x00"
    if cut is not None:
        data = data[:cut]  # a truncated block
    # The C walk (rowhash.c chunk_payloads), when built, is the reference the others match.
    native = _count(data, bulk=True)
    # A context, not the monkeypatch fixture: hypothesis runs many examples per test call.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_custom, "_payloads", None)  # the Python walks
        patch.setattr(_custom, "_RUN_WINDOW", window)  # runs and one-by-one walks alternate
        if not with_numpy:
            patch.setattr(_chunkrun, "numpy_module", lambda: None)
        assert _count(data, bulk=True) == _count(data, bulk=False) == native


@pytest.mark.parametrize("native", [True, False])
def test_a_set_sign_byte_is_corrupt_in_every_walk(
    native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not native:
        monkeypatch.setattr(_custom, "_payloads", None)
    elif _custom._payloads is None and os.environ.get("CI") == "true":
        pytest.fail("dumpcheck._rowhash is not built (make install builds it)")
    data = _chunk(b"1\ta\n") + b"\x01" + (7).to_bytes(4, "little") + b"2\tb\n" + bytes(5)
    with pytest.raises(DumpFormatError, match="corrupt data chunk length"):
        _count(data, bulk=False)


@pytest.mark.parametrize("with_numpy", [True, False])
def test_bulk_walk_counts_a_large_block(with_numpy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not with_numpy:
        monkeypatch.setattr(_chunkrun, "numpy_module", lambda: None)
    rows = [b"%d\tvalue %d\t\\N\n" % (i, i) for i in range(200_000)]
    data = b"".join(_chunk(r) for r in rows) + _chunk(b"\\.\n\n\n") + bytes(5)
    counter = CopyRowCounter()
    for piece in _custom._chunks(ByteReader(io.BytesIO(data), "test"), "test", counter):
        counter.feed(piece)
    assert (counter.rows, counter.has_end_marker) == (200_000, True)
    assert counter.total == sum(map(len, rows)) + len(b"\\.\n\n\n")


@pytest.mark.parametrize("with_numpy", [True, False])
def test_a_run_is_proved_whole(with_numpy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if with_numpy and numpy_module() is None:
        pytest.skip("numpy is not installed")
    if not with_numpy:
        monkeypatch.setattr(_chunkrun, "numpy_module", lambda: None)
    data = b"".join(_chunk(b"row %d\n" % i) for i in range(1000)) + bytes(5)
    run = _chunkrun.verified_run(data, 0, len(data))
    assert run is not None
    assert (run.chunks, run.rows, run.end) == (1000, 1000, len(data) - 5)
    assert run.tail == b"row 998\nrow 999\n"[-16:]
    assert run.size == sum(len(b"row %d\n" % i) for i in range(1000))


@pytest.mark.parametrize("with_numpy", [True, False])
def test_a_nul_in_a_run_is_counted_apart_from_the_headers(
    with_numpy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk headers are full of zero bytes (the sign, the high bytes of the length); a NUL in
    a row is not one of them, and COPY text cannot hold it: the run says so."""
    if with_numpy and numpy_module() is None:
        pytest.skip("numpy is not installed")
    if not with_numpy:
        monkeypatch.setattr(_chunkrun, "numpy_module", lambda: None)
    rows = [b"row %d\n" % i for i in range(1000)]
    clean = b"".join(_chunk(r) for r in rows) + bytes(5)
    run = _chunkrun.verified_run(clean, 0, len(clean))
    assert run is not None and run.nuls == 0
    rows[500] = b"ro\x00 500\n"
    damaged = b"".join(_chunk(r) for r in rows) + bytes(5)
    run = _chunkrun.verified_run(damaged, 0, len(damaged))
    assert run is not None and run.nuls == 1
