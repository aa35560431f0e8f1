"""Golden files for every format on every hand-built case.

Rewrite them with ``DUMPCHECK_UPDATE_GOLDENS=1 .venv/bin/pytest tests/report`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dumpcheck.report import ReportFormat, render
from tests.report.report_cases import CASES

GOLDENS = Path(__file__).parent / "goldens"
SUFFIX: dict[ReportFormat, str] = {"text": "txt", "json": "json", "markdown": "md", "junit": "xml"}
UPDATE = os.environ.get("DUMPCHECK_UPDATE_GOLDENS") == "1"


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, fmt: ReportFormat) -> None:
    rendered = render(CASES[case](), fmt, width=120)
    path = GOLDENS / f"{case}.{SUFFIX[fmt]}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"no golden {path.name}; run with DUMPCHECK_UPDATE_GOLDENS=1"
    assert rendered == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", sorted(CASES))
def test_deterministic(case: str, fmt: ReportFormat) -> None:
    assert render(CASES[case](), fmt) == render(CASES[case](), fmt)


def test_every_golden_belongs_to_a_case() -> None:
    # A renamed case must not leave a stale golden behind.
    expected = {f"{case}.{suffix}" for case in CASES for suffix in SUFFIX.values()}
    assert {p.name for p in GOLDENS.iterdir() if p.is_file()} == expected
