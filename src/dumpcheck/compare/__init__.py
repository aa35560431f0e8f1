"""Compare stage: pure functions from the three catalogs and the evidence to findings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

from dumpcheck.catalog import Catalog, QualifiedName, Table
from dumpcheck.compare.constraints import join_table_style
from dumpcheck.compare.enums import enum_differences
from dumpcheck.compare.findings import (
    DatabaseInfo,
    DumpFinding,
    DumpKindFinding,
    DumpSummary,
    DumpTruncated,
    ExcludedTableData,
    Findings,
    MigrationProblem,
    MissingExtension,
    MissingRole,
    ScratchInfo,
    TableFinding,
    UnparsedStatements,
    VersionMismatch,
)
from dumpcheck.compare.tables import ErrorIndex, TableContext, judge_table
from dumpcheck.expect.model import Expectation, MigrationStatus
from dumpcheck.inventory.model import DumpFacts, DumpInventory, MigrationRow
from dumpcheck.restore.model import RestoreResult

__all__ = ["Findings", "compare", "compare_database"]


def compare(
    expectation: Expectation,
    inventory: DumpInventory,
    restore: RestoreResult | None,
    *,
    migrations: tuple[MigrationStatus, ...] = (),
    scratch: ScratchInfo | None = None,
    strict: bool = False,
    prisma: str = "",
    spellings: Mapping[tuple[QualifiedName, str], str] | None = None,
    live: DatabaseInfo | None = None,
) -> Findings:
    """Every table gets a verdict with evidence; the dump gets its own findings.

    ``live``: ``restore`` is a live database read by ``inspect``, not a scratch restore.
    """
    from dumpcheck.expect import migration_evidence, recorded_history_evidence

    has_history = bool(expectation.migrations) or inventory.prisma_migrations is not None
    recorded = inventory.prisma_migrations

    # inspect reads the database's own history; verify the dump's.
    source: Literal["dump", "database"] = "database" if live is not None else "dump"

    def evidence(key: QualifiedName) -> str | None:
        if not has_history:
            return None
        if not expectation.migrations and recorded is not None:
            # The history is there but we have no folder to read it with.
            return recorded_history_evidence(key, recorded, source)
        return migration_evidence(key, migrations, source)

    actual = restore.catalog if restore is not None else inventory.catalog
    ctx = TableContext(
        inventory=inventory,
        restore=restore,
        enum_diffs=enum_differences(expectation.catalog, actual),
        migration_evidence=evidence,
        errors=ErrorIndex.of(restore),
        origins=expectation.column_origins,
        spellings=spellings or {},
        strict=strict,
        live=live,
        partial_indexes=expectation.partial_indexes,
        index_order=expectation.index_order,
        domains=actual.domains,
        managed_schemas=_managed_schemas(expectation),
    )
    tables: list[TableFinding] = []
    for key in sorted(expectation.catalog.tables):
        if expectation.catalog.tables[key].kind in {"view", "matview"}:
            continue  # prisma migrate never creates views
        finding = judge_table(
            key, expectation.catalog.tables[key], expectation.models.get(key), ctx
        )
        if key in expectation.join_table_style:
            finding = _with_join_style(finding, actual.tables.get(key))
        tables.append(_data_excluded(finding, key, inventory.facts))
    # Tables no model maps to: the dump's, and (inspect) the database's own.
    others = set(inventory.catalog.tables)
    if live is not None and restore is not None:
        others |= set(restore.catalog.tables)
    for key in sorted(others):
        if key in expectation.catalog.tables:
            continue
        finding = judge_table(key, None, None, ctx)
        view_model = expectation.views.get(key)
        if view_model is not None:
            finding = _declared_view(finding, view_model)
        parent = _partition_parent(key, actual, inventory.catalog)
        if parent is not None and parent in expectation.models:
            finding = _partition_of_model(finding, parent, expectation.models[parent])
        tables.append(_data_excluded(finding, key, inventory.facts))
    if live is not None and not live.has_dump:
        return Findings(
            dump=None,
            scratch=None,
            tables=tuple(tables),
            dump_findings=_dump_findings(inventory, None, migrations, None),
            strict=strict,
            prisma=prisma,
            database=live,
        )
    facts = inventory.facts
    summary = DumpSummary(
        path=facts.path,
        format=facts.format,
        compression=facts.compression,
        pg_dump_version=facts.pg_dump_version,
        server_version=facts.server_version,
        database=facts.database,
        complete=facts.complete,
        kind=facts.kind,
        stops_at=facts.stops_at,
    )
    return Findings(
        dump=summary,
        scratch=scratch,
        tables=tuple(tables),
        dump_findings=_dump_findings(inventory, restore, migrations, scratch),
        strict=strict,
        prisma=prisma,
        notes=(
            *_roles_note(scratch),
            *_tablespaces_note(restore),
            *_subscriptions_note(inventory, restore),
        ),
        database=live,
        sample=restore.sample if restore is not None else None,
    )


def compare_database(
    expectation: Expectation,
    catalog: Catalog,
    info: DatabaseInfo,
    inventory: DumpInventory | None,
    *,
    live_migrations: tuple[MigrationRow, ...] | None,
    migrations: tuple[MigrationStatus, ...] = (),
    strict: bool = False,
    prisma: str = "",
) -> Findings:
    """``inspect``: a live database's catalog where ``verify`` has the restored one."""
    # Without a dump, the database is its own inventory: its tables are what there is, and its
    # _prisma_migrations rows are the history that reached it.
    inv = inventory or DumpInventory(
        facts=DumpFacts(path=info.url, format="plain"),
        catalog=catalog,
        prisma_migrations=live_migrations,
    )
    if inventory is not None:
        # The history that matters is the database's own, not the dump's.
        inv = replace(inventory, prisma_migrations=live_migrations)
    side = RestoreResult(database=info.database, catalog=catalog, tool="live database")
    return compare(
        expectation, inv, side, migrations=migrations, strict=strict, prisma=prisma, live=info
    )


def _roles_note(scratch: ScratchInfo | None) -> tuple[str, ...]:
    if scratch is None or not scratch.created_roles:
        return ()
    roles = ", ".join(scratch.created_roles)
    lacked = f"The scratch server lacked {len(scratch.created_roles)} role(s) the dump names"
    if scratch.roles_source == "roles_section":
        return (
            f"{lacked}, created from the dump's roles section (pg_dumpall) with the attributes "
            f"and memberships it gives them, never its passwords: {roles}. A server the "
            "database is restored into needs them too (the file's roles section creates them).",
        )
    if scratch.roles_source == "roles_section_nologin":
        return (
            f"{lacked}, created from the dump's roles section (pg_dumpall) with the memberships "
            "among them but as NOLOGIN and without its other attributes or passwords (this "
            f"server is not one dumpcheck started): {roles}. A server the database is restored "
            "into needs them too (the file's roles section creates them).",
        )
    return (
        f"{lacked}, created as NOLOGIN so that ownership and grants could restore: {roles}. A "
        "server the dump is restored into needs them too (pg_dump does not dump roles; "
        "pg_dumpall --roles-only does).",
    )


def _tablespaces_note(restore: RestoreResult | None) -> tuple[str, ...]:
    if restore is None or not restore.tablespaces_left_out:
        return ()
    names = ", ".join(restore.tablespaces_left_out)
    return (
        f"The dump puts objects in tablespace(s) the scratch server does not have: {names}. "
        "They were restored into its default tablespace instead (as pg_restore "
        "--no-tablespaces does); nothing compared depends on it. A server the dump is restored "
        "into needs those tablespaces, or pg_restore --no-tablespaces.",
    )


def _subscriptions_note(inventory: DumpInventory, restore: RestoreResult | None) -> tuple[str, ...]:
    names = sorted({e.tag for e in inventory.entries if e.desc == "SUBSCRIPTION"})
    if restore is None or not names:
        return ()
    return (
        f"The dump holds logical replication subscription(s): {', '.join(names)}. They were "
        "not restored (as pg_restore --no-subscriptions): each names another server, and "
        "nothing compared depends on them.",
    )


def _partition_parent(key: QualifiedName, actual: Catalog, dumped: Catalog) -> QualifiedName | None:
    # The partitioned table at the top of a leaf partition's tree (partitions nest). Only a
    # leaf is invisible to Prisma: its describer reads every partitioned table (relkind 'p'),
    # a partition that is itself partitioned too, and drops that one when no model maps to it.
    seen = {key}
    table = actual.tables.get(key) or dumped.tables.get(key)
    if table is None or table.kind != "table":
        return None
    parent = None
    while table is not None and table.partition_of is not None:
        parent = table.partition_of
        if parent in seen:
            break
        seen.add(parent)
        table = actual.tables.get(parent) or dumped.tables.get(parent)
    return parent


def _partition_of_model(finding: TableFinding, parent: QualifiedName, model: str) -> TableFinding:
    # Prisma's describer reads no plain partition (tables_query.sql: relkind 'r' AND NOT
    # relispartition): its rows are the model's table's rows, and migrate neither creates nor
    # drops it. Its data is still checked here: a partition that failed or lost rows says so.
    return _claimed(
        finding,
        model,
        f"A partition of {parent}, the table of model {model}: Prisma reads a partitioned "
        "table's partitions as that one table.",
        f"a partition of {parent}, which Prisma reads as that table",
    )


def _claimed(finding: TableFinding, model: str, why: str, short: str) -> TableFinding:
    # A table no model maps to that Prisma still accounts for (a declared view, a partition):
    # named after its model, and ok where it would have been unexpected; any other verdict
    # (a failed restore, lost rows) stands.
    if finding.verdict != "unexpected":
        return replace(finding, model=model)
    return replace(finding, model=model, verdict="ok", evidence=(why,), accounted_as=short)


def _managed_schemas(expectation: Expectation) -> frozenset[str] | None:
    # The schemas Prisma's describer reads: the datasource's `schemas`, else the connection's.
    resolved = expectation.resolved
    if resolved is None:
        return None
    return frozenset(resolved.datasource.schemas) or frozenset([resolved.default_schema])


def _with_join_style(finding: TableFinding, actual: Table | None) -> TableFinding:
    # Both generations of implicit m2m tables are accepted; say which one the dump has.
    style = join_table_style(actual) if actual is not None else None
    if style is None or finding.verdict not in {"ok", "drift"}:
        return finding
    return replace(finding, evidence=(*finding.evidence, f"Implicit many-to-many table, {style}."))


def _declared_view(finding: TableFinding, model: str) -> TableFinding:
    # A Prisma `view` block: the client reads it, migrate never creates it
    # (sql_schema_calculator.rs skips views), so the dump having it is expected, not extra.
    return _claimed(
        finding,
        model,
        f"Prisma declares it as view {model}; migrate does not create views.",
        f"declared as view {model}, which migrate does not create",
    )


def _data_excluded(finding: TableFinding, key: QualifiedName, facts: DumpFacts) -> TableFinding:
    # pg_dump writes a data section for every table it dumps, empty or not (a COPY ending in
    # "\." at once; a TABLE DATA entry), unless --exclude-table-data or
    # --no-unlogged-table-data left it out: the table then restores empty, by request.
    if key not in facts.excluded_table_data or not finding.in_dump:
        return finding
    why = (
        "The dump creates it but carries no data for it: pg_dump left its rows out "
        "(--exclude-table-data, or --no-unlogged-table-data for an unlogged table), so it "
        "restores empty."
    )
    return replace(finding, data_excluded=True, evidence=(*finding.evidence, why))


def _dump_findings(
    inventory: DumpInventory,
    restore: RestoreResult | None,
    migrations: tuple[MigrationStatus, ...],
    scratch: ScratchInfo | None,
) -> tuple[DumpFinding, ...]:
    facts = inventory.facts
    found: list[DumpFinding] = []
    if not facts.complete:
        stop = facts.stops_at or "an unknown point"
        # The inventory words every damage (a NUL in COPY text, a broken COPY) with "damaged";
        # a dump cut short is not damaged, it ends early.
        found.append(DumpTruncated(stop, damaged="damaged" in stop))
    if facts.kind in ("schema-only", "data-only", "statistics-only"):
        into = restore is not None and restore.into_prisma_schema
        found.append(DumpKindFinding(facts.kind, into_prisma_schema=into))
    if facts.excluded_table_data:
        found.append(
            ExcludedTableData(tuple(f"{k.schema}.{k.name}" for k in facts.excluded_table_data))
        )
    # server_version is SHOW server_version: "18.6", but also "19beta1" or "17.2 (Debian ...)".
    major = re.match(r"\d+", scratch.server_version) if scratch is not None else None
    if scratch is not None and major is not None and facts.pg_dump_major is not None:
        server_major = int(major.group())
        if server_major < facts.pg_dump_major:
            found.append(
                VersionMismatch(
                    facts.pg_dump_version or "",
                    scratch.server_version,
                    f"pg_dump {facts.pg_dump_version} output restored into server "
                    f"{scratch.server_version}: newer syntax may fail",
                )
            )
    if restore is not None:
        for pre in restore.preflight:
            if pre.kind == "missing_extension":
                found.append(MissingExtension(pre.name))
            elif pre.kind == "missing_role":
                found.append(MissingRole(pre.name))
    if inventory.unparsed:
        found.append(
            UnparsedStatements(
                len(inventory.unparsed),
                tuple(f"{u.location}: {u.statement[:80]}" for u in inventory.unparsed[:3]),
            )
        )
    for status in migrations:
        if status.state != "applied":
            found.append(MigrationProblem(status.migration.name, status.state))
    return tuple(found)
