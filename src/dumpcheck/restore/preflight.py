"""Before the restore: create the dump's roles, and find the extensions the server lacks."""

from __future__ import annotations

import re
from collections.abc import Iterable

import psycopg
from psycopg import sql

from dumpcheck.inventory.model import DumpFacts
from dumpcheck.restore.model import PreflightFinding
from dumpcheck.scratch import classify_db_error, connect_maintenance, server_failure
from dumpcheck.scratch.model import ScratchServer


def prepare_server(
    server: ScratchServer, facts: DumpFacts
) -> tuple[list[PreflightFinding], list[str]]:
    """Create missing roles as NOLOGIN and check the server's version: (findings, roles created).

    The dump's extensions are checked in the restore database (check_extensions), once it exists.
    """
    findings: list[PreflightFinding] = []
    with connect_maintenance(server) as conn:
        created, role_findings = _create_roles(conn, facts.roles)
        findings += role_findings
    dump_major = facts.pg_dump_major
    if dump_major is not None and dump_major > server.major:
        findings.append(
            PreflightFinding(
                "version_mismatch",
                f"pg_dump {facts.pg_dump_version}",
                f"the dump was written by pg_dump {facts.pg_dump_version} but the scratch server "
                f"is PostgreSQL {server.server_version}: objects and settings newer than "
                f"{server.major} may fail; install a server of at least {dump_major} with "
                f"`dumpcheck postgres install {dump_major}`",
            )
        )
    return findings, created


def _create_roles(
    conn: psycopg.Connection[tuple[object, ...]], roles: Iterable[str]
) -> tuple[list[str], list[PreflightFinding]]:
    """Create every role the dump names and the server lacks, as NOLOGIN.

    OWNER TO and GRANT then behave as they did on the source; a role that exists already
    (e.g. ``postgres``, or PUBLIC which is no role at all) is left alone.
    """
    wanted = sorted({r for r in roles if r and r.upper() != "PUBLIC"})
    if not wanted:
        return [], []
    existing = {
        str(r[0])
        for r in conn.execute(
            "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)", (wanted,)
        )
    }
    created: list[str] = []
    findings: list[PreflightFinding] = []
    for role in wanted:
        if role in existing:
            continue
        try:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            created.append(role)
        except psycopg.errors.DuplicateObject:
            continue  # another restore on this server created it in the meantime
        except psycopg.Error as exc:
            env = classify_db_error(exc)
            if env is not None:
                raise env from exc
            findings.append(
                PreflightFinding(
                    "missing_role",
                    role,
                    f"role {role} is missing and could not be created: "
                    f"{' '.join(str(exc).split())}; its OWNER TO / GRANT statements will fail",
                )
            )
    return created, findings


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
