"""A plain dump restored by several sessions at once, as pg_restore -j restores an archive.

psql -f cannot do this, and pg_restore refuses plain scripts. The driver (restore/plain.py) still
reads the script once, in order, and runs the pre-data on its own session; then:

* each table's COPY data is loaded on other sessions, read by them straight from the file at
  the offsets the splitter found. A big table is cut at row boundaries (COPY text escapes every
  newline inside a value, so a raw newline ends a row) into one part per job, each loaded in its
  own transaction; the parts commit only when all of them loaded, so a bad row still leaves the
  whole table empty, exactly as one COPY would;
* a post-data entry that only builds an index or a table's own constraint (pg_dump's INDEX and
  CONSTRAINT entries, which depend on the loaded data and nothing else of post-data) runs on
  another session while the next ones are read.

Anything else is a barrier: the driver waits for what runs, merges its failures in the order of
the script, and goes on on its own session. A lock deadlock between two entries (partitions)
is not a failure of the dump: those entries run again after the barrier, one at a time.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain import CopyBlock, ObjectHeader, Statement, data_target
from dumpcheck.restore.overlap import PlainReady
from dumpcheck.restore.plaindeps import after
from dumpcheck.restore.plaingroup import Group, Outcome, cut_into
from dumpcheck.restore.plainsession import (
    PlainRun,
    Session,
    check_environment,
    run_statement,
)
from dumpcheck.restore.pool import RankedPool

_DEADLOCK = "40P01"
_READ = 1 << 20  # bytes per pread and COPY write


class PlainJobs:
    """The other sessions of one plain restore, and the work in flight on them."""

    def __init__(
        self,
        session: Session,
        path: Path,
        jobs: int,
        *,
        no_owner: bool,
        ready: PlainReady | None = None,
    ) -> None:
        self.session = session
        self.ready = ready  # told of each COPY and CONSTRAINT entry that ends here
        self.jobs = jobs
        self.no_owner = no_owner
        self._fd = os.open(path, os.O_RDONLY)
        self._pool = RankedPool(jobs, "dumpcheck-plain")
        self._idle: list[Session] = []
        self._all: list[Session] = []
        self._lock = threading.Lock()
        self._running: list[Future[Outcome | None]] = []
        self._settings: list[bytes] = []  # the driver's settings the idle sessions have
        self._entry: list[Statement] = []
        self._entry_header: ObjectHeader | None = None
        self._entry_tables: tuple[QualifiedName, ...] = ()
        # Per table, the work handed over last (it ran after all earlier work on the table).
        self._last: dict[QualifiedName, list[Future[Any]]] = {}
        self._plain: dict[QualifiedName, bool] = {}  # tables with no partitions or children
        self._tables: set[QualifiedName] = set()  # tables whose data was handed over
        # Bytes of COPY data per table: the rank of its loads and of the index and constraint
        # builds on it (the biggest table's chain first, as pg_restore -j orders them).
        self._bytes: dict[QualifiedName, int] = {}
        self._size = max(os.fstat(self._fd).st_size, 1)
        # COPY data read past but not started yet, with its cut points; guarded by
        # _dispatching (a load that ends starts the next one from its own thread).
        self._pending: list[tuple[Group, list[int]]] = []
        self._loading: list[Future[Any]] = []  # the loads started, done or not
        self._dispatching = threading.RLock()

    # -- what the driver hands over ----------------------------------------------------------

    def copy(self, block: CopyBlock, header: ObjectHeader | None) -> None:
        """Load ``block``'s data on other sessions (the driver reads past it meanwhile)."""
        self._flush_entry()
        block.finish()  # rows, completeness and the data's end, scanning only
        end = block.data_end if block.complete else self._last_newline(block)
        # The serial driver's words for a cut-off COPY: whether a partial row was dropped.
        cut_row = end < block.data_end and bool(self.read(end, block.data_end).strip())
        fresh = block.table not in self._tables and self._fresh(block)
        self._tables.add(block.table)
        bounds = self._parts(block.data_start, end) if fresh else [block.data_start, end]
        self._bytes[block.table] = self._bytes.get(block.table, 0) + end - block.data_start
        # One part into a fresh table: TRUNCATE first, as pg_restore -j does for a table it
        # created (pg_backup_archiver.c restore_toc_entry): in the same transaction, COPY then
        # writes no WAL (wal_level=minimal) and FREEZE writes the rows frozen, so the index
        # builds and read-backs after it set no hint bits.
        truncate = fresh and len(bounds) == 2
        group = Group(self, block, header, len(bounds) - 1, cut_row, truncate)
        with self._dispatching:
            self._pending.append((group, bounds))
        self._dispatch(everything=False)

    def entry(
        self, stmt: Statement, header: ObjectHeader | None, tables: tuple[QualifiedName, ...]
    ) -> None:
        """Hand over the first statement of an INDEX, CONSTRAINT or FK CONSTRAINT entry that
        touches ``tables``; it runs after the work handed over before on those tables."""
        self._flush_entry()
        self._dispatch(everything=True)
        self._entry, self._entry_header, self._entry_tables = [stmt], header, tables

    def continues(self, stmt: Statement) -> bool:
        """Add a later statement of the entry being handed over (ALTER INDEX ... SET
        STATISTICS, CLUSTER ON); False if there is none."""
        if not self._entry:
            return False
        self._entry.append(stmt)
        return True

    def plain_tables(self, tables: tuple[QualifiedName, ...]) -> bool:
        """Whether none of ``tables`` has partitions or inheritance children: work on such a
        table locks others the ordering does not know of, so it waits for everything."""
        missing = [t for t in tables if t not in self._plain]
        for table in missing:
            try:
                row = self.session.connection.execute(
                    "SELECT c.relkind = 'p' OR c.relhassubclass FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relname = %s",
                    (table.schema, table.name),
                ).fetchone()
            except psycopg.Error as exc:
                check_environment(exc, self.session)
                return False
            self._plain[table] = not (row and row[0])
        return all(self._plain[t] for t in tables)

    def barrier(self, result: PlainRun) -> list[tuple[Statement, ObjectHeader | None]]:
        """Wait for everything in flight; merge it into ``result`` in script order. Returns the
        statements to run again, one at a time, on the driver's session (deadlocked ones)."""
        self._flush_entry()
        self._dispatch(everything=True)
        # Re-raises an environment error (or Ctrl-C while waiting); the futures stay listed
        # until all are done, so that close() cancels what still runs.
        outcomes = [future.result() for future in self._running]
        self._running, self._loading = [], []
        self._last.clear()
        merged = sorted((o for o in outcomes if o is not None), key=lambda o: o.line)
        retry: list[tuple[Statement, ObjectHeader | None]] = []
        for outcome in merged:
            result.failures.extend(outcome.failures)
            result.log.extend(outcome.log)
            result.statements += outcome.statements
            result.rows_sent += outcome.rows_sent
            retry.extend(outcome.retry)
        if outcomes:
            result.aborted_by = None
        if self.session.settings != self._settings:
            self._close_idle()  # a new SET since: the next sessions start from the driver's
        return retry

    @property
    def busy(self) -> bool:
        """Whether anything was handed over since the last barrier."""
        return bool(self._running or self._entry or self._pending)

    def close(self) -> None:
        """Stop. After an error or Ctrl-C in the driver, what still runs is cancelled first
        (the server ends the statement), so that the run stops now."""
        with self._dispatching:
            self._pending.clear()  # never started now: no load's end may start one
        if any(not future.done() for future in self._running):
            with self._lock:
                sessions = list(self._all)
            for session in sessions:
                if session.conn is not None:
                    with contextlib.suppress(psycopg.Error):
                        session.conn.cancel_safe(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for session in self._all:
            session.close()
        os.close(self._fd)

    # -- sessions ----------------------------------------------------------------------------

    def take(self) -> Session:
        """An idle session, or a new one with the driver's settings."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        session = self.session.fork()
        with self._lock:
            self._all.append(session)
            self._settings = list(self.session.settings)
        return session

    def give(self, session: Session) -> None:
        """Return a session that finished its work (and holds no open transaction)."""
        with self._lock:
            self._idle.append(session)

    def _close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._all = [s for s in self._all if s not in idle]
        for session in idle:
            session.close()

    # -- internals ---------------------------------------------------------------------------

    def _dispatch(self, *, everything: bool) -> None:
        """Start held-back COPY data, the largest table first, as pg_restore -j does
        (pg_backup_archiver.c sorts the ready TABLE DATA items by size): started in script
        order, a big table read last would load alone at the end while the other sessions
        idle. While the driver reads on through a run of COPY blocks, one session is kept for
        the largest of them (the scan runs at memchr speed, far ahead of the loads); the others
        start at once, and each one that ends takes the largest block then known. The blocks
        of one table start in script order, after each other (_last)."""
        with self._dispatching:
            while self._pending:
                busy = sum(not f.done() for f in self._loading)
                if not everything and busy >= max(self.jobs - 1, 1):
                    return
                self._start(self._pending.pop(self._largest()))

    def _largest(self) -> int:
        # The table with the most data held back; its first block in the script.
        sizes: dict[QualifiedName, int] = {}
        for group, bounds in self._pending:
            table = group.block.table
            sizes[table] = sizes.get(table, 0) + bounds[-1] - bounds[0]
        best = max(sizes.values())
        return next(k for k, (g, _) in enumerate(self._pending) if sizes[g.block.table] == best)

    def _start(self, pending: tuple[Group, list[int]]) -> None:
        group, bounds = pending
        table = group.block.table
        deps = self._last.get(table, [])
        for k in range(len(bounds) - 1):
            load = after(
                self._pool, deps, group.load, bounds[k], bounds[k + 1], rank=self._bytes[table]
            )
            self._running.append(load)
            self._loading.append(load)
            load.add_done_callback(lambda _: self._dispatch(everything=False))
        self._last[table] = [group.done]
        if self.ready is not None:
            key = data_target(table, group.block.statement.header)
            data_done = self.ready.data_done
            group.done.add_done_callback(lambda _: data_done(key))

    def _flush_entry(self) -> None:
        if not self._entry:
            return
        with self._dispatching:  # _last and _running are shared with the loads' callbacks
            stmts, self._entry = self._entry, []
            tables = self._entry_tables
            deps = [f for t in tables for f in self._last.get(t, [])]
            header = self._entry_header
            rank = max((self._bytes.get(t, 0) for t in tables), default=0)
            done = after(self._pool, deps, self._run_entry, stmts, header, rank=rank)
            self._running.append(done)
            if self.ready is not None and header is not None and header.type == "CONSTRAINT":
                key_done = self.ready.key_done
                done.add_done_callback(lambda _: key_done(header.schema, header.name))
            for table in tables:
                self._last[table] = [done]

    def _run_entry(self, stmts: list[Statement], header: ObjectHeader | None) -> Outcome:
        session = self.take()
        run = PlainRun()
        outcome = Outcome(stmts[0].line)
        try:
            for stmt in stmts:
                failed = len(run.failures)
                run_statement(stmt, header, session, set(), run, no_owner=self.no_owner)
                if len(run.failures) > failed and run.failures[-1].sqlstate == _DEADLOCK:
                    # Two entries locked each other's tables: not the dump's doing.
                    del run.failures[failed:]
                    run.log.pop()
                    outcome.retry.append((stmt, header))
        finally:
            self.give(session)
        outcome.failures, outcome.log, outcome.statements = run.failures, run.log, run.statements
        return outcome

    def read(self, start: int, end: int) -> bytes:
        """``end - start`` bytes of the file from ``start`` (at most one read's worth)."""
        return os.pread(self._fd, min(_READ, end - start), start)

    def _parts(self, start: int, end: int) -> list[int]:
        """Offsets that cut ``[start, end)`` into at most ``jobs`` parts at row boundaries:
        only a table too big for the other jobs to keep pace with on other tables is cut
        (more than its share of the script), since a cut table loads with WAL."""
        bounds = [start]
        n = cut_into(end - start, self._size, self.jobs)
        for k in range(1, n):
            at = self._row_start(start + (end - start) * k // n, end)
            if at > bounds[-1] and at < end:
                bounds.append(at)
        bounds.append(end)
        return bounds

    def _fresh(self, block: CopyBlock) -> bool:
        """Whether the table is as pg_dump's pre-data leaves it: empty, with no index, no
        trigger (foreign keys are triggers), no partitions. Only then may its parts load side
        by side: with a unique index, a row of one part that duplicates a row of another waits
        for that part's transaction, which waits for the group, forever (the server cannot see
        that cycle). And only then is a TRUNCATE before the load a no-op (the session's role,
        which the dump may have set, must also be allowed to truncate it). A data-only dump
        loaded into existing tables (or a table the script indexes or fills before this COPY)
        is loaded in one piece, as it is."""
        try:
            row = self.session.connection.execute(
                sql.SQL(
                    "SELECT NOT (c.relhasindex OR c.relhastriggers OR c.relhassubclass "
                    "OR c.relkind <> 'r') AND has_table_privilege(c.oid, 'TRUNCATE') "
                    "AND NOT EXISTS (SELECT FROM ONLY {}) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relname = %s"
                ).format(sql.Identifier(block.table.schema, block.table.name)),
                (block.table.schema, block.table.name),
            ).fetchone()
        except psycopg.Error as exc:
            check_environment(exc, self.session)
            return False
        return bool(row and row[0])

    def _row_start(self, pos: int, end: int) -> int:
        """The offset after the first newline at or after ``pos`` (``end`` if none)."""
        while pos < end:
            chunk = self.read(pos, end)
            nl = chunk.find(b"\n")
            if nl >= 0:
                return pos + nl + 1
            pos += len(chunk)
        return end

    def _last_newline(self, block: CopyBlock) -> int:
        """Where the whole rows of a cut-off COPY end: the partial row after them is held
        back, as the serial driver does (restore/plain.py)."""
        pos = block.data_end
        while pos > block.data_start:
            at = max(pos - _READ, block.data_start)
            nl = os.pread(self._fd, pos - at, at).rfind(b"\n")
            if nl >= 0:
                return at + nl + 1
            pos = at
        return block.data_start
