"""Restore an archive (custom, directory, tar) with pg_restore and attribute every error."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BinaryNotFoundError
from dumpcheck.inventory.model import DumpInventory, TocEntry
from dumpcheck.restore.attribution import failures_from_log
from dumpcheck.restore.classify import Failure
from dumpcheck.restore.overlap import ready_watch
from dumpcheck.restore.pglog import parse_restore_log
from dumpcheck.scratch import OWNER_FILE, SCRATCH_PREFIX, run
from dumpcheck.scratch.model import PgInstall, ScratchServer

MAX_DEFAULT_JOBS = 4
_SUMMARY = re.compile(r"^pg_restore: warning: errors ignored on restore: (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class ArchiveRun:
    """What one pg_restore run left: its failures, full log and a label of the tool."""

    failures: list[Failure]
    log: str
    tool: str
    returncode: int
    printed_errors: int = 0  # "pg_restore: error:" lines: the count that is right under -j
    summary_errors: int | None = None  # pg_restore's own "errors ignored on restore: N"
    sampled: frozenset[QualifiedName] = frozenset()  # --quick: tables loaded in part


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
    from dumpcheck.inventory.archive import custom_has_offsets

    return custom_has_offsets(Path(dump.facts.path))


def restore_archive(
    dump: DumpInventory,
    server: ScratchServer,
    dsn: str,
    *,
    jobs: int | None = None,
    no_owner: bool = False,
    progress: Callable[[int, int], None] | None = None,
    section: str | None = None,
    listed: Sequence[int] | None = None,
    on_ready: Callable[[QualifiedName], None] | None = None,
    no_tablespaces: bool = False,
) -> ArchiveRun:
    """Run pg_restore --verbose into ``dsn`` and turn its log into Failures.

    ``progress(done, total)`` follows the items pg_restore reports creating or loading.
    ``section`` restores one section (``--section``), ``listed`` only the TOC entries with
    those ids (``--use-list``); quick verify restores the sections around its own data load.
    ``on_ready(table)`` is told when a table's rows are final (overlap.ready_watch).
    ``no_tablespaces``: the server lacks tablespaces the dump uses (--no-tablespaces).
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
    if no_tablespaces:
        # Each "SET default_tablespace = x" would fail, and its error land on the object.
        args.append("--no-tablespaces")
    # A subscription names another server (pg_dump writes it connect = false); a scratch
    # restore has no business with it, and nothing compared depends on it.
    args.append("--no-subscriptions")
    if section is not None:
        args.append(f"--section={section}")
    if dump.facts.kind == "data-only":
        # Parallel workers load tables in any order, so a referencing table may come first and
        # trip its FK trigger; pg_restore's documented answer for data-only restores is
        # --disable-triggers (we restore as superuser, which it needs).
        args.append("--disable-triggers")
    # Never --single-transaction (one failure would roll back every table) and never
    # --exit-on-error (the first harmless OWNER TO failure would stop the restore).
    with _restorable_path(dump) as path, _list_file(listed) as use_list:
        if use_list is not None:
            args.append(f"--use-list={use_list}")
        done = run(
            install.binary("pg_restore"),
            [*args, str(path)],
            major=install.major,
            check=False,
            on_stderr_line=_watchers(
                _item_counter(dump, progress) if progress is not None else None,
                ready_watch(dump.entries, on_ready, serial=n == 1)
                if on_ready is not None
                else None,
            ),
        )
    tool = f"pg_restore {install.version}" + (f" -j {n}" if n > 1 else "")
    entries = {e.dump_id: e for e in dump.entries}
    log = parse_restore_log(done.stderr)
    failures = failures_from_log(log, entries)
    if section is not None or listed is not None:
        # When pg_restore gives up, every entry it did not finish gets a "never restored"
        # failure; only those of this run's section or list were its to restore.
        scope = set(listed) if listed is not None else set()
        sections = restore_sections(dump.entries)
        scope |= {i for i, s in sections.items() if section is not None and s == section}
        failures = [f for f in failures if f.caused_by is None or f.toc_id in scope]
    summary = _SUMMARY.search(done.stderr)
    return ArchiveRun(
        failures,
        done.stderr,
        tool,
        done.returncode,
        printed_errors=len(log.errors),
        summary_errors=int(summary.group(1)) if summary else None,
    )


def restore_sections(entries: Sequence[TocEntry]) -> dict[int, str]:
    """The section pg_restore --section counts each entry in, by dump id.

    An entry of no section (a COMMENT, an ACL, a SECURITY LABEL) goes with the entry before it,
    as pg_restore decides (pg_backup_archiver.c ProcessArchiveRestoreOptions: curSection).
    """
    found: dict[int, str] = {}
    current = "pre-data"
    for entry in entries:
        if entry.section not in ("", "none"):
            current = entry.section
        found[entry.dump_id] = current
    return found


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
def _list_file(listed: Sequence[int] | None) -> Iterator[Path | None]:
    """A pg_restore list file naming ``listed`` (pg_restore reads the leading id of each line,
    SortTocFromFile), in a directory the next run's sweep deletes if we are SIGKILLed."""
    if listed is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}list-") as tmp:
        (Path(tmp) / OWNER_FILE).write_text(json.dumps({"pid": os.getpid()}))
        path = Path(tmp) / "restore.list"
        path.write_text("".join(f"{dump_id};\n" for dump_id in listed))
        yield path


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


def _watchers(*watchers: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """One stderr line handler calling each of ``watchers`` given."""
    given = [w for w in watchers if w is not None]
    if len(given) < 2:
        return given[0] if given else None

    def on_line(line: str) -> None:
        for watch in given:
            watch(line)

    return on_line


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
