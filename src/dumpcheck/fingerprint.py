"""Order-independent fingerprints of a table's rows, the same function for the dump and the
restored table.

A row is its COPY text line (copyto.c CopyOneRowTo: fields joined by tabs, ``\\N`` for NULL,
backslash escapes, no newline). Each line is hashed with xxh3-64 (the xxhash library) and the
hashes are summed modulo 2**64: a sum does not depend on the order rows arrive in, which a
restore does not keep, and with the row count it changes when any row does. Duplicate rows are
counted as often as they occur, as a sum of hashes does.

The sums never leave the process. A report shows :meth:`Fingerprint.shown`, a BLAKE2b MAC of
(sum, count) under a key drawn for each run: a table of one boolean row could otherwise be
guessed from its hash, and reports carry no row values, not even hashed ones. A job that wants
to compare fingerprints across runs sets its own secret in ``DUMPCHECK_FINGERPRINT_KEY``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

import xxhash

_Lines = Callable[[bytes | bytearray | memoryview, int, int], tuple[int, int, int]]
_Newline = Callable[[bytes | bytearray | memoryview, int, int], int]


def _native() -> tuple[_Lines, _Newline] | tuple[None, None]:
    try:
        # The same hash in C (src/dumpcheck/_native/rowhash.c): about 10x cheaper a row.
        # Built by pip when a compiler and xxHash's header are there; else the Python path.
        from dumpcheck import _rowhash
    except ImportError:  # pragma: no cover - exercised where the extension is not built
        return None, None
    return _rowhash.hash_lines, _rowhash.newline


_hash_lines, _newline = _native()
NATIVE = _hash_lines is not None

_MASK = (1 << 64) - 1
_HASH = xxhash.xxh3_64_intdigest
_STEP = 1 << 16
# One key per process: every report of one run shows the same value for equal fingerprints.
_RUN_KEY = os.urandom(32)
KEY_VARIABLE = "DUMPCHECK_FINGERPRINT_KEY"


def _key() -> bytes:
    secret = os.environ.get(KEY_VARIABLE)
    if secret:
        return hashlib.blake2b(secret.encode("utf-8"), digest_size=32).digest()
    return _RUN_KEY


@dataclass(frozen=True)
class Fingerprint:
    """The rows of one table: how many, and the sum of their hashes modulo 2**64."""

    rows: int
    sum: int

    def plus(self, other: Fingerprint) -> Fingerprint:
        """The fingerprint of both sets of rows (a table whose data comes in two parts)."""
        return Fingerprint(self.rows + other.rows, (self.sum + other.sum) & _MASK)

    def minus(self, line: bytes, times: int = 1) -> Fingerprint:
        """Without ``times`` rows equal to ``line`` (a trailer hashed along with the data)."""
        return Fingerprint(self.rows - times, (self.sum - times * _HASH(line)) & _MASK)

    def shown(self) -> str:
        """The fingerprint as reports print it: keyed for this run, 16 hex digits."""
        mac = hashlib.blake2b(key=_key(), digest_size=8)
        mac.update(self.sum.to_bytes(8, "little") + self.rows.to_bytes(8, "little"))
        return mac.hexdigest()


def row_hash(line: bytes) -> int:
    """The hash of one COPY text line (without its newline)."""
    return _HASH(line)


class RowHasher:
    """Fingerprints a stream of COPY text pieces that may split rows anywhere.

    Complete lines are hashed in bulk (``split`` and a ``map`` of the C hash: no Python per
    row); a partial last line waits for the next piece and is dropped at the end, as a row
    count drops it.
    """

    __slots__ = ("_carry", "_long", "rows", "total")

    def __init__(self) -> None:
        self.rows = 0
        self.total = 0
        self._carry = b""  # the start of a row that goes on in the next piece
        self._long: xxhash.xxh3_64 | None = None  # the same, once it is longer than a step

    def feed(self, data: bytes | bytearray | memoryview, start: int = 0, end: int = -1) -> None:
        """Account for ``data[start:end]`` (all of it by default)."""
        end = len(data) if end < 0 else end
        if _hash_lines is not None and _newline is not None:
            self._feed_native(data, start, end, _hash_lines, _newline)
            return
        # Cache-sized steps: the split's list of lines stays small (flat memory whatever the
        # buffer) and the bytes are hashed while they are still in the L2 cache.
        with memoryview(data) as view:
            for at in range(start, end, _STEP):
                self._step(bytes(view[at : min(at + _STEP, end)]))

    def _feed_native(
        self,
        data: bytes | bytearray | memoryview,
        start: int,
        end: int,
        hash_lines: _Lines,
        newline: _Newline,
    ) -> None:
        if self._carry or self._long is not None:
            # The row carried over from the last piece ends at this piece's first newline.
            nl = newline(data, start, end)
            if nl < 0:
                self._extend(bytes(data[start:end]))
                return
            self._extend(bytes(data[start:nl]))
            if self._long is not None:
                digest = self._long.intdigest()
                self._long = None
            else:
                digest = _HASH(self._carry)
            self._carry = b""
            self.rows += 1
            self.total = (self.total + digest) & _MASK
            start = nl + 1
        rows, total, tail = hash_lines(data, start, end)
        self.rows += rows
        self.total = (self.total + total) & _MASK
        if tail < end:
            self._extend(bytes(data[tail:end]))

    def _step(self, piece: bytes) -> None:
        lines = piece.split(b"\n")
        if len(lines) == 1:  # no newline: the row goes on
            self._extend(piece)
            return
        done = 0
        if self._long is not None:
            # A row longer than a step (a 50 MB value) is hashed as a stream, never joined:
            # streaming xxh3 gives the one-shot digest of the whole row.
            self._long.update(lines[0])
            done = self._long.intdigest()
            self._long = None
            lines[0] = b""
            self.rows += 1
            first = 1
        else:
            if self._carry:
                lines[0] = self._carry + lines[0]
            first = 0
        self._carry = b""
        tail = lines.pop()
        body = lines[first:] if first else lines
        self.rows += len(body)
        self.total = (self.total + done + sum(map(_HASH, body))) & _MASK
        self._extend(tail)

    def _extend(self, part: bytes) -> None:
        if self._long is not None:
            self._long.update(part)
        elif len(self._carry) + len(part) <= _STEP:
            self._carry += part
        else:
            self._long = xxhash.xxh3_64(self._carry)
            self._long.update(part)
            self._carry = b""

    def add(self, rows: int, total: int) -> None:
        """Account for ``rows`` whole rows whose hashes sum to ``total`` (hashed elsewhere)."""
        self.rows += rows
        self.total = (self.total + total) & _MASK

    def result(self) -> Fingerprint:
        """The fingerprint of the complete lines fed so far."""
        return Fingerprint(self.rows, self.total & _MASK)
