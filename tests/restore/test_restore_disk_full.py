"""Out of disk space during a restore: exit 3 with a message that says so (real ENOSPC on tmpfs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.errors import EXIT_ENVIRONMENT, DiskFullError
from dumpcheck.restore import restore
from dumpcheck.scratch import drop_database
from dumpcheck.scratch.databases import new_database_name
from dumpcheck.scratch.model import ScratchServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BIG = """
CREATE TABLE big (id integer, payload text);
INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 250000) g;
"""


@pytest.fixture
def small_tablespace(scratch_server: ScratchServer) -> Iterator[str]:
    """A 24 MB tmpfs mounted as a tablespace of the scratch server (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the disk-full mapping has a unit test")
    mount = Path(tempfile.mkdtemp(prefix="dumpcheck-tmpfs-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    mount.chmod(0o755)
    shutil.chown(mount, "postgres" if _has_user("postgres") else "nobody")
    name = f"dumpcheck_small_{mount.name[-8:].lower().replace('-', '_')}"
    try:
        with psycopg.connect(scratch_server.conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE TABLESPACE {} LOCATION {}").format(
                    sql.Identifier(name), sql.Literal(str(mount))
                )
            )
        yield name
        with psycopg.connect(scratch_server.conninfo, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP TABLESPACE {}").format(sql.Identifier(name)))
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.mark.parametrize("fmt", ["plain", "custom"])
@pytest.mark.root
def test_disk_full_during_restore_is_environment_failure(
    scratch_server: ScratchServer, small_tablespace: str, tmp_path: Path, fmt: str
) -> None:
    with source_db(scratch_server, BIG) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"big.{fmt}", fmt)
    db = new_database_name()
    with psycopg.connect(scratch_server.conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 TABLESPACE {}").format(
                sql.Identifier(db), sql.Identifier(small_tablespace)
            )
        )
    try:
        with pytest.raises(DiskFullError) as info:
            restore(inventory_of(dump), scratch_server, database=db)
    finally:
        drop_database(scratch_server, db)
    assert info.value.exit_code == EXIT_ENVIRONMENT
    assert "ran out of disk space" in str(info.value)
    assert "No space left on device" in str(info.value)
