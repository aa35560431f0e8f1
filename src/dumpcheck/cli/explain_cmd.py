"""``dumpcheck explain``: one focused answer about one table, for incident triage."""

from __future__ import annotations

from pathlib import Path

import click

from dumpcheck.cli import EXIT_CODES_HELP
from dumpcheck.cli.options import verify_options, write_output
from dumpcheck.errors import BadInputError


@click.command(
    "explain",
    help="Why is TABLE missing or broken? Runs verify on DUMP and answers for one table, "
    "named directly or through a pasted Prisma error (P2021 / P2022).\n\n" + EXIT_CODES_HELP,
)
@verify_options()
@click.argument("table", required=False)
@click.option(
    "--prisma-error",
    "prisma_error",
    help='A pasted Prisma error, e.g. "The table `db.products` does not exist ...".',
)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option("--output", "-o", type=click.Path(path_type=Path, readable=False))
def command(
    table: str | None, prisma_error: str | None, fmt: str, output: Path | None, **kwargs: object
) -> int:
    """Run verify, pick the table, render the focused answer."""
    from dumpcheck.report import (
        find_table,
        parse_prisma_error,
        render_explain,
        resolve_table,
    )
    from dumpcheck.verify import verify

    if (table is None) == (prisma_error is None):
        raise BadInputError("give exactly one of TABLE or --prisma-error")
    # Parse the pasted error before anything runs: a bad paste costs no restore.
    ref = parse_prisma_error(prisma_error) if prisma_error else None
    options = kwargs.pop("_options")
    outcome = verify(options)  # type: ignore[arg-type]
    if ref is not None:
        finding, reading = resolve_table(ref, outcome.findings)
    else:
        assert table is not None
        finding, reading = find_table(outcome.findings, table)
    text = render_explain(
        outcome.findings,
        finding,
        reading,
        fmt,  # type: ignore[arg-type]
        column=ref.column if ref is not None else None,
    )
    write_output(text, output)
    return 0 if finding.verdict in ("ok", "unexpected") else 1
