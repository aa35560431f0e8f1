"""Give every table a verdict, with the evidence behind it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from dumpcheck.catalog import Domain, QualifiedName, Table
from dumpcheck.compare.columns import columns_missing_from_data, compare_columns
from dumpcheck.compare.constraints import compare_foreign_keys, compare_primary_key
from dumpcheck.compare.enums import enum_differences_for
from dumpcheck.compare.evidence import (
    dump_order,
    failed_restore_evidence,
    never_in_dump_evidence,
    sample_evidence,
    unexpected_evidence,
)
from dumpcheck.compare.findings import DatabaseInfo, Difference, ErrorRef, TableFinding, Verdict
from dumpcheck.compare.indexes import compare_indexes
from dumpcheck.compare.live import judge_absent
from dumpcheck.compare.postgis import extension_table
from dumpcheck.compare.rows import row_content
from dumpcheck.expect.model import ColumnOrigin, differ_ignores
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.restore.model import RestoreError, RestoreResult


@dataclass(frozen=True)
class ErrorIndex:
    """The restore errors looked up by table, id and root cause, built once per compare.

    A data-only dump into an empty database fails every table; scanning every error for every
    table would make compare quadratic in the size of the dump.
    """

    by_table: Mapping[QualifiedName, tuple[RestoreError, ...]]  # not harmless, dump order
    by_id: Mapping[int, RestoreError]
    by_root: Mapping[int, tuple[RestoreError, ...]]  # dump order

    @classmethod
    def of(cls, restore: RestoreResult | None) -> ErrorIndex:
        """Index the errors of one restore (empty without a restore)."""
        errors = sorted(restore.errors, key=dump_order) if restore is not None else []
        by_table: dict[QualifiedName, list[RestoreError]] = defaultdict(list)
        by_root: dict[int, list[RestoreError]] = defaultdict(list)
        for e in errors:
            if e.table is not None and e.severity != "harmless":
                by_table[e.table].append(e)
            if e.root_cause_id is not None:
                by_root[e.root_cause_id].append(e)
        return cls(
            {k: tuple(v) for k, v in by_table.items()},
            {e.id: e for e in errors},
            {k: tuple(v) for k, v in by_root.items()},
        )


@dataclass(frozen=True)
class TableContext:
    """Everything compare knows that is not per table."""

    inventory: DumpInventory
    restore: RestoreResult | None
    enum_diffs: dict[QualifiedName, Difference]
    migration_evidence: Callable[[QualifiedName], str | None]
    errors: ErrorIndex
    origins: Mapping[QualifiedName, Mapping[str, ColumnOrigin]] = field(default_factory=dict)
    # PostgreSQL's own spelling of each expected dbgenerated() default (restore/spelling.py).
    spellings: Mapping[tuple[QualifiedName, str], str] = field(default_factory=dict)
    strict: bool = False
    live: DatabaseInfo | None = None  # `inspect`: the restored side is a live database
    partial_indexes: bool = False  # the schema enables Prisma's partialIndexes preview feature
    # Each expected table's indexes in Prisma's order (Expectation.index_order).
    index_order: Mapping[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    domains: Mapping[QualifiedName, Domain] = field(default_factory=dict)  # the actual side's
    # The schemas Prisma's datasource manages (None: not known, as for a hand-built Expectation).
    managed_schemas: frozenset[str] | None = None


def table_differences(
    expected: Table, actual: Table, ctx: TableContext
) -> tuple[list[Difference], list[Difference]]:
    """(drift, notes): every structural difference, by kind of object."""
    origins = ctx.origins.get(expected.key, {})
    spelled = {c: s for (t, c), s in ctx.spellings.items() if t == expected.key}
    col_drift, col_notes = compare_columns(expected, actual, origins, spelled, ctx.domains)
    idx_drift, idx_notes = compare_indexes(
        expected,
        actual,
        partial_indexes=ctx.partial_indexes,
        order=ctx.index_order.get(expected.key, ()),
    )
    fk_drift, fk_notes = compare_foreign_keys(expected, actual)
    enums = enum_differences_for(expected, ctx.enum_diffs)
    drift = [
        *col_drift,
        *compare_primary_key(expected, actual),
        *idx_drift,
        *fk_drift,
        *(e for e in enums if e.reason is None),
    ]
    notes = [*col_notes, *idx_notes, *fk_notes, *(e for e in enums if e.reason is not None)]
    return drift, notes


def _error_ref(error: RestoreError, index: ErrorIndex) -> ErrorRef:
    root = None
    if error.root_cause_id is not None and error.root_cause_id != error.id:
        cause = index.by_id.get(error.root_cause_id)
        if cause is not None:
            what = f"{cause.object_type} {cause.object_name}" if cause.object_type else "statement"
            root = f"{what} failed: {cause.message}"
    return ErrorRef(
        message=error.message,
        statement=error.statement,
        location=error.location,
        sqlstate=error.sqlstate,
        severity=error.severity,
        root_cause=root,
    )


def judge_table(
    key: QualifiedName,
    expected: Table | None,
    model: str | None,
    ctx: TableContext,
) -> TableFinding:
    """The verdict for one table (expected, or only in the dump)."""
    dumped = ctx.inventory.catalog.tables.get(key)
    restored = ctx.restore.catalog.tables.get(key) if ctx.restore else None
    if ctx.live is not None and restored is None:
        return judge_absent(key, expected, model, never_in_dump_evidence(key, ctx), ctx)
    if expected is not None and dumped is None and ctx.live is None and differ_ignores(key.name):
        return extension_table(
            key,
            expected,
            model,
            restored,
            ctx.inventory.catalog.extensions,
            ctx.restore is not None,
        )
    source = "dump"
    if ctx.live is not None and (dumped is None or not ctx.live.has_dump):
        # In the database but not in the dump (made after the restore), or no dump given:
        # judged as it stands, with nothing said about a dump.
        dumped = replace(restored, rows=None) if restored is not None else None
        source = "database"
    # pg_restore -j reports errors in whatever order its workers finish; they are listed in
    # dump order (TOC id, or line of a plain dump) so that two runs of one dump report alike.
    errors = list(ctx.errors.by_table.get(key, ()))
    refs = tuple(_error_ref(e, ctx.errors) for e in errors)
    dump_rows = dumped.rows if dumped else None
    restored_rows = restored.rows if restored else None
    # Quick verify loads each table's first rows: a sampled table is whole when it has them all.
    sample = ctx.restore.sample if ctx.restore is not None else None
    sampled = ctx.restore is not None and key in ctx.restore.sampled
    wanted = dump_rows if sample is None or dump_rows is None else min(dump_rows, sample)
    evidence: list[str] = []
    differences: list[Difference] = []
    notes: list[Difference] = []
    verdict: Verdict
    if dumped is None:
        verdict = "never_in_dump"
        evidence = never_in_dump_evidence(key, ctx)
    elif expected is None and restored is None and ctx.restore and ctx.restore.into_prisma_schema:
        # Its rows had no table to go into: the Prisma schema the data-only dump was loaded
        # into has none. That is the dump having an extra table, not a restore failure.
        verdict = "unexpected"
        evidence = [
            f"{key} is in the dump ({dump_rows} rows) but no Prisma model maps to it, so the "
            "tables the data-only dump was loaded into have no place for its rows."
        ]
    elif ctx.restore is not None and (
        restored is None or _has_fatal(errors) or (sampled and _data_failed(errors))
    ):
        verdict = "failed_restore"
        evidence = failed_restore_evidence(key, errors, ctx)
    elif (
        ctx.restore is not None
        and wanted is not None
        and (restored_rows or 0) < wanted
        and not (ctx.live is not None and ctx.live.estimated_rows)  # estimates prove nothing
    ):
        verdict = "rows_lost"
        side = "the database's table" if ctx.live else "the restored table"
        loaded = f" of the first {wanted} it loaded" if wanted != dump_rows else ""
        evidence = [
            f"The dump holds {dump_rows} rows for {key}; {side} has {restored_rows}{loaded}.",
            *(
                f"{_load_kind(e)} error: {e.message}"
                for e in errors
                if e.object_type == "TABLE DATA"
            ),
        ]
    else:
        actual = restored if restored is not None else dumped
        if expected is not None and differ_ignores(key.name):
            # PostGIS's table (a model `prisma db pull` wrote): Prisma's differ compares nothing.
            evidence.append(
                f"{key} is a PostGIS table: Prisma migrate neither creates, changes nor drops it, "
                "so its columns and indexes are not compared."
            )
        elif expected is not None:
            differences, notes = table_differences(expected, actual, ctx)
            if ctx.strict and notes:
                # --strict: what Prisma treats as no change still fails the table.
                differences, notes = [*differences, *notes], []
            if ctx.restore is not None and ctx.restore.into_prisma_schema:
                listed = ctx.inventory.data_columns.get(key)
                if listed:
                    differences += columns_missing_from_data(expected, listed)
        explained = [d for d in differences if _failed_statement_for(d, errors)]
        if explained and ctx.restore is not None:
            # The dump has the constraint or index (its statement is in the dump) and the
            # restore failed to create it: a restore failure, not a schema that disagrees.
            verdict = "failed_restore"
            evidence = failed_restore_evidence(key, errors, ctx)
            rest = len(differences) - len(explained)
            evidence.append(
                f"{len(explained)} difference(s) from the Prisma schema come from statements "
                "that are in the dump but failed in the restore"
                + (f"; {rest} other(s) are drift." if rest else ".")
            )
        elif expected is None:
            verdict = "unexpected"
            evidence = unexpected_evidence(key, actual, source, ctx.managed_schemas)
        elif differences:
            verdict = "drift"
            evidence = [f"{len(differences)} difference(s) between the Prisma schema and {key}."]
            if ctx.restore is not None and ctx.restore.into_prisma_schema:
                evidence.append(
                    "The dump is data-only: its COPY column list is all it says about the source "
                    "table, and a column missing from it means the source table lacks it (its "
                    "rows loaded with the column's default)."
                )
        else:
            verdict = "ok"
            if notes:
                evidence.append(
                    f"{len(notes)} difference(s) that Prisma's own differ treats as no change "
                    "(listed as notes; --strict makes them fail)."
                )
    facts = ctx.inventory.facts
    damage = next((where for k, where in facts.damaged if k == key), None)
    if (
        damage is None
        and not facts.complete
        and dumped is not None
        and dump_rows is None
        and source == "dump"
        and facts.kind != "schema-only"
    ):
        # The dump stops (or is damaged) before this table's data: none of it was read, so
        # an empty restored table proves nothing.
        damage = f"the dump stops at {facts.stops_at} before any of this table's data"
    if damage is not None:
        # The dump's own count is of a part: equal counts after the restore prove nothing.
        if verdict == "ok":
            verdict = "rows_lost"
            readable = "no" if dump_rows is None else str(dump_rows)
            evidence.insert(0, f"The dump holds {readable} readable rows for {key}.")
        evidence.append(f"The dump's data for this table is damaged or cut short ({damage}).")
    elif not facts.complete and verdict in {"drift", "rows_lost", "failed_restore"}:
        evidence.append(
            f"The dump is truncated (it stops at {facts.stops_at}): rows, keys and indexes "
            "that come after that point were never in it."
        )
    content = row_content(key, ctx.inventory, ctx.restore, dumped, restored)
    if content.changed and verdict in {"ok", "unexpected"}:
        verdict = "rows_changed"
        evidence = [*content.evidence, *evidence]
    elif content.changed:
        evidence.extend(content.evidence)
    if expected is None and verdict in {"failed_restore", "rows_lost", "rows_changed"}:
        evidence.append(f"{key} is in the {source} but no Prisma model maps to it.")
    if sampled and sample is not None and restored is not None:
        evidence += sample_evidence(sample, dump_rows, _data_failed(errors))
    return TableFinding(
        schema=key.schema,
        name=key.name,
        model=model,
        verdict=verdict,
        in_dump=dumped is not None and source == "dump",
        restored=restored is not None,
        dump_rows=dump_rows,
        restored_rows=restored_rows,
        errors=refs,
        evidence=tuple(evidence),
        differences=tuple(differences),
        notes=tuple(notes),
        expected_columns=tuple(c.name for c in expected.columns) if expected else None,
        restored_columns=tuple(c.name for c in restored.columns) if restored else None,
        dump_fingerprint=content.dump,
        restored_fingerprint=content.restored,
        fingerprint_note=content.note,
        sampled=sampled,
    )


def _load_kind(error: RestoreError) -> str:
    # pg_dump --inserts / --column-inserts load rows with INSERT statements, not COPY.
    return "INSERT" if (error.statement or "").lstrip().upper().startswith("INSERT") else "COPY"


def _has_fatal(errors: Sequence[RestoreError]) -> bool:
    # A failed PRIMARY KEY or UNIQUE makes the table unusable for Prisma even when its rows
    # are present (issue: duplicate PK keeps rows but loses the PK and the FKs to it).
    return any(
        e.severity == "fatal" and e.object_type in {"CONSTRAINT", "INDEX", "TABLE"} for e in errors
    )


def _data_failed(errors: Sequence[RestoreError]) -> bool:
    # Quick verify: loading the table's first rows failed (its COPY, or one of its INSERTs).
    return any(e.severity == "fatal" and e.object_type == "TABLE DATA" for e in errors)


# What pg_dump creates after CREATE TABLE, each in its own statement that can fail alone.
_SEPARATE_STATEMENTS = {"primary_key", "unique", "index", "foreign_key", "default"}


def _failed_statement_for(diff: Difference, errors: Sequence[RestoreError]) -> bool:
    # A failed ADD CONSTRAINT / CREATE INDEX / SET DEFAULT naming the missing object. Only a
    # statement that names it counts: a failed GRANT or POLICY on the table explains nothing.
    if diff.actual is not None or diff.kind not in _SEPARATE_STATEMENTS:
        return False  # it exists, only differently; or CREATE TABLE itself made it
    # The name as pg_dump writes it: quoted or bare, never as part of a longer identifier.
    named = re.compile(rf'(?<![\w"$]){re.escape(diff.object)}(?![\w"$])|"{re.escape(diff.object)}"')
    for e in errors:
        if e.object_type == "TABLE DATA":
            continue
        words = (e.object_name or "").replace('"', "").split()
        if diff.object in words or named.search(e.statement or "") or named.search(e.message):
            return True
    return False
