"""One session of the plain restore: its connection, the failures it records, and running one
statement of the dump (restore/plain.py drives it; restore/plainjobs.py runs several).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain import ObjectHeader, PlainSplitter, Statement
from dumpcheck.restore.classify import Failure, failure_from
from dumpcheck.restore.sample import add_foreign_key
from dumpcheck.scratch import classify_db_error, server_failure
from dumpcheck.scratch.model import ScratchServer

# Statements that would act outside the database we restore into (pg_dump --create writes them,
# and ALTER ROLE ... IN DATABASE for the source database's role settings, dumpDatabaseConfig).
_OTHER_DATABASE = re.compile(
    r"^\s*(?:(CREATE|DROP|ALTER)\s+DATABASE\s|ALTER\s+ROLE\s.*?\sIN\s+DATABASE\s)",
    re.IGNORECASE | re.DOTALL,
)
SESSION_SET = re.compile(r"^\s*(SET|SELECT\s+pg_catalog\.set_config)\b", re.IGNORECASE)
# pg_dump selects an object's tablespace this way (pg_backup_archiver.c _selectTablespace).
_DEFAULT_TABLESPACE = re.compile(r"^\s*SET\s+default_tablespace\s*=", re.IGNORECASE)
# pg_dump's SUBSCRIPTION entries (dumpSubscription): left out, as pg_restore --no-subscriptions.
_SUBSCRIPTION = re.compile(
    r"^\s*(?:(?:CREATE|ALTER)\s+SUBSCRIPTION|COMMENT\s+ON\s+SUBSCRIPTION|"
    r"SECURITY\s+LABEL\s+(?:FOR\s+\S+\s+)?ON\s+SUBSCRIPTION)\s",
    re.IGNORECASE,
)
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


class Session:
    """The connection to the restore database; reopened on ``\\connect``."""

    def __init__(self, server: ScratchServer, dsn: str, replica: bool = False) -> None:
        self.server = server
        self.dsn = dsn
        self.replica = replica
        self.conn: psycopg.Connection[Any] | None = None
        self.splitter: PlainSplitter | None = None
        # The session settings the dump has set so far (SET, set_config), in order: another
        # session of the same restore (restore/plainjobs.py) replays them.
        self.settings: list[bytes] = []
        # The server lacks a tablespace the dump uses: leave out every SET default_tablespace,
        # as pg_restore --no-tablespaces does (restore.preflight.missing_tablespaces).
        self.no_tablespaces = False

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

    def __enter__(self) -> Session:
        self.reconnect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the session."""
        if self.conn is not None:
            self.conn.close()

    def reconnect(self) -> None:
        """A fresh session, as psql's \\connect gives (session settings start over)."""
        if self.conn is not None:
            self.conn.close()
        try:
            self.conn = psycopg.connect(self.dsn, autocommit=True)
            # pg_dump repeats SET statements verbatim; preparing them gains nothing.
            self.conn.prepare_threshold = None
            if self.replica:
                self.conn.execute("SET session_replication_role = replica")
        except psycopg.OperationalError as exc:
            raise server_failure(self.server, exc) from exc
        self.settings = []

    def fork(self) -> Session:
        """Another session into the same database, with the settings this one has now."""
        other = Session(self.server, self.dsn, self.replica)
        other.splitter = self.splitter
        other.no_tablespaces = self.no_tablespaces
        other.reconnect()
        try:
            for text in self.settings:
                other.connection.execute(text)
        except psycopg.OperationalError as exc:
            # The server died between the connect and the settings (a worker forks its
            # session while another loads): an environment failure, as anywhere else.
            other.close()
            raise server_failure(self.server, exc) from exc
        other.settings = list(self.settings)
        return other

    @property
    def connection(self) -> psycopg.Connection[Any]:
        assert self.conn is not None
        return self.conn


def failure_of(
    exc: psycopg.Error, stmt: Statement, header: ObjectHeader | None, **extra: Any
) -> Failure:
    return failure_from(
        exc,
        statement=stmt.text,
        location=f"line {stmt.line}",
        **header_fields(header),
        **extra,
    )


def header_fields(header: ObjectHeader | None) -> dict[str, Any]:
    if header is None:
        return {}
    return {
        "desc": "TABLE DATA" if header.data else header.type,
        "tag": header.name,
        "namespace": None if header.schema in ("-", "") else header.schema,
    }


def check_environment(exc: psycopg.Error, session: Session) -> None:
    """Raise for what is not a restore failure: disk full, or a lost server."""
    mapped = classify_db_error(exc)
    if mapped is not None:
        raise mapped from exc
    if isinstance(exc, psycopg.OperationalError) and session.connection.broken:
        raise server_failure(session.server, exc) from exc


def run_statement(
    stmt: Statement,
    header: ObjectHeader | None,
    session: Session,
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
    if session.no_tablespaces and _DEFAULT_TABLESPACE.match(stmt.text):
        result.skipped += 1  # as pg_restore --no-tablespaces
        return
    if _SUBSCRIPTION.match(stmt.text):
        result.skipped += 1  # as pg_restore --no-subscriptions (restore/archive.py)
        # Not its text: a subscription's CONNECTION string may hold a password.
        result.log.append(f"line {stmt.line}: skipped (a subscription, as --no-subscriptions)")
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
                **header_fields(header),
            )
        )
        return
    if not stmt.terminated:
        result.failures.append(
            Failure(
                message="the dump ends inside this statement (the dump is truncated)",
                statement=stmt.text,
                location=f"line {stmt.line}",
                **header_fields(header),
            )
        )
        return
    result.statements += 1
    try:
        if fk:  # quick verify: created NOT VALID
            add_foreign_key(lambda sql: session.connection.execute(session.sql(sql)), stmt.text)
        else:
            session.connection.execute(session.sql(stmt.text))
        if SESSION_SET.match(stmt.text):
            session.settings.append(session.sql(stmt.text))
    except psycopg.Error as exc:
        check_environment(exc, session)
        result.add(failure_of(exc, stmt, header), session.connection)
        result.log.append(f"line {stmt.line}: ERROR: {exc.diag.message_primary}")


def _unquote(name: str) -> str:
    if name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()
