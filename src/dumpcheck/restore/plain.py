"""Restore a plain (SQL script) dump statement by statement with psycopg, never with psql -f.

psql -f goes wrong once one COPY is rejected (its table was never created): it then reads that
COPY's data rows as SQL, every later COPY is swallowed, and psql still exits 0. Here each item
of the inventory's streaming splitter is sent on its own, a COPY's data only when the server
accepted the COPY, and every failure keeps its SQLSTATE, message, detail and hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

import psycopg
from psycopg.pq import TransactionStatus

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BadInputError
from dumpcheck.inventory import DumpSource, open_plain
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
)
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.sample import SampleBudget, add_foreign_key, copy_first_rows
from dumpcheck.scratch import classify_db_error, server_failure
from dumpcheck.scratch.model import ScratchServer

# Statements that would act outside the database we restore into (pg_dump --create writes them,
# and ALTER ROLE ... IN DATABASE for the source database's role settings, dumpDatabaseConfig).
_OTHER_DATABASE = re.compile(
    r"^\s*(?:(CREATE|DROP|ALTER)\s+DATABASE\s|ALTER\s+ROLE\s.*?\sIN\s+DATABASE\s)",
    re.IGNORECASE | re.DOTALL,
)
_SESSION_SET = re.compile(r"^\s*(SET|SELECT\s+pg_catalog\.set_config)\b", re.IGNORECASE)
_OWNER_TO = re.compile(r"^\s*ALTER\s+.*\sOWNER\s+TO\s", re.IGNORECASE | re.DOTALL)
_CREATE_DATABASE_NAME = re.compile(r'^\s*CREATE\s+DATABASE\s+("(?:[^"]|"")*"|\S+)', re.IGNORECASE)


@dataclass
class PlainRun:
    """What the statement driver did: failures in order, a short log, counters."""

    failures: list[Failure] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    statements: int = 0
    copies: int = 0
    rows_sent: int = 0
    skipped: int = 0
    aborted_by: int | None = None  # the failure that aborted the open transaction block
    sampled: set[QualifiedName] = field(default_factory=set)  # --quick: tables cut short

    def add(self, failure: Failure, conn: psycopg.Connection[Any]) -> None:
        """Record a failure; inside a failed BEGIN block, the later ones hang off the first."""
        self.failures.append(failure)
        if failure.sqlstate == "25P02" and self.aborted_by is not None:
            failure.caused_by = self.aborted_by  # "current transaction is aborted"
        elif conn.info.transaction_status == TransactionStatus.INERROR:
            self.aborted_by = len(self.failures)  # this failure aborted the BEGIN block
        else:
            self.aborted_by = None


def restore_plain(
    dump: DumpInventory,
    server: ScratchServer,
    dsn: str,
    *,
    source: DumpSource,
    no_owner: bool = False,
    progress: Callable[[int], None] | None = None,
    sample: int | None = None,
) -> PlainRun:
    """Replay the plain dump read from ``source`` (a file, or an object streamed from the
    store) into the database at ``dsn``.

    From a pg_dumpall file only the part of ``dump.facts.database`` is replayed: its roles
    section never runs (preflight creates the roles the database needs, without passwords),
    nor do the other databases' parts.
    ``progress`` is called after each statement with the bytes of the dump read so far.
    ``sample`` (quick verify): each table loads only its first ``sample`` rows, the rest of its
    data is read past, and foreign keys are added NOT VALID (restore/sample.py says why).
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
    with open_plain(source) as stream, _Session(server, dsn, replica) as session:
        splitter = PlainSplitter(cast(BinaryIO, stream))
        session.splitter = splitter
        parts = _Parts(dump.facts.database) if dump.facts.cluster is not None else None
        for item in splitter:
            if parts is not None and not parts.ours(item, result):
                continue
            if isinstance(item, DatabaseSection):
                continue
            if isinstance(item, MetaCommand):
                _meta(item, session, dump_dbs, result)
                continue
            stmt = item.statement if isinstance(item, CopyBlock) else item
            # pg_dump writes one header per object, before its first statement; the rest of
            # the section (OWNER TO, GRANT) belongs to it too. Session SETs, which pg_dump
            # writes before the next header, belong to no object.
            if stmt.header is not None:
                header = stmt.header
            elif _SESSION_SET.match(stmt.text):
                header = None
            if isinstance(item, CopyBlock):
                _copy(item, header, session, result, budget)
            elif budget is None or budget.admits(item, header):
                fk = budget is not None and header is not None and header.type == "FK CONSTRAINT"
                _statement(item, header, session, dump_dbs, result, no_owner=no_owner, fk=fk)
            if progress is not None:
                progress(stream.compressed_position())
    if budget is not None:
        result.sampled = budget.cut
    return result


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


class _Session:
    """The connection to the restore database; reopened on ``\\connect``."""

    def __init__(self, server: ScratchServer, dsn: str, replica: bool = False) -> None:
        self.server = server
        self.dsn = dsn
        self.replica = replica
        self.conn: psycopg.Connection[Any] | None = None
        self.splitter: PlainSplitter | None = None

    def sql(self, text: str) -> bytes:
        """The statement in the dump's own encoding (the one its SET client_encoding set).

        Sent as bytes, so that the server reads exactly the dump's bytes whatever codec psycopg
        would pick for that encoding (it has none that round-trips SQL_ASCII's high bytes).
        """
        encoding = self.splitter.encoding if self.splitter is not None else "utf-8"
        try:
            return text.encode(encoding)
        except UnicodeEncodeError:
            return text.encode("utf-8")

    def __enter__(self) -> _Session:
        self.reconnect()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.close()

    def reconnect(self) -> None:
        """A fresh session, as psql's \\connect gives (session settings start over)."""
        if self.conn is not None:
            self.conn.close()
        try:
            self.conn = psycopg.connect(self.dsn, autocommit=True)
        except psycopg.OperationalError as exc:
            raise server_failure(self.server, exc) from exc
        # pg_dump repeats SET statements verbatim; preparing them gains nothing.
        self.conn.prepare_threshold = None
        if self.replica:
            self.conn.execute("SET session_replication_role = replica")

    @property
    def connection(self) -> psycopg.Connection[Any]:
        assert self.conn is not None
        return self.conn


def _failure(
    exc: psycopg.Error, stmt: Statement, header: ObjectHeader | None, **extra: Any
) -> Failure:
    diag = exc.diag
    return Failure(
        message=diag.message_primary or " ".join(str(exc).split()),
        statement=stmt.text,
        sqlstate=diag.sqlstate,
        detail=diag.message_detail,
        hint=diag.message_hint,
        location=f"line {stmt.line}",
        **_header_fields(header),
        **extra,
    )


def _header_fields(header: ObjectHeader | None) -> dict[str, Any]:
    if header is None:
        return {}
    return {
        "desc": "TABLE DATA" if header.data else header.type,
        "tag": header.name,
        "namespace": None if header.schema in ("-", "") else header.schema,
    }


def _check_environment(exc: psycopg.Error, session: _Session) -> None:
    """Raise for what is not a restore failure: disk full, or a lost server."""
    mapped = classify_db_error(exc)
    if mapped is not None:
        raise mapped from exc
    if isinstance(exc, psycopg.OperationalError) and session.connection.broken:
        raise server_failure(session.server, exc) from exc


def _statement(
    stmt: Statement,
    header: ObjectHeader | None,
    session: _Session,
    dump_dbs: set[str],
    result: PlainRun,
    *,
    no_owner: bool,
    fk: bool = False,
) -> None:
    if _OTHER_DATABASE.match(stmt.text):
        # pg_dump --create: CREATE DATABASE / ALTER DATABASE name the source database; we
        # restore into our own and never write to another.
        m = _CREATE_DATABASE_NAME.match(stmt.text)
        if m:
            dump_dbs.add(_unquote(m.group(1)))
        result.skipped += 1
        result.log.append(f"line {stmt.line}: skipped (acts on a database): {stmt.text[:80]}")
        return
    if no_owner and _OWNER_TO.match(stmt.text):
        result.skipped += 1  # pg_restore --no-owner skips the same statements
        return
    if stmt.broken:
        # Rows of a damaged COPY command, read as SQL up to their "\." line: never run them,
        # and never quote them (they are row values).
        result.failures.append(
            Failure(
                message="the dump is damaged here: a backslash outside quotes cuts this "
                "statement short (psql would read a meta-command); typically the rows of a "
                "damaged COPY command",
                statement="(withheld: may hold row values)",
                location=f"line {stmt.line}",
                **_header_fields(header),
            )
        )
        return
    if not stmt.terminated:
        result.failures.append(
            Failure(
                message="the dump ends inside this statement (the dump is truncated)",
                statement=stmt.text,
                location=f"line {stmt.line}",
                **_header_fields(header),
            )
        )
        return
    result.statements += 1
    try:
        if fk:  # quick verify: created NOT VALID
            add_foreign_key(lambda sql: session.connection.execute(session.sql(sql)), stmt.text)
        else:
            session.connection.execute(session.sql(stmt.text))
    except psycopg.Error as exc:
        _check_environment(exc, session)
        result.add(_failure(exc, stmt, header), session.connection)
        result.log.append(f"line {stmt.line}: ERROR: {exc.diag.message_primary}")


def _copy(
    block: CopyBlock,
    header: ObjectHeader | None,
    session: _Session,
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
        _check_environment(exc, session)
        result.add(_failure(exc, stmt, header, copy_table=block.table), session.connection)
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
                **_header_fields(header),
            )
        )


def _take_sample(block: CopyBlock, budget: SampleBudget | None, room: int | None) -> bool:
    """Count the rows of a COPY past the sample (read, never sent); True if it was cut."""
    if budget is None or room is None:
        return False
    block.finish()
    budget.take(block.table, min(block.rows, room), total=block.rows)
    return block.rows > room


def _meta(cmd: MetaCommand, session: _Session, dump_dbs: set[str], result: PlainRun) -> None:
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


def _unquote(name: str) -> str:
    if name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()
