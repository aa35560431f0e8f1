"""What a refresh does on the target's server, through one maintenance session.

The session holds a session-level advisory lock for the whole refresh (one refresh per target:
a second cron run cannot interleave), and is the one that renames and drops: PostgreSQL
renames a database only from another database, and only while nobody is connected to it
(``ALTER DATABASE ... RENAME``: "current database cannot be renamed", SQLSTATE 55006 while
sessions are connected). Both renames of a swap run in one transaction, so the target name
always belongs to exactly one database, the old one or the new one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dumpcheck.errors import EnvironmentFailure
from dumpcheck.refresh import names

# The advisory lock key: (hashtext of this constant, hashtext of the target's name).
_LOCK_SPACE = "dumpcheck refresh"
_MAINTENANCE = ("postgres", "template1")


class RefreshBusyError(EnvironmentFailure):
    """Another refresh of the same target holds the lock."""


class RefreshPermissionError(EnvironmentFailure):
    """The role cannot create, rename or drop the databases a refresh needs."""


@dataclass(frozen=True)
class OurDatabase:
    """A database on the server that a refresh created or renamed (by name and mark)."""

    name: str
    stamp: str
    marked: bool  # carries our COMMENT ON DATABASE mark: ours to drop


Session = psycopg.Connection[tuple[Any, ...]]


def connect(conninfo: str, shown: str, scrub: Callable[[str], str]) -> tuple[Session, str]:
    """A maintenance session on the target's server (``postgres``, else ``template1``)."""
    last: psycopg.Error | None = None
    for dbname in _MAINTENANCE:
        dsn = psycopg.conninfo.make_conninfo(
            conninfo, dbname=dbname, application_name="dumpcheck refresh"
        )
        try:
            return psycopg.connect(dsn, autocommit=True, connect_timeout=10), dsn
        except psycopg.Error as exc:
            last = exc
    raise EnvironmentFailure(
        f"cannot connect to the server of {shown}: {scrub(' '.join(str(last).split()))[:300]}"
    )


def check_privileges(conn: Session, target: str) -> bool:
    """Fail before any work when the role cannot do the swap; True when the target exists.

    Renaming a database needs its ownership and CREATEDB (or superuser); creating the
    candidate needs CREATEDB (ALTER DATABASE and CREATE DATABASE in the PostgreSQL docs).
    """
    row = conn.execute(
        "SELECT r.rolsuper, r.rolcreatedb, current_user FROM pg_catalog.pg_roles r "
        "WHERE r.rolname = current_user"
    ).fetchone()
    assert row is not None
    superuser, createdb, user = bool(row[0]), bool(row[1]), str(row[2])
    if not (superuser or createdb):
        raise RefreshPermissionError(
            f"role {user} lacks CREATEDB: refresh creates the new database beside {target} "
            f"(ALTER ROLE {user} CREATEDB, or run it as the database's owner with that right)"
        )
    owner = conn.execute(
        "SELECT pg_catalog.pg_has_role(current_user, d.datdba, 'USAGE') "
        "FROM pg_catalog.pg_database d WHERE d.datname = %s",
        (target,),
    ).fetchone()
    if owner is None:
        return False
    if not (superuser or owner[0]):
        raise RefreshPermissionError(
            f"role {user} does not own database {target}: only its owner (or a superuser) "
            "can rename it in the swap"
        )
    return True


def lock(conn: Session, target: str) -> None:
    """Take the refresh lock of ``target`` for this session, or fail at once."""
    row = conn.execute(
        "SELECT pg_catalog.pg_try_advisory_lock(hashtext(%s), hashtext(%s))",
        (_LOCK_SPACE, target),
    ).fetchone()
    if row is not None and row[0]:
        return
    holder = conn.execute(
        "SELECT l.pid FROM pg_catalog.pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.classid::int = hashtext(%s) AND l.objid::int = hashtext(%s) LIMIT 1",
        (_LOCK_SPACE, target),
    ).fetchone()
    who = f" (server pid {holder[0]})" if holder else ""
    raise RefreshBusyError(f"another dumpcheck refresh of {target} is running{who}; not starting")


def database_names(conn: Session) -> set[str]:
    """Every database name on the server, for a free stamp (names.free_stamp)."""
    return {str(row[0]) for row in conn.execute("SELECT datname FROM pg_catalog.pg_database")}


def ours(conn: Session, target: str, infix: str) -> list[OurDatabase]:
    """``target``'s candidates or previous databases, newest first."""
    rows = conn.execute(
        "SELECT d.datname, pg_catalog.shobj_description(d.oid, 'pg_database') "
        "FROM pg_catalog.pg_database d"
    ).fetchall()
    found = []
    for name, comment in rows:
        when = names.stamp_of(str(name), target, infix)
        if when is not None:
            marked = str(comment or "").startswith(names.MARK)
            found.append(OurDatabase(str(name), when, marked))
    return sorted(found, key=lambda d: d.stamp, reverse=True)


def create(conn: Session, name: str, target: str, when: str, encoding: str | None) -> None:
    """Create the candidate from template0 (as pg_restore needs) and mark it as ours."""
    # The dump's encoding, as verify's scratch databases (scratch/databases.py) take it.
    if encoding is None or encoding.upper() in ("UTF8", "UTF-8", "UNICODE"):
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
            sql.Identifier(name)
        )
    else:
        statement = sql.SQL(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE 'C' LC_CTYPE 'C'"
        ).format(sql.Identifier(name), sql.Literal(encoding))
    try:
        conn.execute(statement)
    except psycopg.errors.DuplicateDatabase as exc:
        # Only someone else can take the name between free_stamp and here: refresh runs of one
        # target are serialised by its lock.
        raise EnvironmentFailure(
            f"database {name} appeared while refresh chose it; run again"
        ) from exc
    except psycopg.Error as exc:
        raise EnvironmentFailure(
            f"could not create {name}: {exc.diag.message_primary or exc}"
        ) from exc
    # The mark right after: CREATE DATABASE cannot run in a transaction with it, so a run
    # killed in between leaves an unmarked candidate that refresh reports and never drops.
    conn.execute(
        sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(names.mark(target, when))
        )
    )


def drop(conn: Session, database: OurDatabase) -> None:
    """Drop a database a refresh created; anything without our mark is refused."""
    if not database.marked:
        raise EnvironmentFailure(f"refusing to drop {database.name}: dumpcheck did not create it")
    # WITH (FORCE) (PostgreSQL 13+) ends a killed run's leftover pg_restore sessions.
    force = sql.SQL(" WITH (FORCE)") if conn.info.server_version >= 130000 else sql.SQL("")
    conn.execute(
        sql.SQL("DROP DATABASE IF EXISTS {}{}").format(sql.Identifier(database.name), force)
    )


def swap(
    conn: Session,
    target: str,
    incoming: str,
    outgoing: str | None,
    *,
    wait_s: float,
    terminate: bool,
) -> None:
    """Rename ``target`` to ``outgoing`` and ``incoming`` to ``target``, in one transaction.

    Sessions connected to either database block the renames: wait up to ``wait_s`` for them
    to end, or end them first with ``terminate``.
    """
    deadline = time.monotonic() + wait_s
    while True:
        if terminate:
            conn.execute(
                "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
                "WHERE datname = ANY(%s) AND pid <> pg_catalog.pg_backend_pid()",
                ([target, incoming],),
            )
        try:
            with conn.transaction():
                if outgoing is not None:
                    conn.execute(_rename(target, outgoing))
                conn.execute(_rename(incoming, target))
            return
        except psycopg.errors.ObjectInUse as exc:
            if time.monotonic() >= deadline:
                raise EnvironmentFailure(
                    f"{_sessions(conn, target)} still connected to {target} after "
                    f"{wait_s:g}s; nothing was swapped (--wait longer, or "
                    "--terminate-connections)"
                ) from exc
            time.sleep(0.5)


def _rename(old: str, new: str) -> sql.Composed:
    return sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
        sql.Identifier(old), sql.Identifier(new)
    )


def _sessions(conn: Session, target: str) -> str:
    row = conn.execute(
        "SELECT count(*), string_agg(DISTINCT coalesce(nullif(application_name, ''), '?'), ', ') "
        "FROM pg_catalog.pg_stat_activity WHERE datname = %s",
        (target,),
    ).fetchone()
    if row is None or not row[0]:
        return "sessions were"
    return f"{row[0]} session(s) ({row[1]}) were"
