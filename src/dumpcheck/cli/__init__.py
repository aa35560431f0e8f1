"""The click layer: parse options, call the library, render, exit. No logic lives here.

Exit codes (also in ``dumpcheck --help`` and the README):
0 every expected table is ok; 1 findings; 2 bad input or usage; 3 environment failure.
"""

from __future__ import annotations

import sys

import click

from dumpcheck import __version__
from dumpcheck.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, DumpcheckError, SchemaParseError

EXIT_CODES_HELP = """\b
Exit codes:
  0  every expected table is ok
  1  findings (a table is missing, failed, lost or changed rows, drifted; a damaged dump)
  2  bad input or usage (missing path, not a dump, broken Prisma schema)
  3  environment failure (no server binaries, scratch server failed, disk full,
     database unreachable; refresh: another refresh running, sessions kept connected)
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM); the scratch server is cleaned up
"""


# Each command's module and its one-line summary (pip's commands_dict): a module is imported
# only when its command runs, so `dumpcheck --version` and `--help` import no stage, and no
# psycopg or sqlglot.
COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("dumpcheck.cli.verify_cmd", "Restore DUMP and give every table a verdict."),
    "explain": ("dumpcheck.cli.explain_cmd", "Why is one table missing or broken?"),
    "inspect": (
        "dumpcheck.cli.inspect_cmd",
        "The verdicts for an existing database, read-only.",
    ),
    "refresh": (
        "dumpcheck.cli.refresh_cmd",
        "Verify DUMP beside a database, then swap it in (or roll back).",
    ),
    "inventory": ("dumpcheck.cli.inventory_cmd", "List the tables, rows and facts of DUMP."),
    "expect": ("dumpcheck.cli.expect_cmd", "The database prisma migrate builds from SCHEMA."),
    "postgres": ("dumpcheck.cli.postgres_cmd", "List or install PostgreSQL server binaries."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when used, with their summaries known up front."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        import importlib

        command: click.Command = importlib.import_module(entry[0]).command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])


@click.group(
    cls=LazyGroup,
    help="Verify PostgreSQL dumps against a Prisma schema.\n\n" + EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="dumpcheck")
def cli() -> None:
    """Root command group."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    run_command(cli, argv, "dumpcheck")


def run_command(command: click.Command, argv: list[str] | None, prog_name: str) -> None:
    """Run a click command: the one place that maps exceptions to exit codes."""
    try:
        code = command.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except SchemaParseError as exc:
        click.echo(f"dumpcheck: error: {exc.with_caret()}", err=True)
        sys.exit(exc.exit_code)
    except DumpcheckError as exc:
        click.echo(f"dumpcheck: error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("dumpcheck: interrupted", err=True)
        sys.exit(130)
    except SystemExit as exc:
        # SIGTERM arrives as SystemExit(143) once the scratch server is cleaned up.
        if exc.code == 143:
            click.echo("dumpcheck: terminated", err=True)
        raise
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    except OSError as exc:
        # ENOSPC and friends that escaped a stage: still one line, never a traceback.
        click.echo(f"dumpcheck: error: {exc.strerror or exc}: {exc.filename or ''}", err=True)
        sys.exit(EXIT_ENVIRONMENT)
    sys.exit(code if isinstance(code, int) else 0)
