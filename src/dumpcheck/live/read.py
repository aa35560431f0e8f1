"""Read an existing database, read-only, into the same catalog a restore reads back.

Everything is read in one ``READ ONLY`` transaction at ``REPEATABLE READ`` (one snapshot, so
the counts and the catalog agree; a write in it fails with SQLSTATE 25006 whatever the role
may do), with a statement timeout so that a table locked by a migration cannot hang triage,
and ``application_name=dumpcheck`` so a DBA sees who is asking. The transaction is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dumpcheck.catalog import Catalog
from dumpcheck.errors import BadInputError, EnvironmentFailure
from dumpcheck.inventory.model import MigrationRow
from dumpcheck.live.url import DatabaseUrl

# Long enough for count(*) over a development database, short enough for an incident.
DEFAULT_STATEMENT_TIMEOUT_S = 60


@dataclass(frozen=True)
class LiveDatabase:
    """What one read of a live database found."""

    url: DatabaseUrl
    database: str
    server_version: str
    catalog: Catalog  # Table.rows: exact count(*), or pg_class.reltuples with estimated
    estimated: bool
    migrations: tuple[MigrationRow, ...] | None  # the schema's _prisma_migrations, if any


def read_database(
    url: DatabaseUrl,
    *,
    schema: str,
    estimate_rows: bool = False,
    statement_timeout_s: int = DEFAULT_STATEMENT_TIMEOUT_S,
) -> LiveDatabase:
    """Connect, read catalog, counts and ``schema``'s ``_prisma_migrations``, and disconnect."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from dumpcheck.restore import read_catalog_in

    given = conninfo_to_dict(url.conninfo)
    # No startup `options`: PgBouncer (Prisma's ?pgbouncer=true) refuses that parameter. The
    # guards are set inside the transaction instead, which every pooler passes through.
    conninfo = make_conninfo(
        url.conninfo,
        application_name="dumpcheck",
        connect_timeout=str(given.get("connect_timeout") or 10),
    )
    try:
        with psycopg.connect(conninfo) as conn:
            conn.read_only = True  # psycopg opens every transaction with BEGIN READ ONLY
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.execute(f"SET LOCAL statement_timeout = '{int(statement_timeout_s)}s'")
            read_only = conn.execute("SHOW transaction_read_only").fetchone()
            if read_only is None or read_only[0] != "on":
                raise EnvironmentFailure(f"{url.shown}: the session would not go read-only")
            catalog = read_catalog_in(conn, estimate_rows=estimate_rows)
            migrations = _migrations(conn, schema, catalog)
            version = str(conn.info.parameter_status("server_version") or "").split()[0]
            database = conn.info.dbname
            conn.rollback()  # nothing was written; end the snapshot without a COMMIT
    except psycopg.errors.QueryCanceled as exc:
        raise EnvironmentFailure(
            f"{url.shown}: a query ran past the statement timeout of {statement_timeout_s}s "
            "(a table locked by a migration, or too big to count: try --estimate-rows)"
        ) from exc
    except psycopg.errors.InsufficientPrivilege as exc:
        raise BadInputError(
            f"{url.shown}: the role cannot read everything dumpcheck needs: "
            + url.scrub(_first_line(exc))
        ) from exc
    except psycopg.OperationalError as exc:
        raise EnvironmentFailure(
            f"cannot connect to {url.shown}: {url.scrub(_first_line(exc))}"
        ) from exc
    except psycopg.Error as exc:
        raise EnvironmentFailure(f"{url.shown}: {url.scrub(_first_line(exc))}") from exc
    return LiveDatabase(url, database, version, catalog, estimate_rows, migrations)


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _migrations(conn: Any, schema: str, catalog: Catalog) -> tuple[MigrationRow, ...] | None:
    # Prisma keeps its history in the default schema's _prisma_migrations (schema-connector
    # MIGRATIONS_TABLE_NAME); only the five columns the history check needs are read.
    from psycopg import sql

    table = catalog.table(schema, "_prisma_migrations")
    if table is None:
        return None
    have = {c.name for c in table.columns}
    if not {"migration_name", "checksum"} <= have:
        return None  # another tool's table of that name: it records no Prisma history
    # Each column read only where it exists (a table from an early Prisma 2 lacks some).
    wanted = ("finished_at", "rolled_back_at", "applied_steps_count")
    parts = [
        sql.SQL("{}::text").format(sql.Identifier(c)) if c in have else sql.SQL("NULL")
        for c in wanted
    ]
    order = ["started_at", "migration_name"] if "started_at" in have else ["migration_name"]
    query = sql.SQL("SELECT migration_name, checksum, {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(parts),
        sql.Identifier(schema, "_prisma_migrations"),
        sql.SQL(", ").join(sql.Identifier(c) for c in order),
    )
    rows = conn.execute(query).fetchall()
    return tuple(
        MigrationRow(str(name), str(checksum), finished, rolled_back, _steps(steps))
        for name, checksum, finished, rolled_back, steps in rows
    )


def _steps(value: str | None) -> int:
    return int(value) if value is not None and value.lstrip("-").isdigit() else 0
