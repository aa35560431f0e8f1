"""``dumpcheck expect SCHEMA``: print the database `prisma migrate` builds from a schema."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command(name="expect")
@click.argument("schema", type=click.Path(path_type=Path, readable=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sql"]),
    default="text",
    show_default=True,
    help="sql prints DDL in Prisma's own migration style.",
)
@click.option("--table", "table", default=None, help="Only this table (name or schema.name).")
@click.option(
    "--schema",
    "default_schema",
    default=None,
    help="The database schema (default: ?schema= of DATABASE_URL, else public).",
)
@click.option(
    "--migrations",
    type=click.Path(path_type=Path, readable=False),
    default=None,
    help="The migrations folder (default: migrations/ beside the schema).",
)
def command(
    schema: Path, fmt: str, table: str | None, default_schema: str | None, migrations: Path | None
) -> None:
    """Print the tables, keys, indexes and FKs Prisma expects for SCHEMA.

    SCHEMA is a .prisma file or a folder of .prisma files (or with a prisma.config.ts).
    """
    from dumpcheck.expect import expect, render_sql
    from dumpcheck.expect.render import render_text, to_json

    expectation = expect(schema, migrations=migrations, default_schema=default_schema)
    if fmt == "sql":
        click.echo(render_sql(expectation, table), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(to_json(expectation, table), indent=2))
    else:
        click.echo(render_text(expectation, table), nl=False)
