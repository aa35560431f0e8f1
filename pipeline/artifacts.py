"""Per-stage artifacts of one run: ``runs/<UTC timestamp>/...``."""

from __future__ import annotations

import os
from pathlib import Path

from dumpcheck.jsonable import dumps
from dumpcheck.report import scrub_log
from dumpcheck.verify import VerifyOutcome


def _write(path: Path, text: str) -> None:
    # Write then rename: a full disk leaves the previous artifact or none, never half of one.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_artifacts(run_dir: Path, outcome: VerifyOutcome) -> list[Path]:
    """inventory.json, restore.log, expected.json, report.json, report.md, junit.xml."""
    from dumpcheck.report import render

    files = {
        "inventory.json": dumps(outcome.inventory),
        "expected.json": dumps(outcome.expectation),
        # The log quotes rejected rows (DETAIL: Key (id)=(...), CONTEXT: COPY t, line 3: "...");
        # artifacts follow the reports' rule: names and counts, never row values.
        "restore.log": scrub_log(outcome.restore.log) if outcome.restore else "",
        "report.json": render(outcome.findings, "json"),
        "report.md": render(outcome.findings, "markdown"),
        "junit.xml": render(outcome.findings, "junit"),
    }
    written = []
    for name, text in files.items():
        _write(run_dir / name, text)
        written.append(run_dir / name)
    return written


def write_refresh(run_dir: Path, refresh: dict[str, object]) -> Path:
    """refresh.json: what --promote-to did (promoted or not, the databases' names, why)."""
    import json

    path = run_dir / "refresh.json"
    _write(path, json.dumps(refresh, indent=2, sort_keys=True) + "\n")
    return path


def write_error(run_dir: Path, exit_code: int, message: str) -> None:
    """What went wrong, for a run that produced no report."""
    _write(run_dir / "error.txt", f"exit {exit_code}: {message}\n")


def write_page(path: Path, text: str) -> None:
    """runs/index.html, written then renamed; the page is shared by every run, so the temporary
    name is per process: two runs at once never rename each other's half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
