"""One database's part of a plain dump: the scan its items feed, and the inventory it gives.

A pg_dump script is one such part; a pg_dumpall file has one per database (reader.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.inventory.ddl import DdlReader, qualified, strip_leading_comments
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
    ClusterSection,
    DumpFacts,
    DumpInventory,
    MigrationRow,
    TocEntry,
    Unparsed,
)
from dumpcheck.inventory.plain.cluster import connect_target
from dumpcheck.inventory.plain.insert_rows import text_fingerprint
from dumpcheck.inventory.plain.inserts import count_insert_rows
from dumpcheck.inventory.plain.splitter import (
    CopyBlock,
    InsertRows,
    MetaCommand,
    ObjectHeader,
    PlainItem,
    PlainSplitter,
    Statement,
)
from dumpcheck.inventory.source import DumpSource
from dumpcheck.sqltext import (
    TextError,
    read_ident_list,
    read_qualified,
    skip_ws,
)

_MIGRATIONS = "_prisma_migrations"
_TRAILER = "-- PostgreSQL database dump complete"
_DUMPED_BY = re.compile(r"-- Dumped by pg_dump version (\S+)")
_DUMPED_FROM = re.compile(r"-- Dumped from database version (\S+)")
_INSERT = re.compile(r"INSERT\s+INTO\s+", re.IGNORECASE)
# What pg_dump writes in a TABLE DATA section besides the data (pg_backup_archiver.c:
# _disableTriggersIfNecessary, _becomeOwner, _selectOutputSchema).
_DATA_STATEMENT = re.compile(r"(?:INSERT|ALTER|SET|RESET|SELECT)\b", re.IGNORECASE)
_CREATE_DATABASE = re.compile(r"CREATE\s+DATABASE\s+", re.IGNORECASE)


@dataclass
class DatabaseScan:
    """Running state of one database's part of the file."""

    ddl: DdlReader = field(default_factory=DdlReader)
    rows: dict[QualifiedName, int] = field(default_factory=dict)
    fingerprints: dict[QualifiedName, Fingerprint] = field(default_factory=dict)
    unhashed: set[QualifiedName] = field(default_factory=set)  # data not (all) in COPY text
    data_columns: dict[QualifiedName, tuple[str, ...]] = field(default_factory=dict)
    data_tables: set[QualifiedName] = field(default_factory=set)
    entries: list[TocEntry] = field(default_factory=list)
    migrations: list[MigrationRow] | None = None
    stops_at: str | None = None
    damaged: dict[QualifiedName, str] = field(default_factory=dict)  # table -> where
    # After damage, "statements" may be rows read as SQL: from this index on, the unparsed
    # statements are named by place only, never quoted (reports carry no row values).
    withheld_from: int | None = None
    restrict: bool = False
    unrestrict: bool = False
    database: str | None = None
    databases: list[str] = field(default_factory=list)  # every \connect target, in order
    # What the splitter saw while in this part, set when the part ends.
    comments: list[str] = field(default_factory=list)  # "-- Dumped by ...", the trailer
    data_headers: set[QualifiedName] = field(default_factory=set)
    encoding: str | None = None
    last_line: int = 0
    truncated: bool = False  # the compressed stream ends inside this part
    splitter: PlainSplitter | None = None  # its settings when an INSERT is read


def feed(scan: DatabaseScan, item: PlainItem | InsertRows) -> None:
    """Take one item of this database's part into the scan."""
    if isinstance(item, MetaCommand):
        _on_meta(scan, item)
    elif isinstance(item, CopyBlock):
        _on_copy(scan, item)
    elif isinstance(item, InsertRows):
        _on_insert_rows(scan, item)
    elif isinstance(item, Statement):
        _on_statement(scan, item)


def _location(line: int) -> str:
    return f"line {line}"


def _on_meta(scan: DatabaseScan, item: MetaCommand) -> None:
    if item.command == ".":  # "\." ends COPY data only (copy.c handleCopyIn)
        where = (
            f"line {item.line}: an end-of-data marker (\\.) outside COPY data: the COPY "
            "command before it is damaged"
        )
        _damaged(scan, None, where)
    elif item.command == "restrict":
        scan.restrict = True
    elif item.command == "unrestrict":
        scan.unrestrict = True
    elif item.command in ("connect", "c"):
        target = connect_target(item.argument)
        if target is not None:
            scan.database = target
            if target not in scan.databases:
                scan.databases.append(target)


def data_target(written: QualifiedName, header: ObjectHeader | None) -> QualifiedName:
    """The table whose data this is: with --load-via-partition-root, pg_dump writes a
    partition's rows as COPY/INSERT into the root, but its "-- Data for Name:" header still
    names the partition (pg_dump.c dumpTableData_copy), and the rows belong to that entry."""
    if (
        header is not None
        and header.data
        and header.type == "TABLE DATA"
        and header.schema not in ("", "-")
        and header.name
    ):
        return QualifiedName(header.schema, header.name)
    return written


def _on_copy(scan: DatabaseScan, block: CopyBlock) -> None:
    table = data_target(block.table, block.statement.header)
    _add_entry(scan, block.statement, "TABLE DATA", table)
    if block.columns:
        scan.data_columns[table] = tuple(block.columns)
    if table.name == _MIGRATIONS:
        scan.migrations = migrations_from_copy(block.columns, block.data)
    block.finish()
    scan.rows[table] = scan.rows.get(table, 0) + block.rows
    if block.hasher is not None:
        rows_print = block.hasher.result()
        before = scan.fingerprints.get(table)
        scan.fingerprints[table] = before.plus(rows_print) if before else rows_print
    scan.data_tables.add(table)
    if block.nul_line is not None:
        _damaged(
            scan,
            table,
            f"line {block.nul_line}: a NUL byte in the COPY data of {table}, which COPY text "
            "cannot hold (the dump is damaged there)",
        )
    if not block.complete:
        _damaged(
            scan, table, f"line {block.end_line}: inside the COPY data of {table} (no \\. line)"
        )


def _damaged(scan: DatabaseScan, table: QualifiedName | None, where: str) -> None:
    """The dump is damaged at ``where``; the rows of ``table`` there cannot be trusted."""
    if table is not None:
        scan.damaged.setdefault(table, where)
    if scan.stops_at is None:
        scan.stops_at = where
    if scan.withheld_from is None:
        scan.withheld_from = len(scan.ddl.state.unparsed)


def _on_statement(scan: DatabaseScan, stmt: Statement) -> None:
    if not stmt.terminated:
        if scan.stops_at is None:
            scan.stops_at = f"line {stmt.line}: statement without its ';' at the end of the dump"
        return
    if stmt.broken:
        header = stmt.header
        table = None
        if header is not None and header.type == "TABLE DATA":
            table = data_target(QualifiedName(header.schema, header.name), header)
        where = (
            f"line {stmt.line}: a backslash outside quotes cuts a statement short (psql would "
            "read a meta-command there): rows of a damaged COPY command, read as SQL"
        )
        _damaged(scan, table, where)
        return
    if "\x00" in stmt.text:  # SQL text cannot hold a NUL either (scan.l reads C strings)
        where = f"line {stmt.line}: a NUL byte in the SQL text (the dump is damaged there)"
        _damaged(scan, None, where)
    text = strip_leading_comments(stmt.text)
    if _INSERT.match(text):
        _on_insert(scan, stmt, text)
        return
    _check_data_statement(scan, stmt, text)
    if _CREATE_DATABASE.match(text):
        parts, _ = read_qualified(text, _CREATE_DATABASE.match(text).end())  # type: ignore[union-attr]
        scan.database = parts[-1]
    if stmt.header is not None:
        _add_entry(scan, stmt, stmt.header.type, None)
    scan.ddl.feed(stmt.text, _location(stmt.line))


def _check_data_statement(scan: DatabaseScan, stmt: Statement, text: str) -> None:
    """A data section holds COPY or INSERT (pg_dump.c dumpTableData): another statement there
    is a damaged command, and the table's rows were not read as rows."""
    header = stmt.header
    if header is not None and header.type == "TABLE DATA" and not _DATA_STATEMENT.match(text):
        table = data_target(QualifiedName(header.schema, header.name), header)
        _damaged(
            scan,
            table,
            f"line {stmt.line}: the data of {table} is not a COPY ... FROM stdin or an INSERT "
            "(a damaged command: its rows are not read as rows)",
        )


def _add_entry(scan: DatabaseScan, stmt: Statement, desc: str, table: QualifiedName | None) -> None:
    header = stmt.header
    if header is None:
        if table is None:
            return
        tag, schema, owner, space = table.name, table.schema, "", ""
    else:
        tag, schema, owner, space = header.name, header.schema, header.owner, header.tablespace
    schema = "" if schema == "-" else schema
    scan.entries.append(
        TocEntry(len(scan.entries) + 1, desc, tag, schema, owner=owner, tablespace=space)
    )


def _on_insert(scan: DatabaseScan, stmt: Statement, text: str) -> None:
    """``--inserts`` / ``--rows-per-insert`` data: count the VALUES tuples."""
    try:
        parts, pos = read_qualified(text, _INSERT.match(text).end())  # type: ignore[union-attr]
        table = qualified(parts)
        pos = skip_ws(text, pos)
        columns: tuple[str, ...] | None = None
        if text.startswith("(", pos):
            columns, pos = read_ident_list(text, pos)
        rows = count_insert_rows(text, pos)
        table = data_target(table, stmt.header)
    except TextError as exc:
        # Row values stay private: the statement is named, never quoted.
        withheld = "INSERT INTO ... (values withheld)"
        scan.ddl.state.unparsed.append(Unparsed(_location(stmt.line), withheld, str(exc)))
        return
    if table not in scan.data_tables:
        _add_entry(scan, stmt, "TABLE DATA", table)
        _insert_columns(scan, table, columns)
    scan.rows[table] = scan.rows.get(table, 0) + rows
    scan.data_tables.add(table)
    splitter = scan.splitter
    found = None
    if splitter is not None and splitter.fingerprints:
        found = text_fingerprint(text[pos:], rows, splitter.encoding, splitter.standard_strings)
    _add_fingerprint(scan, table, found)
    if table.name == _MIGRATIONS:
        draft = scan.ddl.state.tables.get(table)
        names = columns or (tuple(draft.columns) if draft else ())
        scan.migrations = (scan.migrations or []) + migrations_from_insert(names, text, pos)


def _on_insert_rows(scan: DatabaseScan, item: InsertRows) -> None:
    """An INSERT the splitter counted while streaming (its values were never held)."""
    if not item.terminated:
        if scan.stops_at is None:
            scan.stops_at = f"line {item.line}: statement without its ';' at the end of the dump"
        return
    table = data_target(item.table, item.header)
    if table not in scan.data_tables:
        _add_entry(scan, Statement(item.head, item.line, item.header), "TABLE DATA", table)
        _insert_columns(scan, table, item.columns)
    scan.rows[table] = scan.rows.get(table, 0) + item.rows
    scan.data_tables.add(table)
    _add_fingerprint(scan, table, item.fingerprint)


def _add_fingerprint(scan: DatabaseScan, table: QualifiedName, found: Fingerprint | None) -> None:
    """One more part of a table's data: None when its rows could not be hashed."""
    if found is None:
        scan.unhashed.add(table)
        return
    before = scan.fingerprints.get(table)
    scan.fingerprints[table] = before.plus(found) if before else found


def _insert_columns(
    scan: DatabaseScan, table: QualifiedName, columns: tuple[str, ...] | None
) -> None:
    """The columns an INSERT fills: named (--column-inserts), else every stored column of the
    table in order (--inserts writes DEFAULT for a generated one, pg_dump.c
    dumpTableData_insert; COPY leaves it out, and so does this list)."""
    if columns:
        scan.data_columns[table] = tuple(columns)
        return
    draft = scan.ddl.state.tables.get(table)
    if draft is not None and draft.columns:
        scan.data_columns[table] = stored_columns(draft.columns.values())


def database_inventory(
    path: DumpSource,
    scan: DatabaseScan,
    compression: str,
    *,
    fingerprinted: bool,
    cluster: ClusterSection | None = None,
) -> DumpInventory:
    """The inventory of the part ``scan`` read, once it has ended (``DatabaseScan.comments``
    and the rest of the splitter's view set)."""
    comments = scan.comments
    truncated = scan.truncated
    stops_at = scan.stops_at
    if stops_at is None and truncated:
        stops_at = f"line {scan.last_line}: the {compression} stream ends early"
    if stops_at is None and _TRAILER not in comments:
        stops_at = f"line {scan.last_line}: no '{_TRAILER}' trailer"
    if stops_at is None and scan.restrict and not scan.unrestrict:
        stops_at = f"line {scan.last_line}: \\restrict without its \\unrestrict"
    scan.data_tables |= scan.data_headers
    for key in scan.data_tables:
        scan.rows.setdefault(key, 0)  # a data section without rows: an empty table
    state = scan.ddl.state
    catalog = state.catalog(scan.rows)
    has_data = bool(scan.data_tables)
    statistics = any(e.desc == "STATISTICS DATA" for e in scan.entries)
    kind = dump_kind(catalog, has_data, complete=stops_at is None, statistics=statistics)
    if kind == "data-only":
        catalog = data_only_tables(catalog, scan.rows)
    facts = DumpFacts(
        path=str(path),
        format="plain",
        compression=compression,  # type: ignore[arg-type]
        pg_dump_version=_first(_DUMPED_BY, comments),
        server_version=_first(_DUMPED_FROM, comments),
        database=scan.database,
        encoding=scan.encoding,
        kind=kind,
        excluded_table_data=(
            tables_without_data(catalog, scan.data_tables) if has_data and stops_at is None else ()
        ),
        complete=stops_at is None,
        stops_at=stops_at,
        roles=frozenset(state.roles),
        extensions=frozenset(state.extensions),
        excluded_traces=state.missing_references(),
        damaged=tuple(scan.damaged.items()),
        cluster=cluster,
    )
    locations = {k: d.location for k, d in state.tables.items() if d.created}
    return DumpInventory(
        facts=facts,
        catalog=catalog,
        entries=tuple(scan.entries),
        unparsed=_withheld(state.unparsed, scan.withheld_from),
        prisma_migrations=tuple(scan.migrations) if scan.migrations is not None else None,
        locations=locations,
        data_columns=scan.data_columns,
        fingerprints={
            k: v
            for k, v in scan.fingerprints.items()
            if k not in scan.damaged and k not in scan.unhashed
        },
        unfingerprinted=_unfingerprinted(scan) if fingerprinted else {},
    )


def _unfingerprinted(scan: DatabaseScan) -> dict[QualifiedName, str]:
    out = dict.fromkeys(sorted(scan.unhashed), INSERT_DATA)
    out.update(dict.fromkeys(sorted(scan.damaged), DAMAGED_DATA))
    return out


def _withheld(unparsed: list[Unparsed], start: int | None) -> tuple[Unparsed, ...]:
    if start is None:
        return tuple(unparsed)
    hidden = "(text withheld: after the damage, it may be rows read as SQL)"
    return (*unparsed[:start], *(Unparsed(u.location, hidden, u.reason) for u in unparsed[start:]))


def _first(pattern: re.Pattern[str], comments: list[str]) -> str | None:
    for c in comments:
        m = pattern.match(c)
        if m:
            return m.group(1)
    return None
