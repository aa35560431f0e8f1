"""The docs are tested: every command has --help with the exit codes, and the README's
documented commands and exit codes are the real ones."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
COMMANDS = [
    ["verify"],
    ["inventory"],
    ["expect"],
    ["explain"],
    ["inspect"],
    ["refresh"],
    ["postgres"],
    ["postgres", "list"],
    ["postgres", "install"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dumpcheck", *command, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_readme_exit_code_table_matches_the_code() -> None:
    from dumpcheck import errors

    rows = dict(re.findall(r"^\| `?(\d)`? \| (.+?) \|", README, re.MULTILINE))
    assert set(rows) == {"0", "1", "2", "3"}
    assert errors.EXIT_FINDINGS == 1 and errors.EXIT_BAD_INPUT == 2
    assert errors.EXIT_ENVIRONMENT == 3


def test_readme_names_the_two_commands() -> None:
    assert "make verify-dump" in README and "make test" in README
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in ci


def test_readme_session_is_what_verify_prints() -> None:
    """The captured `make verify-dump` session in the README is the demo's real table."""
    block = README.rsplit("$ make verify-dump\n", 1)[1].split("```", 1)[0]
    assert "never_in_dump" in block and "products" in block
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dumpcheck",
            "verify",
            "fixtures/demo/dumps/products_never_dumped.dump",
            "--prisma",
            "fixtures/demo/schema.prisma",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("public ")]
    assert len(rows) == 4
    for line in rows:
        assert line.rstrip() in block, f"README session is stale: {line.strip()!r}"


def test_readme_quick_session_is_what_verify_prints() -> None:
    """The README's quick verify session, run for real: the same table and lines."""
    command = (
        "dumpcheck verify fixtures/demo/dumps/complete.dump --prisma fixtures/demo/schema.prisma "
        "--quick --sample 2"
    )
    block = README.split(f"$ {command}\n", 1)[1].split("$ echo $?", 1)[0]
    result = subprocess.run(
        [sys.executable, "-m", "dumpcheck", *command.split()[1:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == block.rstrip("\n"), "README quick session is stale"
