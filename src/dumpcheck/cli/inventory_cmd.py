"""``dumpcheck inventory DUMP``: what a dump holds, read without a database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dumpcheck.cli import EXIT_CODES_HELP
from dumpcheck.cli.dumparg import DUMP

_PROGRESS_MIN_BYTES = 50 * 1024 * 1024


@click.command(
    "inventory",
    help="List the tables, row counts and facts of DUMP (plain, custom, directory or tar, "
    "compressed or not), without a database. A truncated dump exits 1.\n\n" + EXIT_CODES_HELP,
)
@click.argument("dump", type=DUMP)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--no-fingerprints",
    is_flag=True,
    help="Count rows only: do not hash them (faster; no fingerprint in the JSON).",
)
def command(dump: Path | str, fmt: str, no_fingerprints: bool) -> int:
    """Run the inventory stage and print it."""
    from dumpcheck.inventory import dump_source, inventory, progress_bar, to_json, to_text

    source = dump_source(dump)  # an s3:// URL: the object located, then read as a stream
    with progress_bar(source, enabled=sys.stderr.isatty(), min_bytes=_PROGRESS_MIN_BYTES) as tick:
        inv = inventory(source, progress=tick, fingerprints=not no_fingerprints)
    click.echo(to_json(inv) if fmt == "json" else to_text(inv), nl=False)
    return 0 if inv.facts.complete else 1
