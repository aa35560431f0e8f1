"""Restore a plain (SQL script) dump statement by statement with psycopg, never with psql -f.

psql -f goes wrong once one COPY is rejected (its table was never created): it then reads that
COPY's data rows as SQL, every later COPY is swallowed, and psql still exits 0. Here each item
of the inventory's streaming splitter is sent on its own, a COPY's data only when the server
accepted the COPY, and every failure keeps its SQLSTATE, message, detail and hint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

import psycopg
from psycopg.pq import TransactionStatus

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BadInputError
from dumpcheck.inventory import DecompressedStream, DumpSource, open_plain
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.inventory.plain import (
    CopyBlock,
    DatabaseSection,
    MetaCommand,
    ObjectHeader,
    PlainItem,
    PlainSplitter,
    SectionRouter,
    Statement,
    connect_target,
    data_target,
)
from dumpcheck.restore.archive import default_jobs
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.overlap import PlainReady
from dumpcheck.restore.plaindeps import PARALLEL_ENTRIES, entry_tables
from dumpcheck.restore.plainjobs import PlainJobs
from dumpcheck.restore.plainsession import (
    SESSION_SET,
    PlainRun,
    Session,
    check_environment,
    failure_of,
    header_fields,
    run_statement,
)
from dumpcheck.restore.sample import SampleBudget, copy_first_rows
from dumpcheck.scratch.model import ScratchServer

_IDLE = TransactionStatus.IDLE


def restore_plain(
    dump: DumpInventory,
    server: ScratchServer,
    dsn: str,
    *,
    source: DumpSource,
    jobs: int | None = None,
    no_owner: bool = False,
    progress: Callable[[int], None] | None = None,
    sample: int | None = None,
    on_ready: Callable[[QualifiedName], None] | None = None,
    no_tablespaces: bool = False,
) -> PlainRun:
    """Replay the plain dump read from ``source`` (a file, or an object streamed from the
    store) into the database at ``dsn``.

    From a pg_dumpall file only the part of ``dump.facts.database`` is replayed: its roles
    section never runs (preflight creates the roles the database needs, without passwords),
    nor do the other databases' parts.
    ``jobs`` sessions (default: min(cores, 4)) load the COPY data and build indexes and
    constraints of a local, uncompressed script (restore/plainjobs.py); a compressed or streamed
    one is replayed on one session.
    ``progress`` is called after each statement with the bytes of the dump read so far.
    ``sample`` (quick verify): each table loads only its first ``sample`` rows, the rest of its
    data is read past, and foreign keys are added NOT VALID (restore/sample.py says why).
    ``on_ready(table)`` is told when a table's rows are final: its COPY data ended, committed,
    and on several sessions its keys built too (overlap.PlainReady).
    """
    result = PlainRun()
    budget = SampleBudget(sample) if sample is not None else None
    dump_dbs: set[str] = {dump.facts.database} if dump.facts.database else set()
    header: ObjectHeader | None = None
    # A data-only dump loads into tables that already have their foreign keys, one COPY at a
    # time: when the keys form a cycle (a user's favourite post, a post's author), the first
    # table's COPY refers to rows not loaded yet. pg_dump warns and advises --disable-triggers,
    # which the archive path passes to pg_restore; here session_replication_role = replica
    # skips the FK triggers the same way.
    replica = dump.facts.kind == "data-only"
    n = jobs if jobs is not None else default_jobs()
    with open_plain(source) as stream, Session(server, dsn, replica) as session:
        splitter = PlainSplitter(cast(BinaryIO, stream))
        session.splitter = splitter
        session.no_tablespaces = no_tablespaces
        parallel = n > 1 and sample is None and _local_file(source, stream)
        # On one session a table is read as soon as its data is in: the other cores are free.
        # With several, the sessions keep the cores busy through the load and the index builds,
        # and a read before a table's keys made them wait (measured slower): as pg_restore -j.
        ready = None
        if on_ready is not None and sample is None:
            ready = PlainReady(dump.entries, on_ready, keys=parallel)
        others = (
            PlainJobs(session, cast(Path, source), n, no_owner=no_owner, ready=ready)
            if parallel
            else None
        )
        parts = _Parts(dump.facts.database) if dump.facts.cluster is not None else None
        try:
            for item in splitter:
                if parts is not None and not parts.ours(item, result):
                    continue
                if isinstance(item, DatabaseSection):
                    continue
                if isinstance(item, MetaCommand):
                    _barrier(others, session, result, no_owner)
                    _meta(item, session, dump_dbs, result)
                    continue
                stmt = item.statement if isinstance(item, CopyBlock) else item
                # pg_dump writes one header per object, before its first statement; the rest of
                # the section (OWNER TO, GRANT) belongs to it too. Session SETs, which pg_dump
                # writes before the next header, belong to no object.
                if stmt.header is not None:
                    header = stmt.header
                elif SESSION_SET.match(stmt.text):
                    header = None
                if others is not None and _hand_over(item, header, others, session, result):
                    pass
                elif isinstance(item, CopyBlock):
                    _copy(item, header, session, result, budget)
                    # Inside the script's own BEGIN block no other session sees the rows yet.
                    if ready is not None and session.connection.info.transaction_status == _IDLE:
                        ready.data_done(data_target(item.table, item.statement.header))
                elif budget is None or budget.admits(item, header):
                    fk = (
                        budget is not None and header is not None and header.type == "FK CONSTRAINT"
                    )
                    run_statement(item, header, session, dump_dbs, result, no_owner=no_owner, fk=fk)
                    opens = stmt.header  # the entry's first statement adds the constraint
                    if ready is not None and opens is not None and opens.type == "CONSTRAINT":
                        ready.key_done(opens.schema, opens.name)
                if progress is not None:
                    progress(stream.compressed_position())
            _barrier(others, session, result, no_owner)
        finally:
            if others is not None:
                others.close()
    if budget is not None:
        result.sampled = budget.cut
    return result


def _local_file(source: DumpSource, stream: DecompressedStream) -> bool:
    """Whether other sessions can read the script's data themselves: a local, uncompressed
    file, where the splitter's offsets are file offsets."""
    return isinstance(source, Path) and stream.compression == "none" and source.is_file()


def _hand_over(
    item: PlainItem,
    header: ObjectHeader | None,
    others: PlainJobs,
    session: Session,
    result: PlainRun,
) -> bool:
    """Give ``item`` to the other sessions if they can run it: a table's COPY data, or an
    index or constraint entry (each after the work on its tables). A sequence's setval runs
    here at once; anything else waits for everything handed over (a barrier)."""
    if session.connection.info.transaction_status != TransactionStatus.IDLE:
        pass  # inside the script's own BEGIN block: other sessions would not see its work
    elif isinstance(item, CopyBlock):
        if item.data_start >= 0:
            result.copies += 1
            others.copy(item, header)
            return True
    elif (
        isinstance(item, Statement)
        and header is not None
        and not header.data
        and item.terminated
        and not item.broken
    ):
        if header.type == "SEQUENCE SET":
            return False  # setval touches a sequence only: no table's work waits for it
        if header.type in PARALLEL_ENTRIES:
            if item.header is None:
                if others.continues(item):
                    return True
            else:
                tables = entry_tables(item.text, header.type)
                if tables is not None and others.plain_tables(tables):
                    others.entry(item, header, tables)
                    return True
    _barrier(others, session, result, others.no_owner)
    return False


def _barrier(others: PlainJobs | None, session: Session, result: PlainRun, no_owner: bool) -> None:
    """Wait for the other sessions; what deadlocked there runs again here, in order."""
    if others is None or not others.busy:
        return
    for stmt, header in others.barrier(result):
        run_statement(stmt, header, session, set(), result, no_owner=no_owner)


class _Parts:
    """In a pg_dumpall file, which items are the restored database's part."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.router = SectionRouter()

    def ours(self, item: PlainItem, result: PlainRun) -> bool:
        """Whether ``item`` is in the database's part (the others are logged once each)."""
        section, started = self.router.route(item)
        if started and section != self.database:
            assert isinstance(item, DatabaseSection | MetaCommand)
            result.log.append(
                f"line {item.line}: the part of database {section}: not restored (another "
                f"database of the pg_dumpall file)"
            )
        return section is not None and section == self.database


def _copy(
    block: CopyBlock,
    header: ObjectHeader | None,
    session: Session,
    result: PlainRun,
    budget: SampleBudget | None = None,
) -> None:
    stmt = block.statement
    result.copies += 1
    cur = session.connection.cursor()
    tail = b""
    room = budget.room(block.table) if budget is not None else None
    try:
        with cur.copy(session.sql(stmt.text)) as copy:
            if room is not None:
                copy_first_rows(copy.write, block.data, room)
            # The server accepted the COPY: stream its data. A line may span two writes (COPY
            # data is one byte stream), but the bytes after the last newline are held back
            # until more arrive, so a dump cut inside a row never sends a shortened last row.
            for chunk in block.data if room is None else ():
                cut = chunk.rfind(b"\n") + 1
                if not cut:
                    tail += chunk
                    continue
                if tail:
                    copy.write(tail)
                copy.write(chunk if cut == len(chunk) else memoryview(chunk)[:cut])
                tail = chunk[cut:]
            if block.complete and tail:
                copy.write(tail)  # a last row without newline before "\." (never from pg_dump)
                tail = b""
    except psycopg.Error as exc:
        check_environment(exc, session)
        result.add(failure_of(exc, stmt, header, copy_table=block.table), session.connection)
        result.log.append(f"line {stmt.line}: COPY {block.table}: {exc.diag.message_primary}")
        _take_sample(block, budget, room)
        return
    finally:
        cur.close()
    if _take_sample(block, budget, room):
        result.rows_sent += min(block.rows, room or 0)
        return  # what comes after the sample, a cut-off end too, is the inventory's to report
    # The splitter counts newlines, i.e. exactly the whole rows that were sent.
    sent = block.rows
    result.rows_sent += sent
    if not block.complete:
        partial = "; a cut-off partial row after them was dropped" if tail.strip() else ""
        result.failures.append(
            Failure(
                message=(
                    f"the dump ends inside the COPY data of {block.table} (no \\. line): "
                    f"{sent} complete rows were restored{partial}; the rest of the table is not "
                    f"in the dump"
                ),
                statement=stmt.text,
                location=f"line {stmt.line}",
                copy_table=block.table,
                **header_fields(header),
            )
        )


def _take_sample(block: CopyBlock, budget: SampleBudget | None, room: int | None) -> bool:
    """Count the rows of a COPY past the sample (read, never sent); True if it was cut."""
    if budget is None or room is None:
        return False
    block.finish()
    budget.take(block.table, min(block.rows, room), total=block.rows)
    return block.rows > room


def _meta(cmd: MetaCommand, session: Session, dump_dbs: set[str], result: PlainRun) -> None:
    # pg_dump 17.6+/18 wraps the script in \restrict KEY ... \unrestrict KEY (CVE-2025-8714):
    # they only guard psql against meta-commands injected through data; nothing to run.
    if cmd.command in ("restrict", "unrestrict"):
        return
    if cmd.command in ("connect", "c"):
        target = connect_target(cmd.argument)
        if target is None or target in dump_dbs or not dump_dbs:
            if target is not None:
                dump_dbs.add(target)
            session.reconnect()  # into our database, whatever the dump called it
            result.log.append(f"line {cmd.line}: \\connect {cmd.argument} -> restore database")
            return
        raise BadInputError(
            f"line {cmd.line}: the dump switches to another database ({target!r}, after "
            f"{sorted(dump_dbs)!r}) without pg_dumpall's header; dumpcheck restores one "
            "database: dump it with pg_dump or pg_dumpall"
        )
    if cmd.command == ".":
        result.failures.append(
            Failure(
                message="the dump is damaged here: an end-of-data marker (\\.) outside COPY "
                "data; the COPY command before it is damaged",
                statement="\\.",
                location=f"line {cmd.line}",
            )
        )
        return
    result.failures.append(
        Failure(
            message=f"psql meta-command \\{cmd.command} is not supported by the restore driver",
            statement=f"\\{cmd.command} {cmd.argument}".strip(),
            location=f"line {cmd.line}",
        )
    )
