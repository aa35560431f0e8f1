"""Restored tables read back while the restore still runs.

``pg_restore -j`` names each item as a worker finishes it (pg_backup_archiver.c
mark_restore_job_done: "finished item N TABLE DATA t"; a failed item is reported finished too).
Once a table's data item is done its rows are final: what post-data still builds (constraints,
indexes, foreign keys, triggers, grants) changes no row. Indexes, foreign keys and triggers take
locks that COPY TO's ACCESS SHARE does not conflict with; ADD PRIMARY KEY and UNIQUE take
ACCESS EXCLUSIVE, so a parallel restore's table is read once those are done too, and neither
side waits. A serial pg_restore (one job, or a tar archive) reports no finished items: its data
item is done when the next item is announced.

One session reads such tables, part by part, while pg_restore goes on. On a machine a
parallel restore keeps busy it fills the tail, where the last index builds and foreign keys run
on fewer workers than -j; beside a serial restore, or on a bigger machine, it runs alongside.
When the restore ends it goes on as one of the readers after it (fingerprints.py), which take
the parts left from the same queue (parts.py).
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore.model import RestoredFingerprints
from dumpcheck.restore.parts import PartQueue, table_parts
from dumpcheck.restore.readsession import TableRequest, comparable, reader, table_columns

_FINISHED = re.compile(r"^pg_restore: finished item (\d+) ")
# A serial pg_restore announces each item as it starts it (pg_backup_archiver.c restore_toc_entry,
# _printTocEntry) and nothing when it ends.
_ANNOUNCED = re.compile(r"^pg_restore: (?:creating|processing data for|executing) ")
_DATA = re.compile(r'^pg_restore: processing data for table "(.*)"$')


def partitions(entries: Sequence[TocEntry]) -> set[QualifiedName]:
    """The tables that are partitions: no early read for them. With --load-via-partition-root a
    partition's rows are loaded through the root and may land in a sibling partition, after
    that sibling's own data item finished (pg_dump's TABLE ATTACH entry, or, from older
    pg_dump, CREATE TABLE ... PARTITION OF)."""
    return {
        QualifiedName(e.namespace, e.tag)
        for e in entries
        if e.desc == "TABLE ATTACH" or (e.desc == "TABLE" and " PARTITION OF " in e.defn)
    }


class PlainReady:
    """For the plain driver: ``ready(table)`` once the last COPY block of a table in the dump has
    ended (committed or rolled back, outside any BEGIN block of the script: ``data_done``) and,
    with ``keys``, every CONSTRAINT entry on it has run (``key_done``), as for a parallel
    archive restore. pg_dump names a constraint entry "table constraint": a schema with one
    whose name has more spaces cannot tell which table it is on, and its tables are read after
    the restore."""

    def __init__(
        self, entries: Sequence[TocEntry], ready: Callable[[QualifiedName], None], *, keys: bool
    ) -> None:
        self._ready = ready
        self._keys = keys
        self._left: dict[QualifiedName, int] = {}
        for e in entries:
            if e.desc == "TABLE DATA":
                key = QualifiedName(e.namespace, e.tag)
                self._left[key] = self._left.get(key, 0) + 1
        self._unsure: set[str] = set()
        for e in entries if keys else ():
            if e.desc == "CONSTRAINT":
                table = _constraint_table(e.namespace, e.tag)
                if table is None:
                    self._unsure.add(e.namespace)
                elif table in self._left:
                    self._left[table] += 1
        self._lock = threading.Lock()

    def data_done(self, table: QualifiedName) -> None:
        """One COPY block of ``table`` ended."""
        self._count(table)

    def key_done(self, schema: str, name: str) -> None:
        """The CONSTRAINT entry named ``name`` ("table constraint") in ``schema`` has run."""
        table = _constraint_table(schema, name) if self._keys else None
        if table is not None:
            self._count(table)

    def _count(self, table: QualifiedName) -> None:
        with self._lock:
            if table not in self._left:
                return
            self._left[table] -= 1
            if self._left[table]:
                return
            del self._left[table]
        if table.schema not in self._unsure:
            self._ready(table)


def _constraint_table(schema: str, tag: str) -> QualifiedName | None:
    table, space, constraint = tag.partition(" ")
    return QualifiedName(schema, table) if space and " " not in constraint else None


def ready_watch(
    entries: Sequence[TocEntry], ready: Callable[[QualifiedName], None], *, serial: bool = False
) -> Callable[[str], None]:
    """A pg_restore --verbose line handler that calls ``ready(table)`` once a table's rows are
    final. ``serial`` is for a restore without -j, which reports no finished items."""
    return _serial_watch(entries, ready) if serial else _parallel_watch(entries, ready)


def _parallel_watch(
    entries: Sequence[TocEntry], ready: Callable[[QualifiedName], None]
) -> Callable[[str], None]:
    """Ready: the table's TABLE DATA item finished, and every CONSTRAINT on its table."""
    tables = {e.dump_id: e for e in entries if e.desc == "TABLE"}
    constraints: dict[int, list[int]] = {}
    for e in entries:
        if e.desc == "CONSTRAINT":
            for dep in e.dependencies:
                if dep in tables:
                    constraints.setdefault(dep, []).append(e.dump_id)
    # A table with two data items (never from pg_dump) is read after the restore.
    twice = _repeated(QualifiedName(e.namespace, e.tag) for e in entries if e.desc == "TABLE DATA")
    waiting: dict[int, set[int]] = {}  # TABLE DATA id -> the items it waits for
    blocks: dict[int, list[int]] = {}  # item id -> the TABLE DATA ids waiting for it
    names: dict[int, QualifiedName] = {}
    for e in entries:
        if e.desc != "TABLE DATA" or QualifiedName(e.namespace, e.tag) in twice:
            continue
        # A data-only dump has no TABLE entries: its data items wait for themselves only.
        items = {e.dump_id}
        for dep in e.dependencies:
            items.update(constraints.get(dep, ()))
        waiting[e.dump_id] = items
        names[e.dump_id] = QualifiedName(e.namespace, e.tag)
        for item in items:
            blocks.setdefault(item, []).append(e.dump_id)

    def on_line(line: str) -> None:
        found = _FINISHED.match(line)
        if found is None:
            return
        for data in blocks.pop(int(found.group(1)), ()):
            items = waiting[data]
            items.discard(int(found.group(1)))
            if not items:
                ready(names[data])

    return on_line


def _repeated(keys: Iterable[QualifiedName]) -> set[QualifiedName]:
    seen: set[QualifiedName] = set()
    twice: set[QualifiedName] = set()
    for key in keys:
        (twice if key in seen else seen).add(key)
    return twice


def _serial_watch(
    entries: Sequence[TocEntry], ready: Callable[[QualifiedName], None]
) -> Callable[[str], None]:
    """Ready: the item after the table's data is announced. A serial restore runs each
    statement in autocommit (never --single-transaction here), so its COPY has committed; the
    table's constraints come later, in post-data, and wait for the read if it still runs.
    A name the log cannot tell apart from another's ("a.b" "c" and "a" "b.c") is never
    announced: that table is read after the restore."""
    labels: dict[str, QualifiedName | None] = {}
    for e in entries:
        if e.desc == "TABLE DATA":
            label = f"{e.namespace}.{e.tag}"
            labels[label] = None if label in labels else QualifiedName(e.namespace, e.tag)
    loading: list[QualifiedName | None] = [None]

    def on_line(line: str) -> None:
        if not _ANNOUNCED.match(line):
            return
        done, loading[0] = loading[0], None
        if done is not None:
            ready(done)
        data = _DATA.match(line)
        if data is not None:
            loading[0] = labels.get(data.group(1))

    return on_line


class EarlyReads:
    """Reads the requested tables in a thread of its own as the restore makes them ready
    (``ready``): it plans each table's parts into ``queue`` and reads them. ``stop`` when the
    restore ends: it takes no more tables, but reads parts with the readers after the restore
    until the queue is closed. Used as a context manager: leaving it cancels a read still
    running (Ctrl-C, a failed restore)."""

    def __init__(
        self,
        requests: Iterable[TableRequest],
        *,
        encoding: str | None,
        source_major: int | None,
        pipe_dir: Path | None,
    ) -> None:
        self._requests = {r.table: r for r in requests}
        self._encoding = encoding
        self._source_major = source_major
        self._pipe_dir = pipe_dir
        self.queue = PartQueue()
        self._tables: queue.SimpleQueue[QualifiedName | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._taken: set[QualifiedName] = set()
        self._planned: set[QualifiedName] = set()
        self._conn: psycopg.Connection[Any] | None = None
        self._thread: threading.Thread | None = None

    def start(self, conninfo: str) -> None:
        """Begin waiting for ready tables of the database at ``conninfo``."""
        self._thread = threading.Thread(
            target=self._run, args=(conninfo,), name="dumpcheck-early-readback", daemon=True
        )
        self._thread.start()

    def ready(self, table: QualifiedName) -> None:
        """``table``'s rows are final (called from the restore's log reader)."""
        if table in self._requests:
            self._tables.put(table)

    def stop(self) -> frozenset[QualifiedName]:
        """Take no more tables; the tables taken (their parts queued, or being planned)."""
        with self._lock:
            self._stopped = True
            taken = frozenset(self._taken)
        self._tables.put(None)
        return taken

    @property
    def reading(self) -> bool:
        """Whether the thread runs (it reads parts until the queue is closed)."""
        return self._thread is not None and self._thread.is_alive()

    def join(self) -> frozenset[QualifiedName]:
        """Wait for the thread (after ``queue.close()``); the taken tables whose parts it
        queued. A table taken but not planned (its columns could not be read) is read again."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            return frozenset(self._planned)

    def read_so_far(self) -> dict[QualifiedName, Fingerprint]:
        """The sums of the parts read so far."""
        return self.queue.snapshot()

    def __enter__(self) -> EarlyReads:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.queue.close()
        with self._lock:
            conn = self._conn
        if conn is not None and self.reading:
            conn.cancel_safe(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self, conninfo: str) -> None:
        try:
            with reader(conninfo, self._encoding, self._pipe_dir) as (conn, read):
                with self._lock:
                    self._conn = conn
                # As the readers after the restore: the first TimeZone tried is UTC.
                conn.execute("SET TimeZone = 'UTC'")
                while True:
                    part = self.queue.pop(wait=False)
                    if part is None:
                        key = self._take()
                        if key is not None:
                            self._plan(conn, key)
                            continue
                        part = self.queue.pop(wait=True)  # stopped: read what is left
                        if part is None:
                            return
                    try:
                        found = read(conn, part.table, part.columns, part.pages)
                    except psycopg.errors.QueryCanceled:
                        self.queue.fail(part)
                        return
                    except Exception:  # noqa: BLE001 - read again afterwards, which reports it
                        self.queue.fail(part)
                        continue
                    self.queue.done(part, found)
        except (psycopg.Error, OSError):
            return  # the server went away or refused: what is left is read afterwards, or fails

    def _take(self) -> QualifiedName | None:
        """The next ready table, None once stopped."""
        with self._lock:
            if self._stopped:
                return None
        key = self._tables.get()
        with self._lock:
            if key is None or self._stopped:
                return None
            self._taken.add(key)
            return key

    def _plan(self, conn: psycopg.Connection[Any], key: QualifiedName) -> None:
        """Queue the parts of ``key`` (none when its rows cannot be compared as text)."""
        request = self._requests[key]
        columns = table_columns(conn, [key]).get(key)
        used = comparable(request, columns, self._source_major, RestoredFingerprints())
        if used is not None:
            self.queue.add(table_parts(conn, [(key, tuple(c.name for c in used))]))
        with self._lock:
            self._planned.add(key)
