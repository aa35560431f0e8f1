"""``dumpcheck inspect`` in one typed function: expect, read the live database, compare.

The triage twin of ``verify``: the database the application already uses stands where the
scratch restore stands, read in one read-only transaction, and the dump (when given) is still
read without a database, so a table the database lacks is told apart from one the dump lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dumpcheck.compare.findings import Findings
from dumpcheck.errors import BadInputError
from dumpcheck.expect.model import Expectation, MigrationStatus
from dumpcheck.inventory.model import DumpInventory


@dataclass(frozen=True)
class InspectOptions:
    """Everything ``dumpcheck inspect`` can be told."""

    url: str  # postgresql:// URL (Prisma's DATABASE_URL) or libpq key=value
    prisma: Path
    dump: Path | str | None = None  # a path, or an s3:// URL (read as a stream)
    dump_database: str | None = None  # the database in a pg_dumpall dump (default: its only one)
    migrations: Path | None = None
    default_schema: str | None = None  # --schema: wins over the URL's ?schema=
    estimate_rows: bool = False
    strict: bool = False
    statement_timeout_s: int = 60


@dataclass(frozen=True)
class InspectOutcome:
    """The findings and what they were made from."""

    findings: Findings
    expectation: Expectation
    inventory: DumpInventory | None
    migrations: tuple[MigrationStatus, ...]


def inspect_database(options: InspectOptions) -> InspectOutcome:
    """Judge every table of a live database against the Prisma schema (and the dump)."""
    from dumpcheck.compare import compare_database
    from dumpcheck.compare.findings import DatabaseInfo
    from dumpcheck.expect import classify_migrations, expect
    from dumpcheck.live import parse_database_url, read_database

    # The URL and the paths are checked before anything connects: a typo costs nothing.
    url = parse_database_url(options.url, schema=options.default_schema)
    if not options.prisma.exists():
        raise BadInputError(f"Prisma schema not found: {options.prisma}")
    if isinstance(options.dump, Path) and not options.dump.exists():
        raise BadInputError(f"dump not found: {options.dump}")
    if options.dump is None and options.dump_database is not None:
        raise BadInputError("--database NAME names a database in the dump: give --dump DUMP")
    expectation = expect(options.prisma, migrations=options.migrations, default_schema=url.schema)
    inv = None
    if options.dump is not None:
        from dumpcheck.inventory import dump_source, inventory

        # Row content is not compared with a live database (it changes after the restore).
        inv = inventory(
            dump_source(options.dump), fingerprints=False, database=options.dump_database
        )
    live = read_database(
        url,
        schema=expectation.default_schema,
        estimate_rows=options.estimate_rows,
        statement_timeout_s=options.statement_timeout_s,
    )
    # The history that matters is the database's own: it says what reached this database.
    statuses = classify_migrations(expectation.migrations, live.migrations)
    info = DatabaseInfo(
        url=url.shown,
        database=live.database,
        server_version=live.server_version,
        schema=expectation.default_schema,
        estimated_rows=live.estimated,
        has_dump=inv is not None,
    )
    findings = compare_database(
        expectation,
        live.catalog,
        info,
        inv,
        live_migrations=live.migrations,
        migrations=statuses,
        strict=options.strict,
        prisma=str(options.prisma),
    )
    return InspectOutcome(findings, expectation, inv, statuses)
