"""Row counting on decompressed TABLE DATA, without parsing the rows.

COPY text format escapes newlines inside values as ``\\n`` (copyto.c CopyAttributeOutText), so a
raw newline always ends a row and an empty line is a row (a one-column table holding '').
pg_dump ends every COPY block with the line ``\\.`` and two blank lines (pg_dump.c
dumpTableData_copy writes ``"\\.\\n\\n\\n"``); that trailer is not data. A data row can never be
the line ``\\.``, because COPY writes a backslash in a value as ``\\\\``.
"""

from __future__ import annotations

import re

from dumpcheck.fingerprint import Fingerprint, RowHasher
from dumpcheck.inventory.plain.copydata import count_newlines

TAIL = 16
_END_MARKER = b"\\."


class CopyRowCounter:
    """Counts COPY rows in a stream of pieces: newlines before the ``\\.`` end marker.

    Hashing finds every newline anyway, so a hashed piece's newlines are the hasher's new rows
    and the piece is not scanned a second time (a third of the work on an uncompressed tar).
    Handing pieces to a hashing thread instead measured slower: each hand-over waits for the
    GIL, and the pieces come faster than a thread wakes.
    """

    def __init__(self, *, fingerprint: bool = False) -> None:
        self.newlines = 0
        self.total = 0
        self.tail = b""
        # Hashes every line, the trailer too; fingerprint() takes the trailer back out.
        self.hasher = RowHasher() if fingerprint else None
        # Offset of the first NUL byte: COPY text cannot hold one (copyto.c writes text in the
        # server encoding, where NUL is never a character), so the data is damaged there.
        self.nul_at: int | None = None

    def feed(self, piece: bytes) -> None:
        """Account for one decompressed piece."""
        if self.nul_at is None and (at := piece.find(0)) >= 0:
            self.nul_at = self.total + at
        if self.hasher is None:
            newlines = count_newlines(piece, 0, len(piece))
        else:
            # Each newline completes one row of the hasher (a carried-over one included).
            before = self.hasher.rows
            self.hasher.feed(piece)
            newlines = self.hasher.rows - before
        self.add_run(newlines, len(piece), piece[-TAIL:])

    def add_run(self, newlines: int, size: int, tail: bytes) -> None:
        """Account for ``size`` bytes holding ``newlines`` newlines and ending with ``tail``."""
        self.newlines += newlines
        self.total += size
        self.tail = tail[-TAIL:] if len(tail) >= TAIL else (self.tail + tail)[-TAIL:]

    def _marker_split(self) -> tuple[bool, int]:
        """Whether the data ends with the end marker line, and how many newlines follow it."""
        stripped = self.tail.rstrip(b"\n")
        trailing = len(self.tail) - len(stripped)
        if not stripped.endswith(_END_MARKER) or trailing == 0:
            return False, 0
        before = stripped[: -len(_END_MARKER)]
        at_line_start = before.endswith(b"\n") or (
            not before and self.total == len(_END_MARKER) + trailing
        )
        return at_line_start, trailing

    @property
    def has_end_marker(self) -> bool:
        """Whether the data seen so far ends with the ``\\.`` line pg_dump writes last."""
        return self._marker_split()[0]

    def fingerprint(self) -> Fingerprint | None:
        """The fingerprint of the rows, without the ``\\.`` line and the blank lines after it;
        None when not hashing or when the data does not end with the marker."""
        marker, trailing = self._marker_split()
        if self.hasher is None or not marker:
            return None
        # pg_dump's trailer "\\.\n\n\n": the marker line and trailing - 1 blank lines.
        return self.hasher.result().minus(_END_MARKER).minus(b"", trailing - 1)

    @property
    def rows(self) -> int:
        """Complete rows so far (a partial last line is not a row)."""
        marker, trailing = self._marker_split()
        return self.newlines - trailing if marker else self.newlines


# Characters that matter outside string literals and quoted identifiers of INSERT statements.
_INSERT_SPECIAL = re.compile(rb"['\"();,]")
_S = ord("S")
_COMMA = ord(",")


class InsertRowCounter:
    """Counts rows of ``--inserts`` / ``--rows-per-insert`` / ``--column-inserts`` data.

    A row is a parenthesised group at statement level that follows ``VALUES`` or a comma
    (pg_dump writes ``INSERT INTO t [(cols)] [OVERRIDING SYSTEM VALUE] VALUES (..), (..);``);
    pg_dump writes unquoted identifiers in lower case only, so an upper-case ``S`` before the
    group can only end ``VALUES``. A zero-column table gives ``INSERT INTO t DEFAULT VALUES;``.
    Rows are counted when their statement's ``;`` arrives, as that is when a restore runs it.
    String literals double their quotes ('' , and \\\\ with standard_conforming_strings off), so
    finding the closing quote needs no backslash handling.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.statement_rows = 0
        self.depth = 0
        self.quote = 0  # ord("'") or ord('"') while inside one, else 0
        self.quote_maybe_closed = False  # a quote ended the last piece: closing or doubled?
        self.last = 0  # last significant character outside quotes
        self.in_statement = False

    @property
    def at_statement_boundary(self) -> bool:
        """Whether the data seen so far ends between statements."""
        return not self.in_statement and not self.quote

    def feed(self, piece: bytes) -> None:
        """Account for one decompressed piece."""
        i, n = 0, len(piece)
        if self.quote_maybe_closed and n:
            self.quote_maybe_closed = False
            if piece[0] == self.quote:
                i = 1  # a doubled quote: still inside
            else:
                self.last, self.quote = self.quote, 0
        while i < n:
            if self.quote:
                j = piece.find(self.quote, i)
                if j < 0:
                    return
                if j + 1 == n:
                    self.quote_maybe_closed = True
                    return
                if piece[j + 1] == self.quote:
                    i = j + 2
                    continue
                self.last, self.quote, i = self.quote, 0, j + 1
                continue
            match = _INSERT_SPECIAL.search(piece, i)
            end = match.start() if match else n
            segment = piece[i:end].rstrip()
            if segment:
                self.last = segment[-1]
                self.in_statement = True
            if match is None:
                return
            char = piece[end]
            i = end + 1
            self.in_statement = True
            if char in b"'\"":
                self.quote = char
            elif char == 0x28:  # (
                if self.depth == 0 and self.last in (_S, _COMMA):
                    self.statement_rows += 1
                self.depth += 1
                self.last = char
            elif char == 0x29:  # )
                self.depth -= 1
                self.last = char
            elif char == 0x3B and self.depth == 0:  # ; ends the statement
                if self.statement_rows == 0 and self.last == _S:
                    self.statement_rows = 1  # DEFAULT VALUES
                self.rows += self.statement_rows
                self.statement_rows = 0
                self.in_statement = False
                self.last = char
            else:
                self.last = char
