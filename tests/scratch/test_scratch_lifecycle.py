"""Real local scratch servers: start, stop, and cleanup on exceptions, signals and SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from dumpcheck.errors import DumpcheckError, ScratchServerError
from dumpcheck.scratch import check_server_alive, open_scratch
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.sweep import pid_alive, sweep_stale

CHILD = """
import json, sys, time
from dumpcheck.scratch import open_scratch
with open_scratch() as server:
    print(json.dumps({"root": str(server.socket_dir), "pid": server.pid}), flush=True)
    time.sleep(120)
"""


def _no_server(exc: DumpcheckError) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no scratch PostgreSQL under CI=true: {exc.one_line()}", pytrace=False)
    pytest.skip(f"no scratch PostgreSQL: {exc.one_line()}")


def processes_in(root: Path) -> list[int]:
    """Live (non-zombie) processes whose working directory is inside ``root``: postgres runs
    with cwd = PGDATA, so this finds the postmaster and every backend of that cluster."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd.startswith(str(root)) and pid_alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def wait_until(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def start_child(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, int]:
    """A python process that opens a scratch server and sleeps; returns (proc, root, pid)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        stderr = proc.stderr.read() if proc.stderr else ""
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "child exited"
        _no_server(ScratchServerError(last))
    info = json.loads(line)
    return proc, Path(info["root"]), int(info["pid"])


def test_start_answer_stop_removes_everything() -> None:
    try:
        with open_scratch() as server:
            assert server.socket_dir is not None and server.pid is not None
            root, pid = server.socket_dir, server.pid
            assert len(str(root / ".s.PGSQL.5432")) <= 107
            with psycopg.connect(server.conninfo) as conn:
                settings: dict[str, str] = dict(
                    conn.execute(
                        "select name, setting from pg_settings where name in"
                        " ('fsync','full_page_writes','synchronous_commit','wal_level',"
                        "  'autovacuum','listen_addresses','max_wal_senders','data_checksums')"
                    ).fetchall()
                )
            assert processes_in(root)
    except DumpcheckError as exc:
        _no_server(exc)
    assert settings == {
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        "wal_level": "minimal",
        "autovacuum": "off",
        "listen_addresses": "",
        "max_wal_senders": "0",
        "data_checksums": "off",  # initdb 18 turns them on unless told not to
    }
    assert not root.exists()
    assert not pid_alive(pid)
    assert processes_in(root) == []


def test_exception_inside_the_block_still_cleans_up() -> None:
    seen: list[ScratchServer] = []
    with pytest.raises(RuntimeError, match="boom"):
        try:
            with open_scratch() as server:
                seen.append(server)
                raise RuntimeError("boom")
        except DumpcheckError as exc:
            _no_server(exc)
    assert seen[0].socket_dir is not None and seen[0].pid is not None
    assert not seen[0].socket_dir.exists()
    assert not pid_alive(seen[0].pid)


@pytest.mark.parametrize(
    ("sig", "codes"), [(signal.SIGTERM, {143}), (signal.SIGINT, {-signal.SIGINT, 130})]
)
def test_sigterm_and_sigint_stop_the_server_and_delete_it(
    tmp_path: Path, sig: signal.Signals, codes: set[int]
) -> None:
    proc, root, pid = start_child(tmp_path)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) in codes
    assert not root.exists()
    assert not pid_alive(pid)


def test_sigkill_leaves_no_server_and_the_next_run_sweeps(tmp_path: Path) -> None:
    proc, root, pid = start_child(tmp_path)
    proc.kill()
    proc.wait()
    # The parent-death signal (prctl PR_SET_PDEATHSIG) stops the postmaster and its backends.
    assert wait_until(lambda: not pid_alive(pid) and not processes_in(root)), processes_in(root)
    assert root.exists()  # nobody deleted it: the next run must
    try:
        with open_scratch():
            assert not root.exists()
    except DumpcheckError as exc:
        _no_server(exc)


def test_sweep_never_removes_a_live_server() -> None:
    try:
        with open_scratch() as server:
            assert server.socket_dir is not None
            removed = sweep_stale()
            assert server.socket_dir not in removed
            assert server.socket_dir.exists()
            with psycopg.connect(server.conninfo) as conn:
                assert conn.execute("select 1").fetchone() == (1,)
    except DumpcheckError as exc:
        _no_server(exc)


def test_keep_leaves_the_server_running_and_unswept() -> None:
    try:
        with open_scratch(keep=True) as server:
            pass
    except DumpcheckError as exc:
        _no_server(exc)
    assert server.socket_dir is not None and server.pid is not None
    try:
        assert pid_alive(server.pid)
        assert server.socket_dir not in sweep_stale()
        with psycopg.connect(server.conninfo) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        os.kill(server.pid, signal.SIGQUIT)
        wait_until(lambda: not pid_alive(server.pid or 0))
        sweep_stale()
    assert not server.socket_dir.exists()


def test_dead_server_is_reported_with_its_log_tail() -> None:
    try:
        with open_scratch() as server:
            assert server.pid is not None
            check_server_alive(server)
            os.kill(server.pid, signal.SIGKILL)
            assert wait_until(lambda: not pid_alive(server.pid or 0))
            with pytest.raises(ScratchServerError, match=r"died; server log tail: .*ready") as info:
                check_server_alive(server)
            assert info.value.exit_code == 3
            assert "\n" not in info.value.one_line()
    except DumpcheckError as exc:
        _no_server(exc)
