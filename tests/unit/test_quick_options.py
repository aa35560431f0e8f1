"""--quick and --sample as the CLI reads them, without a database: the defaults, and the
one-line errors (exit 2) before any work: --sample without --quick or below 1, and --quick
where a database would be promoted (refresh, the nightly job's --promote-to)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from dumpcheck.cli.options import DEFAULT_SAMPLE, verify_options
from dumpcheck.errors import BadInputError
from dumpcheck.refresh import RefreshOptions, refresh
from dumpcheck.verify import VerifyOptions

ROOT = Path(__file__).resolve().parents[2]
DUMP, PRISMA = "fixtures/demo/dumps/complete.dump", "fixtures/demo/schema.prisma"
VERIFY = ["-m", "dumpcheck", "verify", DUMP, "--prisma", PRISMA]
# Nothing listens here: a refusal must come before any connection is tried.
TARGET = "postgresql://nobody@127.0.0.1:1/shop_dev"


def _sample_of(*args: str) -> int | None:
    seen: list[VerifyOptions] = []

    @click.command()
    @verify_options()
    def probe(**kwargs: Any) -> None:
        seen.append(kwargs["_options"])

    result = CliRunner().invoke(probe, [DUMP, "--prisma", PRISMA, *args])
    assert result.exit_code == 0, result.output
    return seen[0].sample


def test_quick_loads_1000_rows_unless_sample_says() -> None:
    assert _sample_of() is None
    assert _sample_of("--quick") == DEFAULT_SAMPLE == 1000
    assert _sample_of("--quick", "--sample", "25") == 25


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sample", "10"], "--sample 10 needs --quick (a full verify loads every row)"),
        (["--quick", "--sample", "0"], "--sample must be at least 1 row, not 0"),
        (["--quick", "--sample", "-5"], "--sample must be at least 1 row, not -5"),
    ],
)
def test_sample_errors_are_one_line_exit_2(args: list[str], message: str) -> None:
    result = _run(*VERIFY, *args)
    assert result.returncode == 2
    assert result.stderr == f"dumpcheck: error: {message}\n"
    assert result.stdout == ""


def test_refresh_refuses_quick() -> None:
    result = _run(
        "-m", "dumpcheck", "refresh", DUMP, "--prisma", PRISMA, "--target", TARGET, "--quick"
    )
    assert result.returncode == 2
    assert result.stderr == (
        "dumpcheck: error: refresh does not take --quick: a quick verify loads only the first "
        "rows of each table, and a sampled database must never be promoted\n"
    )


def test_the_nightly_promote_to_refuses_quick(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = _run(
        "-m", "pipeline.nightly", "--dump", DUMP, "--prisma", PRISMA,
        "--promote-to", TARGET, "--runs-dir", str(runs), "--quick", "--sample", "5",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("dumpcheck: error: --promote-to does not take --quick")
    assert result.stderr.count("\n") == 1
    assert not runs.exists()  # refused before the job started


def test_refresh_itself_refuses_a_sampled_verify() -> None:
    options = VerifyOptions(dump=Path(DUMP), prisma=Path(PRISMA), sample=10)
    with pytest.raises(BadInputError, match="cannot promote a quick verify"):
        refresh(RefreshOptions(target=TARGET, verify=options))
