"""``dumpcheck verify``: the whole pipeline on one dump."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from dumpcheck.cli import EXIT_CODES_HELP
from dumpcheck.cli.options import verify_options, write_output
from dumpcheck.cli.progress import stage_progress

FORMATS = ("text", "json", "markdown", "junit")


@click.command(
    "verify",
    help="Restore DUMP into a scratch PostgreSQL and give every table the Prisma schema "
    "expects a verdict: ok, never_in_dump, failed_restore, rows_lost, rows_changed, drift or "
    "unexpected.\n\n" + EXIT_CODES_HELP,
)
@verify_options()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, readable=False), help="Write the report here."
)
@click.option("--quiet", "-q", is_flag=True, help="Print the summary line only.")
def command(fmt: str, output: Path | None, quiet: bool, **kwargs: object) -> int:
    """Run verify and render its findings."""
    from dumpcheck.report import render
    from dumpcheck.verify import verify

    options = kwargs.pop("_options")
    with stage_progress() as progress:
        outcome = verify(options, on_stage=_stage_printer(), progress=progress)  # type: ignore[arg-type]
    tty = output is None and sys.stdout.isatty()
    width = shutil.get_terminal_size((120, 24)).columns if tty else 120
    text = render(outcome.findings, fmt, color=tty, quiet=quiet, width=width)  # type: ignore[arg-type]
    write_output(text, output)
    for note in outcome.findings.notes:
        if note.startswith("--expect-check:"):
            click.echo(f"dumpcheck: {note}", err=True)
    if outcome.kept_server is not None and outcome.restore is not None:
        dsn = outcome.kept_server.dsn(outcome.restore.database)
        click.echo(f"scratch server kept; connect with: psql {psql_conninfo(dsn)}", err=True)
        if outcome.kept_server.pid is not None:
            click.echo(
                f"stop it with: kill -INT {outcome.kept_server.pid} "
                "(the next dumpcheck run deletes its directory)",
                err=True,
            )
    return outcome.findings.exit_code()


def _stage_printer() -> object:
    if not sys.stderr.isatty():
        return None

    def show(stage: str) -> None:
        click.echo(f"dumpcheck: {stage}...", err=True)

    return show


def psql_conninfo(dsn: str) -> str:
    """``dsn`` as one shell word for psql, without the ``options=''`` that shields our own
    sessions from PGOPTIONS (its quotes would break a hand-quoted string)."""
    import shlex

    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    parts = {k: v for k, v in conninfo_to_dict(dsn).items() if k != "options" or v}
    return shlex.quote(make_conninfo(**parts))  # type: ignore[arg-type]
