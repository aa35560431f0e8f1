"""Prometheus node-exporter textfile metrics for the nightly job."""

from __future__ import annotations

import os
from pathlib import Path

from dumpcheck.compare.findings import VERDICTS


def render_metrics(
    counts: dict[str, int], exit_code: int, finished_at: float, last_success: float | None
) -> str:
    """The textfile body; ``last_success`` is kept from the previous file when this run failed.

    A run that ended in an error (empty ``counts``) judged no table: it writes no
    ``dumpcheck_tables`` at all rather than zeros, which would clear an alert such as
    ``dumpcheck_tables{verdict="never_in_dump"} > 0`` while nothing was checked.
    """
    lines: list[str] = []
    if counts:
        lines += [
            "# HELP dumpcheck_tables Tables per verdict in the last dumpcheck run.",
            "# TYPE dumpcheck_tables gauge",
        ]
        for verdict in VERDICTS:
            lines.append(f'dumpcheck_tables{{verdict="{verdict}"}} {counts.get(verdict, 0)}')
    lines += [
        "# HELP dumpcheck_last_run_exit_code Exit code of the last dumpcheck run.",
        "# TYPE dumpcheck_last_run_exit_code gauge",
        f"dumpcheck_last_run_exit_code {exit_code}",
        "# HELP dumpcheck_last_run_timestamp_seconds When the last run finished.",
        "# TYPE dumpcheck_last_run_timestamp_seconds gauge",
        f"dumpcheck_last_run_timestamp_seconds {finished_at:.0f}",
    ]
    if last_success is not None:
        lines += [
            "# HELP dumpcheck_last_success_timestamp_seconds When a run last exited 0.",
            "# TYPE dumpcheck_last_success_timestamp_seconds gauge",
            f"dumpcheck_last_success_timestamp_seconds {last_success:.0f}",
        ]
    return "\n".join(lines) + "\n"


def previous_success(path: Path) -> float | None:
    """The last-success timestamp in an existing textfile, if any."""
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("dumpcheck_last_success_timestamp_seconds "):
            try:
                return float(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def write_metrics(path: Path, body: str) -> None:
    """Write atomically: node-exporter must never read half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
