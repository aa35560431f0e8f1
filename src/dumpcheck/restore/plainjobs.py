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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from dumpcheck.inventory.plain import CopyBlock, ObjectHeader, Statement
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.plainsession import (
    PlainRun,
    Session,
    check_environment,
    failure_of,
    header_fields,
    run_statement,
)

# Entries that need only their table and its loaded rows (pg_dump_sort.c puts them first in
# post-data; FK constraints, triggers, rules, attachments and comments come after them).
PARALLEL_ENTRIES = frozenset({"INDEX", "CONSTRAINT"})
_DEADLOCK = "40P01"
_READ = 1 << 20  # bytes per pread and COPY write
_MIN_PART = 16 << 20  # a table's data is cut into parts only when each gets this much


@dataclass
class _Outcome:
    """What one task did, merged into the run at the next barrier (in script order)."""

    line: int
    failures: list[Failure] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    statements: int = 0
    rows_sent: int = 0
    retry: list[tuple[Statement, ObjectHeader | None]] = field(default_factory=list)


class PlainJobs:
    """The other sessions of one plain restore, and the work in flight on them."""

    def __init__(self, session: Session, path: Path, jobs: int, *, no_owner: bool) -> None:
        self.session = session
        self.jobs = jobs
        self.no_owner = no_owner
        self._fd = os.open(path, os.O_RDONLY)
        self._pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dumpcheck-plain")
        self._idle: list[Session] = []
        self._all: list[Session] = []
        self._lock = threading.Lock()
        self._running: list[Future[_Outcome | None]] = []
        self._settings: list[bytes] = []  # the driver's settings the idle sessions have
        self._entry: list[Statement] = []
        self._entry_header: ObjectHeader | None = None
        self.kind: str | None = None  # "copy" or "entry": what runs since the last barrier

    # -- what the driver hands over ----------------------------------------------------------

    def copy(self, block: CopyBlock, header: ObjectHeader | None) -> None:
        """Load ``block``'s data on other sessions (the driver reads past it meanwhile)."""
        self._flush_entry()
        block.finish()  # rows, completeness and the data's end, scanning only
        end = block.data_end if block.complete else self._last_newline(block)
        # The serial driver's words for a cut-off COPY: whether a partial row was dropped.
        cut_row = end < block.data_end and bool(self.read(end, block.data_end).strip())
        bounds = self._parts(block.data_start, end, block)
        group = _Group(self, block, header, len(bounds) - 1, cut_row)
        for k in range(len(bounds) - 1):
            self._submit(group.load, bounds[k], bounds[k + 1])

    def entry(self, stmt: Statement, header: ObjectHeader | None) -> None:
        """Queue a statement of an INDEX or CONSTRAINT entry (an entry's statements stay in
        order, on one session)."""
        if stmt.header is not None:
            self._flush_entry()
            self._entry_header = header
        self._entry.append(stmt)

    def barrier(self, result: PlainRun) -> list[tuple[Statement, ObjectHeader | None]]:
        """Wait for everything in flight; merge it into ``result`` in script order. Returns the
        statements to run again, one at a time, on the driver's session (deadlocked ones)."""
        self._flush_entry()
        running, self._running = self._running, []
        outcomes = [future.result() for future in running]  # re-raises an environment error
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
        return bool(self._running or self._entry)

    def close(self) -> None:
        """Stop. After an error or Ctrl-C in the driver, what still runs is cancelled first
        (the server ends the statement), so that the run stops now."""
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

    def _submit(self, task: Callable[..., _Outcome | None], *args: object) -> None:
        self._running.append(self._pool.submit(task, *args))

    def _flush_entry(self) -> None:
        if self._entry:
            stmts, self._entry = self._entry, []
            self._submit(self._run_entry, stmts, self._entry_header)

    def _run_entry(self, stmts: list[Statement], header: ObjectHeader | None) -> _Outcome:
        session = self.take()
        run = PlainRun()
        outcome = _Outcome(stmts[0].line)
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

    def _parts(self, start: int, end: int, block: CopyBlock) -> list[int]:
        """Offsets that cut ``[start, end)`` into at most ``jobs`` parts at row boundaries."""
        bounds = [start]
        n = min(self.jobs, max((end - start) // _MIN_PART, 1))
        if n > 1 and not self._bare(block):
            n = 1
        for k in range(1, n):
            at = self._row_start(start + (end - start) * k // n, end)
            if at > bounds[-1] and at < end:
                bounds.append(at)
        bounds.append(end)
        return bounds

    def _bare(self, block: CopyBlock) -> bool:
        """Whether the table is as pg_dump's pre-data leaves it: no index, no trigger (foreign
        keys are triggers), no partitions. Only then may its parts load side by side: with a
        unique index, a row of one part that duplicates a row of another waits for that part's
        transaction, which waits for the group, forever (the server cannot see that cycle). A
        data-only dump loaded into existing tables (or a table the script indexes before its
        data) is loaded in one piece."""
        try:
            row = self.session.connection.execute(
                "SELECT NOT (c.relhasindex OR c.relhastriggers OR c.relhassubclass "
                "OR c.relkind <> 'r') FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s",
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


class _Group:
    """The parts of one table's data: each loads in its own transaction, and the last one to
    finish commits them all, or rolls them all back if any failed (one COPY's atomicity)."""

    def __init__(
        self,
        jobs: PlainJobs,
        block: CopyBlock,
        header: ObjectHeader | None,
        parts: int,
        cut_row: bool,
    ) -> None:
        self.jobs = jobs
        self.block = block
        self.header = header
        self.left = parts
        self.cut_row = cut_row  # a cut-off last row was held back, never sent
        self.loaded: list[Session] = []
        self.failure: tuple[int, Failure, str] | None = None
        self.lock = threading.Lock()

    def load(self, start: int, end: int) -> _Outcome | None:
        """Load the rows in ``[start, end)``; the last part to finish settles the group."""
        jobs, block = self.jobs, self.block
        stmt = block.statement
        session = jobs.take()
        conn = session.connection
        failed: tuple[int, Failure, str] | None = None
        try:
            conn.execute("BEGIN")
            with conn.cursor() as cur, cur.copy(session.sql(stmt.text)) as copy:
                pos = start
                while pos < end:
                    chunk = jobs.read(pos, end)
                    if not chunk:
                        break  # the file shrank under us: the COPY gets fewer rows
                    copy.write(chunk)
                    pos += len(chunk)
        except psycopg.Error as exc:
            check_environment(exc, session)
            msg = exc.diag.message_primary
            failed = (start, failure_of(exc, stmt, self.header, copy_table=block.table), msg or "")
        with self.lock:
            self.loaded.append(session)
            if failed is not None and (self.failure is None or failed[0] < self.failure[0]):
                self.failure = failed
            self.left -= 1
            if self.left:
                return None
        return self._settle()

    def _settle(self) -> _Outcome:
        block, stmt = self.block, self.block.statement
        outcome = _Outcome(stmt.line)
        end = "ROLLBACK" if self.failure is not None else "COMMIT"
        for session in self.loaded:
            try:
                session.connection.execute(end)
            except psycopg.Error as exc:
                check_environment(exc, session)
                if self.failure is None:
                    failure = failure_of(exc, stmt, self.header, copy_table=block.table)
                    self.failure = (0, failure, exc.diag.message_primary or "")
            self.jobs.give(session)
        if self.failure is not None:
            _, failure, msg = self.failure
            outcome.failures.append(failure)
            outcome.log.append(f"line {stmt.line}: COPY {block.table}: {msg}")
            return outcome
        outcome.rows_sent = block.rows
        if not block.complete:
            partial = "; a cut-off partial row after them was dropped" if self.cut_row else ""
            outcome.failures.append(
                Failure(
                    message=(
                        f"the dump ends inside the COPY data of {block.table} (no \\. line): "
                        f"{block.rows} complete rows were restored{partial}; the rest of the "
                        f"table is not in the dump"
                    ),
                    statement=stmt.text,
                    location=f"line {stmt.line}",
                    copy_table=block.table,
                    **header_fields(self.header),
                )
            )
        return outcome
