"""The parts a restored table is read back in, and the queue the readers share.

A big table is read in parts of its heap pages, so that one table alone keeps every reader
busy; the sum of the parts' fingerprints is the table's (the sum does not depend on the order of
the rows). The early reader (overlap.py) and the readers after the restore (fingerprints.py)
take parts from one queue, largest first, so that the last part to finish is a small one.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

import psycopg
from psycopg import sql

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.restore.readback import Pages

# A part of a big table: 32 MiB of 8 KiB heap pages. Small enough that two jobs share a table
# evenly, big enough that a part's COPY start-up (a statement, a pipe) is noise.
PART_PAGES = 4096
_TID_RANGE_SCAN = 140000  # PostgreSQL 14 reads a ctid range without a full scan


class Part(NamedTuple):
    """Rows of one table to read: its columns in the dump's order, the heap pages (None: the
    whole table) and the part's size in pages (for the order)."""

    table: QualifiedName
    columns: tuple[str, ...]
    pages: Pages | None
    size: int


def parts(pages: int | None) -> list[tuple[Pages | None, int]]:
    """The parts a table is read in, each with its size in pages: the whole table (None) unless
    it is an ordinary table of more than two parts' worth of pages on a server that scans ctid
    ranges. The last part runs to the end of the table."""
    if pages is None or pages < 2 * PART_PAGES:
        return [(None, pages or 0)]
    starts = list(range(0, pages, PART_PAGES))
    if pages - starts[-1] < PART_PAGES // 2:
        starts.pop()  # a short tail joins the part before it
    return [
        ((first, starts[i + 1] if i + 1 < len(starts) else None), PART_PAGES)
        for i, first in enumerate(starts)
    ]


def table_parts(
    conn: psycopg.Connection[Any], plans: Iterable[tuple[QualifiedName, tuple[str, ...]]]
) -> list[Part]:
    """Every part of the planned tables (table, columns)."""
    planned = list(plans)
    sizes = heap_pages(conn, [table for table, _ in planned])
    return [
        Part(table, names, part, size)
        for table, names in planned
        for part, size in parts(sizes.get(table))
    ]


def heap_pages(
    conn: psycopg.Connection[Any], tables: list[QualifiedName]
) -> dict[QualifiedName, int]:
    """Each ordinary table's size in heap pages; nothing on a server before TID range scans."""
    if conn.info.server_version < _TID_RANGE_SCAN or not tables:
        return {}
    names = {sql.Identifier(k.schema, k.name).as_string(conn): k for k in tables}
    found = conn.execute(
        "SELECT n, pg_relation_size(c.oid) / current_setting('block_size')::bigint "
        "FROM unnest(%s::text[]) n JOIN pg_class c ON c.oid = to_regclass(n) "
        "WHERE c.relkind = 'r'",
        (list(names),),
    ).fetchall()
    return {names[name]: int(size) for name, size in found}


class PartQueue:
    """Parts to read, largest first, and the fingerprints the read ones add up to. ``pop``
    waits for more parts until the queue is closed: no more will be added."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Part]] = []
        self._added = 0
        self._closed = False
        self._ready = threading.Condition()
        self.sums: dict[QualifiedName, Fingerprint] = {}
        self.failed: list[Part] = []  # parts the early reader could not read: read again

    def add(self, new: Iterable[Part]) -> None:
        with self._ready:
            for part in new:
                heapq.heappush(self._heap, (-part.size, self._added, part))
                self._added += 1
            self._ready.notify_all()

    def close(self) -> None:
        """No more parts will be added: readers that find the queue empty stop."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def pop(self, *, wait: bool) -> Part | None:
        """The largest part left; None when there is none (with ``wait``: once closed)."""
        with self._ready:
            while not self._heap and wait and not self._closed:
                self._ready.wait()
            return heapq.heappop(self._heap)[2] if self._heap else None

    def done(self, part: Part, found: Fingerprint) -> None:
        """``part`` was read: add its rows to its table's sum."""
        with self._ready:
            before = self.sums.get(part.table)
            self.sums[part.table] = before.plus(found) if before else found

    def __len__(self) -> int:
        with self._ready:
            return len(self._heap)

    def snapshot(self) -> dict[QualifiedName, Fingerprint]:
        """The sums so far."""
        with self._ready:
            return dict(self.sums)

    def fail(self, part: Part) -> None:
        with self._ready:
            self.failed.append(part)
