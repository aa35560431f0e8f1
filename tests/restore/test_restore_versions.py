"""Dumps from one pg_dump major meeting a server of another major."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.errors import BinaryNotFoundError, EnvironmentFailure
from dumpcheck.restore import restore
from dumpcheck.restore.archive import choose_pg_restore
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer

pytestmark = pytest.mark.postgres

SQL = """
CREATE TYPE "Status" AS ENUM ('draft', 'live');
CREATE TABLE categories (id text PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE products (
    id text PRIMARY KEY,
    "categoryId" text NOT NULL REFERENCES categories (id),
    status "Status" NOT NULL DEFAULT 'draft',
    n serial
);
INSERT INTO categories VALUES ('c1', 'one'), ('c2', 'two');
INSERT INTO products (id, "categoryId") VALUES ('p1', 'c1'), ('p2', 'c2'), ('p3', 'c1');
"""


def _restore_into(server: ScratchServer, dump: Path):  # type: ignore[no-untyped-def]
    db = create_database(server)
    try:
        result = restore(inventory_of(dump), server, database=db)
    finally:
        drop_database(server, db)
    return result


@pytest.mark.parametrize("fmt", ["custom", "plain", "directory"])
@pytest.mark.parametrize("dump_major", [18, 17])
def test_newer_pg_dump_into_pg15_server(
    scratch_server_for: Callable[[int], ScratchServer],
    tmp_path: Path,
    fmt: str,
    dump_major: int,
) -> None:
    source = scratch_server_for(dump_major)
    target = scratch_server_for(15)
    with source_db(source, SQL) as src:
        dump = pg_dump(source, src, tmp_path / f"v.{fmt}", fmt)
    result = _restore_into(target, dump)

    # Only settings the old server does not know fail (transaction_timeout is PG 17+), and
    # those are harmless; every table and row arrives.
    assert all(e.severity == "harmless" for e in result.errors), result.errors
    assert any(e.statement == "SET transaction_timeout = 0;" for e in result.errors)
    assert [p.kind for p in result.preflight] == ["version_mismatch"]
    if fmt != "plain":
        assert result.tool.startswith(f"pg_restore {dump_major}.")  # reads the newer archive
    products = result.catalog.table("public", "products")
    categories = result.catalog.table("public", "categories")
    assert products is not None and categories is not None
    assert (products.rows, categories.rows) == (3, 2)
    assert len(products.foreign_keys) == 1 and products.primary_key is not None


@pytest.mark.parametrize("fmt", ["custom", "plain"])
def test_pg15_dump_into_newer_server(
    scratch_server_for: Callable[[int], ScratchServer],
    scratch_server: ScratchServer,
    tmp_path: Path,
    fmt: str,
) -> None:
    source = scratch_server_for(15)
    with source_db(source, SQL) as src:
        dump = pg_dump(source, src, tmp_path / f"old.{fmt}", fmt)
    result = _restore_into(scratch_server, dump)
    assert result.errors == () and result.preflight == ()
    products = result.catalog.table("public", "products")
    assert products is not None and products.rows == 3
    with psycopg.connect(scratch_server.conninfo) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None and int(row[0]) >= 180000


def test_no_pg_restore_new_enough_exits_3_with_advice(scratch_server: ScratchServer) -> None:
    with pytest.raises(BinaryNotFoundError, match="dumpcheck postgres install 99") as info:
        choose_pg_restore(scratch_server, 99)
    assert isinstance(info.value, EnvironmentFailure) and info.value.exit_code == 3


def test_pg15_pg_restore_log_is_attributed_too(
    scratch_server_for: Callable[[int], ScratchServer], tmp_path: Path
) -> None:
    # pg_restore 15 words its errors like 18 does; check it on a real 15 -> 15 restore.
    server = scratch_server_for(15)
    sql = """
    CREATE TABLE parent (id integer PRIMARY KEY);
    CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));
    CREATE TABLE nn (id integer, note text NOT NULL);
    SET session_replication_role = replica;
    INSERT INTO child VALUES (1, 99);
    """
    with source_db(server, sql) as src:
        with psycopg.connect(server.dsn(src), autocommit=True) as conn:
            conn.execute("SET allow_system_table_mods = on")
            conn.execute(
                "UPDATE pg_attribute SET attnotnull = false "
                "WHERE attrelid = 'nn'::regclass AND attname = 'note'"
            )
            conn.execute("INSERT INTO nn VALUES (1, NULL)")
            conn.execute(
                "UPDATE pg_attribute SET attnotnull = true "
                "WHERE attrelid = 'nn'::regclass AND attname = 'note'"
            )
        dump = pg_dump(server, src, tmp_path / "15.dump", "custom")
    result = _restore_into(server, dump)
    assert result.tool.startswith("pg_restore 15.")
    got = sorted((e.object_type, e.severity, e.sqlstate, str(e.table)) for e in result.errors)
    assert got == [
        ("FK CONSTRAINT", "other", "23503", "public.child"),
        ("TABLE DATA", "fatal", "23502", "public.nn"),
    ]
