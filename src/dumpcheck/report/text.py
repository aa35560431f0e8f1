"""The terminal report: a summary line, the tables (problems first), the dump-level findings."""

from __future__ import annotations

import os
from io import StringIO

from rich import box
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from dumpcheck.compare.findings import Findings, UnparsedStatements, Verdict
from dumpcheck.report import quick, wording

_STYLE: dict[Verdict, str] = {
    "ok": "green",
    "never_in_dump": "bold red",
    "failed_restore": "bold red",
    "not_restored": "bold red",
    "missing": "bold red",
    "rows_lost": "red",
    "rows_changed": "red",
    "drift": "yellow",
    "unexpected": "cyan",
}


def make_console(*, color: bool, width: int) -> tuple[Console, StringIO]:
    """A console that writes to a string: ANSI colours only when asked, fixed width."""
    out = StringIO()
    # https://no-color.org: the one variable we honour; the rest of the environment is ignored.
    color = color and not os.environ.get("NO_COLOR")
    console = Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        # Environment variables such as COLUMNS or FORCE_COLOR must not change the output.
        _environ={},
    )
    return console, out


def _table(findings: Findings) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("schema", "left"),
        ("table", "left"),
        ("model", "left"),
        ("verdict", "left"),
        ("dump rows", "right"),
        (f"{wording.restored_side(findings)} rows", "right"),
        ("reason", "left"),
    )
    for header, justify in columns:
        table.add_column(header, justify=justify, no_wrap=header != "reason")
    for t in wording.ordered(findings.tables):
        table.add_row(
            Text(t.schema),
            Text(t.name),
            Text(t.model or "-"),
            Text(t.verdict, style=_STYLE[t.verdict]),
            Text(wording.rows(t.dump_rows)),
            Text(quick.restored_rows(t)),
            Text(wording.reason(t)),
        )
    return table


def render_text(
    findings: Findings, *, color: bool = False, quiet: bool = False, width: int = 120
) -> str:
    """The rich terminal report as a string."""
    console, out = make_console(color=color, width=width)
    console.print(Text(wording.summary_line(findings), style="bold"))
    if quiet:
        return _rstrip_lines(out.getvalue())
    if findings.tables:
        console.print()
        console.print(_table(findings))
    if findings.dump_findings:
        console.print()
        console.print(Text("Dump:", style="bold"))
        for finding in findings.dump_findings:
            marker = "!" if wording.is_fatal(findings, finding) else "-"
            console.print(Text(f"  {marker} {wording.describe_dump_finding(finding)}"))
            if isinstance(finding, UnparsedStatements):
                for example in wording.unparsed_examples(finding):
                    console.print(Text(f"      {example}"))
    unchecked = wording.not_compared(findings)
    if unchecked:
        console.print()
        console.print(Text("Rows not compared by content:", style="bold"))
        for line in unchecked:
            console.print(Text(f"  - {line}"))
    if findings.sample is not None:
        console.print()
        console.print(Text(f"Quick verify (--sample {findings.sample}):", style="bold"))
        console.print(Text(f"  {quick.QUICK_BLIND_SPOTS}"))
    if findings.notes:
        console.print()
        for note in findings.notes:
            console.print(Text(f"Note: {note}"))
    return _rstrip_lines(out.getvalue())


def _rstrip_lines(text: str) -> str:
    # rich pads table rows to the full width; trailing blanks only make goldens noisy.
    return "\n".join(line.rstrip() for line in text.split("\n"))
