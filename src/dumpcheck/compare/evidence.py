"""The evidence behind a verdict: what the dump says of a table it lacks, what broke a
table that failed to restore (its root cause, the errors it caused elsewhere), and what a table
no model maps to is to Prisma."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dumpcheck.catalog import QualifiedName, Table
from dumpcheck.expect.model import differ_ignores
from dumpcheck.restore.model import RestoreError

if TYPE_CHECKING:
    from dumpcheck.compare.tables import TableContext

_POSITION = re.compile(r"^(?:TOC|line) (\d+)")


def dump_order(error: RestoreError) -> tuple[int, int]:
    """Sort key: an error's place in the dump (TOC id, or line of a plain dump)."""
    m = _POSITION.match(error.location or "")
    return (0, int(m.group(1))) if m else (1, error.id)


def lost_referenced_rows(
    key: QualifiedName, errors: Sequence[RestoreError], ctx: TableContext
) -> list[str]:
    # A foreign key that fails with 23503 right after the referenced table lost rows in its
    # COPY is usually that loss, not bad data in the dump: point at it.
    assert ctx.restore is not None
    dumped = ctx.inventory.catalog.tables.get(key)
    if dumped is None:
        return []
    found: list[str] = []
    for error in errors:
        if error.sqlstate != "23503":
            continue
        for fk in dumped.foreign_keys:
            if f'"{fk.name}"' not in error.message:
                continue
            ref_dumped = ctx.inventory.catalog.tables.get(fk.ref_table)
            ref_restored = ctx.restore.catalog.tables.get(fk.ref_table)
            if ref_dumped is None or ref_dumped.rows is None:
                continue
            restored_rows = ref_restored.rows if ref_restored is not None else 0
            if (restored_rows or 0) < ref_dumped.rows:
                found.append(
                    f"{fk.name} refers to {fk.ref_table}, which lost rows in the restore "
                    f"({ref_dumped.rows} in the dump, {restored_rows or 0} restored): the "
                    "missing referenced rows are likely among them; fix that table first."
                )
    return found


def never_in_dump_evidence(key: QualifiedName, ctx: TableContext) -> list[str]:
    facts = ctx.inventory.facts
    catalog = ctx.inventory.catalog
    evidence = []
    # The strongest evidence first: did production ever have the table?
    migration = ctx.migration_evidence(key)
    if migration:
        evidence.append(migration)
    evidence.append(f"The dump creates {len(catalog.tables)} table(s); {key} is not among them.")
    elsewhere = [t for t in catalog.find_tables(key.name) if t.key != key]
    if elsewhere:
        names = ", ".join(str(t.key) for t in elsewhere)
        schema = elsewhere[0].key.schema
        # Prisma looks in one schema (DATABASE_URL's ?schema=, default public): a table there
        # under another schema is the same table read with the wrong default schema.
        evidence.append(
            f"A table of that name exists in another schema: {names}. If the application's "
            f"DATABASE_URL has `?schema={schema}`, verify again with `--schema {schema}`."
        )
    for missing, trace in facts.excluded_traces:
        if missing == key:
            evidence.append(f"Trace of an excluded table: {trace}.")
    if facts.kind == "data-only":
        evidence.append(
            "The dump is data-only and has no data for it: pg_dump writes a data section for "
            "every table it dumps, even an empty one, so this table was left out (-t, -T, "
            "--exclude-table-data) or did not exist in the source."
        )
    elif facts.kind == "schema-only":
        evidence.append(
            "The dump is schema-only: it creates every table pg_dump included (without rows), "
            "so this one was left out of it, not lost with the data."
        )
    else:
        evidence.append(
            "The dump is a full dump (schema and data): pg_dump wrote no CREATE TABLE for it."
        )
    if not facts.complete:
        evidence.append(
            f"The dump is truncated (it stops at {facts.stops_at}); the table may have come later."
        )
    return evidence


def failed_restore_evidence(
    key: QualifiedName, errors: Sequence[RestoreError], ctx: TableContext
) -> list[str]:
    assert ctx.restore is not None
    evidence: list[str] = [f"{key} is in the dump but the restore did not create it intact."]
    by_id = ctx.errors.by_id
    roots: list[RestoreError] = []
    for e in errors:
        root = by_id.get(e.root_cause_id) if e.root_cause_id is not None else None
        if root is not None and root.id != e.id and root not in roots:
            roots.append(root)
    for root in roots:
        evidence.append(
            f"Root cause: {root.object_type or 'statement'} {root.object_name or ''} failed "
            f"at {root.location}: {root.message}".replace("  ", " ")
        )
    for finding in ctx.restore.preflight:
        if finding.kind == "missing_extension" and any(
            finding.name in (r.object_name or "") for r in roots
        ):
            evidence.append(finding.message)
    # Secondary errors elsewhere: e.g. a failed PRIMARY KEY makes every FK to the table fail.
    own = {e.id for e in errors} | {r.id for r in roots}
    caused = {o.id: o for i in own for o in ctx.errors.by_root.get(i, ())}
    for other in sorted(caused.values(), key=dump_order):
        if other.table != key and other.severity != "harmless":
            what = f"{other.object_type or 'statement'} {other.object_name or ''}".strip()
            evidence.append(
                f"Secondary error on {other.table or 'another object'}: {what} failed "
                f"at {other.location}: {other.message}"
            )
    evidence.extend(lost_referenced_rows(key, errors, ctx))
    if ctx.restore.into_prisma_schema:
        evidence.append(
            "The dump is data-only: dumpcheck loaded it into the tables the Prisma schema "
            "defines, so the error is the dump's rows not fitting those tables."
        )
    elif ctx.inventory.facts.kind == "data-only":
        evidence.append(
            "The dump is data-only: it holds the rows but no CREATE TABLE, so it restores only "
            "into a database that already has the tables (`dumpcheck expect SCHEMA --format sql` "
            "prints the DDL Prisma expects)."
        )
    if not errors:
        evidence.append("No restore error names this table; check the restore log.")
    return evidence


def sample_evidence(sample: int, dump_rows: int | None, failed: bool) -> list[str]:
    """What a quick verify did and did not check of a table it loaded in part."""
    of = f" of its {dump_rows}" if dump_rows is not None else ""
    if failed:
        return [
            f"Quick verify (--quick): its first {sample}{of} rows failed to load; a full "
            "restore fails on the same rows."
        ]
    return [
        f"Sampled (--quick): the restore took only the first {sample}{of} rows; a bad row "
        "after them is not seen, and neither the rows' content (fingerprint) nor the foreign "
        "keys' check of existing rows was compared."
    ]


def unexpected_evidence(
    key: QualifiedName, actual: Table, source: str, managed: frozenset[str] | None
) -> list[str]:
    """Why a table no model maps to is there, as Prisma sees it: a view, a foreign table,
    PostGIS's tables, or a table in a schema the datasource does not manage, is nothing Prisma
    migrate creates or drops (its describer reads only the datasource's schemas, and its differ
    no views); another table in a managed schema is one `prisma migrate diff` would drop."""
    if actual.kind in ("view", "matview"):
        what = "materialized view" if actual.kind == "matview" else "view"
        return [
            f"{key} is a {what} in the {source}; no Prisma view block declares it, and Prisma "
            "migrate neither creates nor drops views."
        ]
    if actual.kind == "foreign":
        # The describer reads foreign tables (tables_query.sql: relkind 'f'), but `prisma
        # migrate diff` plans no step for one without a model (pinned by an oracle case).
        return [
            f"{key} is a foreign table in the {source}; no Prisma model maps to it, and Prisma "
            "migrate neither creates nor drops foreign tables."
        ]
    if differ_ignores(key.name):
        return [
            f"{key} is in the {source}: a PostGIS table, which Prisma migrate neither creates, "
            "changes nor drops."
        ]
    if managed is not None and key.schema not in managed:
        return [
            f"{key} is in the {source}, in schema {key.schema}, which the Prisma datasource does "
            f"not manage ({', '.join(sorted(managed))}): Prisma leaves it alone."
        ]
    return [f"{key} is in the {source} but no Prisma model maps to it."]
