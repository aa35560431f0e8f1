"""The closed set of findings compare produces; reporters only format them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal[
    "ok",
    "never_in_dump",
    "failed_restore",
    "not_restored",
    "missing",
    "rows_lost",
    "rows_changed",
    "drift",
    "unexpected",
]
VERDICTS: tuple[Verdict, ...] = (
    "failed_restore",
    "not_restored",
    "missing",
    "never_in_dump",
    "rows_lost",
    "rows_changed",
    "drift",
    "unexpected",
    "ok",
)
DifferenceKind = Literal[
    "missing_column",
    "extra_column",
    "type",
    "nullability",
    "default",
    "primary_key",
    "unique",
    "index",
    "foreign_key",
    "enum",
]


@dataclass(frozen=True)
class Difference:
    """One way the restored table differs from what Prisma expects."""

    kind: DifferenceKind
    object: str  # column, constraint or index name
    expected: str | None
    actual: str | None
    # Set on a note: the rule of Prisma's differ that makes this no change to Prisma.
    reason: str | None = None


@dataclass(frozen=True)
class ErrorRef:
    """A restore error as a report shows it: no row values, only names and messages."""

    message: str
    statement: str | None
    location: str | None
    sqlstate: str | None = None
    severity: str = "fatal"
    root_cause: str | None = None  # one line on the root failure, when this one is secondary


@dataclass(frozen=True)
class TableFinding:
    """The verdict for one table, with the evidence behind it."""

    schema: str
    name: str
    model: str | None
    verdict: Verdict
    in_dump: bool
    restored: bool
    dump_rows: int | None
    restored_rows: int | None
    errors: tuple[ErrorRef, ...] = ()
    evidence: tuple[str, ...] = ()
    differences: tuple[Difference, ...] = ()
    # Differences Prisma's differ treats as no change (each with its reason); --strict fails them.
    notes: tuple[Difference, ...] = ()
    # Column names, for triage of a P2022 (None: no such table on that side).
    expected_columns: tuple[str, ...] | None = None
    restored_columns: tuple[str, ...] | None = None
    # Row content (compare/rows.py): each side's fingerprint as shown (keyed, never values),
    # or why the content was not compared.
    dump_fingerprint: str | None = None
    restored_fingerprint: str | None = None
    fingerprint_note: str | None = None
    # Quick verify: the dump holds more rows than the restore loaded (its first ones only).
    sampled: bool = False
    # A table no model maps to that Prisma accounts for all the same (a declared view, a
    # partition of a model's table), in a few words; None for every other table.
    accounted_as: str | None = None
    # The dump creates the table but carries no data for it (pg_dump --exclude-table-data).
    data_excluded: bool = False

    @property
    def qualified(self) -> str:
        """``schema.name`` for display."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class DumpTruncated:
    """The dump stops before its end, or is damaged (``damaged``) from ``stops_at`` on."""

    stops_at: str
    damaged: bool = False


@dataclass(frozen=True)
class DumpKindFinding:
    """The dump carries only the schema or only the data."""

    kind: Literal["schema-only", "data-only", "statistics-only"]
    # data-only, loaded into the tables the Prisma schema defines (restore.base)
    into_prisma_schema: bool = False


@dataclass(frozen=True)
class VersionMismatch:
    """The dump was written by a newer pg_dump than the scratch server, or similar."""

    dump_version: str
    server_version: str
    message: str


@dataclass(frozen=True)
class MissingExtension:
    """The dump needs an extension the scratch server does not have."""

    name: str


@dataclass(frozen=True)
class MissingRole:
    """The dump names a role that had to be created (or could not be)."""

    name: str


@dataclass(frozen=True)
class UnparsedStatements:
    """Statements the inventory could not parse; kept so that nothing is silently dropped."""

    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class MigrationProblem:
    """A migration that failed, was rolled back, edited, or never applied in production."""

    migration: str
    state: Literal["failed", "rolled_back", "edited", "not_applied"]


@dataclass(frozen=True)
class ExpectationDisagreement:
    """--expect-check: the project's own Prisma writes other DDL than dumpcheck expects."""

    prisma: str  # the prisma binary asked
    objects: tuple[str, ...]  # one line per object on which the two disagree


@dataclass(frozen=True)
class ExcludedTableData:
    """Tables the dump creates but carries no data section for: pg_dump's
    ``--exclude-table-data`` (or ``--no-unlogged-table-data``) left their rows out."""

    tables: tuple[str, ...]  # schema.name


DumpFinding = (
    DumpTruncated
    | DumpKindFinding
    | VersionMismatch
    | MissingExtension
    | MissingRole
    | UnparsedStatements
    | MigrationProblem
    | ExpectationDisagreement
    | ExcludedTableData
)


@dataclass(frozen=True)
class ScratchInfo:
    """Which server the dump was restored into."""

    backend: str
    server_version: str
    # Roles the dump names (OWNER TO, GRANT) that the scratch server lacked, created NOLOGIN so
    # that ownership and grants could restore: production's roles are not in a pg_dump.
    created_roles: tuple[str, ...] = ()
    # "names": from the names alone; "roles_section": as a pg_dumpall file's roles section
    # defines them (attributes, memberships; never passwords); "roles_section_nologin": the
    # same, but NOLOGIN, on a server dumpcheck did not start.
    roles_source: str = "names"


@dataclass(frozen=True)
class DumpSummary:
    """The facts about the dump a report carries."""

    path: str
    format: str
    compression: str
    pg_dump_version: str | None
    server_version: str | None
    database: str | None
    complete: bool
    kind: str
    stops_at: str | None = None


@dataclass(frozen=True)
class DatabaseInfo:
    """The live database ``inspect`` read where ``verify`` restores into a scratch server."""

    url: str  # the password masked
    database: str
    server_version: str
    schema: str  # Prisma's default schema in it
    estimated_rows: bool  # pg_class.reltuples, not count(*)
    has_dump: bool  # a dump was given to compare the database with


@dataclass(frozen=True)
class Findings:
    """Everything compare concludes about one dump (or live database) against one schema."""

    dump: DumpSummary | None  # None: `inspect` of a database without a dump
    scratch: ScratchInfo | None
    tables: tuple[TableFinding, ...]
    dump_findings: tuple[DumpFinding, ...] = ()
    strict: bool = False
    prisma: str = ""
    notes: tuple[str, ...] = field(default=())
    database: DatabaseInfo | None = None  # set by `inspect`
    # Quick verify (--quick): at most this many rows of each table were loaded (None: all).
    sample: int | None = None

    def summary(self) -> dict[str, int]:
        """The count per verdict, every verdict present."""
        counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for t in self.tables:
            counts[t.verdict] += 1
        return counts

    def failing(self) -> tuple[TableFinding, ...]:
        """Tables whose verdict counts as a failure (``unexpected`` only under --strict)."""
        # Every verdict but ok fails; unexpected is information unless --strict.
        passing = {"ok"} if self.strict else {"ok", "unexpected"}
        bad = set(VERDICTS) - passing
        return tuple(t for t in self.tables if t.verdict in bad)

    def exit_code(self) -> int:
        """0 when every expected table is ok and the dump is whole, else 1."""
        fatal = (DumpTruncated, MissingExtension)
        fatal_dump = any(
            isinstance(f, fatal)
            # A statistics-only dump restores no table at all: never a passing dump.
            or (isinstance(f, DumpKindFinding) and f.kind == "statistics-only")
            for f in self.dump_findings
        )
        return 1 if self.failing() or fatal_dump else 0
