"""Before the restore: create the dump's roles, and find the extensions the server lacks."""

from __future__ import annotations

import re
from collections.abc import Iterable

import psycopg
from psycopg import sql

from dumpcheck.inventory.model import DumpFacts, TocEntry
from dumpcheck.restore.model import PreflightFinding
from dumpcheck.restore.roles import CreatedRoles, create_roles
from dumpcheck.scratch import classify_db_error, connect_maintenance, server_failure
from dumpcheck.scratch.model import ScratchServer


def prepare_server(server: ScratchServer, facts: DumpFacts) -> CreatedRoles:
    """Create the roles the dump needs (restore.roles) and check the server's version: the
    roles created, with the preflight findings.

    The dump's extensions are checked in the restore database (check_extensions), once it exists.
    """
    with connect_maintenance(server) as conn:
        # Our own cluster or container is thrown away with its roles; a --scratch-dsn server
        # (also refresh's target server) is someone else's.
        created = create_roles(conn, facts, own_server=server.backend != "dsn", major=server.major)
    dump_major = facts.pg_dump_major
    if dump_major is not None and dump_major > server.major:
        created.findings.append(
            PreflightFinding(
                "version_mismatch",
                f"pg_dump {facts.pg_dump_version}",
                f"the dump was written by pg_dump {facts.pg_dump_version} but the scratch server "
                f"is PostgreSQL {server.server_version}: objects and settings newer than "
                f"{server.major} may fail; install a server of at least {dump_major} with "
                f"`dumpcheck postgres install {dump_major}`",
            )
        )
    return created


def check_extensions(
    server: ScratchServer, dsn: str, extensions: Iterable[str]
) -> list[PreflightFinding]:
    """The extensions the dump needs that the server cannot create, checked in ``dsn``.

    pg_available_extensions only lists control files: an extension can be listed and still fail
    when its library cannot load (the embedded wheel's uuid-ossp without libossp-uuid16:
    "could not load library ... libossp-uuid.so.16"). So each listed one is also created, in a
    transaction that is rolled back, in the restore database that dumpcheck itself created.
    """
    wanted = sorted(set(extensions))
    if not wanted:
        return []
    findings: list[PreflightFinding] = []
    try:
        conn = psycopg.connect(dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        raise server_failure(server, exc) from exc
    with conn:
        available = {
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM pg_catalog.pg_available_extensions WHERE name = ANY(%s)",
                (wanted,),
            )
        }
        for name in wanted:
            if name not in available:
                findings.append(
                    PreflightFinding(
                        "missing_extension",
                        name,
                        f"extension {name} is not available on the scratch server: every object "
                        "that needs it will fail to restore",
                    )
                )
                continue
            problem = _create_fails(conn, name)
            if problem is not None:
                findings.append(PreflightFinding("missing_extension", name, problem))
    return findings


def _create_fails(conn: psycopg.Connection[tuple[object, ...]], name: str) -> str | None:
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(
                sql.SQL("CREATE EXTENSION IF NOT EXISTS {} CASCADE").format(sql.Identifier(name))
            )
    except psycopg.Error as exc:
        env = classify_db_error(exc)
        if env is not None:
            raise env from exc
        message = exc.diag.message_primary or " ".join(str(exc).split())
        library = _MISSING_LIBRARY.search(message)
        advice = (
            f" (the system library {library.group(1)} is missing where the server runs"
            + ("; Debian: apt-get install libossp-uuid16" if name == "uuid-ossp" else "")
            + ")"
            if library
            else ""
        )
        return (
            f"extension {name} is on the scratch server but cannot be created: {message}{advice};"
            " every object that needs it will fail to restore"
        )
    return None


# dfmgr.c: could not load library "...": libossp-uuid.so.16: cannot open shared object file
_MISSING_LIBRARY = re.compile(r'could not load library "[^"]*": ([^:]+): cannot open shared')


def missing_tablespaces(server: ScratchServer, dsn: str, entries: Iterable[TocEntry]) -> list[str]:
    """The tablespaces the dump's objects live in that the server does not have.

    A scratch server never has them (their directories are the production server's), and
    pg_restore's SET default_tablespace would then fail for each such object: the restore
    leaves them out instead, as pg_restore --no-tablespaces does, and every object goes to the
    default tablespace. Nothing dumpcheck compares depends on the tablespace.
    """
    wanted = sorted({e.tablespace for e in entries if e.tablespace})
    if not wanted:
        return []
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            have = {
                str(r[0])
                for r in conn.execute(
                    "SELECT spcname FROM pg_catalog.pg_tablespace WHERE spcname = ANY(%s)",
                    (wanted,),
                )
            }
    except psycopg.OperationalError as exc:
        raise server_failure(server, exc) from exc
    return [name for name in wanted if name not in have]
