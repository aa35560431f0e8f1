"""What the expect stage derives from a Prisma schema and its migration history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.expect.psl.schema import ResolvedSchema

MigrationState = Literal["applied", "failed", "rolled_back", "edited", "not_applied"]

# PostGIS's own tables, which Prisma's differ leaves out on both sides, whatever their case:
# migrate never creates, changes or drops one, with or without a model for it (one that `prisma
# db pull` wrote). Checked against the engine: topology and layer are not among them.
_POSTGIS_TABLES = frozenset(
    {
        "spatial_ref_sys",
        "geometry_columns",
        "geography_columns",
        "raster_columns",
        "raster_overviews",
    }
)


def differ_ignores(table: str) -> bool:
    """Whether Prisma's differ leaves the table called ``table`` out (PostGIS's tables)."""
    return table.lower() in _POSTGIS_TABLES


@dataclass(frozen=True)
class Migration:
    """One folder of ``migrations/``, with what its SQL does to tables."""

    name: str  # folder name, e.g. "20240102_add_products"
    checksum: str  # sha256 hex of migration.sql, as Prisma records it
    creates: tuple[QualifiedName, ...] = ()
    drops: tuple[QualifiedName, ...] = ()
    renames: tuple[tuple[QualifiedName, QualifiedName], ...] = ()
    # CREATE EXTENSION names, in order: migrations often add the extensions a schema needs
    # (citext for @db.Citext, pg_trgm for gin_trgm_ops) without the schema declaring them.
    extensions: tuple[str, ...] = ()
    # Other checksums `prisma migrate` takes as this file's: its line endings the other way
    # round, and each digest in the old unpadded hex form (see folder.accepted_checksums).
    accepted: frozenset[str] = frozenset()

    def matches(self, recorded: str) -> bool:
        """Whether a checksum in ``_prisma_migrations`` is this file's, as Prisma decides it."""
        return recorded == self.checksum or recorded in self.accepted


@dataclass(frozen=True)
class MigrationStatus:
    """A migration's state in the dump's ``_prisma_migrations``."""

    migration: Migration
    state: MigrationState


@dataclass(frozen=True)
class ColumnOrigin:
    """What Prisma's differ knows of an expected column beyond its catalog entry."""

    scalar: str  # the Prisma type: String, Int, ..., "Enum" or "Unsupported"
    # How the default was written: "value", "now", "autoincrement", "dbgenerated",
    # "dbgenerated_any" (a bare dbgenerated()), or None (none, or one the client computes).
    default: str | None = None
    # A scalar Json literal as the schema writes it: Prisma's differ compares its JSON value,
    # not jsonb's respelling of it (1e2 printed as 100), with the database's.
    json: str | None = None


@dataclass(frozen=True)
class WrittenNames:
    """Names that Prisma's DDL writes longer than PostgreSQL keeps them (63 bytes, scan.l
    truncate_identifier): the catalog holds the cut names, render_sql writes these. Only the
    names that differ are here."""

    tables: dict[QualifiedName, str] = field(default_factory=dict)
    enums: dict[QualifiedName, str] = field(default_factory=dict)
    columns: dict[QualifiedName, dict[str, str]] = field(default_factory=dict)  # per table
    objects: dict[QualifiedName, dict[str, str]] = field(default_factory=dict)  # keys, indexes

    def table(self, key: QualifiedName) -> str:
        """The table's name as written."""
        return self.tables.get(key, key.name)

    def enum(self, key: QualifiedName) -> str:
        """The enum's name as written."""
        return self.enums.get(key, key.name)

    def column(self, table: QualifiedName, name: str) -> str:
        """A column's name as written."""
        return self.columns.get(table, {}).get(name, name)

    def object(self, table: QualifiedName, name: str) -> str:
        """A key, index or foreign key name as written."""
        return self.objects.get(table, {}).get(name, name)


@dataclass(frozen=True)
class Expectation:
    """The database `prisma migrate` builds, plus where each table comes from."""

    catalog: Catalog
    models: dict[QualifiedName, str] = field(default_factory=dict)  # table -> model name
    schema_files: tuple[str, ...] = ()
    migrations: tuple[Migration, ...] = ()  # sorted as Prisma sorts them (folder name)
    join_table_style: dict[QualifiedName, str] = field(default_factory=dict)
    # Prisma's migration order of each table's indexes and unique indexes, for render_sql.
    index_order: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    default_schema: str = "public"  # the connection's schema (?schema= of the URL)
    # Prisma's own DDL spelling of each column, for render_sql: table -> column ->
    # (type as Prisma writes it, default as Prisma writes it or None).
    column_ddl: dict[QualifiedName, dict[str, tuple[str, str | None]]] = field(default_factory=dict)
    # Prisma `view` blocks: migrate never creates them, but a dump that has them is not showing
    # an unexpected table. view -> model name.
    views: dict[QualifiedName, str] = field(default_factory=dict)
    # Each index's keys as Prisma writes them ("a" DESC, "b" jsonb_path_ops), and a partial
    # index's WHERE, for render_sql: table -> index -> text.
    index_ddl: dict[QualifiedName, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    index_predicates: dict[QualifiedName, dict[str, str]] = field(default_factory=dict)
    # The partialIndexes preview feature: without it Prisma's differ matches a partial index
    # as if it had no predicate and never drops one (compare/indexes.py).
    partial_indexes: bool = False
    resolved: ResolvedSchema | None = None
    column_origins: dict[QualifiedName, dict[str, ColumnOrigin]] = field(
        default_factory=dict
    )  # what the rules read (None for a hand-built one)
    written: WrittenNames = field(default_factory=WrittenNames)
