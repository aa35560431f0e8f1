"""``dumpcheck inspect``: the verdict table for a database that already exists, read-only."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dumpcheck.cli import EXIT_CODES_HELP
from dumpcheck.cli.dumparg import DUMP
from dumpcheck.cli.options import write_output

if TYPE_CHECKING:
    from dumpcheck.inspection import InspectOptions


def database_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--prisma, --dump, --schema, --estimate-rows, --strict, --statement-timeout."""
    for option in reversed(
        (
            click.option(
                "--prisma",
                required=True,
                type=click.Path(path_type=Path, readable=False),
                help="schema.prisma, or a folder of .prisma files.",
            ),
            click.option(
                "--dump",
                type=DUMP,
                help="The dump this database was restored from (a path or s3:// URL): tells "
                "a table the dump lacks (never_in_dump) from one the restore lost "
                "(not_restored).",
            ),
            click.option(
                "--migrations",
                type=click.Path(path_type=Path, readable=False),
                help="Default: beside the schema.",
            ),
            click.option(
                "--schema",
                "default_schema",
                help="Prisma's default schema (else the URL's ?schema=, else public).",
            ),
            click.option(
                "--estimate-rows",
                is_flag=True,
                help="Read pg_class.reltuples instead of count(*): fast on big databases, "
                "approximate (rows_lost is then not judged).",
            ),
            click.option(
                "--statement-timeout",
                type=click.IntRange(min=1),
                default=60,
                show_default=True,
                help="Seconds any one catalog query or count may take.",
            ),
            click.option("--strict", is_flag=True, help="Fail on tables Prisma does not know too."),
            click.option(
                "--database",
                "databases",
                multiple=True,
                metavar="NAME|URL",
                help="NAME: with --dump, the database in a pg_dumpall file (default: its only "
                "user database). A connection string (postgres:// URL or key=value) is the "
                "database to inspect, as URL is.",
            ),
        )
    ):
        func = option(func)
    return func


def inspect_options(url: str | None, kwargs: dict[str, Any]) -> InspectOptions:
    """InspectOptions from the URL (or DATABASE_URL) and the shared options."""
    from dumpcheck.cli.options import split_databases
    from dumpcheck.errors import BadInputError
    from dumpcheck.inspection import InspectOptions

    live, dump_database = split_databases(kwargs.pop("databases", ()))
    if live is not None:
        # --database URL wins over DATABASE_URL, never over a URL given as the argument.
        source = click.get_current_context().get_parameter_source("url")
        if url is not None and source == click.core.ParameterSource.COMMANDLINE:
            raise BadInputError("give the database to inspect once: as URL or as --database URL")
        url = live
    if not url:
        raise BadInputError(
            "no database: pass URL (or --database URL), or set DATABASE_URL as Prisma does"
        )
    return InspectOptions(
        url=url,
        prisma=kwargs.pop("prisma"),
        dump=kwargs.pop("dump"),
        dump_database=dump_database,
        migrations=kwargs.pop("migrations"),
        default_schema=kwargs.pop("default_schema"),
        estimate_rows=kwargs.pop("estimate_rows"),
        strict=kwargs.pop("strict"),
        statement_timeout_s=kwargs.pop("statement_timeout"),
    )


@click.command(
    "inspect",
    help="Give every table of an existing database the verdicts verify gives a restored dump, "
    "read-only (one READ ONLY transaction, a statement timeout, application_name=dumpcheck). "
    "URL is a postgresql:// URL (Prisma's DATABASE_URL, ?schema= honoured) or a libpq "
    "key=value string; DATABASE_URL from the environment by default. With --dump, a table the "
    "database lacks is never_in_dump (the dump lacks it too) or not_restored (the dump has it)."
    "\n\n" + EXIT_CODES_HELP,
)
@click.argument("url", required=False, envvar="DATABASE_URL")
@database_options
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json", "markdown", "junit")), default="text"
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, readable=False), help="Write the report here."
)
@click.option("--quiet", "-q", is_flag=True, help="Print the summary line only.")
def command(url: str | None, fmt: str, output: Path | None, quiet: bool, **kwargs: Any) -> int:
    """Read the database and render its findings."""
    from dumpcheck.inspection import inspect_database
    from dumpcheck.report import render

    outcome = inspect_database(inspect_options(url, kwargs))
    tty = output is None and sys.stdout.isatty()
    width = shutil.get_terminal_size((120, 24)).columns if tty else 120
    text = render(outcome.findings, fmt, color=tty, quiet=quiet, width=width)  # type: ignore[arg-type]
    write_output(text, output)
    return outcome.findings.exit_code()
