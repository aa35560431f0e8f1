"""Faults a real restore meets, built with real pg_dump, each classified and attributed exactly."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.catalog import QualifiedName
from dumpcheck.restore import restore
from dumpcheck.restore.model import RestoreError, RestoreResult
from dumpcheck.scratch.model import ScratchServer

pytestmark = pytest.mark.postgres

BOTH = pytest.mark.parametrize("fmt", ["plain", "custom"])


def _restore(server: ScratchServer, db: str, path: Path, **kw: object) -> RestoreResult:
    # One pg_restore worker: these tests pin exact attribution, and under -j the workers'
    # stderr pieces interleave in ways no parser can always undo. The -j parsing is covered
    # by real interleaved logs in test_interleaved_log.py and by the -j runs elsewhere.
    kw.setdefault("jobs", 1)
    return restore(inventory_of(path), server, database=db, **kw)  # type: ignore[arg-type]


def _only(result: RestoreResult, statement: str = "", **match: object) -> RestoreError:
    """The one error whose fields equal ``match`` and whose statement starts with ``statement``."""
    found = [
        e
        for e in result.errors
        if all(getattr(e, k) == v for k, v in match.items())
        and (e.statement or "").startswith(statement)
    ]
    assert len(found) == 1, (match, result.errors)
    return found[0]


def _rows(result: RestoreResult, name: str) -> int | None:
    table = result.catalog.table("public", name)
    assert table is not None, f"{name} not restored"
    return table.rows


# -- a missing extension ---------------------------------------------------------------------


@pytest.fixture
def extension_dir() -> Iterator[Path]:
    """A pure-SQL extension that only the SOURCE session can see (PG 18 extension_control_path)."""
    base = Path(tempfile.mkdtemp(prefix="dumpcheck-ext-"))
    (base / "extension").mkdir()
    (base / "extension" / "dctest.control").write_text(
        "comment = 'dumpcheck test extension'\ndefault_version = '1.0'\nrelocatable = true\n"
    )
    (base / "extension" / "dctest--1.0.sql").write_text("CREATE DOMAIN dctext AS text;\n")
    for p in (base, base / "extension", *(base / "extension").iterdir()):
        p.chmod(0o755)  # the server runs as another user (postgres / nobody)
    yield base
    shutil.rmtree(base)


EXTENSION_SQL = """
CREATE EXTENSION dctest;
COMMENT ON EXTENSION dctest IS 'the source has it';
CREATE TABLE users (id integer PRIMARY KEY, email dctext);
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));
CREATE TABLE notes (id integer PRIMARY KEY, body text);
INSERT INTO users VALUES (1, 'a'), (2, 'b');
INSERT INTO orders VALUES (1, 1), (2, 2);
INSERT INTO notes VALUES (1, 'kept');
"""


@BOTH
def test_missing_extension_is_the_root_of_its_tables_failure(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, extension_dir: Path, fmt: str
) -> None:
    setup = f"SET extension_control_path = '{extension_dir}:$system'"
    with source_db(scratch_server, EXTENSION_SQL, setup=setup) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"ext.{fmt}", fmt)
    result = _restore(scratch_server, fresh_db, dump)

    assert [(p.kind, p.name) for p in result.preflight] == [("missing_extension", "dctest")]
    ext = _only(result, object_type="EXTENSION")
    assert (ext.severity, ext.sqlstate, ext.root_cause_id) == ("fatal", "0A000", None)
    assert ext.message == 'extension "dctest" is not available'
    users = QualifiedName("public", "users")
    create = _only(result, object_type="TABLE", table=users, sqlstate="42704")
    assert create.message == 'type "public.dctext" does not exist'
    assert (create.severity, create.root_cause_id) == ("secondary", ext.id)
    copy = _only(result, object_type="TABLE DATA", table=users)
    assert (copy.severity, copy.root_cause_id) == ("secondary", ext.id)
    fk = _only(result, object_type="FK CONSTRAINT")
    assert (fk.severity, fk.root_cause_id, fk.table) == (
        "secondary", ext.id, QualifiedName("public", "orders"),
    )  # fmt: skip
    assert _only(result, object_type="COMMENT").severity == "harmless"
    assert all(e.severity != "fatal" or e.id == ext.id for e in result.errors)
    assert result.catalog.table("public", "users") is None
    assert (_rows(result, "orders"), _rows(result, "notes")) == (2, 1)


# -- roles -----------------------------------------------------------------------------------


@BOTH
def test_missing_roles_are_created_nologin_and_ownership_restored(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    role = f"dc_owner_{fmt}_{fresh_db[-6:]}"
    reader = f"dc_reader_{fmt}_{fresh_db[-6:]}"
    sql = f"""
    CREATE ROLE {role}; CREATE ROLE {reader};
    CREATE TABLE owned (id integer PRIMARY KEY);
    ALTER TABLE owned OWNER TO {role};
    GRANT SELECT ON owned TO {reader};
    INSERT INTO owned VALUES (1);
    """
    with source_db(scratch_server, sql) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"roles.{fmt}", fmt)
        with psycopg.connect(scratch_server.dsn(src), autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}, {reader}")
            conn.execute(f"DROP ROLE {role}")
            conn.execute(f"DROP ROLE {reader}")
    result = _restore(scratch_server, fresh_db, dump)

    assert result.errors == ()
    assert result.extra["created_roles"] == ",".join(sorted([role, reader]))
    with psycopg.connect(scratch_server.dsn(fresh_db)) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'owned'"
        ).fetchone()
        login = conn.execute(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (role,)
        ).fetchone()
        granted = conn.execute(
            "SELECT has_table_privilege(%s, 'public.owned', 'SELECT')", (reader,)
        ).fetchone()
    assert (owner, login, granted) == ((role,), (False,), (True,))
    assert _rows(result, "owned") == 1


@BOTH
def test_no_owner_passes_through(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    role = f"dc_noowner_{fmt}_{fresh_db[-6:]}"
    sql = f"CREATE ROLE {role}; CREATE TABLE t (id integer); ALTER TABLE t OWNER TO {role};"
    with source_db(scratch_server, sql) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"o.{fmt}", fmt)
    result = _restore(scratch_server, fresh_db, dump, no_owner=True)
    assert result.errors == ()
    with psycopg.connect(scratch_server.dsn(fresh_db)) as conn:
        row = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 't'").fetchone()
    assert row is not None and row[0] != role


# -- a failing CREATE SCHEMA -----------------------------------------------------------------

SCHEMA_SQL = """
CREATE SCHEMA abcd;
CREATE TABLE abcd.inside (id integer PRIMARY KEY);
CREATE TABLE outside (id integer PRIMARY KEY);
INSERT INTO abcd.inside VALUES (1);
INSERT INTO outside VALUES (1);
"""


@BOTH
def test_failing_create_schema_is_root_of_everything_inside(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    with source_db(scratch_server, SCHEMA_SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"schema.{fmt}", fmt)
    # The dump's CREATE SCHEMA is edited (same length, so the archive stays valid) to a name the
    # server refuses: the "pg_" prefix is reserved (42939, "unacceptable schema name").
    data = dump.read_bytes()
    assert data.count(b"CREATE SCHEMA abcd;") == 1
    dump.write_bytes(data.replace(b"CREATE SCHEMA abcd;", b"CREATE SCHEMA pg_x;"))
    result = _restore(scratch_server, fresh_db, dump)

    schema = _only(result, object_type="SCHEMA", sqlstate="42939")
    assert (schema.severity, schema.root_cause_id) == ("fatal", None)
    inside = QualifiedName("abcd", "inside")
    create = _only(result, "CREATE TABLE abcd.inside", object_type="TABLE", table=inside)
    assert create.sqlstate == "3F000"
    assert (create.severity, create.root_cause_id) == ("secondary", schema.id)
    for e in result.errors:
        if e.id != schema.id:
            assert (e.severity, e.root_cause_id) == ("secondary", schema.id), e
    assert _rows(result, "outside") == 1


# -- COPY rejected by the server -------------------------------------------------------------


@BOTH
def test_malformed_copy_row_leaves_table_empty(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    sql = """
    CREATE TABLE m (id integer, v text);
    INSERT INTO m VALUES (1, 'fine'), (2, 'MALFORMED_ROW'), (3, 'fine');
    CREATE TABLE other (id integer); INSERT INTO other VALUES (1);
    """
    with source_db(scratch_server, sql) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"m.{fmt}", fmt, "-Z0")
    data = dump.read_bytes()
    assert data.count(b"2\tMALFORMED_ROW\n") == 1
    dump.write_bytes(data.replace(b"2\tMALFORMED_ROW\n", b"2\tMALFORMED\tROW\n"))
    result = _restore(scratch_server, fresh_db, dump)

    err = _only(result, table=QualifiedName("public", "m"))
    assert (err.severity, err.sqlstate, err.root_cause_id) == ("fatal", "22P04", None)
    assert err.message == "extra data after last expected column"
    assert err.statement is not None and err.statement.startswith("COPY public.m ")
    assert "MALFORMED" not in (err.statement or "")  # never the row data
    assert (_rows(result, "m"), _rows(result, "other")) == (0, 1)
    assert len(result.errors) == 1


def _flip_catalog(server: ScratchServer, db: str, sql: str) -> None:
    """Edit the source's catalog so that it holds data its own constraints forbid.

    Real dumps carry such data after collation changes or catalog accidents; here
    allow_system_table_mods (superuser, PGC_SUSET) makes it reproducible.
    """
    with psycopg.connect(server.dsn(db), autocommit=True) as conn:
        conn.execute("SET allow_system_table_mods = on")
        conn.execute(sql)


@BOTH
def test_not_null_violation_in_copy(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    with source_db(scratch_server, "CREATE TABLE nn (id integer, note text NOT NULL);") as src:
        _flip_catalog(scratch_server, src, "UPDATE pg_attribute SET attnotnull = false "
                      "WHERE attrelid = 'nn'::regclass AND attname = 'note'")  # fmt: skip
        with psycopg.connect(scratch_server.dsn(src), autocommit=True) as conn:
            conn.execute("INSERT INTO nn VALUES (1, 'a'), (2, NULL)")
        _flip_catalog(scratch_server, src, "UPDATE pg_attribute SET attnotnull = true "
                      "WHERE attrelid = 'nn'::regclass AND attname = 'note'")  # fmt: skip
        dump = pg_dump(scratch_server, src, tmp_path / f"nn.{fmt}", fmt)
    result = _restore(scratch_server, fresh_db, dump)

    err = _only(result, table=QualifiedName("public", "nn"))
    assert (err.severity, err.sqlstate, err.object_type) == ("fatal", "23502", "TABLE DATA")
    assert err.detail == "Failing row contains (2, null)."
    assert _rows(result, "nn") == 0


DUP_SQL = """
CREATE TABLE dup (id integer PRIMARY KEY, v text);
CREATE TABLE dup_ref (id integer PRIMARY KEY, dup_id integer REFERENCES dup (id));
"""


@BOTH
def test_duplicate_pk_keeps_rows_loses_pk_and_referencing_fks(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    with source_db(scratch_server, DUP_SQL) as src:
        _flip_catalog(scratch_server, src, "UPDATE pg_index SET indisunique = false "
                      "WHERE indexrelid = 'dup_pkey'::regclass")  # fmt: skip
        with psycopg.connect(scratch_server.dsn(src), autocommit=True) as conn:
            conn.execute("INSERT INTO dup VALUES (1, 'a'), (1, 'b'), (2, 'c')")
            conn.execute("INSERT INTO dup_ref VALUES (1, 2)")
        _flip_catalog(scratch_server, src, "UPDATE pg_index SET indisunique = true "
                      "WHERE indexrelid = 'dup_pkey'::regclass")  # fmt: skip
        dump = pg_dump(scratch_server, src, tmp_path / f"dup.{fmt}", fmt)
    result = _restore(scratch_server, fresh_db, dump)

    pk = _only(result, object_type="CONSTRAINT")
    assert (pk.severity, pk.sqlstate, pk.table) == (
        "fatal",
        "23505",
        QualifiedName("public", "dup"),
    )
    assert pk.detail == "Key (id)=(1) is duplicated."
    fk = _only(result, object_type="FK CONSTRAINT")
    assert (fk.severity, fk.root_cause_id, fk.sqlstate) == ("secondary", pk.id, "42830")
    assert fk.table == QualifiedName("public", "dup_ref")
    dup = result.catalog.table("public", "dup")
    ref = result.catalog.table("public", "dup_ref")
    assert dup is not None and ref is not None
    assert (dup.rows, dup.primary_key, ref.rows, ref.foreign_keys) == (3, None, 1, ())
    if fmt == "custom":
        # Counted from the printed errors; pg_restore's own summary over-counts under -j.
        assert result.extra["pg_restore_errors_printed"] == "2"


@BOTH
def test_fk_violation_is_other_and_rows_stay(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    sql = """
    CREATE TABLE parent (id integer PRIMARY KEY);
    CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));
    SET session_replication_role = replica;  -- what a replica or a careless bulk load does
    INSERT INTO child VALUES (1, 99);
    """
    with source_db(scratch_server, sql) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"fk.{fmt}", fmt)
    result = _restore(scratch_server, fresh_db, dump)

    (err,) = result.errors
    assert (err.severity, err.sqlstate, err.object_type) == ("other", "23503", "FK CONSTRAINT")
    assert err.detail == 'Key (parent_id)=(99) is not present in table "parent".'
    assert err.table == QualifiedName("public", "child")
    assert _rows(result, "child") == 1


# -- schema-only and data-only ---------------------------------------------------------------

SIMPLE_SQL = """
CREATE TABLE a (id integer PRIMARY KEY, v text);
CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));
INSERT INTO a VALUES (1, 'x'), (2, 'y');
INSERT INTO b VALUES (1, 1);
"""


@BOTH
def test_schema_only_dump_restores_empty_tables(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    with source_db(scratch_server, SIMPLE_SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"s.{fmt}", fmt, "--schema-only")
    result = _restore(scratch_server, fresh_db, dump)
    assert result.errors == ()
    b = result.catalog.table("public", "b")
    assert b is not None and b.rows == 0 and len(b.foreign_keys) == 1
    assert _rows(result, "a") == 0


@BOTH
def test_data_only_dump_into_empty_database_fails_every_copy(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    with source_db(scratch_server, SIMPLE_SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"d.{fmt}", fmt, "--data-only")
    result = _restore(scratch_server, fresh_db, dump)
    # One root per table (its COPY, or for archives the DISABLE TRIGGER that
    # --disable-triggers puts before it); the rest of that table's data entry hangs off it.
    roots = {e.id: e for e in result.errors if e.root_cause_id is None}
    assert sorted((e.table, e.severity, e.sqlstate) for e in roots.values()) == [
        (QualifiedName("public", "a"), "fatal", "42P01"),
        (QualifiedName("public", "b"), "fatal", "42P01"),
    ]
    for e in result.errors:
        if e.root_cause_id is not None:
            assert e.severity == "secondary" and roots[e.root_cause_id].table == e.table
    assert result.catalog.tables == {}


def test_data_only_dump_into_existing_schema(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with source_db(scratch_server, SIMPLE_SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.dump", "custom", "--data-only")
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SIMPLE_SQL.split("INSERT")[0])
    result = _restore(scratch_server, fresh_db, dump)
    assert result.errors == ()
    assert (_rows(result, "a"), _rows(result, "b")) == (2, 1)
