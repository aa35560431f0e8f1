"""Classify migrations against the dump's ``_prisma_migrations`` rows, and say what that proves."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from dumpcheck.catalog import QualifiedName
from dumpcheck.expect.model import Migration, MigrationState, MigrationStatus

if TYPE_CHECKING:  # only a type: importing inventory would import its whole stage
    from dumpcheck.inventory.model import MigrationRow

_STATE_WORDS: dict[MigrationState, str] = {
    "applied": "applied",
    "edited": "applied (its file was edited afterwards: the checksum differs)",
    "failed": "failed (started, never finished, not rolled back)",
    "rolled_back": "rolled back",
    "not_applied": "not applied (it is in the folder but not in the dump's history)",
}


def _state(migration: Migration, rows: list[MigrationRow]) -> MigrationState:
    # schema-engine's migration persistence: a row with finished_at and no rolled_back_at is an
    # applied migration; finished_at and rolled_back_at both null is a failed one that blocks
    # `migrate deploy`; rows with rolled_back_at were resolved as rolled back.
    if not rows:
        return "not_applied"
    applied = [r for r in rows if r.finished_at is not None and r.rolled_back_at is None]
    if applied:
        if not any(migration.matches(r.checksum) for r in applied):
            return "edited"
        return "applied"
    if any(r.finished_at is None and r.rolled_back_at is None for r in rows):
        return "failed"
    return "rolled_back"


def classify_migrations(
    migrations: tuple[Migration, ...], rows: tuple[MigrationRow, ...] | None
) -> tuple[MigrationStatus, ...]:
    """Each migration's state in production; empty when the dump has no history at all."""
    if rows is None:
        return ()
    by_name: dict[str, list[MigrationRow]] = {}
    for row in rows:
        by_name.setdefault(row.migration_name, []).append(row)
    return tuple(MigrationStatus(m, _state(m, by_name.get(m.name, []))) for m in migrations)


def _creators(table: QualifiedName, statuses: tuple[MigrationStatus, ...]) -> list[MigrationStatus]:
    return [
        s
        for s in statuses
        if table in s.migration.creates or any(new == table for _, new in s.migration.renames)
    ]


def _removers(table: QualifiedName, statuses: tuple[MigrationStatus, ...]) -> list[MigrationStatus]:
    return [
        s
        for s in statuses
        if table in s.migration.drops or any(old == table for old, _ in s.migration.renames)
    ]


# Whose history it is: a dump's (verify) or a live database's own (inspect).
HistorySource = Literal["dump", "database"]


def recorded_history_evidence(
    table: QualifiedName, rows: tuple[MigrationRow, ...], source: HistorySource = "dump"
) -> str:
    """What the `_prisma_migrations` rows say about ``table`` when no migrations folder is known.

    Without the folder's migration.sql files nothing proves which migration creates the table;
    the recorded names are still worth showing (Prisma names folders after what they do).
    """
    name = table.name if table.schema == "public" else f"{table.schema}.{table.name}"
    applied = [r.migration_name for r in rows if r.finished_at and not r.rolled_back_at]
    text = (
        f"The {source}'s `_prisma_migrations` records {len(applied)} applied migration(s), but no "
        f"migrations folder was found (give --migrations DIR), so which one creates `{name}` "
        "is not known"
    )
    words = re.compile(rf"(?<![a-z0-9]){re.escape(table.name.lower())}(?![a-z0-9])")
    named = [m for m in applied if words.search(m.lower())]
    if named:
        shown = ", ".join(f"`{m}`" for m in named[:3])
        return text + f"; by its name, {shown} may be the one."
    return text + "."


def migration_evidence(
    table: QualifiedName, statuses: tuple[MigrationStatus, ...], source: HistorySource = "dump"
) -> str:
    """One sentence on whether production (or the inspected database) ever had ``table``."""
    name = table.name if table.schema == "public" else f"{table.schema}.{table.name}"
    who = "production" if source == "dump" else "this database"
    if not statuses:
        return (
            f"The {source} carries no `_prisma_migrations` history, so the migrations cannot tell "
            f"whether {who} ever had `{name}`."
        )
    creators = _creators(table, statuses)
    if not creators:
        return f"No migration creates `{name}`; {who} never had it from `prisma migrate`."
    applied = [s for s in creators if s.state in ("applied", "edited")]
    if not applied:
        shown = ", ".join(f"`{s.migration.name}` ({_STATE_WORDS[s.state]})" for s in creators)
        return (
            f"No applied migration creates `{name}`; {who} never had it. "
            f"The migration that would create it: {shown}."
        )
    first = applied[-1]
    order = [s.migration.name for s in statuses]
    later_drops = [
        s
        for s in _removers(table, statuses)
        if s.state in ("applied", "edited")
        and order.index(s.migration.name) > order.index(first.migration.name)
    ]
    text = (
        f"{who.capitalize()} had it: the migration that creates `{name}` "
        f"(`{first.migration.name}`) is recorded as {_STATE_WORDS[first.state]} in the "
        f"{source}'s `_prisma_migrations`"
    )
    if later_drops:
        return (
            text + f"; the applied migration `{later_drops[0].migration.name}` drops or renames it."
        )
    if source == "database":
        return text + "; it was dropped since, or the restore that built the database lost it."
    return text + "; it was excluded from the dump or dropped before it."
