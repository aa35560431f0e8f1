"""An extension the scratch server lists but cannot create is a preflight finding, like a
missing one: pg_available_extensions only sees control files, not whether the library loads."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.restore import restore
from dumpcheck.restore.preflight import _MISSING_LIBRARY
from dumpcheck.scratch.model import ScratchServer

CONTROL = "comment = 'dumpcheck test'\ndefault_version = '1.0'\nrelocatable = true\n"


@pytest.fixture
def two_extension_dirs() -> Iterator[tuple[Path, Path]]:
    """dclib in two versions: pure SQL for the source, a C function without its library for
    the restore (as the embedded server's uuid-ossp.so without libossp-uuid16)."""
    roots = []
    for script in (
        "CREATE DOMAIN dclib_text AS text;\n",
        "CREATE DOMAIN dclib_text AS text;\n"
        "CREATE FUNCTION dclib_f() RETURNS int AS '$libdir/dclib_missing', 'f' LANGUAGE C;\n",
    ):
        base = Path(tempfile.mkdtemp(prefix="dumpcheck-ext-"))
        (base / "extension").mkdir()
        (base / "extension" / "dclib.control").write_text(CONTROL)
        (base / "extension" / "dclib--1.0.sql").write_text(script)
        for p in (base, base / "extension", *(base / "extension").iterdir()):
            p.chmod(0o755)  # the server runs as another user (postgres / nobody)
        roots.append(base)
    yield roots[0], roots[1]
    for base in roots:
        shutil.rmtree(base)


def test_listed_but_uncreatable_extension_is_found_before_the_restore(
    scratch_server: ScratchServer,
    fresh_db: str,
    tmp_path: Path,
    two_extension_dirs: tuple[Path, Path],
) -> None:
    source_dir, restore_dir = two_extension_dirs
    sql = "CREATE EXTENSION dclib; CREATE TABLE t (id integer PRIMARY KEY, v dclib_text);"
    setup = f"SET extension_control_path = '{source_dir}:$system'"
    with source_db(scratch_server, sql, setup=setup) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.dump", "custom")
    with psycopg.connect(scratch_server.conninfo + " dbname=postgres", autocommit=True) as conn:
        conn.execute(
            f"ALTER DATABASE {fresh_db} SET extension_control_path = '{restore_dir}:$system'"
        )
    result = restore(inventory_of(dump), scratch_server, database=fresh_db, jobs=1)
    [finding] = result.preflight
    assert (finding.kind, finding.name) == ("missing_extension", "dclib")
    assert "is on the scratch server but cannot be created" in finding.message
    assert "dclib_missing" in finding.message
    ext = next(e for e in result.errors if e.object_type == "EXTENSION")
    table = next(e for e in result.errors if e.object_type == "TABLE")
    assert table.root_cause_id == ext.id
    # The probe was rolled back: nothing of it is left in the database.
    with psycopg.connect(scratch_server.dsn(fresh_db)) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'dclib_f'"
        ).fetchone() == (0,)


def test_the_missing_system_library_is_named() -> None:
    # The real message of the wheel's uuid-ossp on a machine without libossp-uuid16.
    message = (
        'could not load library "/var/cache/dumpcheck/pg/18.6.0/lib/uuid-ossp.so": '
        "libossp-uuid.so.16: cannot open shared object file: No such file or directory"
    )
    m = _MISSING_LIBRARY.search(message)
    assert m is not None and m.group(1) == "libossp-uuid.so.16"
