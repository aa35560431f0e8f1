"""Real pg_dump dumps made from the SQL sources in tests/inventory/sql (for tests and the bench)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg

from dumpcheck.scratch.model import PgInstall, ScratchServer

SQL_DIR = Path(__file__).parent / "sql"


def load_sql(server: ScratchServer, dbname: str, source: str) -> None:
    """Run one SQL source file (by name) in database ``dbname``."""
    sql = (SQL_DIR / source).read_text()
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        conn.execute(sql)


def pg_dump(
    server: ScratchServer,
    dbname: str,
    out: Path,
    *args: str,
    install: PgInstall | None = None,
) -> Path:
    """Run pg_dump (of ``install``, default the server's) on ``dbname`` into ``out``."""
    install = install or server.install
    assert install is not None
    conninfo = server.dsn(dbname)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    subprocess.run(
        [str(install.binary("pg_dump")), "-d", conninfo, "-f", str(out), *args],
        check=True,
        capture_output=True,
        env=env,
    )
    return out


def counts(server: ScratchServer, dbname: str) -> dict[tuple[str, str], int]:
    """Exact ``count(*)`` of every ordinary and partitioned-leaf table of ``dbname``."""
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        rels = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        out: dict[tuple[str, str], int] = {}
        for schema, name in rels:
            q = psycopg.sql.SQL("SELECT count(*) FROM {}.{}").format(
                psycopg.sql.Identifier(schema), psycopg.sql.Identifier(name)
            )
            row = conn.execute(q).fetchone()
            out[(schema, name)] = int(row[0]) if row else 0
        return out
