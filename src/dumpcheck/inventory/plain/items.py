"""The items the plain-dump splitter yields: statements, COPY blocks and meta-commands."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint, RowHasher
from dumpcheck.sqltext import TextError, read_ident_list, read_qualified, skip_ws

if TYPE_CHECKING:
    from concurrent.futures import Future

_COPY_HEAD = re.compile(r"COPY\s", re.IGNORECASE)
_COPY_TAIL = re.compile(r"\bFROM\s+stdin\s*;?\s*\Z", re.IGNORECASE)


@dataclass(frozen=True)
class ObjectHeader:
    """The ``-- Name: x; Type: TABLE; Schema: s; Owner: o`` comment before an object."""

    name: str
    type: str
    schema: str
    owner: str
    data: bool = False  # "-- Data for Name: ..." (a TABLE DATA / SEQUENCE SET section)
    tablespace: str = ""  # "; Tablespace: x" after the owner: not the default tablespace


@dataclass(frozen=True)
class Statement:
    """One SQL statement with the line it starts on and the object header before it."""

    text: str
    line: int
    header: ObjectHeader | None = None
    terminated: bool = True  # False: the dump ended before its ';'
    # A backslash outside quotes cut it off before its ';': psql would read a meta-command
    # there. pg_dump never writes one inside a statement, so the dump is damaged (typically a
    # COPY command whose rows, up to their "\." line, were read as SQL).
    broken: bool = False


@dataclass(frozen=True)
class InsertRows:
    """An INSERT of an ``--inserts`` dump, counted while streaming; its values are not kept."""

    head: str  # the text before the first row: "INSERT INTO s.t (a, b) VALUES"
    table: QualifiedName
    columns: tuple[str, ...] | None
    rows: int
    line: int
    header: ObjectHeader | None = None
    terminated: bool = True  # False: the dump ended before its ';' (rows is then 0)
    # Its rows as COPY text, hashed (plain/insert_rows.py); None when not asked or not simple.
    fingerprint: Fingerprint | None = None


@dataclass(frozen=True)
class MetaCommand:
    """A psql meta-command line such as ``\\connect db`` or ``\\restrict KEY``."""

    command: str  # without the backslash: "connect", "restrict", "unrestrict"
    argument: str
    line: int


@dataclass(frozen=True)
class DatabaseSection:
    """pg_dumpall's ``-- Database "name" dump`` comment: the part of the next database begins
    (pg_dumpall.c dumpDatabases); yielded only in a file that opens as a cluster dump."""

    database: str
    line: int


@dataclass(eq=False)
class CopyBlock:
    """A ``COPY ... FROM stdin`` statement and its data; ``rows``/``complete`` are final once
    ``data`` is exhausted (the splitter drains it itself when the consumer does not)."""

    statement: Statement
    table: QualifiedName
    columns: tuple[str, ...]
    data: Iterator[bytes] = field(repr=False)
    rows: int = 0
    complete: bool = False  # the terminating "\." line was found
    end_line: int = 0  # line of "\." (or the last line read when truncated)
    # Offsets in the (decompressed) stream of the first data byte and of the byte after the
    # last row (before "\.", or the end of the stream when truncated): the parallel plain
    # restore reads a table's data from the file by these (restore/plainjobs.py).
    data_start: int = -1
    data_end: int = -1
    # Line of the first NUL byte in the data: COPY text cannot hold one (copyto.c sends text in
    # the server encoding, where NUL is never a character), so the dump is damaged there.
    nul_line: int | None = None
    # Fed every data byte when the splitter fingerprints rows (dumpcheck.fingerprint).
    hasher: RowHasher | None = field(default=None, repr=False)
    pending: Future[None] | None = field(default=None, repr=False)  # a step being hashed
    _finish: Callable[[], None] = field(default=lambda: None, repr=False)

    def finish(self) -> None:
        """Count whatever is left of the data without handing it over; ``rows`` is then final."""
        self._finish()


PlainItem = Statement | CopyBlock | MetaCommand | DatabaseSection


def parse_copy_target(text: str) -> tuple[QualifiedName, tuple[str, ...]] | None:
    """The table and column list of ``COPY s.t (a, b) FROM stdin``, or None if not such a COPY."""
    if not _COPY_HEAD.match(text) or not _COPY_TAIL.search(text):
        return None
    try:
        parts, pos = read_qualified(text, 4)
        pos = skip_ws(text, pos)
        columns: tuple[str, ...] = ()
        if text.startswith("(", pos):
            columns, pos = read_ident_list(text, pos)
    except TextError:
        return None
    if not 1 <= len(parts) <= 2 or not re.match(r"\s*FROM\s+stdin", text[pos:], re.IGNORECASE):
        return None
    schema = parts[0] if len(parts) == 2 else "public"
    return QualifiedName(schema, parts[-1]), columns
