"""A real scratch server starts, answers, and leaves nothing behind."""

from __future__ import annotations

import psycopg

from dumpcheck.scratch.model import ScratchServer


def test_scratch_server_answers_select_version(scratch_server: ScratchServer) -> None:
    with psycopg.connect(scratch_server.conninfo) as conn:
        row = conn.execute("select version()").fetchone()
    assert row is not None
    assert row[0].startswith(f"PostgreSQL {scratch_server.major}.")


def test_fresh_db_is_empty_and_ours(scratch_server: ScratchServer, fresh_db: str) -> None:
    assert fresh_db.startswith("dumpcheck_")
    with psycopg.connect(scratch_server.dsn(fresh_db)) as conn:
        row = conn.execute(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public'"
        ).fetchone()
    assert row == (0,)


def test_contrib_modules_that_link_libpq_load(scratch_server: ScratchServer, fresh_db: str) -> None:
    """postgres_fdw and dblink link libpq: the server loads the install's own, not the system's
    older one (which lacks PQcancelStart), so a dump that uses them restores."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        available = {
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM pg_available_extensions WHERE name IN ('postgres_fdw', 'dblink')"
            )
        }
        assert available == {"postgres_fdw", "dblink"}  # the bundled build ships both
        conn.execute("CREATE EXTENSION postgres_fdw")
        conn.execute("CREATE EXTENSION dblink")
        assert conn.execute("SELECT dblink_get_connections()").fetchone() == (None,)
