"""``dumpcheck explain``: one focused answer about one table, for incident triage."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from dumpcheck.cli import EXIT_CODES_HELP
from dumpcheck.cli.dumparg import DUMP
from dumpcheck.cli.options import split_databases, verify_options, write_output
from dumpcheck.errors import BadInputError

if TYPE_CHECKING:
    from dumpcheck.verify import VerifyOptions


@click.command(
    "explain",
    help="Why is TABLE missing or broken? Runs verify on DUMP and answers for one table, "
    "named directly or through a pasted Prisma error (P2021 / P2022). With --database URL, "
    "asks the existing database instead (read-only, as inspect does; no restore): "
    "explain --database URL --prisma PATH [--dump DUMP] TABLE. --database has two meanings, "
    "told by the value: a connection string (postgres:// or postgresql:// URL, or key=value) "
    "is the live database; any other value is a database NAME inside a pg_dumpall DUMP. Give "
    "it twice for both: explain --database URL --database NAME --dump ALL.sql TABLE."
    "\n\n" + EXIT_CODES_HELP,
)
@verify_options(dump_required=False, database_option=False)
@click.argument("table", required=False)
@click.option(
    "--database",
    "databases",
    multiple=True,
    metavar="URL|NAME",
    help="URL or key=value: answer for this existing database, read-only. NAME: the database "
    "in a pg_dumpall DUMP (default: its only user database). Repeatable: one of each.",
)
@click.option(
    "--dump",
    "dump_file",
    type=DUMP,
    help="With --database: the dump the database was restored from (a path or s3:// URL).",
)
@click.option(
    "--estimate-rows", is_flag=True, help="With --database: pg_class.reltuples, not count(*)."
)
@click.option(
    "--prisma-error",
    "prisma_error",
    help='A pasted Prisma error, e.g. "The table `db.products` does not exist ...".',
)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option("--output", "-o", type=click.Path(path_type=Path, readable=False))
def command(
    table: str | None,
    prisma_error: str | None,
    fmt: str,
    output: Path | None,
    databases: tuple[str, ...],
    dump_file: Path | str | None,
    estimate_rows: bool,
    **kwargs: object,
) -> int:
    """Run verify (or inspect), pick the table, render the focused answer."""
    from dumpcheck.report import (
        find_table,
        parse_prisma_error,
        render_explain,
        resolve_table,
    )
    from dumpcheck.verify import verify

    options = cast("VerifyOptions", kwargs.pop("_options"))
    database, dump_database = split_databases(databases)
    options = replace(options, database=dump_database)
    if database is not None:
        # `explain --database URL TABLE`: the one positional is the table, not a dump.
        if options.dump is not None and table is not None:
            raise BadInputError("with --database, give the dump as --dump DUMP")
        table = table if table is not None else _positional(options.dump)
    elif options.dump is None:
        raise BadInputError("give DUMP, or --database URL to ask an existing database")
    elif dump_file is not None or estimate_rows:
        raise BadInputError("--dump and --estimate-rows go with --database")
    if (table is None) == (prisma_error is None):
        raise BadInputError("give exactly one of TABLE or --prisma-error")
    # Parse the pasted error before anything runs: a bad paste costs no restore.
    ref = parse_prisma_error(prisma_error) if prisma_error else None
    if database is not None:
        from dumpcheck.inspection import InspectOptions, inspect_database

        findings = inspect_database(
            InspectOptions(
                url=database,
                prisma=options.prisma,
                dump=dump_file,
                dump_database=dump_database,
                migrations=options.migrations,
                default_schema=options.default_schema,
                estimate_rows=estimate_rows,
                strict=options.strict,
            )
        ).findings
    else:
        findings = verify(options).findings
    if ref is not None:
        finding, reading = resolve_table(ref, findings)
    else:
        assert table is not None
        finding, reading = find_table(findings, table)
    text = render_explain(
        findings,
        finding,
        reading,
        fmt,  # type: ignore[arg-type]
        column=ref.column if ref is not None else None,
    )
    write_output(text, output)
    return 0 if finding.verdict in ("ok", "unexpected") else 1


def _positional(dump: Path | None) -> str | None:
    return str(dump) if dump is not None else None
