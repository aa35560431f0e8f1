"""Fault mapping: disk full (SQLSTATE 53100) and log tails."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dumpcheck.errors import DiskFullError
from dumpcheck.scratch.faults import classify_db_error, disk_full_error, log_tail
from dumpcheck.scratch.model import ScratchServer

# Verbatim str() of the psycopg error from a PostgreSQL 18 server whose tablespace filled up
# (mdextend() in src/backend/storage/smgr/md.c), as the tmpfs test below produces it.
REAL_MESSAGE = (
    'could not extend file "pg_tblspc/16385/PG_18_202506291/16384/16386":'
    " No space left on device\nHINT:  Check free disk space."
)


def test_real_disk_full_message_maps_to_disk_full_error() -> None:
    error = disk_full_error(REAL_MESSAGE, "53100")
    assert isinstance(error, DiskFullError)
    assert error.exit_code == 3
    assert str(error) == (
        "the scratch server ran out of disk space: could not extend file"
        ' "pg_tblspc/16385/PG_18_202506291/16384/16386": No space left on device'
    )
    assert disk_full_error(REAL_MESSAGE) is not None  # pg_restore stderr carries no SQLSTATE
    assert disk_full_error('relation "products" does not exist', "42P01") is None


def test_log_tail_is_one_line_of_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {n}\n" for n in range(40)))
    assert log_tail(log, 3) == "line 37 | line 38 | line 39"
    assert "unreadable" in log_tail(tmp_path / "missing.log")


@contextlib.contextmanager
def small_tmpfs(owner: str) -> Iterator[Path]:
    """A 4 MB tmpfs owned by the server user, or skip where the sandbox cannot mount one."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mountpoint = Path(tempfile.mkdtemp(prefix="dctest-tmpfs-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mountpoint)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        shutil.chown(mountpoint, owner, owner)
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        mountpoint.rmdir()


@pytest.mark.root
def test_full_tablespace_raises_disk_full(scratch_server: ScratchServer, fresh_db: str) -> None:
    assert scratch_server.socket_dir is not None
    owner = scratch_server.socket_dir.owner()
    with (
        small_tmpfs(owner) as space,
        psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn,
    ):
        conn.execute(f"CREATE TABLESPACE dumpcheck_small LOCATION '{space}'")
        try:
            conn.execute("CREATE TABLE filler (t text) TABLESPACE dumpcheck_small")
            with pytest.raises(psycopg.Error) as info:
                conn.execute(
                    "INSERT INTO filler SELECT repeat(md5(g::text), 30)"
                    " FROM generate_series(1, 200000) g"
                )
            mapped = classify_db_error(info.value)
            assert isinstance(mapped, DiskFullError), info.value
            assert info.value.sqlstate == "53100"
            assert "No space left on device" in str(mapped)
        finally:
            conn.execute("DROP TABLE IF EXISTS filler")
            conn.execute("DROP TABLESPACE dumpcheck_small")
