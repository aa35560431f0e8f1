"""Every dump shape restores cleanly: formats, compression, pipes, --create, \\connect."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.errors import BadInputError
from dumpcheck.inventory.archive import custom_has_offsets
from dumpcheck.restore import restore
from dumpcheck.restore.model import RestoreResult
from dumpcheck.scratch.databases import is_our_database
from dumpcheck.scratch.model import ScratchServer

pytestmark = pytest.mark.postgres

SQL = """
CREATE TABLE a (id integer PRIMARY KEY, v text);
CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));
INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 50) g;
INSERT INTO b SELECT g, g FROM generate_series(1, 20) g;
"""


def _assert_clean(result: RestoreResult) -> None:
    assert result.errors == ()
    a, b = result.catalog.table("public", "a"), result.catalog.table("public", "b")
    assert a is not None and b is not None
    assert (a.rows, b.rows, len(b.foreign_keys)) == (50, 20, 1)


@pytest.mark.parametrize(
    ("fmt", "extra", "parallel"),
    [
        ("custom", (), True),
        ("directory", (), True),
        ("directory", ("--jobs=2",), True),  # pg_dump's own workers write the data files
        ("tar", (), False),  # pg_restore cannot read a tar archive in parallel
        ("plain", ("--compress=gzip",), False),
        ("plain", ("--compress=zstd",), False),
        ("custom", ("--compress=lz4",), True),
    ],
)
def test_formats_and_compressions_restore_clean(
    scratch_server: ScratchServer,
    fresh_db: str,
    tmp_path: Path,
    fmt: str,
    extra: tuple[str, ...],
    parallel: bool,
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"f.{fmt}", fmt, *extra)
    inv = inventory_of(dump)
    assert {t.name: t.rows for t in inv.catalog.tables.values()} == {"a": 50, "b": 20}
    result = restore(inv, scratch_server, database=fresh_db, jobs=2)
    _assert_clean(result)
    if fmt != "plain":
        assert result.tool.endswith(" -j 2") is parallel


def test_custom_archive_written_to_a_pipe_restores_without_jobs(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    assert scratch_server.install is not None
    with source_db(scratch_server, SQL) as src:
        piped = tmp_path / "piped.dump"
        # Written to a pipe, pg_dump cannot seek back to record data offsets in the TOC.
        dump = subprocess.run(
            [str(scratch_server.install.binary("pg_dump")), "-Fc", scratch_server.dsn(src)],
            check=True,
            capture_output=True,
        )
        piped.write_bytes(dump.stdout)
        seekable = pg_dump(scratch_server, src, tmp_path / "file.dump", "custom")
    assert custom_has_offsets(seekable) and not custom_has_offsets(piped)
    result = restore(inventory_of(piped), scratch_server, database=fresh_db, jobs=2)
    _assert_clean(result)
    assert "-j" not in result.tool


def test_restore_creates_its_own_database_when_none_given(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    from dumpcheck.scratch import drop_database

    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "c.dump", "custom")
    result = restore(inventory_of(dump), scratch_server)
    try:
        assert is_our_database(result.database)
        _assert_clean(result)
    finally:
        drop_database(scratch_server, result.database)


def test_plain_dump_with_create_restores_into_our_database(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "create.sql", "plain", "--create")
        text = dump.read_text()
        assert f"CREATE DATABASE {src}" in text and f"\\connect {src}" in text
    with psycopg.connect(scratch_server.conninfo) as conn:
        before = conn.execute("SELECT array_agg(datname ORDER BY 1) FROM pg_database").fetchone()
    result = restore(inventory_of(dump), scratch_server, database=fresh_db)
    _assert_clean(result)
    assert int(result.extra["skipped"]) >= 1  # CREATE DATABASE / ALTER DATABASE, never run
    with psycopg.connect(scratch_server.conninfo) as conn:
        after = conn.execute("SELECT array_agg(datname ORDER BY 1) FROM pg_database").fetchone()
    assert after == before  # no database created besides the ones we made


def test_plain_script_switching_databases_is_bad_input(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "create.sql", "plain", "--create")
    inv = inventory_of(dump)
    # What a pg_dumpall script does next: connect to a second database.
    with dump.open("a") as f:
        f.write("\\connect other_database\n\nCREATE TABLE elsewhere (id integer);\n")
    with pytest.raises(BadInputError, match="switches to another database"):
        restore(inv, scratch_server, database=fresh_db)


def test_server_without_local_binaries_uses_an_installed_pg_restore(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    # A --scratch-dsn / docker server: its binaries are elsewhere (install None), so the local
    # pg_restore of a major that can read the dump runs against its conninfo.
    import dataclasses

    remote = dataclasses.replace(scratch_server, backend="dsn", install=None, pid=None)
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "r.dump", "custom")
    result = restore(inventory_of(dump), remote, database=fresh_db)
    _assert_clean(result)
    assert result.tool.startswith(f"pg_restore {scratch_server.major}.")


def test_failure_inside_a_transaction_block_is_root_of_the_aborted_rest(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    # pg_dump writes large objects' data inside BEGIN ... COMMIT in plain dumps.
    with source_db(scratch_server, "CREATE TABLE t (id integer);") as src:
        dump = pg_dump(scratch_server, src, tmp_path / "tx.sql", "plain")
    text = dump.read_text()
    block = "BEGIN;\nSELECT no_such_function();\nINSERT INTO public.t VALUES (1);\nCOMMIT;\n"
    dump.write_text(
        text.replace(
            "SET default_table_access_method", block + "SET default_table_access_method", 1
        )
    )
    result = restore(inventory_of(dump), scratch_server, database=fresh_db)
    first, second = result.errors
    assert (first.sqlstate, first.severity, first.root_cause_id) == ("42883", "other", None)
    assert (second.sqlstate, second.severity, second.root_cause_id) == (
        "25P02",
        "secondary",
        first.id,
    )


def test_plain_dump_of_sql_ascii_database_with_high_bytes(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    # Old databases are often SQL_ASCII with Latin-1 bytes inside; the dump then says
    # SET client_encoding = 'SQL_ASCII' and its bytes must reach the server unchanged.
    from psycopg import sql

    from dumpcheck.scratch import drop_database
    from dumpcheck.scratch.databases import new_database_name

    src = new_database_name()
    with psycopg.connect(scratch_server.conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' "
                "LC_CTYPE 'C'"
            ).format(sql.Identifier(src))
        )
    try:
        with psycopg.connect(scratch_server.dsn(src), autocommit=True) as conn:
            conn.execute("CREATE TABLE caf (id integer, name text DEFAULT E'caf\\351')")
            conn.execute("COMMENT ON TABLE caf IS E'men\\372'")
            conn.execute("INSERT INTO caf VALUES (1, E'\\351t\\351')")
        dump = pg_dump(scratch_server, src, tmp_path / "ascii.sql", "plain")
    finally:
        drop_database(scratch_server, src)
    assert b"caf\xe9" in dump.read_bytes()
    inv = inventory_of(dump)
    assert inv.facts.encoding == "SQL_ASCII"
    # Into a UTF8 database the server rejects the bytes, as it would for any client.
    into_utf8 = restore(inv, scratch_server, database=fresh_db)
    assert {e.sqlstate for e in into_utf8.errors} >= {"22021"}
    # restore() makes its own database in the dump's encoding: everything arrives.
    result = restore(inv, scratch_server)
    try:
        assert result.errors == ()
        table = result.catalog.table("public", "caf")
        assert table is not None and table.rows == 1
        with psycopg.connect(scratch_server.dsn(result.database)) as conn:
            row = conn.execute(
                "SELECT pg_encoding_to_char(encoding) FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()
            comment = conn.execute(
                "SELECT convert_to(obj_description('public.caf'::regclass), 'SQL_ASCII')"
            ).fetchone()
        assert row == (b"SQL_ASCII",)  # psycopg returns a SQL_ASCII database's text as bytes
        assert comment is not None and bytes(comment[0]) == b"men\xfa"
    finally:
        drop_database(scratch_server, result.database)
