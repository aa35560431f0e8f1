"""The rows of ``--inserts`` data as COPY text, for their fingerprint (dumpcheck.fingerprint).

pg_dump writes each value of an INSERT from the same text COPY would write (pg_dump.c
dumpTableData_insert): NULL as ``NULL``; numbers bare (``NaN`` and ``Infinity`` quoted);
booleans as ``true``/``false``; a generated column as ``DEFAULT``; anything else as a standard
string literal with doubled quotes. Turned back, a row is the line COPY would have written
(copyto.c CopyAttributeOutText: backslash, \\b, \\f, \\n, \\r, \\t and \\v escaped; ``\\N``
for NULL; a generated column left out), so the restored table's COPY output hashes alike.

What simple_insert_run reads (plain values and standard strings) is converted in bulk; any
other statement is read whole, and its bit strings (``B'0101'``, pg_dump.c's form for bit and
varbit) and the strings of a dump made with standard_conforming_strings off (backslashes
doubled, string_utils.c appendStringLiteral; E'' strings read the same way) are converted too
by statement_rows. Anything else (a cast, a function call, a \\u escape in a non-UTF-8 dump)
makes the table's fingerprint unknown, never wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dumpcheck.fingerprint import Fingerprint, RowHasher, row_hash
from dumpcheck.inventory.plain.inserts import ANY_INSERT, SIMPLE_INSERT, SIMPLE_ROW

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


def _rows_in_python(data: bytes | bytearray, start: int, end: int) -> tuple[int, int]:
    lines = [row_as_copy(r.group()) for r in SIMPLE_ROW.finditer(data, start, end)]
    return len(lines), sum(map(row_hash, lines))


_Native = Callable[[bytes | bytearray, list[tuple[int, int]]], tuple[int, int, int]]


def _rows_native() -> _Native | None:
    try:
        # row_as_copy and the hash in C (src/dumpcheck/_native/rowhash.c), for the rows it
        # reads; it stops at anything else, which the Python path then reads (or refuses).
        from dumpcheck._rowhash import insert_rows
    except ImportError:  # pragma: no cover - where the extension is not built
        return None
    return insert_rows


_rows_in_c = _rows_native()


def hash_rows(hasher: RowHasher, data: bytes | bytearray, spans: list[tuple[int, int]]) -> None:
    """Feed the rows of each simple INSERT's VALUES list ``data[start:end]`` to ``hasher``."""
    while spans:
        if _rows_in_c is not None:
            rows, total, done = _rows_in_c(data, spans)
            hasher.add(rows, total)
            spans = spans[done:]
            if not spans:
                return
        start, end = spans[0]
        hasher.add(*_rows_in_python(data, start, end))
        spans = spans[1:]


def hash_statements(hasher: RowHasher, data: bytes | bytearray, start: int, end: int) -> None:
    """Feed the rows of the simple INSERT statements in ``data[start:end]`` to ``hasher``."""
    pos = start
    spans: list[tuple[int, int]] = []
    while pos < end:
        pos = _skip_space(data, pos, end)
        if pos >= end:
            break
        m = SIMPLE_INSERT.match(data, pos, end)
        if m is None:
            if data[pos:end].strip():
                raise NotSimpleError("not a simple INSERT")
            break
        spans.append(m.span(2))
        pos = m.end()
    # Nothing is added until every statement is known to be simple.
    partial = RowHasher()
    hash_rows(partial, data, spans)
    hasher.add(partial.rows, partial.total)


class InsertHasher:
    """Fingerprints an archive's INSERT data entry, fed in pieces: whole statements are
    converted as they complete; anything else gives up (``failed``)."""

    # A statement this long without an end is not one simple_insert_run would read anyway.
    _LIMIT = 64 << 20

    def __init__(self, *, standard_strings: bool = True) -> None:
        self.standard_strings = standard_strings
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
            # Simple statements read standard strings only: not for a dump whose '' strings
            # hold backslash escapes (standard_conforming_strings off).
            m = SIMPLE_INSERT.match(data, pos) if self.standard_strings else None
            try:
                if m is not None:
                    hash_statements(self.hasher, data, m.start(), m.end())
                else:
                    m = ANY_INSERT.match(data, pos)
                    if m is None:
                        break
                    lines = statement_rows(m.group(2), standard_strings=self.standard_strings)
                    self.hasher.add(len(lines), sum(map(row_hash, lines)))
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


# Any row an INSERT may hold, read one field at a time (statement_rows).
_E_STRING = rb"[Ee]'((?:[^'\\]++|\\.|'')*+)'"
_FIELDS = {
    standard: re.compile(
        rb"\s*+(?:"
        + _E_STRING
        + rb"|[Bb]'([01]*+)'"
        + (rb"|'((?:[^']++|'')*+)'" if standard else b"|" + _E_STRING[len(rb"[Ee]") :])
        + rb"|([^,'\s()]++))\s*+",
        re.DOTALL,
    )
    for standard in (True, False)
}
_E_ESCAPE = re.compile(
    rb"''|\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))",
    re.DOTALL,
)
_E_SIMPLE = {b"b": b"\x08", b"f": b"\x0c", b"n": b"\n", b"r": b"\r", b"t": b"\t"}


def _unescape(body: bytes, utf8: bool) -> bytes:
    """An escape string's value (scan.l, xe): \\b \\f \\n \\r \\t, octal and hex bytes,
    \\u and \\U code points, any other backslashed character itself; '' is one quote."""

    def one(m: re.Match[bytes]) -> bytes:
        octal, hexa, u4, u8, other = m.groups()
        if octal is not None:
            return bytes([int(octal, 8) & 0xFF])
        if hexa is not None:
            return bytes([int(hexa, 16)])
        if u4 is not None or u8 is not None:
            if not utf8:  # the code point's bytes depend on the server encoding
                raise NotSimpleError("a unicode escape outside UTF-8")
            try:
                return chr(int(u4 or u8, 16)).encode("utf-8")
            except (ValueError, UnicodeEncodeError) as exc:
                raise NotSimpleError("an invalid unicode escape") from exc
        if other is not None:
            return _E_SIMPLE.get(other, other)
        return b"'"

    return _E_ESCAPE.sub(one, body)


def statement_rows(
    values: bytes, *, standard_strings: bool = True, utf8: bool = True
) -> list[bytes]:
    """The rows of ``VALUES (..), (..)`` (from the first parenthesis, to the ``;`` or the end)
    as COPY text lines; NotSimpleError for anything but values pg_dump writes."""
    field_re = _FIELDS[standard_strings]
    rows: list[bytes] = []
    pos = values.find(b"(")
    end = len(values.rstrip(b"; \t\r\n"))
    if pos < 0:
        raise NotSimpleError("no row")
    while True:
        pos += 1  # past the row's "("
        fields: list[bytes] = []
        while values[pos : pos + 1] != b")":
            m = field_re.match(values, pos, end)
            if m is None:
                raise NotSimpleError("not a value pg_dump writes")
            escaped, bits, plain, bare = m.groups()
            if escaped is not None or (plain is not None and not standard_strings):
                text = _unescape(escaped if escaped is not None else plain, utf8)
                fields.append(_ESCAPED.sub(_escape, text))
            elif plain is not None:
                text = plain.replace(b"''", b"'")
                fields.append(_ESCAPED.sub(_escape, text))
            elif bits is not None:
                fields.append(bits)
            elif bare != b"DEFAULT":  # a generated column: COPY leaves it out
                fields.append(_BARE.get(bare, bare))
            pos = m.end()
            if values[pos : pos + 1] == b",":
                pos += 1
            elif values[pos : pos + 1] != b")":
                raise NotSimpleError("values not separated by commas")
        rows.append(b"\t".join(fields))
        pos = _skip_space(values, pos + 1, end)
        if pos >= end:
            return rows
        if values[pos : pos + 1] != b",":
            raise NotSimpleError("rows not separated by commas")
        pos = _skip_space(values, pos + 1, end)
        if values[pos : pos + 1] != b"(":
            raise NotSimpleError("not a row")


def rows_fingerprint(
    values: bytes, rows: int, *, standard_strings: bool, utf8: bool
) -> Fingerprint | None:
    """The fingerprint of an INSERT read whole (its text from ``VALUES``), or None when a
    value is not one pg_dump writes or the rows do not add up to ``rows``."""
    try:
        lines = statement_rows(values, standard_strings=standard_strings, utf8=utf8)
    except NotSimpleError:
        return None
    if len(lines) != rows:
        return None
    hasher = RowHasher()
    hasher.add(rows, sum(map(row_hash, lines)))
    return hasher.result()


def text_fingerprint(
    values: str, rows: int, encoding: str, standard_strings: bool
) -> Fingerprint | None:
    """rows_fingerprint of an INSERT's decoded text (from ``VALUES``), back in the dump's
    ``encoding``; None where the decoding replaced bytes it could not read."""
    if "\ufffd" in values:
        return None
    try:
        raw = values.encode(encoding)
    except (UnicodeError, LookupError):
        return None
    utf8 = encoding == "utf-8"
    return rows_fingerprint(raw, rows, standard_strings=standard_strings, utf8=utf8)
