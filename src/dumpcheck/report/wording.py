"""The words every format shares: verdict meanings, one-line reasons, next steps.

Nothing here decides a verdict; it only phrases what compare concluded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import assert_never

from dumpcheck.compare.findings import (
    VERDICTS,
    Difference,
    DumpFinding,
    DumpKindFinding,
    DumpTruncated,
    ErrorRef,
    ExcludedTableData,
    ExpectationDisagreement,
    Findings,
    MigrationProblem,
    MissingExtension,
    MissingRole,
    TableFinding,
    UnparsedStatements,
    Verdict,
    VersionMismatch,
)
from dumpcheck.report.quick import quick_clause
from dumpcheck.report.redact import scrub_message, scrub_statement

MEANING: dict[Verdict, str] = {
    "ok": "restored with all its rows and matches what Prisma expects",
    "never_in_dump": (
        "the dump never creates this table, so no restore could produce it; "
        "the problem is the dump, not the restore"
    ),
    "failed_restore": "the dump creates this table, but restoring it failed",
    "not_restored": (
        "the dump creates this table, but the database lacks it: the restore that built the "
        "database failed on it or skipped it"
    ),
    "missing": "the database lacks this table (no dump was given to say whether it had it)",
    "rows_lost": "the table restored, but with fewer rows than the dump holds",
    "rows_changed": (
        "the table restored with as many rows as the dump holds, but their values differ"
    ),
    "drift": "the table restored, but its structure differs from what Prisma expects",
    "unexpected": "the table is in the dump, but no Prisma model maps to it",
}

_DUMP_FINDING_TYPE: dict[type, str] = {
    DumpTruncated: "truncated",
    DumpKindFinding: "kind",
    VersionMismatch: "version_mismatch",
    MissingExtension: "missing_extension",
    MissingRole: "missing_role",
    UnparsedStatements: "unparsed",
    MigrationProblem: "migration",
    ExpectationDisagreement: "expect_check",
    ExcludedTableData: "excluded_table_data",
}
DUMP_FINDING_TYPES: tuple[str, ...] = tuple(_DUMP_FINDING_TYPE.values())

_MIGRATION_STATE = {
    "failed": "failed when it was applied (it has no finished_at)",
    "rolled_back": "was rolled back",
    "edited": "was edited after it was applied (its checksum differs)",
    "not_applied": "is in the migrations folder but was never applied to the dumped database",
}


def display_name(table: TableFinding) -> str:
    """The table name as a sentence uses it: bare in ``public``, qualified elsewhere."""
    return table.name if table.schema == "public" else table.qualified


def ordered(tables: Iterable[TableFinding]) -> list[TableFinding]:
    """Tables by verdict severity (VERDICTS order), then by schema and name."""
    return sorted(tables, key=lambda t: (VERDICTS.index(t.verdict), t.schema, t.name))


def one_line(text: str, limit: int = 160) -> str:
    """Whitespace collapsed to one line, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def sentence(text: str) -> str:
    """Text ending in exactly one full stop (evidence lines may already carry one)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def meaning(table: TableFinding) -> str:
    """The verdict's meaning, said of the database when the table is only there (inspect)."""
    if table.verdict == "unexpected" and not table.in_dump and table.restored:
        return "the table is in the database, but no Prisma model maps to it"
    if table.verdict == "ok" and not table.in_dump and table.restored:
        return "in the database and matches what Prisma expects"
    if table.verdict == "ok" and table.sampled:
        return "restored with its first rows (sampled, --quick) and matches what Prisma expects"
    return MEANING[table.verdict]


def possible(findings: Findings) -> tuple[Verdict, ...]:
    """The verdicts this kind of run can give, in severity order, for summary tables."""
    if findings.database is None:  # verify: a scratch restore
        cannot: set[Verdict] = {"not_restored", "missing"}
    elif findings.dump is None:  # inspect without a dump: no restore, no dump, no content
        cannot = {"failed_restore", "not_restored", "never_in_dump", "rows_lost", "rows_changed"}
    else:  # inspect with a dump
        cannot = {"failed_restore", "missing", "rows_changed"}
    return tuple(v for v in VERDICTS if v not in cannot)


def restored_side(findings: Findings) -> str:
    """What the second row count counts: the scratch restore, or the live database."""
    return "database" if findings.database is not None else "restored"


def rows(value: int | None) -> str:
    """A row count for display, ``-`` when unknown."""
    return "-" if value is None else str(value)


def main_error(table: TableFinding) -> ErrorRef | None:
    """The error that explains the table: the first fatal one, else the first."""
    for error in table.errors:
        if error.severity == "fatal":
            return error
    return table.errors[0] if table.errors else None


def other_errors(table: TableFinding) -> list[ErrorRef]:
    """The table's errors besides ``main_error``, usually echoes of the same root cause."""
    main = main_error(table)
    return [e for e in table.errors if e is not main]


def compact_error(error: ErrorRef) -> str:
    """An error in one line: where, SQLSTATE, the primary message, the statement's first line."""
    where = f"at {error.location}" if error.location else "at an unknown place"
    state = f" [{error.sqlstate}]" if error.sqlstate else ""
    text = f"{where}{state}: {first_line(error_message(error))}"
    statement = error_statement(error)
    if statement:
        text += f" (in: {one_line(first_line(statement), 100)})"
    return one_line(text, 300)


def error_message(error: ErrorRef) -> str:
    """The error's message with row values removed."""
    return scrub_message(error.message)


def error_statement(error: ErrorRef) -> str | None:
    """The failing statement with row values removed."""
    return scrub_statement(error.statement) if error.statement else None


def first_line(text: str) -> str:
    """The primary message of a PostgreSQL error (DETAIL, HINT and CONTEXT follow on new lines)."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return text.strip()


def root_cause(error: ErrorRef) -> str:
    """The root failure when the error is secondary, else the error itself, one line."""
    return one_line(first_line(scrub_message(error.root_cause or error.message)))


def evidence(table: TableFinding) -> list[str]:
    """The table's evidence lines with row values removed, then its notes."""
    return [scrub_message(line) for line in table.evidence] + [
        scrub_message(describe_note(note)) for note in table.notes
    ]


def describe_note(note: Difference) -> str:
    """A difference Prisma's differ treats as no change, with the rule that says so."""
    return f"Note: {describe_difference(note)}; no change to Prisma: {note.reason}."


def describe_difference(diff: Difference) -> str:
    """One difference in words."""
    kind = diff.kind.replace("_", " ")
    if diff.kind == "missing_column":
        return f"column {diff.object} is missing (Prisma expects {diff.expected or '?'})"
    if diff.kind == "extra_column":
        return f"column {diff.object} ({diff.actual or '?'}) is not in the Prisma schema"
    if diff.kind == "default":
        if diff.actual is None:
            return f"column {diff.object} has no default, Prisma expects {diff.expected}"
        if diff.expected is None:
            return f"column {diff.object} has default {diff.actual}, Prisma expects none"
        return f"default of column {diff.object} is {diff.actual}, Prisma expects {diff.expected}"
    if diff.kind in ("type", "nullability"):
        return f"{kind} of column {diff.object} is {diff.actual}, Prisma expects {diff.expected}"
    if diff.actual is None:
        return f"{kind} {diff.object} is missing (Prisma expects {diff.expected or 'it'})"
    if diff.expected is None:
        return f"{kind} {diff.object} ({diff.actual}) is not in the Prisma schema"
    return f"{kind} {diff.object} is {diff.actual}, Prisma expects {diff.expected}"


def reason(table: TableFinding) -> str:
    """Why the table got its verdict, in one line (``sampled: ...`` when quick verify loaded
    only its first rows)."""
    text = _reason(table)
    return f"sampled: {text}" if table.sampled else text


def _reason(table: TableFinding) -> str:
    verdict = table.verdict
    if verdict == "ok":
        if table.notes:
            n = len(table.notes)
            return f"matches the schema as Prisma compares it ({n} note{'s' if n > 1 else ''})"
        if table.accounted_as is not None:
            return table.accounted_as
        if table.data_excluded:
            return "restored empty: the dump left its rows out (pg_dump --exclude-table-data)"
        return "restored and matches the schema" if table.in_dump else "matches the schema"
    if verdict == "never_in_dump":
        lines = evidence(table)
        return one_line(lines[0], limit=240) if lines else "no CREATE TABLE for it in the dump"
    if verdict == "failed_restore":
        error = main_error(table)
        return root_cause(error) if error else "restore failed"
    if verdict == "not_restored":
        return f"in the dump ({rows(table.dump_rows)} rows), not in the database"
    if verdict == "missing":
        lines = evidence(table)
        return one_line(lines[0], limit=240) if lines else "not in the database"
    if verdict == "rows_lost":
        if table.dump_rows is not None:
            text = f"{table.dump_rows} rows in the dump, {rows(table.restored_rows)} restored"
        else:
            lines = evidence(table)
            text = lines[0] if lines else f"{rows(table.restored_rows)} rows restored"
        error = main_error(table)
        return one_line(f"{text}: {root_cause(error)}") if error else text
    if verdict == "rows_changed":
        return f"{rows(table.dump_rows)} rows on both sides, other values (fingerprints differ)"
    if verdict == "drift":
        parts = [describe_difference(d) for d in table.differences[:2]]
        more = len(table.differences) - len(parts)
        if more > 0:
            parts.append(f"{more} more")
        return one_line("; ".join(parts)) if parts else "differs from the schema"
    if verdict == "unexpected":
        where = "dump" if table.in_dump else "database"
        return f"in the {where}, but no Prisma model maps to it"
    assert_never(verdict)


def not_compared(findings: Findings) -> list[str]:
    """``schema.table: why`` for every table whose rows were not compared by content."""
    return [
        f"{t.qualified}: {t.fingerprint_note.removeprefix('Rows not compared by content: ')}"
        for t in ordered(findings.tables)
        if t.fingerprint_note
    ]


def headline(table: TableFinding) -> str:
    """A short clause for the summary line: ``products was never in the dump``."""
    name = display_name(table)
    verdict = table.verdict
    if verdict == "never_in_dump":
        return f"{name} was never in the dump"
    if verdict == "failed_restore":
        return f"{name} failed to restore"
    if verdict == "not_restored":
        return f"{name} is in the dump but not in the database"
    if verdict == "missing":
        return f"{name} is missing from the database"
    if verdict == "rows_lost":
        if table.dump_rows is not None and table.restored_rows is not None:
            lost = table.dump_rows - table.restored_rows
            if lost <= 0:  # equal counts: the dump's own data for it is damaged or cut short
                return f"{name} has damaged or cut-short data in the dump"
            return f"{name} lost {lost} of {table.dump_rows} rows"
        return f"{name} lost rows"
    if verdict == "rows_changed":
        return f"{name} restored its rows with other values"
    if verdict == "drift":
        count = len(table.differences)
        return f"{name} drifted from the schema ({count} difference{'s' * (count != 1)})"
    if verdict == "unexpected":
        return f"{name} is not in the Prisma schema"
    return f"{name} is ok"


def dump_finding_type(finding: DumpFinding) -> str:
    """The JSON ``type`` of a dump-level finding."""
    return _DUMP_FINDING_TYPE[type(finding)]


def is_fatal(findings: Findings, finding: DumpFinding) -> bool:
    """Whether this dump finding alone makes the run fail, as ``Findings.exit_code`` says."""
    # Ask the model rather than repeat its rule, so the reports never disagree with the exit code.
    alone = replace(findings, tables=(), dump_findings=(finding,))
    return alone.exit_code() != 0


def describe_dump_finding(finding: DumpFinding) -> str:
    """A dump-level finding in one sentence."""
    if isinstance(finding, DumpTruncated) and finding.damaged:
        return (
            f"The dump is damaged: {finding.stops_at}. The rows of the tables it touches "
            "cannot be trusted; get a new dump."
        )
    if isinstance(finding, DumpTruncated):
        return (
            f"The dump is truncated: it stops at {finding.stops_at}. "
            "Everything after that point is missing."
        )
    if isinstance(finding, DumpKindFinding):
        if finding.kind == "schema-only":
            return "The dump is schema-only: it holds no rows, so every table restores empty."
        if finding.kind == "statistics-only":
            return (
                "The dump holds only planner statistics (pg_dump --statistics-only): it "
                "creates no table and holds no row, so it restores nothing."
            )
        if finding.into_prisma_schema:
            return (
                "The dump is data-only: it creates no tables, so dumpcheck loaded its rows into "
                "the tables the Prisma schema defines (as `prisma migrate` builds them)."
            )
        return "The dump is data-only: it creates no tables, so it restores only into a schema."
    if isinstance(finding, VersionMismatch):
        return one_line(
            f"Version mismatch (dump {finding.dump_version}, server {finding.server_version}): "
            f"{scrub_message(finding.message)}"
        )
    if isinstance(finding, MissingExtension):
        return f"The dump needs the extension {finding.name}, which the scratch server lacks."
    if isinstance(finding, MissingRole):
        return f"The dump names the role {finding.name}, which the scratch server did not have."
    if isinstance(finding, UnparsedStatements):
        return (
            f"{finding.count} statement{'s' * (finding.count != 1)} could not be parsed; "
            "they are kept and listed, not dropped."
        )
    if isinstance(finding, MigrationProblem):
        return f"Migration {finding.migration} {_MIGRATION_STATE[finding.state]}."
    if isinstance(finding, ExpectationDisagreement):
        shown = "; ".join(finding.objects[:5])
        more = f" (and {len(finding.objects) - 5} more)" if len(finding.objects) > 5 else ""
        return (
            f"The project's own Prisma ({finding.prisma}) writes other DDL than dumpcheck "
            f"expects for {len(finding.objects)} object(s): {shown}{more}. This is a dumpcheck "
            "bug: please report it with the schema."
        )
    if isinstance(finding, ExcludedTableData):
        shown = ", ".join(finding.tables[:5])
        more = f" (and {len(finding.tables) - 5} more)" if len(finding.tables) > 5 else ""
        one = len(finding.tables) == 1
        return (
            f"The dump holds no data for {shown}{more}: pg_dump left {'its' if one else 'their'} "
            f"rows out (--exclude-table-data), so {'it restores' if one else 'they restore'} empty."
        )
    assert_never(finding)


def unparsed_examples(finding: UnparsedStatements) -> list[str]:
    """The unparsed statements' examples, without row values, one line each."""
    return [one_line(scrub_statement(example), 200) for example in finding.examples]


def dump_headline(finding: DumpFinding) -> str:
    """A short clause for the summary line."""
    if isinstance(finding, DumpTruncated):
        return "the dump is damaged" if finding.damaged else "the dump is truncated"
    if isinstance(finding, DumpKindFinding) and finding.kind == "statistics-only":
        return "the dump holds only statistics"
    if isinstance(finding, MissingExtension):
        return f"extension {finding.name} is missing"
    return one_line(describe_dump_finding(finding), 80)


def counts(findings: Findings) -> str:
    """``1 never_in_dump, 2 unexpected, 1 ok``: the non-zero counts in severity order."""
    parts = [f"{n} {verdict}" for verdict, n in findings.summary().items() if n]
    return ", ".join(parts) if parts else "no tables"


def summary_line(findings: Findings) -> str:
    """The one line a terminal or a log gets."""
    quick = quick_clause(findings)
    line = f"dumpcheck: {counts(findings)} — {summary_tail(findings)}"
    return f"{line} ({quick})" if quick else line


def summary_tail(findings: Findings) -> str:
    """What matters most, as clauses: ``products was never in the dump``."""
    clauses = [headline(t) for t in ordered(findings.failing())]
    clauses += [dump_headline(f) for f in findings.dump_findings if is_fatal(findings, f)]
    if not clauses:
        tail = "every expected table is ok"
    elif len(clauses) > 3:
        tail = "; ".join(clauses[:3]) + f"; and {len(clauses) - 3} more"
    else:
        tail = "; ".join(clauses)
    return tail
