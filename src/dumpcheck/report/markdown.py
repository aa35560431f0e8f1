"""The Markdown report: ready to paste into an incident ticket.

Modelled on the incident report that started the project: it says what was expected, what the
dump and the restore actually hold, the evidence, and answers the ticket's questions.
"""

from __future__ import annotations

from dumpcheck.compare.findings import (
    ErrorRef,
    Findings,
    MigrationProblem,
    TableFinding,
    UnparsedStatements,
)
from dumpcheck.report import advice, quick, wording


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|") or " "


def code(text: str) -> str:
    """Inline code that survives backticks inside the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, lang: str = "") -> list[str]:
    """A fenced code block, its fence longer than any backtick run inside."""
    fence = "```"
    while fence in text:
        fence += "`"
    return [f"{fence}{lang}", text.rstrip("\n"), fence]


def header_lines(findings: Findings) -> list[str]:
    """The date-free facts about the dump (or the inspected database) and the run."""
    lines = _database_lines(findings)
    dump = findings.dump
    if dump is not None:
        fmt = dump.format if dump.compression == "none" else f"{dump.format}, {dump.compression}"
        written = f"pg_dump {dump.pg_dump_version or 'unknown'}"
        if dump.server_version:
            written += f", from PostgreSQL {dump.server_version}"
        complete = (
            "yes" if dump.complete else f"**no**, it stops at {dump.stops_at or 'an unknown point'}"
        )
        lines += [
            f"- **Dump:** {code(dump.path)} ({fmt})",
            f"- **Written by:** {written}",
            f"- **Dumped database:** {code(dump.database) if dump.database else 'unknown'}"
            if findings.database
            else f"- **Database:** {code(dump.database) if dump.database else 'unknown'}",
            f"- **Complete:** {complete}",
            f"- **Kind:** {dump.kind}",
        ]
    if findings.database is None:
        scratch = (
            f"PostgreSQL {findings.scratch.server_version} ({findings.scratch.backend})"
            if findings.scratch
            else "nothing was restored"
        )
        lines.append(f"- **Restored into:** {scratch}")
    if findings.prisma:
        lines.append(f"- **Prisma schema:** {code(findings.prisma)}")
    clause = quick.quick_clause(findings)
    if clause is not None:
        lines.append(
            f"- **Mode:** {clause[0].upper()}{clause[1:]} (`--quick --sample {findings.sample}`)"
        )
    lines.append(
        f"- **Result:** {wording.counts(findings)}: {wording.summary_tail(findings)} "
        f"(exit code {findings.exit_code()})"
    )
    return lines


def _database_lines(findings: Findings) -> list[str]:
    info = findings.database
    if info is None:
        return []
    rows = "estimated (pg_class.reltuples)" if info.estimated_rows else "exact (count(*))"
    return [
        f"- **Database:** {code(info.database)} at {code(info.url)}, read-only",
        f"- **Server:** PostgreSQL {info.server_version}; Prisma's schema {code(info.schema)}",
        f"- **Row counts:** {rows}",
    ]


def error_block(error: ErrorRef) -> list[str]:
    """One restore error: where, the statement in a sql block, the message in a plain block."""
    facts = [f"severity {error.severity}"]
    if error.sqlstate:
        facts.append(f"SQLSTATE {error.sqlstate}")
    if error.location:
        facts.append(f"at {error.location}")
    lines = [f"Error ({', '.join(facts)}):", ""]
    statement = wording.error_statement(error)
    if statement:
        lines += ["Failing statement:", "", *fenced(statement, "sql"), ""]
    lines += fenced(wording.error_message(error))
    if error.root_cause:
        lines += ["", f"Root cause: {wording.root_cause(error)}"]
    return [*lines, ""]


def _compact(error: ErrorRef) -> str:
    where = f"at {error.location}" if error.location else "at an unknown place"
    state = f" [{error.sqlstate}]" if error.sqlstate else ""
    text = f"{where}{state}: {wording.one_line(wording.first_line(wording.error_message(error)))}"
    statement = wording.error_statement(error)
    if statement:
        text += f", in {code(wording.one_line(wording.first_line(statement), 100))}"
    return text


def differences_table(table: TableFinding) -> list[str]:
    """The table's differences as a Markdown table."""
    lines = ["| Kind | Object | Expected (Prisma) | Actual (restored) |", "|---|---|---|---|"]
    for d in table.differences:
        lines.append(
            f"| {d.kind} | {cell(d.object)} | {cell(d.expected or '(none)')} "
            f"| {cell(d.actual or '(none)')} |"
        )
    return [*lines, ""]


def table_section(findings: Findings, table: TableFinding, lead: tuple[str, ...] = ()) -> list[str]:
    """The section for one table that is not ok; ``lead`` lines go right after its facts."""
    model = f" (model {table.model})" if table.model else ""
    lines = [
        f"### {code(table.qualified)}{model}: {table.verdict}",
        "",
        f"**Verdict:** {table.verdict}: {wording.meaning(table)}.",
        "",
        _presence(findings, table),
        "",
        *lead,
    ]
    evidence = wording.evidence(table)
    if evidence:
        lines += ["Evidence:", "", *[f"- {line}" for line in evidence], ""]
    main = wording.main_error(table)
    if main is not None:
        lines += error_block(main)
    others = wording.other_errors(table)
    if others:
        lines += [f"Other errors on this table ({len(others)}):", ""]
        lines += [f"- {_compact(e)}" for e in others]
        lines.append("")
    if table.differences:
        lines += differences_table(table)
    steps = advice.next_steps(findings, table)
    if steps:
        lines += ["What to do:", "", *[f"- {step}" for step in steps], ""]
    return lines


def _names(tables: list[TableFinding], limit: int = 20) -> str:
    shown = [code(wording.display_name(t)) for t in tables[:limit]]
    if len(tables) > limit:
        shown.append(f"and {len(tables) - limit} more")
    return ", ".join(shown)


def _presence(findings: Findings, table: TableFinding) -> str:
    if findings.database is not None:
        dump = (
            f"In the dump: {'yes' if table.in_dump else 'no'}. "
            if findings.dump is not None
            else ""
        )
        return (
            f"{dump}In the database: {'yes' if table.restored else 'no'}. "
            + (f"Rows in the dump: {wording.rows(table.dump_rows)}. " if dump else "")
            + f"Rows in the database: {wording.rows(table.restored_rows)}."
        )
    return (
        f"In the dump: {'yes' if table.in_dump else 'no'}. "
        f"Restored: {'yes' if table.restored else 'no'}. "
        f"Rows in the dump: {wording.rows(table.dump_rows)}. "
        f"Rows restored: {wording.rows(table.restored_rows)}."
    )


def database_answers(findings: Findings) -> list[str]:
    """``inspect``: the incident's questions about a live database."""
    failing = [t for t in wording.ordered(findings.failing()) if t.verdict != "unexpected"]
    absent = [t for t in failing if not t.restored]
    lines = ["## Answers", "", "### Is the table in the database?", ""]
    if not absent:
        lines.append("Every table the Prisma schema expects is in the database.")
    for t in absent:
        lines.append(f"- {code(t.qualified)}: **no**: {wording.sentence(wording.reason(t))}")
    if absent:
        lines += ["", "### Was it in the dump?", ""]
        for t in absent:
            if t.verdict == "not_restored":
                answer = "**yes**: the restore that built the database lost it."
            elif t.verdict == "never_in_dump":
                answer = "**no**: no restore of this dump could have made it."
            else:
                answer = "not known: no dump was given (`--dump`)."
            lines.append(f"- {code(t.qualified)}: {answer}")
    present = [t for t in failing if t.restored]
    if present:
        lines += ["", "### Tables present but not as Prisma expects", ""]
        lines += [f"- {code(t.qualified)}: {wording.sentence(wording.reason(t))}" for t in present]
    lines += ["", "### What to do next", ""]
    steps = [
        f"- {code(wording.display_name(t))}: {step}"
        for t in failing
        for step in advice.next_steps(findings, t)
    ]
    lines += steps or ["Nothing: the database has every table the Prisma schema expects."]
    return [*lines, ""]


def answers(findings: Findings) -> list[str]:
    """The incident's questions, answered from the findings."""
    if findings.database is not None:
        return database_answers(findings)
    failing = wording.ordered(findings.failing())
    expected_failing = [t for t in failing if t.verdict != "unexpected"]
    lines = ["## Answers", "", "### Was the table in the dump?", ""]
    if not expected_failing:
        lines.append("Every table the Prisma schema expects is in the dump.")
    data_only = findings.dump is not None and findings.dump.kind == "data-only"
    holds = "has its rows" if data_only else "creates it"
    for t in expected_failing:
        if t.in_dump:
            lines.append(f"- {code(t.qualified)}: **yes**, the dump {holds}.")
        else:
            lines.append(f"- {code(t.qualified)}: **no**: {wording.sentence(wording.reason(t))}")
    never = [t for t in expected_failing if t.verdict == "never_in_dump"]
    if never:
        lines += ["", "### Did production have it?", ""]
        lines.append(
            "A dump shows only what pg_dump wrote, not production itself. The migration history "
            "the dump carries (`_prisma_migrations`, in the evidence above) says whether "
            f"production applied the migration that creates {_names(never)}; the `psql` check "
            "under What to do next settles it."
        )
        lines += [
            f"- {wording.describe_dump_finding(f)}"
            for f in findings.dump_findings
            if isinstance(f, MigrationProblem)
        ]
    lines += ["", "### Did it fail to restore, and why?", ""]
    if not expected_failing:
        lines.append("No table failed to restore.")
    for t in expected_failing:
        if t.verdict == "never_in_dump":
            lines.append(f"- {code(t.qualified)}: nothing to restore; it was never in the dump.")
        elif t.verdict == "failed_restore":
            lines.append(f"- {code(t.qualified)}: **yes**: {wording.sentence(wording.reason(t))}")
        elif t.verdict == "rows_lost":
            lines.append(
                f"- {code(t.qualified)}: it restored but lost rows: "
                f"{wording.sentence(wording.reason(t))}"
            )
        elif t.verdict == "rows_changed":
            lines.append(
                f"- {code(t.qualified)}: it restored every row, but with other values: "
                f"{wording.sentence(wording.reason(t))}"
            )
        else:
            lines.append(
                f"- {code(t.qualified)}: it restored, but differs from the Prisma schema: "
                f"{wording.sentence(wording.reason(t))}"
            )
    ok = [t for t in wording.ordered(findings.tables) if t.verdict == "ok"]
    unexpected = [t for t in wording.ordered(findings.tables) if t.verdict == "unexpected"]
    lines += ["", "### Are other tables missing?", ""]
    missing = [t for t in expected_failing if t.verdict == "never_in_dump"]
    others = [t for t in expected_failing if t.verdict != "never_in_dump"]
    if missing:
        lines.append(f"- Never in the dump: {_names(missing)}.")
    else:
        lines.append("- No table Prisma expects is missing from the dump.")
    if others:
        lines.append(f"- In the dump but not restored as Prisma expects: {_names(others)}.")
    if ok:
        lines.append(f"- Restored and ok: {_names(ok)}.")
    if unexpected:
        lines.append(f"- In the dump but not in the Prisma schema: {_names(unexpected)}.")
    lines += ["", "### What to do next", ""]
    steps: list[str] = []
    for t in expected_failing + [t for t in failing if t.verdict == "unexpected"]:
        steps += [f"- {code(wording.display_name(t))}: {s}" for s in advice.next_steps(findings, t)]
    for finding in findings.dump_findings:
        dump_step = advice.dump_next_step(finding)
        if dump_step:
            steps.append(f"- Dump: {dump_step}")
    lines += steps or ["Nothing: the dump restores every table the Prisma schema expects."]
    return [*lines, ""]


def render_markdown(findings: Findings) -> str:
    """The incident-ready Markdown report."""
    if findings.database is not None:
        title = findings.database.database
    else:
        assert findings.dump is not None
        title = findings.dump.database or findings.dump.path
    lines = [f"# dumpcheck report: {title}", "", *header_lines(findings), ""]
    summary = findings.summary()
    lines += ["## Summary", "", "| Verdict | Tables |", "|---|---:|"]
    lines += [f"| {verdict} | {summary[verdict]} |" for verdict in wording.possible(findings)]
    lines += ["", "## Tables", ""]
    if findings.tables:
        lines += [
            "| Schema | Table | Model | Verdict | Dump rows | "
            f"{wording.restored_side(findings).capitalize()} rows | Reason |",
            "|---|---|---|---|---:|---:|---|",
        ]
        for t in wording.ordered(findings.tables):
            lines.append(
                f"| {cell(t.schema)} | {cell(t.name)} | {cell(t.model or '-')} | {t.verdict} "
                f"| {wording.rows(t.dump_rows)} | {quick.restored_rows(t)} "
                f"| {cell(wording.reason(t))} |"
            )
    else:
        lines.append("No tables: the Prisma schema expects none and the dump has none.")
    lines.append("")
    failing = wording.ordered(findings.failing())
    if failing:
        lines += ["## Problems", ""]
        for t in failing:
            lines += table_section(findings, t)
    if findings.dump_findings:
        lines += ["## Dump", ""]
        for finding in findings.dump_findings:
            fatal = " **(fails the run)**" if wording.is_fatal(findings, finding) else ""
            lines.append(f"- {wording.describe_dump_finding(finding)}{fatal}")
            if isinstance(finding, UnparsedStatements):
                lines += [f"  - {code(example)}" for example in wording.unparsed_examples(finding)]
        lines.append("")
    noted = [t for t in wording.ordered(findings.tables) if t.notes and t.verdict == "ok"]
    if noted:
        lines += [
            "## Differences Prisma sees no change in",
            "",
            "These tables are ok as `prisma migrate diff` compares them; `--strict` fails them.",
            "",
        ]
        for t in noted:
            lines += [
                f"- {code(t.qualified)}:",
                *[f"  - {wording.describe_note(n)}" for n in t.notes],
            ]
        lines.append("")
    unchecked = wording.not_compared(findings)
    if unchecked:
        lines += ["## Rows not compared by content", "", *[f"- {line}" for line in unchecked], ""]
    if findings.sample is not None:
        sampled = [code(t.qualified) for t in findings.tables if t.sampled]
        lines += ["## Quick verify", "", quick.QUICK_BLIND_SPOTS, ""]
        lines += [f"Sampled: {', '.join(sampled) if sampled else 'none'}.", ""]
    if findings.notes:
        lines += ["## Notes", "", *[f"- {note}" for note in findings.notes], ""]
    lines += answers(findings)
    return "\n".join(lines).rstrip("\n") + "\n"
