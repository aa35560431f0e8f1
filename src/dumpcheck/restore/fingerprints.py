"""The restored tables' fingerprints: each table's rows read back with COPY TO and hashed by the
function that hashed the dump's rows (dumpcheck.fingerprint).

The session is set up as pg_dump sets up its own (pg_dump.c setup_connection: DateStyle ISO,
IntervalStyle postgres, extra_float_digits 3; bytea_output is the server default, hex), with the
dump's client encoding, so that an unchanged row is the same text on both sides. What pg_dump
does not pin down, the session cannot reproduce: those columns are listed in ``why_not`` below
and the table is reported as not comparable, never as changed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
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
class _Column:
    name: str
    type: str
    generated: bool
    money: bool
    float: bool
    zoned: bool


def why_not(columns: Iterable[_Column], source_major: int | None) -> str | None:
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


def time_zone_candidates(server_default: str) -> list[str]:
    """The TimeZone settings the dump's timestamptz text may have been written in.

    pg_dump writes timestamptz in its session's TimeZone (the source server's default, or
    PGTZ) and records it nowhere, so the usual ones are tried in turn: UTC (managed servers'
    default), this machine's zone, and the scratch server's own default.
    """
    out = ["UTC"]
    for zone in (os.environ.get("PGTZ"), os.environ.get("TZ"), _local_zone(), server_default):
        if zone and zone not in out:
            out.append(zone)
    return out


def _local_zone() -> str | None:
    try:
        target = str(Path("/etc/localtime").readlink())
    except OSError:
        return None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def fingerprint_restored(
    conninfo: str,
    requests: Iterable[TableRequest],
    *,
    encoding: str | None,
    source_major: int | None,
    jobs: int = 2,
    pipe_dir: Path | None = None,
) -> RestoredFingerprints:
    """Read every requested table back and fingerprint its rows, ``jobs`` parts at a time
    (the server formats rows in parallel; hashing runs in the threads while they wait).

    A big table is read in parts of its heap pages, so that one table alone keeps every job
    busy; the sum of the parts' fingerprints is the table's (the sum does not depend on the
    order of the rows). ``pipe_dir`` is a directory the server can write named pipes in: set
    only for a server dumpcheck started itself (readback.PipeReader); else the rows come
    through the client.
    """
    out = RestoredFingerprints()
    wanted = list(requests)
    if not wanted:
        return out
    with _session(conninfo, encoding) as conn:
        default_zone = str(conn.execute("SHOW TimeZone").fetchone()[0])  # type: ignore[index]
        columns = _columns(conn, [r.table for r in wanted])
        pages = _heap_pages(conn, [r.table for r in wanted])
    plans = []
    for request in wanted:
        used = _comparable(request, columns.get(request.table), source_major, out)
        if used is not None:
            plans.append((request, used))
    parts = [
        (request, tuple(c.name for c in used), part, size)
        for request, used in plans
        for part, size in _parts(pages.get(request.table))
    ]
    parts.sort(key=lambda p: -p[3])  # largest first, so that the last to finish is small
    sums: dict[QualifiedName, Fingerprint] = {}
    queue = iter(parts)
    lock = threading.Lock()

    def worker() -> None:
        with _reader(conninfo, encoding, pipe_dir) as (conn, read):
            # The first TimeZone a timestamptz column is tried in (time_zone_candidates).
            conn.execute("SET TimeZone = 'UTC'")
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                request, names, part, _ = item
                found = read(conn, request.table, names, part)
                with lock:
                    before = sums.get(request.table)
                    sums[request.table] = before.plus(found) if before else found

    workers = max(1, min(jobs, len(parts)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(worker) for _ in range(workers)]:
            done.result()
    retry = []
    for request, used in plans:
        found = sums.get(request.table, Fingerprint(0, 0))
        zoned = any(c.zoned for c in used)
        if not zoned or found == request.dump or found.rows != request.dump.rows:
            out.fingerprints[request.table] = found
            if zoned and found == request.dump:
                out.time_zones[request.table] = "UTC"
        else:
            retry.append((request, used))
    if retry:
        with _reader(conninfo, encoding, pipe_dir) as (conn, read):
            for request, used in retry:
                _other_zones(conn, read, request, used, default_zone, out)
    return out


# A part of a big table: 32 MiB of 8 KiB heap pages. Small enough that two jobs share a table
# evenly, big enough that a part's COPY start-up (a statement, a pipe) is noise.
_PART_PAGES = 4096
_TID_RANGE_SCAN = 140000  # PostgreSQL 14 reads a ctid range without a full scan


def _parts(pages: int | None) -> list[tuple[Pages | None, int]]:
    """The parts a table is read in, each with its size in pages: the whole table (None) unless
    it is an ordinary table of more than two parts' worth of pages on a server that scans ctid
    ranges. The last part runs to the end of the table."""
    if pages is None or pages < 2 * _PART_PAGES:
        return [(None, pages or 0)]
    starts = list(range(0, pages, _PART_PAGES))
    if pages - starts[-1] < _PART_PAGES // 2:
        starts.pop()  # a short tail joins the part before it
    return [
        ((first, starts[i + 1] if i + 1 < len(starts) else None), _PART_PAGES)
        for i, first in enumerate(starts)
    ]


def _heap_pages(
    conn: psycopg.Connection[Any], tables: list[QualifiedName]
) -> dict[QualifiedName, int]:
    """Each ordinary table's size in heap pages; nothing on a server before TID range scans."""
    if conn.info.server_version < _TID_RANGE_SCAN:
        return {}
    names = {sql.Identifier(k.schema, k.name).as_string(conn): k for k in tables}
    found = conn.execute(
        "SELECT n, pg_relation_size(c.oid) / current_setting('block_size')::bigint "
        "FROM unnest(%s::text[]) n JOIN pg_class c ON c.oid = to_regclass(n) "
        "WHERE c.relkind = 'r'",
        (list(names),),
    ).fetchall()
    return {names[name]: int(size) for name, size in found}


@contextlib.contextmanager
def _reader(
    conninfo: str, encoding: str | None, pipe_dir: Path | None
) -> Iterator[tuple[psycopg.Connection[Any], Reader]]:
    """A session set up as pg_dump's, and how it reads a table: through a named pipe of its
    own on our server, else through the client."""
    with contextlib.ExitStack() as stack:
        conn = stack.enter_context(_session(conninfo, encoding))
        read: Reader = read_stdout
        if pipe_dir is not None:
            pipe = PipeReader(pipe_dir)
            stack.callback(pipe.close)
            read = pipe.read
        yield conn, read


@contextlib.contextmanager
def _session(conninfo: str, encoding: str | None) -> Iterator[psycopg.Connection[Any]]:
    """A connection set up as pg_dump sets up its own, in the dump's client encoding."""
    with psycopg.connect(conninfo, autocommit=True, application_name="dumpcheck") as conn:
        for statement in _SESSION:
            conn.execute(statement)
        conn.execute(sql.SQL("SET client_encoding = {}").format(sql.Literal(encoding or "UTF8")))
        yield conn


def _columns(
    conn: psycopg.Connection[Any], tables: list[QualifiedName]
) -> dict[QualifiedName, list[_Column]]:
    names = {sql.Identifier(k.schema, k.name).as_string(conn): k for k in tables}
    found = conn.execute(
        "SELECT n, to_regclass(n)::oid FROM unnest(%s::text[]) n", (list(names),)
    ).fetchall()
    oids = {int(oid): names[name] for name, oid in found if oid is not None}
    out: dict[QualifiedName, list[_Column]] = {}
    if not oids:
        return out
    cur = conn.execute(load_sql("fingerprint_columns"), {"oids": list(oids)})
    for oid, name, generated, type_, money, float_, zoned in cur.fetchall():
        out.setdefault(oids[int(oid)], []).append(
            _Column(name, type_, generated, money, float_, zoned)
        )
    return out


Reader = Callable[
    [psycopg.Connection[Any], QualifiedName, tuple[str, ...], Pages | None], Fingerprint
]


def _comparable(
    request: TableRequest,
    table_columns: list[_Column] | None,
    source_major: int | None,
    out: RestoredFingerprints,
) -> list[_Column] | None:
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


def _other_zones(
    conn: psycopg.Connection[Any],
    read: Reader,
    request: TableRequest,
    used: list[_Column],
    default_zone: str,
    out: RestoredFingerprints,
) -> None:
    """A table with timestamptz/timetz columns whose rows did not match in UTC: read whole
    again in each other TimeZone the dump may have been written in, until one matches."""
    key = request.table
    names = tuple(c.name for c in used)
    tried = ["UTC"]
    found = None
    for zone in time_zone_candidates(default_zone)[1:]:
        conn.execute(sql.SQL("SET TimeZone = {}").format(sql.Literal(zone)))
        found = read(conn, key, names, None)
        tried.append(zone)
        if found == request.dump or found.rows != request.dump.rows:
            break
    conn.execute("SET TimeZone = 'UTC'")
    if found is not None and found == request.dump:
        out.fingerprints[key] = found
        out.time_zones[key] = tried[-1]
    elif found is not None and found.rows != request.dump.rows:
        out.fingerprints[key] = found
    else:
        zoned = ", ".join(c.name for c in used if c.zoned)
        out.not_comparable[key] = (
            f"timestamptz/timetz columns ({zoned}) print in the dump's TimeZone, which pg_dump "
            f"does not record; none of {', '.join(tried)} gives the dump's rows"
        )


def requests_for(
    dump: Mapping[QualifiedName, Fingerprint],
    restored_rows: Mapping[QualifiedName, int | None],
    columns: Mapping[QualifiedName, tuple[str, ...]],
    uncounted: Collection[QualifiedName] = (),
) -> list[TableRequest]:
    """The tables worth reading back: fingerprinted in the dump and restored with as many rows
    (a table with fewer rows is already rows_lost; reading it again would prove nothing more),
    or restored ordinary tables not counted yet (read_catalog's ``uncounted``), which the
    read-back counts."""
    return [
        TableRequest(key, fp, columns.get(key, ()))
        for key, fp in sorted(dump.items())
        if restored_rows.get(key) == fp.rows or key in uncounted
    ]
