"""Walk runs of one-row chunks of an uncompressed custom archive in bulk.

pg_dump writes uncompressed table data one chunk per COPY row (compress_none.c passes every
WriteData call through, and dumpTableData_copy calls it once per row), each chunk a sign byte,
a 4-byte little-endian length and the row. Walking 2.5 million such headers one at a time in
Python costs about 0.5 s per 200 MB; here the walk is checked for a whole window at once.

The guess: chunk headers start at the window's start and right after every newline, except a
newline within five bytes of the guess before it (a header byte such as a length of 10). The
guess is *proved* when, for every guessed header but the last, the header's sign is 0, its length
is positive, and header + 5 + length is the next guessed header: by induction from the first one
(known to be a header), every guessed header of the run is then a real one. The rows of the run
are then counted exactly: its newlines, less those that are header bytes. The first link that
fails ends the run; the caller walks on from there one chunk at a time, so a wrong guess costs
time, never a wrong answer.

Without numpy the same proof runs on ``bytes.split(b"\n")``: each piece must be a header whose
length is the piece's own (a header holding a newline byte splits its piece and fails the check),
about twice as fast as the chunk-by-chunk walk, on smaller windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dumpcheck.inventory.archive._rows import TAIL
from dumpcheck.inventory.plain.copydata import numpy_module

HEAD = 5  # sign byte and a 4-byte length (pg_dump's intSize is sizeof(int))
# How much one check covers: numpy slices stay in the L2 cache; a split of a failed window is
# redone, so the pure-Python window is smaller.
WINDOW_NUMPY = 1 << 20
WINDOW_PY = 1 << 16


@dataclass(frozen=True)
class Run:
    """Whole chunks proved from a header: how many, their rows, payload bytes, and end."""

    chunks: int
    rows: int
    size: int  # payload bytes (headers excluded)
    tail: bytes  # the last TAIL payload bytes (fewer if the run holds fewer)
    end: int  # offset of the first chunk after the run
    nuls: int = 0  # NUL bytes in the payload: COPY text has none, so the run is damaged


def window() -> int:
    """How many bytes one verified_run call should cover."""
    return WINDOW_NUMPY if numpy_module() is not None else WINDOW_PY


def verified_run(buf: bytes, pos: int, end: int) -> Run | None:
    """Whole chunks proved from the header at ``pos`` within ``buf[:end]``, or None."""
    if end - pos < 2 * HEAD:
        return None
    if numpy_module() is None:
        return _run_split(buf, pos, end)
    found = _run_numpy(buf, pos, end)
    if found is None:
        return None
    count, rows, heads, nuls = found
    run_end = int(heads[count])
    tail = run_tail(buf, heads, count, TAIL)
    return Run(count, rows, run_end - pos - HEAD * count, tail, run_end, nuls)


def _run_split(buf: bytes, pos: int, end: int) -> Run | None:
    pieces = buf[pos:end].split(b"\n")
    count = 0
    at = pos
    header_nuls = 0
    from_bytes = int.from_bytes
    for piece in pieces[:-1]:  # the last piece has no newline after it: not a whole row
        if len(piece) < HEAD or piece[0] or from_bytes(piece[1:HEAD], "little") != len(piece) - 4:
            break
        count += 1
        header_nuls += 1 + piece[1:HEAD].count(0)
        at += len(piece) + 1
    if count == 0:
        return None
    parts: list[bytes] = []
    have = 0
    for piece in reversed(pieces[:count]):
        parts.append(piece[HEAD:] + b"\n")
        have += len(parts[-1])
        if have >= TAIL:
            break
    tail = b"".join(reversed(parts))[-TAIL:]
    nuls = buf.count(0, pos, at) - header_nuls
    return Run(count, count, at - pos - HEAD * count, tail, at, nuls)


def _run_numpy(buf: bytes, pos: int, end: int) -> tuple[int, int, Any, int] | None:
    """(chunks, rows, header offsets, payload NULs): the offsets (absolute in ``buf``) list
    chunks + 1 headers, the last one starting the first chunk after the run."""
    np = numpy_module()
    a = np.frombuffer(buf, dtype=np.uint8, count=end - pos, offset=pos)
    newlines = np.flatnonzero(a == 0x0A)
    heads = np.empty(len(newlines) + 1, dtype=np.int64)
    heads[0] = 0
    heads[1:] = newlines + 1
    gaps = np.diff(heads)
    if len(gaps) and gaps.min() <= HEAD:
        heads = heads[np.concatenate(([True], gaps > HEAD))]
    # Only headers whose five bytes are all in the window can be read.
    heads = heads[: int(np.searchsorted(heads, len(a) - HEAD, side="right"))]
    if len(heads) < 2:
        return None
    sign = a[heads]
    length_bytes = [a[heads + i] for i in range(1, HEAD)]  # little-endian
    length = length_bytes[0].astype(np.int64)
    for i in range(1, HEAD - 1):
        length |= length_bytes[i].astype(np.int64) << (8 * i)
    ok = sign[:-1] == 0
    ok &= length[:-1] > 0
    ok &= heads[:-1] + HEAD + length[:-1] == heads[1:]
    count = len(ok) if ok.all() else int(ok.argmin())
    if count == 0:
        return None
    run_end = int(heads[count])
    # The run's newlines, less those that are length bytes of its headers.
    rows = int(np.searchsorted(newlines, run_end))
    # Likewise its NUL bytes, less the sign bytes and the zero bytes of the lengths.
    nuls = int(np.count_nonzero(a[:run_end] == 0)) - count
    for byte in length_bytes:
        rows -= int(np.count_nonzero(byte[:count] == 0x0A))
        nuls -= int(np.count_nonzero(byte[:count] == 0))
    return count, rows, heads[: count + 1] + pos, nuls


def run_tail(buf: bytes, heads: Any, count: int, size: int) -> bytes:
    """The last ``size`` payload bytes (or fewer) of the first ``count`` chunks at ``heads``."""
    parts: list[bytes] = []
    have = 0
    k = count - 1
    while k >= 0 and have < size:
        start, stop = int(heads[k]) + HEAD, int(heads[k + 1])
        parts.append(buf[max(start, stop - (size - have)) : stop])
        have += len(parts[-1])
        k -= 1
    return b"".join(reversed(parts))
