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
    "compressed or not), without a database. A truncated dump exits 1. A pg_dumpall file lists "
    "each of its databases with its own tables; --database NAME gives one database's "
    "inventory.\n\n" + EXIT_CODES_HELP,
)
@click.argument("dump", type=DUMP)
@click.option(
    "--database",
    metavar="NAME",
    help="The database to list in a pg_dumpall file (default: every one of them).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--no-fingerprints",
    is_flag=True,
    help="Count rows only: do not hash them (faster; no fingerprint in the JSON).",
)
def command(dump: Path | str, fmt: str, no_fingerprints: bool, database: str | None) -> int:
    """Run the inventory stage and print it."""
    from dumpcheck.inventory import (
        cluster_to_json,
        cluster_to_text,
        dump_source,
        inventory,
        inventory_all,
        progress_bar,
        to_json,
        to_text,
        user_databases,
    )
    from dumpcheck.inventory.model import ClusterInventory

    source = dump_source(dump)  # an s3:// URL: the object located, then read as a stream
    with progress_bar(source, enabled=sys.stderr.isatty(), min_bytes=_PROGRESS_MIN_BYTES) as tick:
        if database is None:
            inv = inventory_all(source, progress=tick, fingerprints=not no_fingerprints)
        else:
            inv = inventory(source, tick, fingerprints=not no_fingerprints, database=database)
    if isinstance(inv, ClusterInventory):
        users = user_databases(inv)
        text = cluster_to_json(inv, users) if fmt == "json" else cluster_to_text(inv, users)
        click.echo(text, nl=False)
        return 0 if inv.complete else 1
    click.echo(to_json(inv) if fmt == "json" else to_text(inv), nl=False)
    return 0 if inv.facts.complete else 1
