"""A server that cannot start: one clear error naming the program, and nothing left behind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dumpcheck.errors import DumpcheckError, ScratchServerError
from dumpcheck.scratch import open_scratch
from dumpcheck.scratch.local import local_server
from dumpcheck.scratch.model import PgInstall, ScratchServer
from dumpcheck.scratch.runner import CommandFailedError
from dumpcheck.scratch.sweep import OWNER_FILE, pid_alive

INITDB_OK = """#!/bin/sh
# fake initdb: -D <dir> ...; makes the data directory and an empty postgresql.conf
mkdir -p "$2" && touch "$2/postgresql.conf"
"""


@pytest.fixture
def fake_bindir() -> Iterator[Path]:
    # Not under tmp_path: as root the server user must traverse every parent (pytest's is 0700).
    bindir = Path(tempfile.mkdtemp(prefix="dctest-bin-"))
    bindir.chmod(0o755)
    try:
        yield bindir
    finally:
        shutil.rmtree(bindir)


def write(bindir: Path, name: str, body: str) -> None:
    (bindir / name).write_text(body)
    (bindir / name).chmod(0o755)


def my_leftovers() -> list[Path]:
    """Scratch dirs this process made whose server is not running (a live one is the session's)."""
    found = []
    for directory in Path("/tmp").glob("dumpcheck-*"):
        try:
            owner = json.loads((directory / OWNER_FILE).read_text())["pid"]
        except (OSError, ValueError, KeyError):
            continue
        pidfile = directory / "data" / "postmaster.pid"
        running = pidfile.exists() and pid_alive(int(pidfile.read_text().split()[0]))
        if owner == os.getpid() and not running:
            found.append(directory)
    return found


def test_initdb_failure_names_initdb_and_its_major(fake_bindir: Path) -> None:
    write(fake_bindir, "initdb", "#!/bin/sh\necho 'initdb: error: out of luck' >&2\nexit 1\n")
    install = PgInstall(99, "99.0", fake_bindir, "test")
    with pytest.raises(CommandFailedError) as info, local_server(install):
        pass
    assert info.value.one_line() == (
        "initdb (PostgreSQL 99) exited with status 1: initdb: error: out of luck"
    )
    assert info.value.exit_code == 3
    assert my_leftovers() == []


def test_postmaster_exit_at_start_reports_the_log_tail(fake_bindir: Path) -> None:
    write(fake_bindir, "initdb", INITDB_OK)
    write(
        fake_bindir,
        "postgres",
        "#!/bin/sh\necho 'FATAL:  could not create shared memory segment: No space left' >&2\n"
        "exit 1\n",
    )
    install = PgInstall(99, "99.0", fake_bindir, "test")
    with pytest.raises(ScratchServerError) as info, local_server(install):
        pass
    assert info.value.one_line() == (
        "scratch PostgreSQL 99 exited with status 1 while starting; server log tail:"
        " FATAL: could not create shared memory segment: No space left"
    )
    assert my_leftovers() == []


def test_server_opened_in_a_short_lived_thread_outlives_the_thread() -> None:
    # PR_SET_PDEATHSIG follows the forking *thread*; the spawner thread keeps the server alive.
    opened: list[ScratchServer] = []
    errors: list[DumpcheckError] = []
    stack = []

    def worker() -> None:
        try:
            context = open_scratch()
            opened.append(context.__enter__())
            stack.append(context)
        except DumpcheckError as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    if errors:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(errors[0].one_line())
        pytest.skip(errors[0].one_line())
    server = opened[0]
    try:
        assert server.pid is not None
        with psycopg.connect(server.conninfo) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert pid_alive(server.pid)
    finally:
        stack[0].__exit__(None, None, None)
    assert not pid_alive(server.pid)


@pytest.mark.root
def test_unreachable_bindir_as_root_is_explained(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root runs the server as another user")
    hidden = tmp_path / "hidden"
    hidden.mkdir(mode=0o700)
    bindir = hidden / "bin"
    bindir.mkdir()
    write(bindir, "initdb", INITDB_OK)
    unreachable = PgInstall(99, "99.0", bindir, "test")
    expected = r"cannot reach .*hidden/bin.*chmod o\+x"
    with pytest.raises(ScratchServerError, match=expected), local_server(unreachable):
        pass
    assert my_leftovers() == []
