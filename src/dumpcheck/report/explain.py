"""``dumpcheck explain``: one focused answer about one table, with all its evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from dumpcheck.compare.findings import Findings, TableFinding
from dumpcheck.errors import BadInputError
from dumpcheck.report import advice, quick, wording
from dumpcheck.report.json_report import dump_finding_dict, report_dict, table_dict
from dumpcheck.report.markdown import code, header_lines, table_section

ExplainFormat = Literal["text", "markdown", "json"]


@dataclass(frozen=True)
class ColumnStatus:
    """Where one column is, as far as the table's findings tell (None: not known)."""

    column: str
    expected: bool | None
    in_dump: bool | None
    restored: bool | None
    sentence: str


def column_status(table: TableFinding, column: str) -> ColumnStatus:
    """Whether a column (from a P2022) is expected, in the dump and restored."""
    diffs = [d for d in table.differences if d.object == column]
    if table.verdict == "never_in_dump":
        return ColumnStatus(
            column,
            True if table.model else None,
            False,
            False,
            f"The whole table is missing from the dump, so column `{column}` is too.",
        )
    if not table.restored:
        return ColumnStatus(
            column,
            None,
            None,
            False,
            f"The table did not restore, so neither did column `{column}`; the findings do not "
            "record whether the dump's CREATE TABLE has it.",
        )
    missing = [d for d in diffs if d.kind == "missing_column"]
    if missing:
        # pg_dump writes every column in the CREATE TABLE it restores; when that statement
        # raised no error, the restored columns are exactly the dumped ones.
        clean = not table.errors
        tail = (
            " The table restored without errors, so the dump's CREATE TABLE lacks it too: the "
            "dumped database never got the migration that adds it."
            if clean
            else " Errors hit this table, so whether the dump has the column is not certain."
        )
        return ColumnStatus(
            column,
            True,
            False if clean else None,
            False,
            f"Prisma expects column `{column}` ({missing[0].expected or '?'}); "
            f"the restored table has no such column.{tail}",
        )
    extra = [d for d in diffs if d.kind == "extra_column"]
    if extra:
        return ColumnStatus(
            column,
            False,
            True,
            True,
            f"Column `{column}` ({extra[0].actual or '?'}) is in the dump and restored, but this "
            "Prisma schema does not have it: the client that raised P2022 was generated from "
            "another schema.",
        )
    if diffs:
        described = "; ".join(wording.describe_difference(d) for d in diffs)
        return ColumnStatus(
            column,
            True,
            True,
            True,
            f"Column `{column}` is in the dump and restored, but differs: {described}.",
        )
    if table.model is None:
        return ColumnStatus(
            column,
            None,
            None,
            table.restored,
            f"No Prisma model maps to this table, so nothing is known about column `{column}`.",
        )
    if (
        table.expected_columns is not None
        and column not in table.expected_columns
        and table.restored_columns is not None
        and column not in table.restored_columns
    ):
        return ColumnStatus(
            column,
            False,
            False,
            False,
            f"Neither this Prisma schema nor the restored table has a column `{column}`: the "
            "client that raised P2022 was generated from another schema (run `prisma generate` "
            "from this one), or the column name in the error is not this table's.",
        )
    return ColumnStatus(
        column,
        True,
        True,
        True,
        f"Column `{column}` is in the dump and restored as Prisma expects (no difference is "
        "recorded for it): the database that raised P2022 is not what this dump restores to; "
        "it was restored from another dump or changed since.",
    )


def _others(findings: Findings, table: TableFinding) -> str:
    others = [t for t in findings.failing() if t is not table]
    counts = wording.counts(findings)
    if not others:
        return f"Other tables: no other table is failing ({counts})."
    names = ", ".join(f"{t.qualified} ({t.verdict})" for t in wording.ordered(others))
    return f"Other tables failing: {names} ({counts})."


def _text(
    findings: Findings, table: TableFinding, reading: str | None, status: ColumnStatus | None
) -> str:
    model = f" (model {table.model})" if table.model else ""
    lines = [f"{table.qualified}{model}: {table.verdict}"]
    if reading:
        lines.append(f"Reading: {reading}")
    lines.append(f"Verdict: {wording.meaning(table)}.")
    side = "in the database" if findings.database else "restored"
    lines.append(
        f"In the dump: {'yes' if table.in_dump else 'no'}; "
        f"{side}: {'yes' if table.restored else 'no'}; "
        f"rows in the dump: {wording.rows(table.dump_rows)}; "
        f"rows {side}: {quick.restored_rows(table)}."
    )
    info = findings.database
    if info is not None:
        counted = "estimated" if info.estimated_rows else "exact"
        lines.append(
            f"Database: {info.database} at {info.url} (PostgreSQL {info.server_version}, "
            f"schema {info.schema}, {counted} row counts), read-only."
        )
    dump = findings.dump
    if dump is not None:
        lines.append(
            f"Dump: {dump.path} ({dump.format}, {dump.compression}), database "
            f"{dump.database or 'unknown'}, pg_dump {dump.pg_dump_version or 'unknown'}, "
            f"{'complete' if dump.complete else f'truncated at {dump.stops_at}'}, {dump.kind}."
        )
    if status:
        lines.append(f"Column {status.column}: {status.sentence}")
    evidence = wording.evidence(table)
    if evidence:
        lines += ["Evidence:", *[f"  - {line}" for line in evidence]]
    main = wording.main_error(table)
    if main is not None:
        facts = [main.severity]
        if main.sqlstate:
            facts.append(f"SQLSTATE {main.sqlstate}")
        if main.location:
            facts.append(f"at {main.location}")
        message = wording.one_line(wording.error_message(main), 400)
        lines.append(f"Error ({', '.join(facts)}): {message}")
        if main.root_cause:
            lines.append(f"  Root cause: {wording.root_cause(main)}")
        statement = wording.error_statement(main)
        if statement:
            lines += ["  Statement:", *[f"    {s}" for s in statement.splitlines()]]
    others = wording.other_errors(table)
    if others:
        lines.append(f"Other errors on this table ({len(others)}):")
        lines += [f"  - {wording.compact_error(e)}" for e in others]
    if table.differences:
        lines += [
            "Differences:",
            *[f"  - {wording.describe_difference(d)}" for d in table.differences],
        ]
    lines.append(_others(findings, table))
    for finding in findings.dump_findings:
        lines.append(f"Dump finding: {wording.describe_dump_finding(finding)}")
    steps = advice.next_steps(findings, table)
    steps += [s for f in findings.dump_findings if (s := advice.dump_next_step(f))]
    if steps:
        lines += ["What to do next:", *[f"  - {step}" for step in steps]]
    return "\n".join(lines) + "\n"


def _markdown(
    findings: Findings, table: TableFinding, reading: str | None, status: ColumnStatus | None
) -> str:
    lines = [f"# dumpcheck explain: {code(table.qualified)}", ""]
    if reading:
        lines += [f"> {reading}", ""]
    lines += [*header_lines(findings), ""]
    lead = (f"**Column `{status.column}`:** {status.sentence}", "") if status else ()
    section = table_section(findings, table, lead)
    lines += [section[0].replace("### ", "## ", 1), *section[1:]]
    lines += [f"{_others(findings, table)}", ""]
    if findings.dump_findings:
        lines += ["## Dump", ""]
        for finding in findings.dump_findings:
            lines.append(f"- {wording.describe_dump_finding(finding)}")
            step = advice.dump_next_step(finding)
            if step:
                lines.append(f"  - {step}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _json(
    findings: Findings, table: TableFinding, reading: str | None, status: ColumnStatus | None
) -> str:
    report = report_dict(findings)
    data: dict[str, Any] = {
        "explain_version": 1,
        "reading": reading,
        "dump": report["dump"],
        "database": report["database"],
        "scratch": report["scratch"],
        "prisma": report["prisma"],
        "table": table_dict(table),
        "meaning": wording.meaning(table),
        "column": (
            {
                "name": status.column,
                "expected": status.expected,
                "in_dump": status.in_dump,
                "restored": status.restored,
                "sentence": status.sentence,
            }
            if status
            else None
        ),
        "other_failing": [
            {"schema": t.schema, "name": t.name, "verdict": t.verdict}
            for t in wording.ordered(findings.failing())
            if t is not table
        ],
        "dump_findings": [dump_finding_dict(findings, f) for f in findings.dump_findings],
        "next_steps": advice.next_steps(findings, table)
        + [s for f in findings.dump_findings if (s := advice.dump_next_step(f))],
        "summary": report["summary"],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_explain(
    findings: Findings,
    table_finding: TableFinding,
    reading: str | None,
    fmt: ExplainFormat,
    *,
    column: str | None = None,
) -> str:
    """One focused answer for one table; ``column`` (from a P2022) adds where that column is."""
    status = column_status(table_finding, column) if column else None
    if fmt == "text":
        return _text(findings, table_finding, reading, status)
    if fmt == "markdown":
        return _markdown(findings, table_finding, reading, status)
    if fmt == "json":
        return _json(findings, table_finding, reading, status)
    raise BadInputError(f"unknown explain format {fmt!r}; choose text, markdown or json")
