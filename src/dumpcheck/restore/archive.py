"""Restore an archive (custom, directory, tar) with pg_restore and attribute every error."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dumpcheck.catalog import QualifiedName, quote_ident
from dumpcheck.errors import BinaryNotFoundError
from dumpcheck.inventory.model import DumpInventory, TocEntry
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.pglog import (
    LogError,
    RestoreLog,
    infer_sqlstate,
    is_fatal_tool_error,
    parse_restore_log,
)
from dumpcheck.scratch.model import PgInstall, ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.scratch.sweep import OWNER_FILE, SCRATCH_PREFIX

MAX_DEFAULT_JOBS = 4


@dataclass(frozen=True)
class ArchiveRun:
    """What one pg_restore run left: its failures, full log and a label of the tool."""

    failures: list[Failure]
    log: str
    tool: str
    returncode: int
    printed_errors: int = 0  # "pg_restore: error:" lines: the count that is right under -j
    summary_errors: int | None = None  # pg_restore's own "errors ignored on restore: N"


def default_jobs() -> int:
    """min(cores, 4): more workers than that mostly contend for the same disk and WAL."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_JOBS))


def choose_pg_restore(server: ScratchServer, dump_major: int | None) -> PgInstall:
    """The pg_restore to use: the server's own major, or the lowest installed one that can read
    the dump (pg_restore refuses archives from a newer pg_dump: "unsupported version")."""
    need = max(server.major, dump_major or 0)
    if server.install is not None and server.install.major >= need:
        return server.install
    from dumpcheck.scratch import find_installs

    usable = sorted((i for i in find_installs() if i.major >= need), key=lambda i: i.major)
    if not usable:
        raise BinaryNotFoundError(
            f"no pg_restore of PostgreSQL {need} or newer is installed (the dump was written by "
            f"pg_dump {dump_major}, the server is {server.major}); run "
            f"`dumpcheck postgres install {need}`"
        )
    return usable[0]


def parallel_allowed(dump: DumpInventory) -> bool:
    """Whether pg_restore accepts -j for this archive.

    tar archives cannot be read in parallel at all ("parallel restore is not supported with this
    archive file format"); a custom archive written to a pipe has no data offsets, and its
    workers fail with "could not find block ID ... lack of data offsets in archive".
    """
    fmt = dump.facts.format
    if fmt == "directory":
        return True
    if fmt != "custom":
        return False
    return custom_has_offsets(Path(dump.facts.path))


def custom_has_offsets(path: Path) -> bool:
    """True when a custom archive's TOC records where each data block starts."""
    from dumpcheck.errors import DumpcheckError
    from dumpcheck.inventory.archive._binary import (
        OFFSET_SET,
        ByteReader,
        read_header,
        read_toc,
    )

    try:
        with path.open("rb") as stream:
            reader = ByteReader(stream)
            header = read_header(reader, str(path))
            toc = read_toc(reader, header, str(path))
    except (OSError, DumpcheckError):
        return False
    data = [e for e in toc.entries if e.entry.had_data]
    return bool(data) and all(e.offset_flag == OFFSET_SET for e in data)


def restore_archive(
    dump: DumpInventory,
    server: ScratchServer,
    dsn: str,
    *,
    jobs: int | None = None,
    no_owner: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ArchiveRun:
    """Run pg_restore --verbose into ``dsn`` and turn its log into Failures.

    ``progress(done, total)`` follows the items pg_restore reports creating or loading.
    """
    install = choose_pg_restore(server, dump.facts.pg_dump_major)
    n = jobs if jobs is not None else default_jobs()
    if n > 1 and not parallel_allowed(dump):
        n = 1
    # --no-password: a server that wants one must fail at once, not wait for a prompt.
    args = ["--verbose", "--no-password", f"--dbname={_worker_conninfo(server, dsn, n)}"]
    if n > 1:
        args.append(f"--jobs={n}")
    if no_owner:
        args.append("--no-owner")
    if dump.facts.kind == "data-only":
        # Parallel workers load tables in any order, so a referencing table may come first and
        # trip its FK trigger; pg_restore's documented answer for data-only restores is
        # --disable-triggers (we restore as superuser, which it needs).
        args.append("--disable-triggers")
    # Never --single-transaction (one failure would roll back every table) and never
    # --exit-on-error (the first harmless OWNER TO failure would stop the restore).
    with _restorable_path(dump) as path:
        done = run(
            install.binary("pg_restore"),
            [*args, str(path)],
            major=install.major,
            check=False,
            on_stderr_line=_item_counter(dump, progress) if progress is not None else None,
        )
    tool = f"pg_restore {install.version}" + (f" -j {n}" if n > 1 else "")
    entries = {e.dump_id: e for e in dump.entries}
    log = parse_restore_log(done.stderr)
    failures = failures_from_log(log, entries)
    summary = _SUMMARY.search(done.stderr)
    return ArchiveRun(
        failures,
        done.stderr,
        tool,
        done.returncode,
        printed_errors=len(log.errors),
        summary_errors=int(summary.group(1)) if summary else None,
    )


def _worker_conninfo(server: ScratchServer, dsn: str, jobs: int) -> str:
    """The conninfo every pg_restore worker connects with.

    When the jobs already fill every core of a server on this machine, parallel index builds
    (max_parallel_maintenance_workers, PostgreSQL 11+, "Parallel CREATE INDEX") only add worker
    processes that contend with the other jobs for the same cores: measured on 2 cores with -j2,
    a 300 MB restore was 5-7% faster without them. A server elsewhere (--scratch-dsn) keeps its
    own setting: we do not know its cores. Every worker reuses this conninfo, so ``options``
    reaches all of them.
    """
    if server.backend == "dsn" or server.major < 11 or jobs < (os.cpu_count() or 1):
        return dsn
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    options = conninfo_to_dict(dsn).get("options") or ""
    return make_conninfo(dsn, options=f"{options} -c max_parallel_maintenance_workers=0".strip())


TAR_BLOCK = 512


@contextlib.contextmanager
def _restorable_path(dump: DumpInventory) -> Iterator[Path]:
    """The file to hand pg_restore: the dump itself, or for a truncated tar a padded copy.

    pg_restore spins forever on a tar archive that ends inside a member (pg_backup_tar.c:
    _tarPositionTo skips members with reads whose short count it ignores, and _tarGetHeader
    then keeps reading at EOF; seen with 18.6, also through stdin). A copy zero-filled to the
    end of that member plus the two zero blocks that end a tar archive makes it stop with
    "could not find header for file ..." instead, which is attributed like any truncation.
    The zeros are a sparse extension (ftruncate), so they cost no disk.
    """
    path = Path(dump.facts.path)
    if dump.facts.format != "tar" or dump.facts.complete:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}tar-") as tmp:
        # The owner file lets the next run's sweep delete the copy if we are SIGKILLed.
        (Path(tmp) / OWNER_FILE).write_text(json.dumps({"pid": os.getpid()}))
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        with copy.open("r+b") as stream:
            end = tar_padded_end(stream, copy.stat().st_size)
            stream.truncate(end + 2 * TAR_BLOCK)
        yield copy


def tar_padded_end(stream: BinaryIO, size: int) -> int:
    """Where the tar member that ``size`` bytes cut short would end (a block boundary)."""
    pos = 0
    while pos + TAR_BLOCK <= size:
        stream.seek(pos)
        header = stream.read(TAR_BLOCK)
        field = header[124:136].rstrip(b"\0 ").lstrip(b" ")
        if not header.strip(b"\0") or not field or not all(48 <= c <= 55 for c in field):
            break  # end-of-archive or a header we cannot trust: pad from here
        pos += TAR_BLOCK + -(-int(field, 8) // TAR_BLOCK) * TAR_BLOCK
    return max(pos, -(-size // TAR_BLOCK) * TAR_BLOCK)


# pg_restore --verbose announces each item it restores (pg_backup_archiver.c _printTocEntry,
# restore_toc_entry): "creating TABLE ...", "processing data for table ...", "executing ...".
_ITEM_LINE = re.compile(r"^pg_restore: (?:creating|processing data for|executing) ")
# Entries that pg_restore applies without announcing them as an item.
_SILENT = frozenset({"ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE"})


def _item_counter(
    dump: DumpInventory, progress: Callable[[int, int], None]
) -> Callable[[str], None]:
    total = max(sum(1 for e in dump.entries if e.desc not in _SILENT), 1)
    seen = 0

    def on_line(line: str) -> None:
        nonlocal seen
        if _ITEM_LINE.match(line):
            seen += 1
            progress(min(seen, total), total)

    return on_line


_SUMMARY = re.compile(r"^pg_restore: warning: errors ignored on restore: (\d+)$", re.MULTILINE)


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
