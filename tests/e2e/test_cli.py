"""The CLI contract: exit codes, one-line errors, reports, and cleanup after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dumpcheck.scratch.model import ScratchServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
DUMPCHECK = [sys.executable, "-m", "dumpcheck"]


def dumpcheck(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DUMPCHECK, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def test_verify_demo_end_to_end_with_embedded_server() -> None:
    """What `make verify-dump` does: no server configured, dumpcheck starts its own."""
    result = dumpcheck(
        "verify",
        str(DEMO / "dumps/products_never_dumped.dump"),
        "--prisma",
        str(DEMO / "schema.prisma"),
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any("products" in line and "never_in_dump" in line for line in lines)
    assert any("categories" in line and " ok" in line for line in lines)


@pytest.mark.parametrize("fmt", ["json", "markdown", "junit"])
def test_verify_formats(scratch_server: ScratchServer, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = dumpcheck(
        "verify",
        str(DEMO / "dumps/products_never_dumped.sql"),
        "--prisma",
        str(DEMO / "schema.prisma"),
        "--scratch-dsn",
        scratch_server.conninfo,
        "--format",
        fmt,
        "--output",
        str(out),
    )
    assert result.returncode == 1, result.stderr
    text = out.read_text()
    if fmt == "json":
        report = json.loads(text)
        assert report["report_version"] == 1
        verdicts = {t["name"]: t["verdict"] for t in report["tables"]}
        assert verdicts["products"] == "never_in_dump"
        assert report["summary"]["never_in_dump"] == 1
    elif fmt == "markdown":
        assert "products" in text and "never" in text.lower()
    else:
        import xml.etree.ElementTree as ET

        suite = ET.fromstring(text)
        suite = suite if suite.tag == "testsuite" else suite[0]
        assert int(suite.get("failures", "0")) >= 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["verify", "no/such.dump", "--prisma", "fixtures/demo/schema.prisma"], "not found"),
        (["verify", "fixtures/demo/dumps/complete.dump", "--prisma", "nope.prisma"], "not found"),
    ],
)
def test_bad_paths_exit_2_with_one_line(args: list[str], needle: str) -> None:
    result = dumpcheck(*args)
    assert result.returncode == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [b"", os.urandom(4096), b"hello, this is not a dump\n"])
def test_garbage_dump_exits_2(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.dump"
    bad.write_bytes(content)
    result = dumpcheck("verify", str(bad), "--prisma", str(DEMO / "schema.prisma"))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_help_documents_exit_codes() -> None:
    for args in (["--help"], ["verify", "--help"], ["explain", "--help"]):
        result = dumpcheck(*args)
        assert result.returncode == 0
        assert "Exit codes" in result.stdout and "environment failure" in result.stdout


def _our_postmasters(before: set[str]) -> list[Path]:
    return [
        p
        for p in Path("/tmp").glob("dumpcheck-*")
        if p.name not in before and any(p.glob("**/postmaster.pid"))
    ]


def test_sigkill_leaves_no_server_and_next_run_sweeps(tmp_path: Path) -> None:
    """SIGKILL a running verify: its postgres must die with it, the next run sweeps the dir."""
    # A plain dump whose restore takes long: pg_sleep stands in for a 100 GB COPY.
    slow = tmp_path / "slow.sql"
    slow.write_text(
        "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 18.1\n"
        "-- Dumped by pg_dump version 18.1\n\nSELECT pg_catalog.pg_sleep(120);\n"
    )
    before = {p.name for p in Path("/tmp").glob("dumpcheck-*")}
    proc = subprocess.Popen(
        [*DUMPCHECK, "verify", str(slow), "--prisma", str(DEMO / "schema.prisma")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    dirs: list[Path] = []
    while time.monotonic() < deadline and not dirs:
        if proc.poll() is not None:
            pytest.fail(f"verify ended early: {proc.stderr.read() if proc.stderr else ''!r}")
        dirs = _our_postmasters(before)
        time.sleep(0.2)
    assert dirs, "no scratch server appeared"
    time.sleep(2)  # let the restore reach pg_sleep
    pid_file = next(dirs[0].glob("**/postmaster.pid"))
    postmaster = int(pid_file.read_text().splitlines()[0])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(postmaster):
        time.sleep(0.2)
    assert not _alive(postmaster), "postgres survived its parent's SIGKILL"
    from dumpcheck.scratch.sweep import sweep_stale

    sweep_stale()
    assert not dirs[0].exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
