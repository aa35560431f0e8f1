"""The restored tables' fingerprints: each table's rows read back with COPY TO and hashed by the
function that hashed the dump's rows (dumpcheck.fingerprint), in a session set up as pg_dump's
(readsession).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.restore.model import RestoredFingerprints
from dumpcheck.restore.overlap import EarlyReads
from dumpcheck.restore.parts import Part, PartQueue, table_parts
from dumpcheck.restore.readsession import (
    Column,
    Reader,
    TableRequest,
    comparable,
    reader,
    session,
    table_columns,
)


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
    early: EarlyReads | None = None,
) -> RestoredFingerprints:
    """Read every requested table back and fingerprint its rows, ``jobs`` parts at a time
    (the server formats rows in parallel; hashing runs in the threads while they wait), big
    tables in parts (parts.py).

    ``pipe_dir`` is a directory the server can write named pipes in: set only for a server
    dumpcheck started itself (readback.PipeReader); else the rows come through the client.
    ``early``: the reader that began during the restore (overlap.py); the tables it took are
    its, and it reads parts alongside until the queue is empty.
    """
    out = RestoredFingerprints()
    wanted = list(requests)
    taken = early.stop() if early is not None else frozenset()
    parts = early.queue if early is not None else PartQueue()
    plans: list[tuple[TableRequest, list[Column]]] = []
    default_zone = "UTC"
    try:
        if wanted:
            with session(conninfo, encoding) as conn:
                default_zone = str(conn.execute("SHOW TimeZone").fetchone()[0])  # type: ignore[index]
                columns = table_columns(conn, [r.table for r in wanted])
                for request in wanted:
                    used = comparable(request, columns.get(request.table), source_major, out)
                    if used is not None:
                        plans.append((request, used))
                rest = [(r.table, _names(used)) for r, used in plans if r.table not in taken]
                parts.add(table_parts(conn, rest))
    finally:
        parts.close()  # the early reader stops once the queue is empty
    _read_parts(conninfo, encoding, pipe_dir, parts, jobs, early)
    if early is not None:
        # What the early reader could not read: its failed parts, parts it queued and left
        # when it ended early (a lost connection), and the tables it took but could not plan
        # (read whole).
        planned = early.join()
        again = list(parts.failed)
        while (left := parts.pop(wait=False)) is not None:
            again.append(left)
        again += [
            Part(r.table, _names(used), None, 0)
            for r, used in plans
            if r.table in taken and r.table not in planned
        ]
        if again:
            with reader(conninfo, encoding, pipe_dir) as (conn, read):
                conn.execute("SET TimeZone = 'UTC'")
                for part in again:
                    parts.done(part, read(conn, part.table, part.columns, part.pages))
    sums = parts.sums
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
        with reader(conninfo, encoding, pipe_dir) as (conn, read):
            for request, used in retry:
                _other_zones(conn, read, request, used, default_zone, out)
    return out


def _names(used: list[Column]) -> tuple[str, ...]:
    return tuple(c.name for c in used)


def _read_parts(
    conninfo: str,
    encoding: str | None,
    pipe_dir: Path | None,
    parts: PartQueue,
    jobs: int,
    early: EarlyReads | None,
) -> None:
    """Read the queued parts on ``jobs`` sessions, the early reader one of them if it runs."""

    def worker() -> None:
        with reader(conninfo, encoding, pipe_dir) as (conn, read):
            # The first TimeZone a timestamptz column is tried in (time_zone_candidates).
            conn.execute("SET TimeZone = 'UTC'")
            while (part := parts.pop(wait=True)) is not None:
                parts.done(part, read(conn, part.table, part.columns, part.pages))

    helping = early is not None and early.reading
    workers = min(jobs - 1 if helping else jobs, len(parts))
    if workers > 0:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done in [pool.submit(worker) for _ in range(workers)]:
                done.result()


def _other_zones(
    conn: psycopg.Connection[Any],
    read: Reader,
    request: TableRequest,
    used: list[Column],
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
