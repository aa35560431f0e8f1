"""Inventory of an archive (custom, directory, tar): the archive reader's TOC through our DDL."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.inventory.archive import ArchiveScan, data_lines, read_archive
from dumpcheck.inventory.ddl import DdlReader
from dumpcheck.inventory.facts import (
    data_only_tables,
    dump_kind,
    stored_columns,
    tables_without_data,
)
from dumpcheck.inventory.migrations import migrations_from_copy, migrations_from_insert
from dumpcheck.inventory.model import (
    DAMAGED_DATA,
    INSERT_DATA,
    DumpFacts,
    DumpInventory,
    MigrationRow,
    TocEntry,
)
from dumpcheck.inventory.plain import Statement, iter_plain, parse_copy_target
from dumpcheck.inventory.plain.inserts import parse_insert_head
from dumpcheck.inventory.progress import dump_size
from dumpcheck.inventory.source import DumpSource
from dumpcheck.sqltext import TextError, read_ident_list, read_qualified, skip_ws

_MIGRATIONS = "_prisma_migrations"
# TOC entry kinds pg_restore gives an ALTER ... OWNER TO (pg_backup_archiver.c _printTocEntry).
_OWNED_DESCS = frozenset(
    [
        "TABLE",
        "SEQUENCE",
        "VIEW",
        "SCHEMA",
        "TYPE",
        "DOMAIN",
        "FUNCTION",
        "PROCEDURE",
        "AGGREGATE",
        "COLLATION",
        "CONVERSION",
        "DATABASE",
        "OPERATOR",
        "SERVER",
        "PUBLICATION",
        "SUBSCRIPTION",
        "STATISTICS",
    ]
) | frozenset(
    {
        "MATERIALIZED VIEW",
        "FOREIGN TABLE",
        "LARGE OBJECT",
        "OPERATOR CLASS",
        "OPERATOR FAMILY",
        "PROCEDURAL LANGUAGE",
        "FOREIGN DATA WRAPPER",
        "TEXT SEARCH DICTIONARY",
        "TEXT SEARCH CONFIGURATION",
        "EVENT TRIGGER",
    }
)


def inventory_archive(
    path: DumpSource, progress: Callable[[int], None] | None = None, *, fingerprints: bool = True
) -> DumpInventory:
    """Read an archive's TOC and data with the archive reader (one forward pass, which keeps
    what ``_prisma_migrations`` and INSERT data need) and model its DDL."""
    scan = read_archive(path, fingerprints=fingerprints, keep=frozenset([_MIGRATIONS]))
    if progress is not None:
        progress(dump_size(path))
    ddl = DdlReader()
    for entry in scan.entries:
        if entry.owner and entry.desc in _OWNED_DESCS:
            ddl.state.roles.add(entry.owner)
        if entry.desc == "TABLE DATA" or not entry.defn:
            continue
        for item in iter_plain(io.BytesIO(entry.defn.encode("utf-8"))):
            if isinstance(item, Statement):
                ddl.feed(item.text, f"TOC {entry.dump_id}")
    data_entries = [e for e in scan.entries if e.desc == "TABLE DATA"]
    rows: dict[QualifiedName, int] = {}
    for e in data_entries:
        if e.dump_id in scan.row_counts:
            key = QualifiedName(e.namespace, e.tag)
            rows[key] = rows.get(key, 0) + scan.row_counts[e.dump_id]
    state = ddl.state
    catalog = state.catalog(rows)
    data_tables = {QualifiedName(e.namespace, e.tag) for e in data_entries}
    statistics = any(e.desc == "STATISTICS DATA" for e in scan.entries)
    kind = dump_kind(catalog, bool(data_entries), complete=scan.complete, statistics=statistics)
    if kind == "data-only":
        catalog = data_only_tables(catalog, rows)
    facts = DumpFacts(
        path=str(path),
        format=scan.format,
        compression=scan.compression,
        archive_version=scan.version,
        pg_dump_version=version_number(scan.pg_dump_version),
        server_version=version_number(scan.server_version),
        database=scan.database,
        encoding=scan.encoding,
        kind=kind,
        excluded_table_data=(
            tables_without_data(catalog, data_tables) if data_entries and scan.complete else ()
        ),
        complete=scan.complete,
        stops_at=scan.stops_at,
        roles=frozenset(state.roles),
        extensions=frozenset(state.extensions),
        excluded_traces=state.missing_references(),
        damaged=tuple(
            (QualifiedName(e.namespace, e.tag), scan.damaged[e.dump_id])
            for e in data_entries
            if e.dump_id in scan.damaged
        ),
    )
    found, missing = _fingerprints(scan, data_entries) if fingerprints else ({}, {})
    return DumpInventory(
        facts=facts,
        catalog=catalog,
        entries=scan.entries,
        unparsed=tuple(state.unparsed),
        prisma_migrations=_migrations(scan, ddl),
        locations={k: d.location for k, d in state.tables.items() if d.created},
        data_columns=_data_columns(scan, data_entries, ddl),
        fingerprints=found,
        unfingerprinted=missing,
    )


def _fingerprints(
    scan: ArchiveScan, data_entries: list[TocEntry]
) -> tuple[dict[QualifiedName, Fingerprint], dict[QualifiedName, str]]:
    """The inventory's ``fingerprints`` and ``unfingerprinted``, per table."""
    found: dict[QualifiedName, Fingerprint] = {}
    missing: dict[QualifiedName, str] = {}
    for e in data_entries:
        key = QualifiedName(e.namespace, e.tag)
        part = scan.fingerprints.get(e.dump_id)
        if e.dump_id in scan.damaged:
            missing[key] = DAMAGED_DATA
        elif part is None:
            missing.setdefault(key, INSERT_DATA)
        elif key not in missing:
            before = found.get(key)
            found[key] = before.plus(part) if before else part
    return {k: v for k, v in found.items() if k not in missing}, missing


def version_number(text: str | None) -> str | None:
    """``15.18`` of ``15.18 (Debian 15.18-1.pgdg120+1)``: an archive header carries the whole
    PG_VERSION string, a plain dump's comment only its first word (pg_backup_archiver.c
    PrintTOCSummary / dumpTimestamp); every format reports that first word."""
    if text is None:
        return None
    return text.split(None, 1)[0] if text.strip() else None


def _data_columns(
    scan: ArchiveScan, data_entries: list[TocEntry], ddl: DdlReader
) -> dict[QualifiedName, tuple[str, ...]]:
    # Each data entry's COPY statement (its copyStmt in the TOC) names the columns it loads;
    # --inserts data has none, and its first INSERT names them (--column-inserts) or fills
    # every column of the table in order (pg_dump.c dumpTableData_insert).
    found: dict[QualifiedName, tuple[str, ...]] = {}
    for e in data_entries:
        key = QualifiedName(e.namespace, e.tag)
        copy = scan.copy_statements.get(e.dump_id, "").strip()
        target = parse_copy_target(copy)
        if target is not None and target[1]:
            found[key] = tuple(target[1])
        elif not copy and e.dump_id in scan.row_counts and e.dump_id not in scan.damaged:
            columns = _insert_columns(scan, e.dump_id)
            draft = ddl.state.tables.get(key)
            if columns is None and draft is not None and draft.columns:
                columns = stored_columns(draft.columns.values())
            if columns:
                found[key] = columns
    return found


def _insert_columns(scan: ArchiveScan, dump_id: int) -> tuple[str, ...] | None:
    """The column list of the entry's first INSERT (None: it names none, or has no row)."""
    first = scan.kept_data.get(dump_id, b"").split(b"\n", 1)[0]
    at = first.find(b" VALUES")
    head = parse_insert_head(first[: at if at >= 0 else 4096].decode("utf-8", "replace"))
    return head[1] if head is not None else None


def _migrations(scan: ArchiveScan, ddl: DdlReader) -> tuple[MigrationRow, ...] | None:
    entry = next((e for e in scan.entries if e.desc == "TABLE DATA" and e.tag == _MIGRATIONS), None)
    if entry is None:
        return None
    copy = scan.copy_statements.get(entry.dump_id, "")
    lines = data_lines([scan.kept_data.get(entry.dump_id, b"")], copy=bool(copy))
    if copy:
        target = parse_copy_target(copy.strip())
        columns = target[1] if target else ()
        return tuple(migrations_from_copy(columns, (line + b"\n" for line in lines)))
    return tuple(_insert_migrations(entry, lines, ddl))


def _insert_migrations(
    entry: TocEntry, lines: Iterator[bytes], ddl: DdlReader
) -> list[MigrationRow]:
    draft = ddl.state.tables.get(QualifiedName(entry.namespace, entry.tag))
    default_columns = tuple(draft.columns) if draft else ()
    text = b"\n".join(lines) + b"\n"
    found: list[MigrationRow] = []
    for item in iter_plain(io.BytesIO(text)):
        if not isinstance(item, Statement):
            continue
        try:
            _, pos = read_qualified(item.text, len("INSERT INTO "))
            pos = skip_ws(item.text, pos)
            columns = default_columns
            if item.text.startswith("(", pos):
                columns, pos = read_ident_list(item.text, pos)
        except TextError:
            continue
        found += migrations_from_insert(columns, item.text, pos)
    return found
