"""The database `prisma migrate` builds from nothing, as SQL: what a data-only dump loads into."""

from __future__ import annotations

from importlib import resources

from dumpcheck.expect.model import Expectation
from dumpcheck.expect.render import render_sql


def prisma_migrations_sql() -> str:
    """Prisma's own DDL for ``_prisma_migrations`` (unqualified: it goes to the default schema)."""
    return (resources.files("dumpcheck.expect") / "sql" / "prisma_migrations.sql").read_text(
        "utf-8"
    )


def base_schema_sql(expectation: Expectation) -> str:
    """The schema's tables, types and keys, plus ``_prisma_migrations``, for an empty database.

    A data-only dump (pg_dump -a) holds rows but no CREATE TABLE; it is meant for a database the
    application's migrations already built. Prisma writes objects of the default schema
    unqualified (render_sql), and the engine runs them with that schema first on the search path
    (the datasource URL's ``?schema=``), so the script sets it the same way.
    """
    schema = '"' + expectation.default_schema.replace('"', '""') + '"'
    return (
        f"CREATE SCHEMA IF NOT EXISTS {schema};\n"
        f"SET search_path TO {schema};\n\n"
        + render_sql(expectation)
        + "\n"
        + prisma_migrations_sql()
    )
