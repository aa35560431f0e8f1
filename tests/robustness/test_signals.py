"""Ctrl-C and SIGTERM during a restore: the documented exit code, one line, and no scratch
directory, server or database left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dumpcheck.scratch.model import ScratchServer
from tests.robustness._harness import ROOT, SCHEMA, our_databases

# pg_sleep stands in for a long COPY; the header is what pg_dump writes (tests/e2e/test_cli.py).
SLOW_DUMP = (
    "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 18.1\n"
    "-- Dumped by pg_dump version 18.1\n\nSELECT pg_catalog.pg_sleep(60);\n"
)


def _children(pid: int) -> list[int]:
    """The child processes of ``pid``, whichever of its threads started them."""
    kids: list[int] = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(p) for p in path.read_text().split()]
        except OSError:
            continue
    return kids


def _postmaster(pid: int) -> tuple[int, Path] | None:
    """The postmaster process ``pid`` started and its /tmp/dumpcheck-* directory."""
    for child in _children(pid):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"-D" in argv:
            data = Path(argv[argv.index(b"-D") + 1].decode())
            return child, data.parent
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except OSError:
        return False


def _start(dump: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dumpcheck", "verify", str(dump), "--prisma", str(SCHEMA), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        # A shell's background job ignores SIGINT and the child would inherit that: give it
        # the default disposition an interactive Ctrl-C meets.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for(predicate: object, timeout: float, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"verify ended early ({proc.returncode}): {proc.communicate()[1]!r}")
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail("timed out waiting for the restore to start")


def _running(proc: subprocess.Popen[str], command: bytes) -> bool:
    """True once a backend of our postmaster runs ``command``: one titled
    "postgres: postgres dumpcheck_<random> [local] <command>"."""
    found = _postmaster(proc.pid)
    if found is None:
        return False
    for backend in _children(found[0]):
        try:
            title = Path(f"/proc/{backend}/cmdline").read_bytes()
        except OSError:
            continue
        if b" dumpcheck_" in title and title.rstrip(b"\0 ").endswith(command):
            return True
    return False


def _restoring(proc: subprocess.Popen[str]) -> bool:
    """True once the restore's pg_sleep runs."""
    return _running(proc, b"SELECT")


def _copying(proc: subprocess.Popen[str]) -> bool:
    """True once a COPY runs (the parallel plain restore's load)."""
    return _running(proc, b"COPY")


@pytest.mark.parametrize(
    ("sig", "code"),
    # SIGINT is Ctrl-C: KeyboardInterrupt, mapped to 130 (cli/__init__.py, run_command).
    # SIGTERM raises SystemExit(128 + 15) while a scratch server is open (scratch/signals.py).
    [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
)
def test_signal_during_restore_cleans_up(tmp_path: Path, sig: int, code: int) -> None:
    tmp_path.chmod(0o755)
    dump = tmp_path / "slow.sql"
    dump.write_text(SLOW_DUMP)
    dump.chmod(0o644)
    expected = "dumpcheck: interrupted" if sig == signal.SIGINT else "dumpcheck: terminated"
    _signal_and_check(_start(dump), _restoring, sig, code, expected)


def _signal_and_check(
    proc: subprocess.Popen[str],
    ready: Callable[[subprocess.Popen[str]], bool],
    sig: int,
    code: int,
    line: str,
) -> None:
    """Once ``ready(proc)``, send ``sig``: ``proc`` must exit with ``code`` and print only
    ``line``, within 15 s, leaving no scratch directory or server behind."""
    try:
        _wait_for(lambda: ready(proc), 90, proc)
        found = _postmaster(proc.pid)
        assert found is not None
        postmaster, scratch = found
        assert scratch.name.startswith("dumpcheck-"), scratch
        started = time.monotonic()
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [line]
    assert took < 15, f"cleanup took {took:.1f} s"
    assert not scratch.exists(), f"{scratch} left behind"
    assert not _alive(postmaster), "the scratch postgres outlived dumpcheck"


def test_sigint_with_scratch_dsn_drops_its_database(
    tmp_path: Path, scratch_server: ScratchServer
) -> None:
    """On a server dumpcheck did not start, Ctrl-C still drops the dumpcheck_ database."""
    tmp_path.chmod(0o755)
    dump = tmp_path / "slow.sql"
    dump.write_text(SLOW_DUMP)
    dump.chmod(0o644)
    before = our_databases(scratch_server)
    proc = _start(dump, "--scratch-dsn", scratch_server.conninfo)
    try:
        _wait_for(lambda: bool(our_databases(scratch_server) - before), 60, proc)
        time.sleep(1)  # let the restore reach pg_sleep
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["dumpcheck: interrupted"]
    assert our_databases(scratch_server) == before


def _slow_archive(server: ScratchServer, database: str, out: Path) -> None:
    """A custom archive whose restore sleeps in pg_restore's COPY: a CHECK constraint calls a
    function that sleeps unless the session sets dc.fast (only the setup here does)."""
    with psycopg.connect(server.dsn(database), autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION public.slow_ok() RETURNS boolean LANGUAGE sql AS "
            "$$ SELECT CASE WHEN current_setting('dc.fast', true) = '1' THEN true "
            "ELSE pg_catalog.pg_sleep(60) IS NOT NULL END $$"
        )
        conn.execute(
            "CREATE TABLE public.categories (id text PRIMARY KEY CHECK (public.slow_ok()))"
        )
        conn.execute("SET dc.fast = '1'")
        conn.execute("INSERT INTO public.categories VALUES ('a')")
    assert server.install is not None
    subprocess.run(
        [str(server.install.binary("pg_dump")), "-Fc", "-f", str(out), server.dsn(database)],
        check=True,
        capture_output=True,
    )
    out.chmod(0o644)


def test_sigint_during_pg_restore_stops_it_and_drops_the_database(
    tmp_path: Path, scratch_server: ScratchServer, fresh_db: str
) -> None:
    """Ctrl-C while pg_restore loads data: pg_restore dies with us, the database is dropped."""
    tmp_path.chmod(0o755)
    dump = tmp_path / "slow.dump"
    _slow_archive(scratch_server, fresh_db, dump)
    before = our_databases(scratch_server)
    proc = _start(dump, "--scratch-dsn", scratch_server.conninfo)

    def pg_restore_pids() -> list[int]:
        pids = []
        for child in _children(proc.pid):
            with contextlib.suppress(OSError):
                if b"pg_restore" in Path(f"/proc/{child}/cmdline").read_bytes():
                    pids.append(child)
        return pids

    try:
        _wait_for(lambda: bool(pg_restore_pids()), 60, proc)
        restorers = pg_restore_pids()
        time.sleep(1.5)  # let it reach the COPY that sleeps
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["dumpcheck: interrupted"]
    assert not any(_alive(pid) for pid in restorers), "pg_restore outlived dumpcheck"
    assert our_databases(scratch_server) == before


# A table whose one row takes a minute to load: its CHECK calls pg_sleep. The parallel plain
# restore loads it on another session (restore/plainjobs.py) while the driver waits.
SLOW_COPY_DUMP = (
    "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 18.1\n"
    "-- Dumped by pg_dump version 18.1\n\n"
    "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
    "CREATE FUNCTION public.slow_ok() RETURNS boolean LANGUAGE sql AS "
    "$$ SELECT pg_catalog.pg_sleep(60) IS NOT NULL $$;\n"
    "CREATE TABLE public.categories (id text CHECK (public.slow_ok()));\n\n"
    "--\n-- Data for Name: categories; Type: TABLE DATA; Schema: public; Owner: -\n--\n\n"
    "COPY public.categories (id) FROM stdin;\na\n\\.\n\n"
    # Post-data that waits for the load (plaindeps.py): cancelled with it, quietly.
    "--\n-- Name: categories_id; Type: INDEX; Schema: public; Owner: -\n--\n\n"
    "CREATE INDEX categories_id ON public.categories USING btree (id);\n\n"
    "--\n-- Name: categories categories_pkey; Type: CONSTRAINT; Schema: public; Owner: -\n"
    "--\n\nALTER TABLE ONLY public.categories\n"
    "    ADD CONSTRAINT categories_pkey PRIMARY KEY (id);\n\n"
)


def test_ctrl_c_during_a_parallel_plain_load_stops_at_once(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    dump = tmp_path / "slow-copy.sql"
    dump.write_text(SLOW_COPY_DUMP)
    dump.chmod(0o644)
    proc = _start(dump, "--jobs", "2")
    _signal_and_check(proc, _copying, signal.SIGINT, 130, "dumpcheck: interrupted")
