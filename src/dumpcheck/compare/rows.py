"""Row content: the dump's fingerprint of a table against the restored table's.

Equal counts with different fingerprints mean the restore kept the number of rows and changed
their values: a type that rounds or pads (a data-only dump loaded into Prisma's own tables,
``timestamp(6)`` into ``timestamp(3)``), a trigger that fired during the load, an encoding
conversion. The evidence names the columns that can explain it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dumpcheck.catalog import Column, QualifiedName, Table
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.restore.model import RestoreResult

# Restored column types that change a value's text as it loads, with what they do (PostgreSQL
# input functions: timestamp/time/interval round to their precision, numeric to its scale
# (rounding or padding with zeros),
# real keeps 6 significant digits, character(n) pads with spaces, jsonb normalises).
_CHANGING = (
    # Precision 6 is the types' own: only a lower one rounds.
    (re.compile(r"^(timestamp|time|interval)\b.*\(([0-5])\)"), "rounds to {2} fractional digits"),
    (re.compile(r"^numeric\(\d+,(\d+)\)"), "rounds or pads to {1} decimal places"),
    (re.compile(r"^real\b"), "keeps 6 significant digits"),
    (re.compile(r"^character\((\d+)\)"), "pads to {1} characters"),
    (re.compile(r"^jsonb\b"), "rewrites JSON (key order, spacing, duplicate keys)"),
)


@dataclass(frozen=True)
class RowContent:
    """What the fingerprints say about one table."""

    dump: str | None = None  # the dump's fingerprint as reports show it
    restored: str | None = None
    changed: bool = False
    note: str | None = None  # why the rows' content was not compared
    evidence: tuple[str, ...] = ()


def row_content(
    key: QualifiedName,
    inventory: DumpInventory,
    restore: RestoreResult | None,
    dumped: Table | None,
    restored: Table | None,
) -> RowContent:
    """Compare the two fingerprints of ``key``, when both sides have one."""
    dump_print = inventory.fingerprints.get(key)
    if restore is None or restore.fingerprints is None or dumped is None:
        return RowContent(dump=dump_print.shown() if dump_print else None)
    side = restore.fingerprints
    if dump_print is None:
        reason = inventory.unfingerprinted.get(key)
        note = f"Rows not compared by content: {reason}." if reason and dumped.rows else None
        return RowContent(note=note)
    restored_print = side.fingerprints.get(key)
    if restored_print is None:
        reason = side.not_comparable.get(key)
        note = f"Rows not compared by content: {reason}." if reason else None
        return RowContent(dump=dump_print.shown(), note=note)
    shown = RowContent(dump=dump_print.shown(), restored=restored_print.shown())
    if restored_print == dump_print or restored_print.rows != dump_print.rows:
        return shown  # equal, or a count that differs (rows_lost says so)
    evidence = [
        f"The dump and the restored table both hold {dump_print.rows} rows, but their "
        f"content differs (fingerprints {shown.dump} and {shown.restored}).",
        *_causes(key, inventory, restore, dumped, restored),
    ]
    zone = side.time_zones.get(key)
    if zone:
        evidence.append(f"timestamptz values were compared in TimeZone {zone}.")
    return RowContent(shown.dump, shown.restored, True, None, tuple(evidence))


def _causes(
    key: QualifiedName,
    inventory: DumpInventory,
    restore: RestoreResult,
    dumped: Table,
    restored: Table | None,
) -> list[str]:
    if restored is None:
        return []
    listed = inventory.data_columns.get(key) or tuple(
        c.name for c in restored.columns if not c.generated
    )
    after = {c.name: c for c in restored.columns}
    before = {c.name: c for c in dumped.columns}
    if restore.into_prisma_schema or not before:
        changing = [
            f"{name} {after[name].type} ({what})"
            for name in listed
            if name in after and (what := changes_value(after[name])) is not None
        ]
        if changing:
            return [
                "The dump is data-only, so it does not say the source's column types; these "
                "columns of the table it was loaded into change a value as it loads: "
                + "; ".join(changing)
                + "."
            ]
    else:
        changed = [
            f"{name}: {before[name].type} in the dump, {after[name].type} restored"
            for name in listed
            if name in before and name in after and before[name].type != after[name].type
        ]
        if changed:
            return ["Column types changed between the dump and the restore: " + "; ".join(changed)]
    return [
        "No column type explains it: a trigger that fired during the load, a rule, or an "
        "encoding conversion changed the values."
    ]


def changes_value(column: Column) -> str | None:
    """What loading a value into ``column`` can do to its text, or None when nothing."""
    for pattern, what in _CHANGING:
        m = pattern.match(column.type)
        if m:
            return what.format(*(m.group(0), *m.groups()))
    return None
