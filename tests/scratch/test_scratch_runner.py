"""The subprocess runner: no pipe blocks, every error names the program and its major."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.errors import BinaryNotFoundError
from dumpcheck.scratch.runner import CommandFailedError, run


def test_large_stderr_and_stdout_never_block() -> None:
    # 4 MB on each stream: far past a 64 KB pipe buffer.
    done = run("sh", ["-c", "head -c 4000000 /dev/zero | tr '\\0' x; yes err | head -n 500000 >&2"])
    assert len(done.stdout) == 4_000_000
    assert done.stderr.count("err\n") == 500_000
    assert done.stderr_tail(2) == "err\nerr"


def test_stdin_is_fed_and_stderr_lines_are_streamed() -> None:
    seen: list[str] = []
    done = run(
        "sh", ["-c", "cat; echo one >&2; echo two >&2"], input=b"hi", on_stderr_line=seen.append
    )
    assert done.stdout == "hi"
    assert seen == ["one", "two"]


def test_failure_names_program_and_major() -> None:
    with pytest.raises(CommandFailedError) as info:
        run("sh", ["-c", "echo 'FATAL: broken' >&2; exit 4"], major=17)
    assert str(info.value) == "sh (PostgreSQL 17) exited with status 4: FATAL: broken"
    assert info.value.exit_code == 3
    done = run("sh", ["-c", "exit 1"], check=False)
    assert done.returncode == 1


def test_missing_program_names_it(tmp_path: Path) -> None:
    with pytest.raises(BinaryNotFoundError, match=r"pg_restore \(PostgreSQL 15\) not found at"):
        run(tmp_path / "pg_restore", ["--version"], major=15)


def test_timeout_kills_and_names_the_program() -> None:
    with pytest.raises(CommandFailedError, match=r"sleep exited .* timed out"):
        run("sleep", ["30"], timeout=0.2)


def test_a_failing_stderr_callback_neither_blocks_nor_vanishes() -> None:
    def explode(line: str) -> None:
        raise ValueError(f"cannot parse {line}")

    with pytest.raises(ValueError, match="cannot parse err"):
        run("sh", ["-c", "yes err | head -n 200000 >&2"], on_stderr_line=explode)
