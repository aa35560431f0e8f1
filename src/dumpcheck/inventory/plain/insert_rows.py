"""The rows of ``--inserts`` data as COPY text, for their fingerprint (dumpcheck.fingerprint).

pg_dump writes each value of an INSERT from the same text COPY would write (pg_dump.c
dumpTableData_insert): NULL as ``NULL``; numbers bare (``NaN`` and ``Infinity`` quoted);
booleans as ``true``/``false``; a generated column as ``DEFAULT``; anything else as a standard
string literal with doubled quotes. Turned back, a row is the line COPY would have written
(copyto.c CopyAttributeOutText: backslash, \\b, \\f, \\n, \\r, \\t and \\v escaped; ``\\N``
for NULL; a generated column left out), so the restored table's COPY output hashes alike.

Only what simple_insert_run reads (plain values and standard strings) is converted; any other
statement (bit strings, E'' strings, a statement bigger than the buffer) makes the table's
fingerprint unknown, never wrong.
"""

from __future__ import annotations

import re

from dumpcheck.fingerprint import RowHasher
from dumpcheck.inventory.plain.inserts import SIMPLE_INSERT, SIMPLE_ROW

_FIELD = re.compile(rb"\s*+(?:'((?:[^']++|'')*+)'|([^,'\s)]++))\s*+")
_ESCAPED = re.compile(rb"[\\\x08-\x0d]")
_ESCAPES = {
    b"\\": b"\\\\",
    b"\x08": b"\\b",
    b"\t": b"\\t",
    b"\n": b"\\n",
    b"\x0b": b"\\v",
    b"\x0c": b"\\f",
    b"\r": b"\\r",
}
_BARE = {b"NULL": b"\\N", b"true": b"t", b"false": b"f"}


class NotSimpleError(ValueError):
    """The text is not a run of simple INSERT statements."""


_SPACE = re.compile(rb"\s*+")


def _skip_space(data: bytes | bytearray, pos: int, end: int) -> int:
    m = _SPACE.match(data, pos, end)
    return m.end() if m else pos


def _escape(match: re.Match[bytes]) -> bytes:
    return _ESCAPES[match.group()]


def row_as_copy(row: bytes) -> bytes:
    """``(1, 'it''s', NULL, DEFAULT)`` as COPY text: ``1\\tit's\\t\\N``."""
    fields: list[bytes] = []
    pos, end = 1, len(row) - 1
    while pos < end:
        m = _FIELD.match(row, pos, end)
        if m is None:
            raise NotSimpleError("not a plain value")
        text, bare = m.group(1), m.group(2)
        if text is not None:
            text = text.replace(b"''", b"'")
            fields.append(_ESCAPED.sub(_escape, text) if _ESCAPED.search(text) else text)
        elif bare != b"DEFAULT":  # a generated column: COPY leaves it out
            fields.append(_BARE.get(bare, bare))
        pos = m.end()
        if pos < end:
            if row[pos] != 0x2C:  # ,
                raise NotSimpleError("values not separated by commas")
            pos += 1
    return b"\t".join(fields)


def hash_statements(hasher: RowHasher, data: bytes | bytearray, start: int, end: int) -> None:
    """Feed the rows of the simple INSERT statements in ``data[start:end]`` to ``hasher``."""
    pos = start
    lines: list[bytes] = []
    while pos < end:
        pos = _skip_space(data, pos, end)
        if pos >= end:
            break
        m = SIMPLE_INSERT.match(data, pos, end)
        if m is None:
            if data[pos:end].strip():
                raise NotSimpleError("not a simple INSERT")
            break
        lines.extend(row_as_copy(r.group()) for r in SIMPLE_ROW.finditer(m.group(2)))
        pos = m.end()
    if lines:
        hasher.feed(b"\n".join(lines) + b"\n")


class InsertHasher:
    """Fingerprints an archive's INSERT data entry, fed in pieces: whole statements are
    converted as they complete; anything not simple gives up (``failed``)."""

    # A statement this long without an end is not one simple_insert_run would read anyway.
    _LIMIT = 64 << 20

    def __init__(self) -> None:
        self.hasher = RowHasher()
        self.failed = False
        self._pending = b""

    def feed(self, piece: bytes) -> None:
        """Account for one decompressed piece."""
        if self.failed:
            return
        data = self._pending + piece if self._pending else piece
        pos = 0
        while True:
            pos = _skip_space(data, pos, len(data))
            m = SIMPLE_INSERT.match(data, pos)
            if m is None:
                break
            try:
                hash_statements(self.hasher, data, m.start(), m.end())
            except NotSimpleError:
                self.failed = True
                return
            pos = m.end()
        self._pending = data[pos:]
        if len(self._pending) > self._LIMIT:
            self.failed = True

    def done(self) -> bool:
        """Whether everything fed was simple statements, all of them whole."""
        return not self.failed and not self._pending.strip()
