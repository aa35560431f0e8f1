"""Create and drop the ``dumpcheck_<random>`` databases we restore into; never touch others."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dumpcheck.errors import ScratchServerError
from dumpcheck.scratch.faults import classify_db_error
from dumpcheck.scratch.model import ScratchServer

if TYPE_CHECKING:
    import psycopg

DB_PREFIX = "dumpcheck_"
_OURS = re.compile(r"^dumpcheck_[0-9a-f]{12}$")


def new_database_name() -> str:
    """``dumpcheck_<12 hex>``: unique, a valid unquoted identifier, and recognisably ours."""
    return f"{DB_PREFIX}{secrets.token_hex(6)}"


def is_our_database(name: str) -> bool:
    """True only for names :func:`new_database_name` makes."""
    return bool(_OURS.match(name))


def connect_maintenance(server: ScratchServer) -> psycopg.Connection[tuple[Any, ...]]:
    import psycopg

    try:
        return psycopg.connect(server.conninfo, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise ScratchServerError(
            f"cannot connect to the scratch server: {' '.join(str(exc).split())}"
        ) from exc


def create_database(server: ScratchServer, encoding: str | None = None) -> str:
    """Create an empty ``dumpcheck_<random>`` database (from template0); return its name.

    ``encoding`` is the dump's: a dump of a SQL_ASCII or LATIN1 database holds bytes that a
    UTF8 database rejects ("invalid byte sequence for encoding "UTF8""), failures production
    never had. Locale C goes with every server encoding (CREATE DATABASE refuses a mismatch).
    """
    import psycopg
    from psycopg import sql

    name = new_database_name()
    utf8 = encoding is None or encoding.upper() in ("UTF8", "UTF-8", "UNICODE")
    # template0: a restore must start from an empty database, as pg_dump documents.
    statement = (
        sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
            sql.Identifier(name)
        )
        if utf8
        else sql.SQL(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE 'C' LC_CTYPE 'C'"
        ).format(sql.Identifier(name), sql.Literal(encoding))
    )
    with connect_maintenance(server) as conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            raise classify_db_error(exc) or ScratchServerError(
                f"cannot create database {name} ({encoding or 'UTF8'}) on the scratch server: {exc}"
            ) from exc
    return name


def drop_database(server: ScratchServer, name: str) -> None:
    """Drop a database this package created (WITH FORCE); refuse any other name."""
    import psycopg
    from psycopg import sql

    if not is_our_database(name):
        raise ScratchServerError(f"refusing to drop {name!r}: dumpcheck did not create it")
    with connect_maintenance(server) as conn:
        try:
            # DROP DATABASE refuses a database that holds a subscription, even WITH (FORCE).
            subscriptions = [
                str(row[0])
                for row in conn.execute(
                    "SELECT s.subname FROM pg_catalog.pg_subscription s "
                    "JOIN pg_catalog.pg_database d ON d.oid = s.subdbid WHERE d.datname = %s",
                    (name,),
                )
            ]
            if subscriptions:
                _drop_subscriptions(server, name, subscriptions)
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        except psycopg.Error as exc:
            raise ScratchServerError(f"cannot drop database {name}: {exc}") from exc


def _drop_subscriptions(server: ScratchServer, database: str, names: list[str]) -> None:
    """Drop the subscriptions of a database we created, without touching their publisher:
    disabled and detached from their slot first, as the DROP SUBSCRIPTION page says to do when
    the remote slot cannot (or must not) be dropped."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.dsn(database), autocommit=True) as conn:
        for name in names:
            sub = sql.Identifier(name)
            conn.execute(sql.SQL("ALTER SUBSCRIPTION {} DISABLE").format(sub))
            conn.execute(sql.SQL("ALTER SUBSCRIPTION {} SET (slot_name = NONE)").format(sub))
            conn.execute(sql.SQL("DROP SUBSCRIPTION {}").format(sub))


def drop_roles(server: ScratchServer, roles: Iterable[str]) -> None:
    """Drop the NOLOGIN roles a restore created, once its database is gone (best effort).

    Roles are cluster-wide, so on a --scratch-dsn server they would outlive the run. A role
    that still owns something elsewhere (someone else made it in the meantime) is kept.
    """
    import psycopg
    from psycopg import sql

    names = list(roles)
    if not names:
        return
    with connect_maintenance(server) as conn:
        for name in names:
            with contextlib.suppress(psycopg.Error):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
