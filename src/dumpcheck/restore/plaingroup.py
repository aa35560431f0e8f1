"""One table's COPY data loaded by the parallel plain restore (restore/plainjobs.py): in one
part, or cut at row boundaries into parts on several sessions that commit together.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

import psycopg
from psycopg import sql

from dumpcheck.inventory.plain import CopyBlock, ObjectHeader, Statement
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.plainsession import Session, check_environment, failure_of, header_fields

_MIN_PART = 16 << 20  # a table's data is cut into parts only when each gets this much
_FROM_STDIN = re.compile(r"\bFROM\s+stdin\s*;?\s*\Z", re.IGNORECASE)  # pg_dump's COPY ends so


@dataclass
class Outcome:
    """What one task did, merged into the run at the next barrier (in script order)."""

    line: int
    failures: list[Failure] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    statements: int = 0
    rows_sent: int = 0
    retry: list[tuple[Statement, ObjectHeader | None]] = field(default_factory=list)


class Sessions(Protocol):
    """What a group needs of the restore's other sessions (PlainJobs)."""

    def take(self) -> Session:
        """An idle session."""
        ...

    def give(self, session: Session) -> None:
        """Return a session with no open transaction."""
        ...

    def read(self, start: int, end: int) -> bytes:
        """The next bytes of ``[start, end)`` of the script."""
        ...


def cut_into(size: int, script: int, jobs: int) -> int:
    """Into how many parts a fresh table's ``size`` bytes of data are cut, in a script of
    ``script`` bytes: one, unless the table holds more than its share of the script (the other
    jobs could not keep pace on other tables), and never into parts under 16 MiB."""
    if size * jobs <= script:
        return 1
    return min(jobs, max(size // _MIN_PART, 1))


class Group:
    """The parts of one table's data: each loads in its own transaction, and the last one to
    finish commits them all, or rolls them all back if any failed (one COPY's atomicity)."""

    def __init__(
        self,
        jobs: Sessions,
        block: CopyBlock,
        header: ObjectHeader | None,
        parts: int,
        cut_row: bool,
        truncate: bool = False,
    ) -> None:
        self.jobs = jobs
        self.block = block
        self.header = header
        self.left = parts
        self.cut_row = cut_row  # a cut-off last row was held back, never sent
        self.truncate = truncate  # one part into a fresh table: TRUNCATE, COPY ... FREEZE
        self.done: Future[None] = Future()  # settled: committed or rolled back
        self.loaded: list[Session] = []
        self.failure: tuple[int, Failure, str] | None = None
        self.lock = threading.Lock()

    def load(self, start: int, end: int) -> Outcome | None:
        """Load the rows in ``[start, end)``; the last part to finish settles the group."""
        try:
            return self._load(start, end)
        except BaseException as exc:
            if not self.done.done():  # what waits for the table must not wait forever
                self.done.set_exception(exc)
            raise

    def _load(self, start: int, end: int) -> Outcome | None:
        jobs, block = self.jobs, self.block
        stmt = block.statement
        session = jobs.take()
        conn = session.connection
        failed: tuple[int, Failure, str] | None = None
        try:
            conn.execute("BEGIN")
            text = stmt.text
            if self.truncate:
                table = sql.Identifier(block.table.schema, block.table.name)
                conn.execute(sql.SQL("TRUNCATE ONLY {}").format(table))
                text = _FROM_STDIN.sub("FROM stdin WITH (FREEZE)", text, count=1)
            with conn.cursor() as cur, cur.copy(session.sql(text)) as copy:
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

    def _settle(self) -> Outcome:
        outcome = self._end()
        self.done.set_result(None)
        return outcome

    def _end(self) -> Outcome:
        block, stmt = self.block, self.block.statement
        outcome = Outcome(stmt.line)
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
