"""The database `prisma migrate` builds from nothing, as SQL: what a data-only dump loads into."""

from __future__ import annotations

import re
from importlib import resources

from dumpcheck.expect.model import Expectation
from dumpcheck.expect.render.sql import render_sql

_CITEXT = re.compile(r"(?<![\w$])citext\b")


def prisma_migrations_sql() -> str:
    """Prisma's own DDL for ``_prisma_migrations`` (unqualified: it goes to the default schema)."""
    return (resources.files("dumpcheck.expect.render") / "prisma_migrations.sql").read_text("utf-8")


def base_schema_sql(expectation: Expectation) -> str:
    """The schema's tables, types and keys, plus ``_prisma_migrations``, for an empty database.

    A data-only dump (pg_dump -a) holds rows but no CREATE TABLE; it is meant for a database the
    application's migrations already built. Prisma writes objects of the default schema
    unqualified (render_sql), and the engine runs them with that schema first on the search path
    (the datasource URL's ``?schema=``), so the script sets it the same way.
    """
    schema = _q(expectation.default_schema)
    extensions = "".join(
        f"-- CreateExtension (needed by the schema, created by its migrations)\n"
        f"CREATE EXTENSION IF NOT EXISTS {_q(name)};\n\n"
        for name in needed_extensions(expectation)
    )
    return (
        f"CREATE SCHEMA IF NOT EXISTS {schema};\n"
        f"SET search_path TO {schema};\n\n"
        + extensions
        + render_sql(expectation)
        + "\n"
        + prisma_migrations_sql()
    )


def needed_extensions(expectation: Expectation) -> list[str]:
    """Extensions the tables need that the schema does not declare (render_sql creates those).

    Prisma only writes CREATE EXTENSION for a datasource's ``extensions = [...]``; projects
    without it add the extension in a hand-edited migration (citext for ``@db.Citext``, pg_trgm
    for ``gin_trgm_ops``), so the database their migrations build has it.
    """
    declared = set(expectation.catalog.extensions)
    wanted: dict[str, None] = {}
    for migration in expectation.migrations:
        for name in migration.extensions:
            wanted[name] = None
    uses_citext = any(
        _CITEXT.search(c.type) for t in expectation.catalog.tables.values() for c in t.columns
    )
    if uses_citext:
        wanted["citext"] = None  # @db.Citext: the type comes from the extension
    return [name for name in wanted if name not in declared]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
