"""COPY data scans: the C, numpy and pure-Python paths agree with a naive reference."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dumpcheck.inventory.plain import CopyBlock, iter_plain
from dumpcheck.inventory.plain import buffer as plain_buffer
from dumpcheck.inventory.plain import copydata as copyscan

# Bytes that matter to the scans, plus filler; long enough to pass the bulk threshold.
_DATA = st.lists(
    st.sampled_from([b"\n", b"\\", b".", b"x", b"\\.", b"\n\\.", b"y" * 5000]), max_size=60
).map(b"".join)


def _reference(data: bytes, start: int, end: int) -> tuple[int, int]:
    return data.count(b"\n", start, end), data.find(b"\n\\.", start, end)


@settings(max_examples=200, deadline=None)
@given(data=_DATA, cut=st.integers(0, 3), tail=st.integers(0, 3))
def test_numpy_path_matches_reference(data: bytes, cut: int, tail: int) -> None:
    if copyscan.numpy_module() is None:
        pytest.skip("numpy is not installed: the pure-Python path is the only one")
    buf = bytearray(data)
    start, end = min(cut, len(buf)), max(len(buf) - tail, min(cut, len(buf)))
    got = (
        copyscan.count_newlines_np(buf, start, end),
        copyscan.find_end_marker_np(buf, start, end),
    )
    assert got == _reference(data, start, end)


@settings(max_examples=300, deadline=None)
@given(data=_DATA, cut=st.integers(0, 40), tail=st.integers(0, 40))
def test_c_path_matches_reference(data: bytes, cut: int, tail: int) -> None:
    native = copyscan.native_module()
    if native is None:
        if os.environ.get("CI") == "true":
            pytest.fail("dumpcheck._rowhash is not built: make install compiles it")
        pytest.skip("the C extension is not built here")
    buf = bytearray(data)
    start, end = min(cut, len(buf)), max(len(buf) - tail, min(cut, len(buf)))
    got = (native.count_newlines(buf, start, end), native.end_marker(buf, start, end))
    assert got == _reference(data, start, end)


def test_c_path_at_every_alignment() -> None:
    """A marker or a newline at each offset of a 16-byte step and across the step's edge."""
    native = copyscan.native_module()
    if native is None:
        pytest.skip("the C extension is not built here")  # the test above fails under CI
    for size in range(40):
        for at in range(size - 2):
            data = bytearray(b"\\N." * 20)[:size]
            data[at : at + 3] = b"\n\\."
            assert native.end_marker(data, 0, size) == data.find(b"\n\\.")
            assert native.count_newlines(data, 0, size) == data.count(b"\n")
            assert native.end_marker(data, 0, at + 2) == -1  # the marker cut by the end


@settings(max_examples=100, deadline=None)
@given(data=_DATA)
def test_dispatch_matches_reference(data: bytes) -> None:
    buf = bytearray(data)
    got = (
        copyscan.count_newlines(buf, 0, len(buf)),
        copyscan.find_end_marker(buf, 0, len(buf)),
    )
    assert got == _reference(data, 0, len(buf))
    assert copyscan.find_end_marker_py(buf, 0, len(buf)) == data.find(b"\n\\.")
    for start in (1, 2, 5):
        assert copyscan.find_end_marker_py(buf, start, len(buf)) == data.find(b"\n\\.", start)


def _rows(dump: bytes, read_size: int) -> list[tuple[int, bool, int, bytes]]:
    out = []
    for item in iter_plain(io.BytesIO(dump), read_size=read_size):
        if isinstance(item, CopyBlock):
            data = b"".join(item.data)
            out.append((item.rows, item.complete, item.end_line, data))
    return out


def test_pure_python_path_splits_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b"".join(b"%d\tv\\\\.\\N\n" % i for i in range(20_000))
    dump = b"COPY t (a, b) FROM stdin;\n" + body + b"\\.\nCOPY u (a) FROM stdin;\n\\.\n"
    expected = [(20_000, True, 20_002, body), (0, True, 20_004, b"")]
    for read_size in (7, 1 << 12, 1 << 20):
        assert _rows(dump, read_size) == expected
    monkeypatch.setattr(plain_buffer, "count_newlines", copyscan.count_newlines_py)
    monkeypatch.setattr(plain_buffer, "find_end_marker", copyscan.find_end_marker_py)
    monkeypatch.setattr(plain_buffer, "scan_step", lambda: 64)  # many steps per buffer
    for read_size in (7, 1 << 12, 1 << 20):
        assert _rows(dump, read_size) == expected
