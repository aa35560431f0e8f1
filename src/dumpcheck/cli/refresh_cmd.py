"""``dumpcheck refresh``: verify the dump beside the target database, then swap it in."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from dumpcheck.cli import EXIT_CODES_HELP
from dumpcheck.cli.options import refuse_quick, verify_options, write_output
from dumpcheck.errors import BadInputError

if TYPE_CHECKING:
    from dumpcheck.verify import VerifyOptions


@click.command(
    "refresh",
    help="Restore DUMP into a new database beside the target (<target>__dumpcheck_<UTC stamp>) "
    "on the target's server, verify it there, and only if it passes swap it in atomically: the "
    "old target is kept as <target>__previous_<stamp>. On a failed gate the target is not "
    "touched. `refresh --rollback --target URL` swaps the newest previous one back.\n\n"
    + EXIT_CODES_HELP,
)
@verify_options(dump_required=False, prisma_required=False)
@click.option("--target", required=True, metavar="URL", help="The database to refresh.")
@click.option(
    "--allow",
    multiple=True,
    type=click.Choice(("unexpected", "drift")),
    help="Promote despite these verdicts (repeatable).",
)
@click.option("--wait", "wait", default="60s", show_default=True, help="How long to wait for "
              "sessions on the target to end before the swap fails.")  # fmt: skip
@click.option(
    "--terminate-connections", is_flag=True, help="End sessions on the target before the swap."
)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Previous databases to keep; older ones that refresh created are dropped.",
)
@click.option("--keep-failed", is_flag=True, help="Keep a candidate that failed the gate.")
@click.option("--rollback", is_flag=True, help="Swap the newest previous database back.")
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json", "markdown", "junit")), default="text"
)
@click.option("--output", "-o", type=click.Path(path_type=Path, readable=False))
@click.option("--quiet", "-q", is_flag=True, help="Print the summary line only.")
def command(
    target: str,
    allow: tuple[str, ...],
    wait: str,
    terminate_connections: bool,
    keep: int,
    keep_failed: bool,
    rollback: bool,
    fmt: str,
    output: Path | None,
    quiet: bool,
    **kwargs: Any,
) -> int:
    """Run the refresh and report what it did."""
    from dumpcheck.refresh import RefreshOptions, describe, parse_wait, refresh

    options = cast("VerifyOptions", kwargs.pop("_options"))
    refuse_quick(options, "refresh")
    if rollback == (options.dump is not None):
        raise BadInputError("give DUMP to refresh, or --rollback without one")
    if not rollback and options.prisma is None:
        raise BadInputError("refresh needs --prisma PATH (the schema the gate verifies against)")
    outcome = refresh(
        RefreshOptions(
            target=target,
            verify=None if rollback else options,
            allow=frozenset(allow),
            wait_s=parse_wait(wait),
            terminate=terminate_connections,
            keep=keep,
            keep_failed=keep_failed,
        )
    )
    if outcome.verify is not None:
        from dumpcheck.report import render

        tty = output is None and sys.stdout.isatty()
        width = shutil.get_terminal_size((120, 24)).columns if tty else 120
        findings = outcome.verify.findings
        text = render(findings, fmt, color=tty, quiet=quiet, width=width)  # type: ignore[arg-type]
        write_output(text, output)
    for line in describe(outcome):
        click.echo(f"dumpcheck: {line}", err=True)
    return outcome.exit_code
