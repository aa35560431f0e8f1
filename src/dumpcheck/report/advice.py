"""What to do next: the advice every format gives for a table or a dump-level finding.

Nothing here decides a verdict; it turns a verdict and its evidence into next steps.
"""

from __future__ import annotations

import shlex

from dumpcheck.catalog import quote_ident
from dumpcheck.compare.findings import (
    DumpFinding,
    DumpKindFinding,
    DumpTruncated,
    ExcludedTableData,
    Findings,
    MigrationProblem,
    MissingExtension,
    TableFinding,
    VersionMismatch,
)
from dumpcheck.report.wording import main_error, root_cause, sentence

# SQLSTATE classes whose cure is well known (PostgreSQL errcodes.txt).
_SQLSTATE_HINT = {
    "58P01": "a file the server needs is missing, usually an extension package: install it",
    "0A000": "the server lacks a feature or extension the dump uses: install or enable it",
    "42704": "a type, extension or other object the statement names does not exist: "
    "create or install it before restoring",
    "42883": "a function the statement calls does not exist: install the extension that has it",
    "3F000": "a schema the statement names does not exist",
    "42501": "a permission is missing: restore as a superuser or create the role",
    "42P07": "the object already exists: restore into an empty database",
    "23505": "duplicate keys in the data: the dump's data breaks a unique constraint",
    "23503": "rows refer to rows that are not in the dump: a foreign key fails",
    "23502": "the data has NULLs where the table forbids them",
    "22P02": "the data does not parse as the column's type",
    "53100": "the disk is full",
}


def next_steps(findings: Findings, table: TableFinding) -> list[str]:
    """What to do about this table, as imperative sentences."""
    schema_path = findings.prisma or "SCHEMA"
    verdict = table.verdict
    if verdict in ("not_restored", "missing"):
        return _absent_steps(findings, table)
    if verdict == "never_in_dump":
        name = findings.dump.database if findings.dump else None
        database = shlex.quote(name) if name else "<database>"
        # psql folds an unquoted \d pattern to lower case: `\d public.Thing` finds nothing.
        pattern = shlex.quote(f"\\d {quote_ident(table.schema)}.{quote_ident(table.name)}")
        return [
            f"Check whether production has it: `psql -d {database} -c {pattern}`.",
            "Get a dump that includes it: look for `-T`/`--exclude-table`, `-t`/`--table` or "
            "`-n`/`--schema` options in the pg_dump command, and check that the dump was taken "
            "after the migration that creates it.",
            "If only its structure is needed for now, "
            f"`dumpcheck expect {shlex.quote(schema_path)} --format sql "
            f"--table {shlex.quote(table.name)}` prints the DDL Prisma expects; "
            "the table will be empty.",
        ]
    if verdict == "failed_restore":
        steps = []
        error = main_error(table)
        if error is not None:
            steps.append(sentence(f"Fix the root cause: {root_cause(error)}"))
            hint = _SQLSTATE_HINT.get(error.sqlstate or "")
            if hint:
                steps.append(f"SQLSTATE {error.sqlstate}: {hint}.")
        steps.append("Then restore again; the dump itself has the table.")
        return steps
    if verdict == "rows_lost":
        steps = []
        error = main_error(table)
        if error is not None:
            steps.append(sentence(f"Fix the error that stopped the data load: {root_cause(error)}"))
            hint = _SQLSTATE_HINT.get(error.sqlstate or "")
            if hint:
                steps.append(f"SQLSTATE {error.sqlstate}: {hint}.")
        if findings.dump is None or findings.dump.complete:
            steps.append("The rows are in the dump; restore the table's data again once fixed.")
        else:
            steps.append(
                "The dump is truncated, so its data for this table may be incomplete: "
                "get a complete dump."
            )
        return steps
    if verdict == "rows_changed":
        return [
            "The restore kept every row but changed values: see the columns named in the "
            "evidence (a type that rounds or pads, a trigger that fired during the load, an "
            "encoding conversion).",
            "For a data-only dump, restore into tables with the production column types (a "
            "full dump, or the migrations production ran), or load with "
            "`pg_restore --disable-triggers`.",
        ]
    if verdict == "drift":
        return [
            "The dumped database and the Prisma schema disagree: check `prisma migrate status` "
            "against production, and whether the dump is older or newer than the schema.",
            f"`prisma migrate diff` from the restored database to {schema_path} (with "
            "`--script`) prints the SQL that would reconcile them.",
        ]
    if verdict == "unexpected":
        return [
            "Nothing, unless the application needs it: then add a model for it "
            "(`prisma db pull` writes one)."
        ]
    # ok: only `explain` asks, typically with a Prisma error in hand.
    return [
        "This dump restores it as Prisma expects: if the application says it does not exist, "
        "its database was not restored from this dump (or not completely), or DATABASE_URL "
        "points at another database or schema (`?schema=`)."
    ]


def _absent_steps(findings: Findings, table: TableFinding) -> list[str]:
    # `inspect`: the live database lacks a table Prisma expects.
    schema_path = shlex.quote(findings.prisma or "SCHEMA")
    if table.verdict == "not_restored":
        dump = shlex.quote(findings.dump.path) if findings.dump else "DUMP"
        return [
            f"The dump has it: run `dumpcheck verify {dump} --prisma "
            f"{schema_path}` to see the error that stops its restore, fix that, and restore "
            "the database again (the restore that built it went past the error, or left the "
            "table out with pg_restore -t/-T/-L).",
        ]
    return [
        "Run `dumpcheck inspect` again with `--dump DUMP` (the dump this database was "
        "restored from) to tell a table the dump lacks from one its restore lost.",
        "If the application only needs its structure, `prisma migrate deploy` (or "
        f"`dumpcheck expect {schema_path} --format sql --table {shlex.quote(table.name)}`) "
        "creates it empty.",
    ]


def dump_next_step(finding: DumpFinding) -> str | None:
    """What to do about a dump-level finding, or None when it needs nothing."""
    if isinstance(finding, DumpTruncated):
        return (
            f"Get a complete dump: this one stops at {finding.stops_at} "
            "(a full disk, a killed pg_dump or an interrupted copy)."
        )
    if isinstance(finding, DumpKindFinding) and finding.into_prisma_schema:
        return None  # a data-only dump for a database the migrations built is fine as it is
    if isinstance(finding, DumpKindFinding):
        flag = {
            "schema-only": "-s/--schema-only",
            "data-only": "-a/--data-only",
            "statistics-only": "--statistics-only",
        }[finding.kind]
        return f"Get a full dump: this one was taken with {flag}."
    if isinstance(finding, ExcludedTableData):
        which = finding.tables[0] if len(finding.tables) == 1 else "these tables"
        return (
            f"If {which} should hold rows, take the dump without --exclude-table-data "
            "(and without --no-unlogged-table-data)."
        )
    if isinstance(finding, MissingExtension):
        return (
            f"Install the extension {finding.name} where the dump is restored (its OS package), "
            "or point `--scratch-dsn` at a server that has it."
        )
    if isinstance(finding, VersionMismatch):
        return "Restore with a server at least as new as the dump's pg_dump."
    if isinstance(finding, MigrationProblem):
        if finding.state == "not_applied":
            return (
                f"Migration {finding.migration} never reached the dumped database: what it "
                "creates is missing from production itself, not only from the dump."
            )
        if finding.state in ("failed", "rolled_back"):
            return (
                f"Settle migration {finding.migration} in production "
                "(`prisma migrate resolve`), then take a new dump."
            )
        return None
    return None
