"""What the restore stage reports: every error tied to its object, and the restored catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.fingerprint import Fingerprint

Severity = Literal["fatal", "harmless", "secondary", "other"]


@dataclass(frozen=True)
class RestoreError:
    """One error the restore hit, with the object it broke and its root cause."""

    id: int
    severity: Severity
    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    statement: str | None = None  # shortened sensibly
    location: str | None = None  # "line 120" or "TOC 215"
    object_type: str | None = None  # "TABLE", "TABLE DATA", "EXTENSION", ...
    object_name: str | None = None  # "public.products"
    table: QualifiedName | None = None  # the table this error breaks, when it breaks one
    root_cause_id: int | None = None  # id of the error that caused this one


@dataclass(frozen=True)
class PreflightFinding:
    """Something known to break before the restore starts (missing extension, ...)."""

    kind: Literal["missing_extension", "missing_role", "version_mismatch"]
    name: str
    message: str


@dataclass(frozen=True)
class RestoredFingerprints:
    """The restored side: a fingerprint per table, or why it cannot be compared."""

    fingerprints: dict[QualifiedName, Fingerprint] = field(default_factory=dict)
    not_comparable: dict[QualifiedName, str] = field(default_factory=dict)
    # The session TimeZone under which each table with timestamptz/timetz columns matched.
    time_zones: dict[QualifiedName, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RestoreResult:
    """The outcome of restoring one dump into a scratch database."""

    database: str
    catalog: Catalog  # read back from the restored database; Table.rows = count(*)
    errors: tuple[RestoreError, ...] = ()
    preflight: tuple[PreflightFinding, ...] = ()
    log: str = ""  # the full restore log (pg_restore stderr or our own statement log)
    tool: str = ""  # "pg_restore 18.1 -j 2" or "psycopg statement driver"
    duration_s: float = 0.0
    server_died: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    created_roles: tuple[str, ...] = ()  # roles made for the dump; dropped afterwards
    # Tablespaces the dump's objects live in that the server lacks: restored without them
    # (pg_restore --no-tablespaces; restore.preflight.missing_tablespaces).
    tablespaces_left_out: tuple[str, ...] = ()
    # What they were made from: the names alone (NOLOGIN), or a pg_dumpall file's roles
    # section (its attributes and memberships, never its passwords; NOLOGIN on a server that
    # is not dumpcheck's own).
    roles_source: Literal["names", "roles_section", "roles_section_nologin"] = "names"
    # A data-only dump was loaded into the tables the Prisma schema defines (restore.base).
    into_prisma_schema: bool = False
    # The restored rows read back and fingerprinted (None: not done, e.g. --no-fingerprints).
    fingerprints: RestoredFingerprints | None = None
    # Quick verify (--quick): each table loaded at most its first ``sample`` rows (None: every
    # row); ``sampled`` are the tables whose dump holds more rows than were loaded.
    sample: int | None = None
    sampled: frozenset[QualifiedName] = frozenset()
