"""What the inventory stage knows about a dump, without any database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.fingerprint import Fingerprint

DumpFormat = Literal["plain", "custom", "directory", "tar"]
DumpKind = Literal["full", "schema-only", "data-only", "statistics-only"]
# Archives use the first four (pg_dump -Z); plain scripts may come through bzip2 or xz too.
Compression = Literal["none", "gzip", "lz4", "zstd", "bzip2", "xz"]


@dataclass(frozen=True)
class Unparsed:
    """A statement we could not turn into catalog objects, kept with its location."""

    location: str  # "line 120" for plain dumps, "TOC 215" for archives
    statement: str  # shortened to a few hundred characters
    reason: str


@dataclass(frozen=True)
class TocEntry:
    """One archive TOC entry (for plain dumps, one ``-- Name: ...; Type: ...`` header)."""

    dump_id: int
    desc: str  # "TABLE", "TABLE DATA", "CONSTRAINT", "FK CONSTRAINT", "EXTENSION", ...
    tag: str  # e.g. "products", "products products_pkey"
    namespace: str  # schema name, "" when none
    owner: str = ""
    dependencies: tuple[int, ...] = ()
    defn: str = ""  # the SQL that creates the object (may be empty, e.g. TABLE DATA)
    had_data: bool = False
    # The archive section: "pre-data", "data", "post-data" or "none" ("" for plain dumps), as
    # pg_restore --section reads it; quick verify restores the sections around its own COPY.
    section: str = ""
    # The tablespace the object lives in ("" for the database's default): the TOC's field, or
    # a plain header's "; Tablespace: x" (pg_backup_archiver.c _printTocEntry).
    tablespace: str = ""


@dataclass(frozen=True)
class MigrationRow:
    """One row of the dump's ``_prisma_migrations`` table (names and checksums only)."""

    migration_name: str
    checksum: str
    finished_at: str | None
    rolled_back_at: str | None
    applied_steps_count: int = 0


@dataclass(frozen=True)
class RoleDefinition:
    """A role as the roles section of a pg_dumpall file creates it; its password never kept."""

    name: str
    # CREATE ROLE options only, those that differ from its defaults, spelled as such:
    # [NO]SUPERUSER, [NO]INHERIT, [NO]CREATEROLE, [NO]CREATEDB, [NO]LOGIN, [NO]REPLICATION,
    # [NO]BYPASSRLS and CONNECTION LIMIT n.
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleMembership:
    """``GRANT role TO member`` in the roles section, with its options (16+: INHERIT, SET)."""

    role: str
    member: str
    admin: bool = False
    inherit: bool | None = None  # None: not stated (the member's INHERIT attribute decides)
    set_role: bool | None = None


@dataclass(frozen=True)
class ClusterSection:
    """The dump is one database's part of a pg_dumpall file: the file's databases, and the
    roles this database names as the file's roles section defines them."""

    databases: tuple[str, ...]  # every database of the file, in its order
    roles: tuple[RoleDefinition, ...] = ()
    memberships: tuple[RoleMembership, ...] = ()  # among the roles this database names


@dataclass(frozen=True)
class DumpFacts:
    """Facts about the dump itself."""

    path: str
    format: DumpFormat
    compression: Compression = "none"
    archive_version: str | None = None  # "1.16" for archives, None for plain
    pg_dump_version: str | None = None  # "18.1"
    server_version: str | None = None  # source server, "15.4"
    database: str | None = None
    encoding: str | None = None
    kind: DumpKind = "full"
    excluded_table_data: tuple[QualifiedName, ...] = ()  # --exclude-table-data traces
    complete: bool = True
    stops_at: str | None = None  # where a truncated dump stops: "line 4411 in COPY public.x"
    roles: frozenset[str] = frozenset()  # every role named by OWNER TO / GRANT / REVOKE
    extensions: frozenset[str] = frozenset()  # every CREATE EXTENSION
    # An FK or sequence refers to a table the dump never creates: the trace of an excluded table.
    excluded_traces: tuple[tuple[QualifiedName, str], ...] = ()  # (missing table, evidence)
    # Tables whose data the dump holds only in part: cut short, missing or damaged (a NUL in
    # COPY text, a broken COPY command). Their row counts prove nothing. (table, where)
    damaged: tuple[tuple[QualifiedName, str], ...] = ()
    cluster: ClusterSection | None = None  # read from a pg_dumpall file, this database's part

    @property
    def source_major(self) -> int | None:
        """The major version of the server the dump was taken from."""
        digits = re.match(r"\d+", self.server_version or "")
        return int(digits.group()) if digits else None

    @property
    def pg_dump_major(self) -> int | None:
        """The major version of the pg_dump that wrote the dump."""
        # Leading digits only: pre-releases print "18beta1" / "17devel" (PG_VERSION), and a
        # corrupt archive header can hold anything; no digits means unknown, not a crash.
        digits = re.match(r"\d+", self.pg_dump_version or "")
        return int(digits.group()) if digits else None


# Why a table's dump side has no fingerprint.
INSERT_DATA = (
    "its rows are INSERT statements (pg_dump --inserts) with values that dumpcheck does not "
    "turn into COPY text (not as pg_dump writes them, a \\u escape outside UTF-8, or a "
    "statement too big to hold)"
)
DAMAGED_DATA = "its data in the dump is damaged or cut short"


@dataclass(frozen=True)
class DumpInventory:
    """Everything the inventory stage learns from one dump."""

    facts: DumpFacts
    catalog: Catalog  # Table.rows = COPY/INSERT row count, None when the table has no data entry
    entries: tuple[TocEntry, ...] = ()
    unparsed: tuple[Unparsed, ...] = ()
    prisma_migrations: tuple[MigrationRow, ...] | None = None  # None: no such table data
    locations: dict[QualifiedName, str] = field(default_factory=dict)  # where each table is
    # The column list of each table's COPY (or INSERT with names), as pg_dump wrote it. In a
    # data-only dump it is the only trace of the source table's columns.
    data_columns: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    # The fingerprint of each table's COPY rows as the dump holds them (dumpcheck.fingerprint);
    # none for damaged data, for INSERT data, or with fingerprints turned off.
    fingerprints: dict[QualifiedName, Fingerprint] = field(default_factory=dict)
    # Tables with data but no fingerprint, and why (reports say so per table, never silently).
    unfingerprinted: dict[QualifiedName, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterInventory:
    """A pg_dumpall file: one inventory per database, never merged into one."""

    path: str
    compression: Compression
    databases: tuple[str, ...]  # in the file's order, template1 and postgres included
    # Every database's inventory, or only the one asked for (the others were skipped).
    inventories: dict[str, DumpInventory]
    roles: tuple[RoleDefinition, ...] = ()  # the whole roles section
    memberships: tuple[RoleMembership, ...] = ()
    complete: bool = True  # pg_dumpall's closing comment is there and every part is complete
    stops_at: str | None = None
