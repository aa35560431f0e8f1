"""The report stage: format findings as text, JSON, Markdown or JUnit XML. No verdict logic."""

from __future__ import annotations

from typing import Literal

from dumpcheck.compare.findings import Findings
from dumpcheck.errors import BadInputError
from dumpcheck.report.json_report import REPORT_VERSION, load_schema, render_json
from dumpcheck.report.junit import render_junit
from dumpcheck.report.markdown import render_markdown
from dumpcheck.report.redact import scrub_log
from dumpcheck.report.text import render_text
from dumpcheck.report.triage import find_table, parse_prisma_error, render_explain, resolve_table
from dumpcheck.report.wording import summary_tail

ReportFormat = Literal["text", "json", "markdown", "junit"]
FORMATS: tuple[ReportFormat, ...] = ("text", "json", "markdown", "junit")

__all__ = [
    "FORMATS",
    "REPORT_VERSION",
    "ReportFormat",
    "find_table",
    "load_schema",
    "parse_prisma_error",
    "render",
    "render_explain",
    "resolve_table",
    "scrub_log",
    "summary_tail",
]


def render(
    findings: Findings,
    fmt: ReportFormat,
    *,
    color: bool = False,
    quiet: bool = False,
    width: int = 120,
) -> str:
    """Render findings in one format; ``color``, ``quiet`` and ``width`` apply to text only."""
    if fmt == "text":
        return render_text(findings, color=color, quiet=quiet, width=width)
    if fmt == "json":
        return render_json(findings)
    if fmt == "markdown":
        return render_markdown(findings)
    if fmt == "junit":
        return render_junit(findings)
    raise BadInputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
