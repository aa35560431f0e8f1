"""The restored tables' fingerprints: each table's rows read back with COPY TO and hashed by the
function that hashed the dump's rows (dumpcheck.fingerprint), in a session set up as pg_dump's
(readsession).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.restore.model import RestoredFingerprints
from dumpcheck.restore.overlap import EarlyRead, EarlyReads
from dumpcheck.restore.readback import Pages
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
    (the server formats rows in parallel; hashing runs in the threads while they wait).

    A big table is read in parts of its heap pages, so that one table alone keeps every job
    busy; the sum of the parts' fingerprints is the table's (the sum does not depend on the
    order of the rows). ``pipe_dir`` is a directory the server can write named pipes in: set
    only for a server dumpcheck started itself (readback.PipeReader); else the rows come
    through the client. ``early``: the tables read while the restore ran (overlap), whose
    reads are taken as they are.
    """
    out = RestoredFingerprints()
    wanted = list(requests)
    taken = early.stop() if early is not None else frozenset()
    if not wanted:
        return out
    with session(conninfo, encoding) as conn:
        default_zone = str(conn.execute("SHOW TimeZone").fetchone()[0])  # type: ignore[index]
        columns = table_columns(conn, [r.table for r in wanted])
        pages = _heap_pages(conn, [r.table for r in wanted])
    plans = []
    for request in wanted:
        used = comparable(request, columns.get(request.table), source_major, out)
        if used is not None:
            plans.append((request, used))
    parts = [
        (request, tuple(c.name for c in used), part, size)
        for request, used in plans
        if request.table not in taken
        for part, size in _parts(pages.get(request.table))
    ]
    parts.sort(key=lambda p: -p[3])  # largest first, so that the last to finish is small
    sums: dict[QualifiedName, Fingerprint] = {}
    queue = iter(parts)
    lock = threading.Lock()

    def worker() -> None:
        with reader(conninfo, encoding, pipe_dir) as (conn, read):
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

    workers = min(jobs, len(parts))
    if workers:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done in [pool.submit(worker) for _ in range(workers)]:
                done.result()
    if early is not None:
        _take_early(conninfo, encoding, pipe_dir, plans, early.results(), sums)
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


def _take_early(
    conninfo: str,
    encoding: str | None,
    pipe_dir: Path | None,
    plans: list[tuple[TableRequest, list[Column]]],
    early: dict[QualifiedName, EarlyRead],
    sums: dict[QualifiedName, Fingerprint],
) -> None:
    """The early reads into ``sums``; a table taken early whose read failed is read now."""
    again = []
    for request, used in plans:
        if request.table in sums:
            continue
        names = tuple(c.name for c in used)
        read_early = early.get(request.table)
        if read_early is not None and read_early[0] == names:
            sums[request.table] = read_early[1]
        else:
            again.append((request.table, names))
    if again:
        with reader(conninfo, encoding, pipe_dir) as (conn, read):
            conn.execute("SET TimeZone = 'UTC'")
            for key, names in again:
                sums[key] = read(conn, key, names, None)


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
