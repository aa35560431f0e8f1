"""Quick verify (``verify --quick``): each table loads only its first rows, and foreign keys
are created without checking the sample against them.

Both restore drivers use these helpers: the plain statement driver as it replays the script,
and the archive path (restore/quick.py) around pg_restore's pre-data and post-data sections.
The schema is restored whole either way, so every missing extension, role or type still shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psycopg

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain import ObjectHeader, Statement, count_insert_rows
from dumpcheck.sqltext import TextError

# pg_dump's foreign keys: "ALTER TABLE [ONLY] t ADD CONSTRAINT c FOREIGN KEY (...) REFERENCES".
_FOREIGN_KEY = re.compile(
    r"^\s*ALTER\s+TABLE\s+.*?\sADD\s+CONSTRAINT\s+.*?\sFOREIGN\s+KEY\s*\(",
    re.IGNORECASE | re.DOTALL,
)
# Already unchecked as dumped: NOT VALID, or PostgreSQL 18's NOT ENFORCED (never validated).
_UNCHECKED = re.compile(r"\bNOT\s+(?:VALID|ENFORCED)\s*;?\s*\Z", re.IGNORECASE)
# tablecmds.c before PostgreSQL 18 (ATAddForeignKeyConstraint): a partitioned table's foreign
# key cannot be added NOT VALID.
_NOT_VALID_REFUSED = "cannot add NOT VALID foreign key on partitioned table"
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s", re.IGNORECASE)


@dataclass
class SampleBudget:
    """How many rows of each table the sample may still take, and which tables it cut short."""

    limit: int
    taken: dict[QualifiedName, int] = field(default_factory=dict)
    cut: set[QualifiedName] = field(default_factory=set)  # more rows in the dump than loaded

    def room(self, table: QualifiedName) -> int:
        """Rows ``table`` may still load (a table may have more than one data section)."""
        return max(self.limit - self.taken.get(table, 0), 0)

    def take(self, table: QualifiedName, rows: int, *, total: int) -> None:
        """Count ``rows`` sent for ``table`` out of the ``total`` its data section holds; the
        rows tried count, loaded or not: the sample is the dump's first rows, not its good ones."""
        self.taken[table] = self.taken.get(table, 0) + rows
        if total > rows:
            self.cut.add(table)

    def admits(self, stmt: Statement, header: ObjectHeader | None) -> bool:
        """Whether to run ``stmt``: every statement but the INSERTs of ``--inserts`` data past
        the sample (the INSERTs that hold the first rows are run whole)."""
        if header is None or not header.data or not _INSERT.match(stmt.text):
            return True
        table = QualifiedName(header.schema, header.name)
        room = self.room(table)
        try:
            rows = count_insert_rows(stmt.text)
        except TextError:
            rows = 1
        if room <= 0:
            self.take(table, 0, total=rows)
            return False
        self.take(table, rows, total=rows)
        return True


def copy_first_rows(
    write: Callable[[bytes | memoryview], object], chunks: Iterable[bytes], limit: int
) -> int:
    """Send the first ``limit`` rows of COPY text data to ``write``; return how many were sent.

    A row is a line (COPY text escapes newlines inside values). The bytes after the last newline
    of a chunk wait for the next one, so a dump cut inside a row never sends that partial row.
    The rest of the data is left unread: the splitter counts it (CopyBlock.finish).
    """
    sent = 0
    pending: list[bytes] = []  # a row's start, as long as no newline has ended it
    if limit <= 0:
        return 0
    for chunk in chunks:
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            pending.append(chunk)
            continue
        rows = chunk.count(b"\n")
        end = cut if sent + rows <= limit else _after_newline(chunk, limit - sent)
        for part in pending:
            write(part)
        write(memoryview(chunk)[:end])
        sent += min(rows, limit - sent)
        if sent >= limit:
            break
        pending = [chunk[cut:]] if cut < len(chunk) else []
    return sent


def _after_newline(chunk: bytes, n: int) -> int:
    """The offset just after the ``n``-th newline of ``chunk`` (it has at least ``n``)."""
    at = -1
    for _ in range(n):
        at = chunk.index(b"\n", at + 1)
    return at + 1


def foreign_key_not_valid(sql: str) -> str | None:
    """pg_dump's ``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`` with NOT VALID added, or
    None when ``sql`` is no such statement or is already unchecked."""
    text = sql.rstrip()
    if not _FOREIGN_KEY.match(text) or _UNCHECKED.search(text):
        return None
    body = text[:-1].rstrip() if text.endswith(";") else text
    return f"{body} NOT VALID;"


def add_foreign_key(execute: Callable[[str], object], sql: str) -> None:
    """Create a dumped foreign key without validating the sample against it.

    Why NOT VALID, in quick mode only and only for foreign keys: a child table's first rows may
    refer to parent rows outside the parent's sample, and ADD CONSTRAINT validates every existing
    row (RI_Initial_Check), so it would fail on rows the dump holds. NOT VALID still creates the
    constraint, with the same columns, target and actions (the catalog read-back and compare
    see no difference; only pg_constraint.convalidated is false), so its absence never shows as
    drift; unique and check constraints are created as dumped, and they hold for any subset of
    rows. Where the server refuses NOT VALID (a partitioned table before PostgreSQL 18), the
    statement runs as dumped, and fails only if the sample has such rows.
    """
    unchecked = foreign_key_not_valid(sql)
    if unchecked is None:
        execute(sql)
        return
    try:
        execute(unchecked)
    except psycopg.Error as exc:
        if _NOT_VALID_REFUSED not in (exc.diag.message_primary or ""):
            raise
        execute(sql)
