"""Out-of-range numbers are usage errors (exit 2), caught before any server starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ["verify", "fixtures/demo/dumps/complete.dump", "--prisma", "fixtures/demo/schema.prisma"]


@pytest.mark.parametrize("args", [["-j", "0"], ["--jobs", "-3"], ["--pg-version", "0"]])
def test_out_of_range_numbers_exit_2(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dumpcheck", *DEMO, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 2, result.stderr
    assert "is not in the range x>=1" in result.stderr
    assert "Traceback" not in result.stderr
