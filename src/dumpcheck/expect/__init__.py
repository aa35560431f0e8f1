"""The expect stage: the database `prisma migrate` builds, from a Prisma schema and its history.

The trip is one way: ``psl`` reads the files and resolves the schema (Prisma's grammar and
validations), ``rules`` turn the resolved schema into the catalog (Prisma's SQL schema
calculator), ``history`` lists the migrations, and ``render`` writes the result out.
"""

from __future__ import annotations

from pathlib import Path

from dumpcheck.errors import BadInputError
from dumpcheck.expect.crosscheck import CrossCheck, cross_check
from dumpcheck.expect.history import (
    classify_migrations,
    list_migrations,
    migration_evidence,
    recorded_history_evidence,
)
from dumpcheck.expect.model import Expectation, Migration, MigrationStatus
from dumpcheck.expect.psl import default_schema as url_schema
from dumpcheck.expect.psl import load_schema, resolve
from dumpcheck.expect.render import base_schema_sql, prisma_migrations_sql, render_sql
from dumpcheck.expect.rules import build_expectation, legacy_join_table

__all__ = [
    "CrossCheck",
    "Expectation",
    "Migration",
    "MigrationStatus",
    "base_schema_sql",
    "classify_migrations",
    "cross_check",
    "expect",
    "legacy_join_table",
    "migration_evidence",
    "prisma_migrations_sql",
    "recorded_history_evidence",
    "render_sql",
]


def expect(
    schema_path: Path,
    *,
    migrations: Path | None = None,
    default_schema: str | None = None,
) -> Expectation:
    """The Expectation for the schema at ``schema_path`` (a .prisma file or a folder).

    ``migrations`` defaults to ``migrations/`` beside the schema (or prisma.config.ts's
    ``migrations.path``); ``default_schema`` to the ``?schema=`` of the datasource URL, else public.
    """
    source = load_schema(Path(schema_path))
    if not any(block.kind == "datasource" for block in source.ast.blocks):
        # Prisma's schema engine stops here too ("There is no datasource in the schema."): a
        # schema without one builds nothing. Most often one file of a multi-file schema.
        raise BadInputError(
            f"{schema_path}: no datasource block, so prisma migrate builds nothing from it "
            "(for a schema split over several files, pass their folder)"
        )
    schema = default_schema or url_schema(source)
    if migrations is not None and not Path(migrations).is_dir():
        raise BadInputError(f"migrations folder not found: {migrations}")
    folder = Path(migrations) if migrations is not None else source.migrations_dir
    history = list_migrations(folder, schema) if folder.is_dir() else ()
    files = tuple(str(f) for f in source.files)
    return build_expectation(resolve(source.ast, schema, files), history, files)
