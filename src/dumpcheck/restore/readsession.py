"""A session that reads restored rows as pg_dump wrote them, and which columns it can compare.

The session is set up as pg_dump sets up its own (pg_dump.c setup_connection: DateStyle ISO,
IntervalStyle postgres, extra_float_digits 3; bytea_output is the server default, hex), with the
dump's client encoding, so that an unchanged row is the same text on both sides. What pg_dump
does not pin down, the session cannot reproduce: those columns are listed in ``why_not`` below
and the table is reported as not comparable, never as changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.restore.catalog_reader import load_sql
from dumpcheck.restore.model import RestoredFingerprints
from dumpcheck.restore.readback import Pages, PipeReader, read_stdout

_SESSION = (
    "SET DateStyle = 'ISO'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 3",
    "SET bytea_output = 'hex'",
    "SET statement_timeout = 0",
    "SET row_security = off",
)


@dataclass(frozen=True)
class TableRequest:
    """One table to fingerprint: the dump's fingerprint of it and its COPY column list."""

    table: QualifiedName
    dump: Fingerprint
    columns: tuple[str, ...] = ()  # as the dump's COPY lists them; () = every stored column


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    generated: bool
    money: bool
    float: bool
    zoned: bool


def why_not(columns: Iterable[Column], source_major: int | None) -> str | None:
    """Why rows with these columns cannot be compared as text, or None when they can."""
    cols = list(columns)
    money = [c.name for c in cols if c.money]
    if money:
        # cash_out formats with lc_monetary (currency symbol, separators), a server setting
        # pg_dump neither sets nor records.
        return f"money columns ({', '.join(money)}) print with the source's lc_monetary"
    floats = [c.name for c in cols if c.float]
    if floats and source_major is not None and source_major < 12:
        # Before PostgreSQL 12, extra_float_digits=3 printed 17 significant digits; from 12
        # on, any value above 0 prints the shortest exact form (release notes 12, float4out).
        return (
            f"floating-point columns ({', '.join(floats)}) print differently since "
            f"PostgreSQL 12 (the dump comes from PostgreSQL {source_major})"
        )
    return None


@contextlib.contextmanager
def reader(
    conninfo: str, encoding: str | None, pipe_dir: Path | None
) -> Iterator[tuple[psycopg.Connection[Any], Reader]]:
    """A session set up as pg_dump's, and how it reads a table: through a named pipe of its
    own on our server, else through the client."""
    with contextlib.ExitStack() as stack:
        conn = stack.enter_context(session(conninfo, encoding))
        read: Reader = read_stdout
        if pipe_dir is not None:
            pipe = PipeReader(pipe_dir)
            stack.callback(pipe.close)
            read = pipe.read
        yield conn, read


@contextlib.contextmanager
def session(conninfo: str, encoding: str | None) -> Iterator[psycopg.Connection[Any]]:
    """A connection set up as pg_dump sets up its own, in the dump's client encoding."""
    with psycopg.connect(conninfo, autocommit=True, application_name="dumpcheck") as conn:
        for statement in _SESSION:
            conn.execute(statement)
        conn.execute(sql.SQL("SET client_encoding = {}").format(sql.Literal(encoding or "UTF8")))
        yield conn


def table_columns(
    conn: psycopg.Connection[Any], tables: list[QualifiedName]
) -> dict[QualifiedName, list[Column]]:
    names = {sql.Identifier(k.schema, k.name).as_string(conn): k for k in tables}
    found = conn.execute(
        "SELECT n, to_regclass(n)::oid FROM unnest(%s::text[]) n", (list(names),)
    ).fetchall()
    oids = {int(oid): names[name] for name, oid in found if oid is not None}
    out: dict[QualifiedName, list[Column]] = {}
    if not oids:
        return out
    cur = conn.execute(load_sql("fingerprint_columns"), {"oids": list(oids)})
    for oid, name, generated, type_, money, float_, zoned in cur.fetchall():
        out.setdefault(oids[int(oid)], []).append(
            Column(name, type_, generated, money, float_, zoned)
        )
    return out


Reader = Callable[
    [psycopg.Connection[Any], QualifiedName, tuple[str, ...], Pages | None], Fingerprint
]


def comparable(
    request: TableRequest,
    table_columns: list[Column] | None,
    source_major: int | None,
    out: RestoredFingerprints,
) -> list[Column] | None:
    """The restored columns to read, in the dump's order; None (and the reason in ``out``)
    when the table's rows cannot be compared as text."""
    key = request.table
    if table_columns is None:
        out.not_comparable[key] = "the restored database has no such table"
        return None
    by_name = {c.name: c for c in table_columns}
    names = request.columns or tuple(c.name for c in table_columns if not c.generated)
    missing = [n for n in names if n not in by_name]
    if missing:
        out.not_comparable[key] = (
            f"the restored table lacks the dump's column(s) {', '.join(missing)}"
        )
        return None
    used = [by_name[n] for n in names]
    reason = why_not(used, source_major)
    if reason is not None:
        out.not_comparable[key] = reason
        return None
    return used
