"""pg_restore's log tied to the archive's TOC: one Failure per printed error, on its entry.

pg_restore names the entry it was processing in its error lines ("from TOC entry N", or the
command text it sent), and stops announcing entries when it gives up (pg_backup_archiver.c);
the rules below follow those lines, and the data commands decide over a misplaced header.
"""

from __future__ import annotations

import re

from dumpcheck.catalog import QualifiedName, quote_ident
from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.pglog import LogError, RestoreLog, infer_sqlstate, is_fatal_tool_error


def failures_from_log(log: RestoreLog, entries: dict[int, TocEntry]) -> list[Failure]:
    """One Failure per printed error, tied to its TOC entry; plus, when pg_restore gave up
    early (a truncated or corrupt archive), one per table whose data it never loaded."""
    failures: list[Failure] = []
    attributed: set[int] = set()
    stopped: int | None = None  # id of the failure after which pg_restore gave up
    for err in log.errors:
        if err.toc_id is not None:
            toc_id: int | None = _confirmed_by_command(err, err.toc_id, entries)
        elif err.server_error:
            toc_id = _headerless_entry(err, log.errors, entries)
        else:
            toc_id = _tool_error_entry(err, entries, attributed)
        if toc_id is not None:
            attributed.add(toc_id)
        failures.append(_failure(err, toc_id, entries.get(toc_id) if toc_id else None))
        if stopped is None and is_fatal_tool_error(err):
            stopped = len(failures)
    if stopped is not None:
        failures += _never_restored(log, entries, attributed, stopped)
    return failures


def _confirmed_by_command(err: LogError, toc_id: int, entries: dict[int, TocEntry]) -> int:
    """The entry whose SQL is the failed command, when the log's "from TOC entry" line and the
    error were split by another worker's lines (pg_restore -j writes them separately)."""
    named_by_data = _data_entry_of(err.command, entries)
    if named_by_data is not None:
        return named_by_data
    first = (err.command or "").strip().splitlines()[0:1]
    if not first or len(first[0]) < 12:
        return toc_id
    needle = first[0].strip()
    named = entries.get(toc_id)
    if named is None or needle in named.defn:
        return toc_id
    owners = [e.dump_id for e in entries.values() if needle in e.defn]
    return owners[0] if len(owners) == 1 else toc_id


def _failure(err: LogError, toc_id: int | None, entry: TocEntry | None) -> Failure:
    copy_table = _copy_table(err, entry)
    statement = err.command
    if statement is None and copy_table is not None:
        statement = f"COPY {copy_table} FROM stdin"
    return Failure(
        message=err.message,
        statement=statement,
        sqlstate=infer_sqlstate(err.message) if err.server_error else None,
        detail=err.detail,
        hint=err.hint,
        location=f"TOC {toc_id}" if toc_id is not None else None,
        desc=entry.desc if entry else None,
        tag=entry.tag if entry else None,
        namespace=(entry.namespace or None) if entry else None,
        toc_id=toc_id,
        dependencies=entry.dependencies if entry else (),
        copy_table=copy_table,
        defn=entry.defn if entry else None,
    )


_BLOCK_ID = re.compile(r"could not find block ID (\d+)")
# Entries pg_restore handles itself, never as a restore step of their own.
_BOOKKEEPING = frozenset(
    {"ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE", "DATABASE PROPERTIES"}
)


def _tool_error_entry(
    err: LogError, entries: dict[int, TocEntry], attributed: set[int]
) -> int | None:
    """The data entry a pg_restore failure (no server error, no TOC header) happened in."""
    m = _BLOCK_ID.search(err.message)
    if m:
        return int(m.group(1))
    if not is_fatal_tool_error(err) or "worker process" in err.message:
        return None
    for item in reversed(err.in_flight):
        entry = entries.get(item)
        if entry is not None and entry.desc == "TABLE DATA" and item not in attributed:
            return item
    return None


def _never_restored(
    log: RestoreLog, entries: dict[int, TocEntry], attributed: set[int], cause: int
) -> list[Failure]:
    """A failure for each table whose data pg_restore never loaded because it gave up."""
    lost: list[Failure] = []
    for entry in entries.values():
        if entry.dump_id in log.finished or entry.dump_id in attributed:
            continue
        if entry.desc in _BOOKKEEPING:
            continue
        table = (
            QualifiedName(entry.namespace or "public", entry.tag)
            if entry.desc in ("TABLE", "TABLE DATA")
            else None
        )
        lost.append(
            Failure(
                message=f"never restored: pg_restore gave up before this {entry.desc}",
                location=f"TOC {entry.dump_id}",
                desc=entry.desc,
                tag=entry.tag,
                namespace=entry.namespace or None,
                toc_id=entry.dump_id,
                copy_table=table if entry.desc == "TABLE DATA" else None,
                defn=entry.defn or None,
                caused_by=cause,
            )
        )
    return lost


def _copy_table(err: LogError, entry: TocEntry | None) -> QualifiedName | None:
    if entry is not None and entry.desc == "TABLE DATA":
        return QualifiedName(entry.namespace or "public", entry.tag)
    if err.copy_table is not None:
        return QualifiedName(entry.namespace if entry else "public", err.copy_table)
    return None


_DATA_COMMAND = re.compile(
    r"^(?:COPY\s+(?P<name>\S+)\s|ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<name2>\S+)\s+"
    r"(?:ENABLE|DISABLE)\s+TRIGGER\s+ALL)"
)
_SETVAL = re.compile(r"^SELECT\s+pg_catalog\.setval\('(?P<name>(?:[^']|'')+)'")


def _data_entry_of(command: str | None, entries: dict[int, TocEntry]) -> int | None:
    """The one entry a data command belongs to, whatever TOC header the log put before it.

    COPY and the trigger toggles of --disable-triggers belong to the table's TABLE DATA entry
    (pg_backup_archiver.c _disableTriggersIfNecessary, _printTocEntry); setval to the sequence's
    SEQUENCE SET entry. The command names its object, so under -j, where a worker's "from TOC
    entry" line can land before another worker's error, the command decides.
    """
    text = (command or "").strip()
    data = _DATA_COMMAND.match(text)
    if data:
        name = data["name"] or data["name2"]
        wanted = "TABLE DATA"
    else:
        seq = _SETVAL.match(text)
        if seq is None:
            return None
        name, wanted = seq["name"].replace("''", "'"), "SEQUENCE SET"
    owners = [
        e.dump_id
        for e in entries.values()
        if e.desc == wanted
        and name in (f"{quote_ident(e.namespace)}.{quote_ident(e.tag)}", quote_ident(e.tag))
    ]
    return owners[0] if len(owners) == 1 else None


_OWNER_TARGET = re.compile(r"^ALTER\s+\w+(?:\s+\w+)?\s+(?P<name>.+?)\s+OWNER\s+TO\s", re.DOTALL)


def _headerless_entry(
    err: LogError, errors: list[LogError], entries: dict[int, TocEntry]
) -> int | None:
    """The entry of an error printed without "from TOC entry": a later error of an entry
    that already failed (pg_restore prints the header once per entry, AH->lastErrorTE).

    Under -j the workers' lines interleave, so prefer a recently failed entry whose object the
    command names (its OWNER TO), and fall back to the latest entry that printed a header.
    """
    named_by_data = _data_entry_of(err.command, entries)
    if named_by_data is not None:
        return named_by_data
    earlier = [e.toc_id for e in reversed(errors[: err.seq - 1]) if e.toc_id is not None]
    if not earlier:
        return None
    m = _OWNER_TARGET.match(err.command or "")
    if m:
        for toc_id in earlier[:16]:
            entry = entries.get(toc_id)
            if entry is None:
                continue
            qualified = f"{quote_ident(entry.namespace)}.{quote_ident(entry.tag)}"
            if m["name"] in (qualified, quote_ident(entry.tag), entry.tag):
                return toc_id
    return earlier[0]
