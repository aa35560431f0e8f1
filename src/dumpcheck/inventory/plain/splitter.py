"""Streaming splitter for plain-format dumps (psql scripts): statements, COPY blocks, meta-commands.

It reads bounded chunks and never holds a COPY row, so a 100 GB dump or one 500 MB bytea value
costs the same memory as a small dump. Statement boundaries follow psql's lexer (psqlscan.l):
``;`` ends a statement only outside quotes, comments and parentheses.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import BinaryIO, cast

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import RowHasher
from dumpcheck.inventory.plain.buffer import SplitterBuffer
from dumpcheck.inventory.plain.insert_rows import NotSimpleError, hash_rows, rows_fingerprint
from dumpcheck.inventory.plain.inserts import InsertScanner, parse_insert_head, simple_insert_run
from dumpcheck.inventory.plain.items import (
    CopyBlock,
    DatabaseSection,
    InsertRows,
    MetaCommand,
    ObjectHeader,
    PlainItem,
    Statement,
    parse_copy_target,
)
from dumpcheck.inventory.plain.lexer import STATEMENT_SPECIAL, inside_begin_atomic, token_end

__all__ = [
    "CopyBlock",
    "DatabaseSection",
    "InsertRows",
    "MetaCommand",
    "ObjectHeader",
    "PlainItem",
    "PlainSplitter",
    "Statement",
    "iter_plain",
    "parse_copy_target",
]

READ_SIZE = 1 << 22

# --inserts data: streamed by the inventory (counting_items), read whole for a restore.
_INSERT_HEAD = re.compile(rb"INSERT\s+INTO\s", re.IGNORECASE)
_INSERT_PEEK = 16
_MIGRATIONS = "_prisma_migrations"
_WS = re.compile(rb"[ \t\r\n\f\v]+")
# pg_dump's object header (pg_backup_archiver.c, _printTocEntry).
_HEADER = re.compile(
    # pg_backup_archiver.c _printTocEntry: "Data for " before data entries, and (18+)
    # "Statistics for " before STATISTICS DATA entries.
    r"^-- (?:(?P<data>Data for )|Statistics for )?Name: (?P<name>.*); "
    r"Type: (?P<type>[A-Z][A-Z ]*); "
    r"Schema: (?P<schema>.*); Owner: (?P<owner>.*?)"
    # ... and "; Tablespace: x" for an object outside the default tablespace.
    r"(?:; Tablespace: (?P<tablespace>.*))?$"
)
# pg_dumpall.c: the file's first comment, and the one before each database's part.
CLUSTER_HEADER = "-- PostgreSQL database cluster dump"
_DATABASE_PART = re.compile(r'^-- Database "(?P<name>.*)" dump$')
_SET_SCS = re.compile(r"SET\s+standard_conforming_strings\s*=\s*'?(on|off)'?", re.IGNORECASE)
_SET_ENCODING = re.compile(r"SET\s+client_encoding\s*=\s*'([^']*)'", re.IGNORECASE)
# PostgreSQL encoding names that Python spells differently.
_PY_ENCODINGS = {"SQL_ASCII": "latin-1", "UTF8": "utf-8", "WIN1252": "cp1252", "LATIN1": "latin-1"}


def iter_plain(stream: BinaryIO, read_size: int = READ_SIZE) -> Iterator[PlainItem]:
    """Split a plain dump into statements, COPY blocks and meta-commands, streaming."""
    return iter(PlainSplitter(stream, read_size))


class PlainSplitter(SplitterBuffer):
    """The splitter's state: iterate it for items; after iteration its attributes hold the facts."""

    def __init__(
        self, stream: BinaryIO, read_size: int = READ_SIZE, *, fingerprints: bool = False
    ) -> None:
        super().__init__(stream, read_size)
        self.fingerprints = fingerprints  # hash every COPY row (dumpcheck.fingerprint)
        self._stream_inserts = False
        self._insert_heads: dict[bytes, tuple[str, QualifiedName, tuple[str, ...] | None]] = {}
        self._simple_end = 0
        self.standard_strings = True
        self.client_encoding: str | None = None  # as the dump's SET client_encoding names it
        self.comments: list[str] = []  # the "-- Dumped from/by ..." and trailer comments
        # (schema, name) of every "-- Data for Name: ...; Type: TABLE DATA" header, even when no
        # statement follows it (an empty table in an --inserts dump).
        self.data_headers: set[QualifiedName] = set()
        self.last_line = 0
        # The file opens with pg_dumpall's header: it holds a cluster, one part per database.
        self.cluster = False

    # -- main loop ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[PlainItem]:
        """Every item; an INSERT comes whole, as a Statement (what a restore runs)."""
        # _items yields InsertRows only when _stream_inserts is set, which counting_items does.
        return cast(Iterator[PlainItem], self._items())

    def counting_items(self) -> Iterator[PlainItem | InsertRows]:
        """Every item, except that INSERTs of --inserts data come as InsertRows: their rows
        counted while streaming, their values never held (what the inventory needs)."""
        self._stream_inserts = True
        return self._items()

    def _items(self) -> Iterator[PlainItem | InsertRows]:
        header: ObjectHeader | None = None
        pos = 0
        while True:
            pos = self._skip_space(pos)
            buf = self._buf
            if pos >= len(buf):
                shift = self._fill(pos)
                if shift < 0:
                    self.last_line = self._line_at(len(self._buf))
                    return
                pos -= shift
                continue
            c = buf[pos]
            if c in b"-\\" and pos + 1 >= len(buf) and not self._eof:
                pos -= max(self._fill(pos), 0)
                continue
            if c == 0x2D and buf[pos + 1 : pos + 2] == b"-":  # a "--" comment line
                end, pos = self._read_line(pos)
                comment = self._decode(self._buf[pos:end]).rstrip("\r")
                found = self._on_comment(comment)
                part = _DATABASE_PART.match(comment) if self.cluster and not found else None
                line = self._line_at(pos) if part is not None else 0
                pos = end + 1
                if found is not None:
                    header = found
                elif part is not None:
                    yield DatabaseSection(part["name"], line)
                continue
            if c == 0x5C:  # a backslash at the start of a line: a psql meta-command
                end, pos = self._read_line(pos)
                line = self._line_at(pos)
                word, _, arg = self._decode(self._buf[pos + 1 : end]).rstrip("\r").partition(" ")
                pos = end + 1
                yield MetaCommand(word, arg.strip(), line)
                continue
            at_insert = False
            if self._stream_inserts:
                at_insert, pos = self._at_insert(pos)
            if at_insert:
                rows, pos = self._read_insert(pos, header)
                if rows is not None:
                    header = None
                    yield rows
                    if not rows.terminated:
                        self.last_line = self._line_at(len(self._buf))
                        return
                    continue
            stmt, pos = self._read_statement(pos, header)
            header = None
            target = parse_copy_target(stmt.text) if stmt.terminated and not stmt.broken else None
            if target is None:
                self._on_statement(stmt.text)
                yield stmt
                continue
            # COPY data starts on the line after the statement (psql reads it from there).
            nl = self._find_newline(pos)
            block = CopyBlock(stmt, target[0], target[1], iter(()))
            if self.fingerprints:
                block.hasher = RowHasher()
            if nl < 0:
                self.last_line = self._line_at(len(self._buf))
                block.end_line = self.last_line
                yield block
                return
            pos = nl + 1
            block.data_start = self.bytes_read - len(self._buf) + pos  # _buf ends at bytes_read
            self._copy_state = (self._buf, pos, len(self._buf), self._line_at(pos))
            data = self._copy_data(block, emit=True)
            block.data = data
            block._finish = functools.partial(self._drain, block, data)
            yield block
            self._drain(block, data)
            pos = self._copy_pos
            if not block.complete:
                self.last_line = block.end_line
                return

    def _skip_space(self, pos: int) -> int:
        m = _WS.match(self._buf, pos)
        return m.end() if m else pos

    def _on_comment(self, comment: str) -> ObjectHeader | None:
        m = _HEADER.match(comment)
        if m:
            header = ObjectHeader(
                m["name"],
                m["type"],
                m["schema"],
                m["owner"],
                data=m["data"] is not None,
                tablespace=m["tablespace"] or "",
            )
            if header.data and header.type == "TABLE DATA":
                self.data_headers.add(QualifiedName(header.schema, header.name))
            return header
        if comment.startswith(("-- Dumped ", "-- PostgreSQL database ", "-- Started on")):
            self.comments.append(comment)
            self.cluster = self.cluster or comment == CLUSTER_HEADER
        return None

    def _on_statement(self, text: str) -> None:
        if text[:4].upper() != "SET ":
            return
        m = _SET_SCS.match(text)
        if m:
            self.standard_strings = m.group(1).lower() == "on"
        m = _SET_ENCODING.match(text)
        if m:
            self.client_encoding = m.group(1)
            self.encoding = _PY_ENCODINGS.get(m.group(1).upper(), m.group(1))
            try:
                b"".decode(self.encoding)
            except LookupError:
                self.encoding = "utf-8"

    # -- statements --------------------------------------------------------------------------

    def _at_insert(self, pos: int) -> tuple[bool, int]:
        """Whether an INSERT statement starts at ``pos`` (reading a few bytes more if needed),
        and where ``pos`` is after that read."""
        while len(self._buf) - pos < _INSERT_PEEK and not self._eof:
            shift = self._fill(pos)
            if shift < 0:
                break
            pos -= shift
        return _INSERT_HEAD.match(self._buf, pos) is not None, pos

    def _read_insert(
        self, start: int, header: ObjectHeader | None
    ) -> tuple[InsertRows | None, int]:
        """Count the rows of the INSERT at ``start`` without holding it (after its head).

        None (and ``start``) when the statement must be read whole instead: it has no
        VALUES rows (DEFAULT VALUES), its head does not parse, or it fills _prisma_migrations,
        whose values the inventory reads.
        """
        if self.standard_strings:
            simple = self._read_simple_inserts(start, header)
            if simple is not None:
                return simple, self._simple_end
        line = self._line_at(start)
        scanner = InsertScanner(standard_strings=self.standard_strings)
        pos = start
        keep = start  # nothing before the head is dropped until the first row is seen
        target: tuple[QualifiedName, tuple[str, ...] | None] | None = None
        head = ""
        rows_at = -1
        while True:
            buf = self._buf
            pos, done = scanner.feed(buf, pos, len(buf), eof=self._eof, start=keep)
            if scanner.first_row_at >= 0:  # the scanner stops once, after the first row's "("
                rows_at = scanner.first_row_at
                head = self._decode(buf[start : scanner.first_row_at]).rstrip()
                scanner.first_row_at = -1
                target = parse_insert_head(head)
                if target is None or target[0].name == _MIGRATIONS:
                    return None, start
                continue
            if done and target is None:
                return None, start
            if done:
                assert target is not None
                found = None
                if self.fingerprints and keep == start:  # the statement is still all here
                    found = rows_fingerprint(
                        bytes(buf[rows_at:pos]),
                        scanner.rows,
                        standard_strings=self.standard_strings,
                        utf8=self.encoding == "utf-8",
                    )
                rows = InsertRows(head, *target, scanner.rows, line, header, True, found)
                return rows, pos
            if target is not None:
                keep = max(pos - 2, keep)  # two bytes of context: E'' and a$b
            shift = self._fill(keep)
            if shift < 0:
                if target is None:
                    return None, start
                rows = InsertRows(head, target[0], target[1], 0, line, header, terminated=False)
                return rows, len(self._buf)
            pos, keep, start = pos - shift, keep - shift, start - shift
            rows_at -= shift

    def _read_simple_inserts(self, start: int, header: ObjectHeader | None) -> InsertRows | None:
        """A run of single-row INSERTs into one table, as pg_dump --inserts writes them.

        One regex reads each whole statement (plain values and standard strings only); the
        table's head is parsed once. Anything else is left to the scanner (None).
        """
        spans: list[tuple[int, int]] | None = [] if self.fingerprints else None
        run = simple_insert_run(self._buf, start, spans)
        if run is None:
            return None
        name, rows, self._simple_end = run
        known = self._insert_heads.get(name)
        if known is None:
            head = "INSERT INTO " + self._decode(name) + " VALUES"
            target = parse_insert_head(head)
            if target is None:
                return None
            known = self._insert_heads[name] = (head, target[0], target[1])
        head, table, columns = known
        if table.name == _MIGRATIONS:
            return None
        found = None
        if spans is not None:
            hasher = RowHasher()
            with contextlib.suppress(NotSimpleError):
                hash_rows(hasher, self._buf, spans)
                found = hasher.result()
        return InsertRows(head, table, columns, rows, self._line_at(start), header, True, found)

    def _read_statement(self, start: int, header: ObjectHeader | None) -> tuple[Statement, int]:
        """Scan one statement from ``start``; return it and the offset after its ``;``."""
        line = self._line_at(start)
        pos = start
        depth = 0
        while True:
            buf = self._buf
            m = STATEMENT_SPECIAL.search(buf, pos)
            if m is not None and m.group(0) == b"\\":
                text = self._decode(buf[start : m.start()]).rstrip()
                return Statement(text, line, header, broken=True), m.start()
            if m is None:
                pos = max(pos, len(buf) - 1)  # a lone "-" or "/" may start a comment
                end = -1
            else:
                end = token_end(
                    buf,
                    m.group(0),
                    m.start(),
                    start,
                    eof=self._eof,
                    standard_strings=self.standard_strings,
                )
            if m is not None and end >= 0:
                tok = m.group(0)
                if tok == b";" and depth == 0 and not inside_begin_atomic(buf, start, m.start()):
                    text = self._decode(buf[start : m.end()])
                    return Statement(text, line, header), m.end()
                depth += 1 if tok == b"(" else -1 if tok == b")" else 0
                pos = end
                continue
            if m is not None:
                pos = m.start()  # the token needs more input; rescan it after the refill
            shift = self._fill(start)
            if shift < 0:
                text = self._decode(self._buf[start:]).rstrip()
                return Statement(text, line, header, terminated=False), len(self._buf)
            start -= shift
            pos -= shift
