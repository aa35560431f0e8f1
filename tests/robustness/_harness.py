"""Run the real CLI in-process (run_command's exit-code mapping) and check its contract."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from dumpcheck.inventory.archive._binary import ByteReader, read_header
from dumpcheck.scratch.model import ScratchServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
DUMPS = DEMO / "dumps"
SCHEMA = DEMO / "schema.prisma"
STEMS = ("complete", "products_never_dumped", "products_broken")


@dataclass(frozen=True)
class Result:
    """What one dumpcheck invocation left."""

    code: int
    stdout: str
    stderr: str


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    """``dumpcheck argv`` through dumpcheck.cli.main; any exception but SystemExit propagates,
    so a traceback fails the test loudly."""
    from dumpcheck.cli import main

    capsys.readouterr()
    try:
        main([*argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    else:  # pragma: no cover - main always exits
        code = 0
    out, err = capsys.readouterr()
    return Result(code, out, err)


def run_subprocess(*argv: str, timeout: float = 60) -> Result:
    """``python -m dumpcheck argv`` in a child process."""
    done = subprocess.run(
        [sys.executable, "-m", "dumpcheck", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def assert_contract(result: Result, allowed: tuple[int, ...], what: str) -> None:
    """Exit code allowed, no traceback, one stderr line for exit 2 and 3."""
    assert "Traceback" not in result.stderr, f"{what}: {result.stderr}"
    assert result.code in allowed, f"{what}: exit {result.code}, stderr {result.stderr!r}"
    if result.code in (2, 3):
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, f"{what}: stderr is not one line: {result.stderr!r}"
        # click's own usage errors ("Error: Option '--x' requires an argument.") keep its format.
        assert lines[0].startswith(("dumpcheck: error: ", "Error: ")), f"{what}: {lines[0]!r}"


def our_databases(server: ScratchServer) -> set[str]:
    """The dumpcheck_<random> databases on ``server`` right now."""
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'dumpcheck%'")
        return {r[0] for r in rows.fetchall()}


def header_end(name: str, data: bytes) -> int:
    """Where the format's header ends (the first byte after it)."""
    if name.endswith(".sql"):
        return data.index(b"\nSET ") + 1  # the "-- Dumped by" comment block
    if name.endswith((".dump", "toc.dat")):
        stream = io.BytesIO(data)
        read_header(ByteReader(stream), name)
        return stream.tell()
    if name.endswith(".tar"):
        return 512  # the tar header of the member toc.dat
    if name.endswith(".gz"):
        return 10  # RFC 1952 fixed member header
    if name.endswith(".zst"):
        return 6  # magic + frame header descriptor + window
    if name.endswith(".lz4"):
        return 7  # magic + frame descriptor
    raise AssertionError(name)


def cut_points(name: str, data: bytes, spaced: int) -> list[int]:
    """0, 1, 5, the header boundary (and one byte either side), ``spaced`` evenly spaced cuts
    and the last byte."""
    n = len(data)
    h = header_end(name, data)
    points = {0, 1, 5, h - 1, h, h + 1, n - 1}
    points |= {n * i // (spaced + 1) for i in range(1, spaced + 1)}
    return sorted(p for p in points if 0 <= p < n)


def only_padding_removed(data: bytes, cut: int) -> bool:
    """True when the bytes cut off are a trailing newline or tar padding: nothing was lost."""
    return not data[cut:].strip(b"\0\n")
