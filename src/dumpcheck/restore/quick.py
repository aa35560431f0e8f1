"""Quick verify of an archive: pg_restore's pre-data, each table's first rows, then the rest.

pg_restore cannot stop a table's COPY after its first rows, so the data section is ours: the
archive reader (inventory.archive) decompresses each TABLE DATA entry only as far as the sample
goes, and its rows go through COPY FROM STDIN with the entry's own COPY statement, in a session
set up as pg_restore sets up its own. The other data entries (sequence values, statistics) and
post-data follow with pg_restore, except the foreign keys, which are added NOT VALID here
(restore/sample.py says why), with the entries that hang on them (a COMMENT ON CONSTRAINT).
Large-object contents (BLOBS) are not loaded: they are data, and no table's verdict reads them.
Every failure is a Failure on its TOC entry, so errors are attributed as in a full restore.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, cast

import psycopg

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import TableData, iter_tables_data
from dumpcheck.inventory.model import DumpInventory, TocEntry
from dumpcheck.inventory.plain import Statement, count_insert_rows, iter_plain
from dumpcheck.restore.archive import ArchiveRun, restore_archive, restore_sections
from dumpcheck.restore.classify import Failure, failure_from
from dumpcheck.restore.sample import SampleBudget, add_foreign_key
from dumpcheck.scratch import classify_db_error, server_failure
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.sqltext import TextError

# pg_backup_archiver.c _doSetFixedOutputState: the session every pg_restore connection gets.
_FIXED_STATE = (
    "SET statement_timeout = 0",
    "SET lock_timeout = 0",
    "SET idle_in_transaction_session_timeout = 0",
    "SET xmloption = content",
    "SET client_min_messages = warning",
    "SET row_security = off",
)
# Entries pg_restore applies to every session before anything else.
_SESSION_ENTRIES = ("ENCODING", "STDSTRINGS", "SEARCHPATH")


@dataclass
class _Loaded:
    """What the sample load did."""

    failures: list[Failure] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def restore_archive_quick(
    dump: DumpInventory,
    server: ScratchServer,
    dsn: str,
    *,
    sample: int,
    jobs: int | None = None,
    no_owner: bool = False,
    progress: Callable[[int, int], None] | None = None,
    no_tablespaces: bool = False,
) -> ArchiveRun:
    """Restore ``dump`` into ``dsn`` with each table's first ``sample`` rows (see above)."""
    total = max(len(dump.entries), 1)
    pre = restore_archive(
        dump,
        server,
        dsn,
        jobs=jobs,
        no_owner=no_owner,
        section="pre-data",
        no_tablespaces=no_tablespaces,
    )
    budget = SampleBudget(sample)
    loaded = _load_samples(dump, server, dsn, budget, progress, total)
    unvalidated = _foreign_keys_and_dependents(dump.entries)
    sections = restore_sections(dump.entries)
    later = [
        e.dump_id
        for e in dump.entries
        if e.dump_id not in unvalidated
        and (
            sections[e.dump_id] == "post-data"
            or (sections[e.dump_id] == "data" and e.desc not in _OURS)
        )
    ]
    post = (
        restore_archive(
            dump,
            server,
            dsn,
            jobs=jobs,
            no_owner=no_owner,
            listed=later,
            no_tablespaces=no_tablespaces,
        )
        if later
        else None
    )
    fk_failures, fk_log = _add_foreign_keys(dump, server, dsn, unvalidated)
    if progress is not None:
        progress(total, total)
    runs = [pre, *([post] if post is not None else [])]
    return replace(
        pre,
        failures=[*pre.failures, *loaded.failures, *(post.failures if post else []), *fk_failures],
        log="\n".join([pre.log, *loaded.log, *([post.log] if post is not None else []), *fk_log]),
        tool=f"{pre.tool} (pre-data, post-data) and COPY of the first {sample} rows per table",
        returncode=max(r.returncode for r in runs),
        printed_errors=sum(r.printed_errors for r in runs),
        summary_errors=None,
        sampled=frozenset(budget.cut),
    )


# Data entries the quick path loads itself (TABLE DATA), or leaves out (large-object contents).
_OURS = frozenset({"TABLE DATA", "BLOBS"})


def _foreign_keys_and_dependents(entries: tuple[TocEntry, ...]) -> set[int]:
    """The FK CONSTRAINT entries and every entry that depends on one, transitively."""
    found = {e.dump_id for e in entries if e.desc == "FK CONSTRAINT"}
    grew = bool(found)
    while grew:
        more = {
            e.dump_id for e in entries if e.dump_id not in found and found & set(e.dependencies)
        }
        found |= more
        grew = bool(more)
    return found


def _connect(dump: DumpInventory, server: ScratchServer, dsn: str) -> psycopg.Connection[Any]:
    try:
        conn = psycopg.connect(dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        raise server_failure(server, exc) from exc
    conn.prepare_threshold = None
    for statement in _FIXED_STATE:
        conn.execute(statement)
    for entry in dump.entries:
        if entry.desc in _SESSION_ENTRIES and entry.defn.strip():
            conn.execute(entry.defn.encode("utf-8"))
    if dump.facts.kind == "data-only":
        # As the plain driver does and pg_restore's --disable-triggers: the tables already have
        # their foreign keys, and a sample's rows refer to rows that are not loaded.
        conn.execute("SET session_replication_role = replica")
    return conn


def _load_samples(
    dump: DumpInventory,
    server: ScratchServer,
    dsn: str,
    budget: SampleBudget,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> _Loaded:
    loaded = _Loaded()
    ids = {e.dump_id for e in dump.entries if e.desc == "TABLE DATA"}
    done = total - len(ids)
    with _connect(dump, server, dsn) as conn:
        for data in iter_tables_data(Path(dump.facts.path), ids):
            table = QualifiedName(data.entry.namespace or "public", data.entry.tag)
            try:
                if data.copy_statement:
                    _copy_sample(conn, data, table, budget)
                else:
                    _insert_sample(conn, server, data, table, budget, loaded)
            except psycopg.Error as exc:
                _check_environment(exc, conn, server)
                loaded.failures.append(_failure(data, exc.diag, " ".join(str(exc).split())))
                loaded.log.append(f"TOC {data.entry.dump_id}: {table}: {exc.diag.message_primary}")
            except DumpFormatError as exc:  # the archive's data for it is damaged
                loaded.failures.append(_failure(data, None, exc.one_line()))
                loaded.log.append(f"TOC {data.entry.dump_id}: {table}: {exc.one_line()}")
            done += 1
            if progress is not None:
                progress(min(done, total), total)
    return loaded


def _copy_sample(
    conn: psycopg.Connection[Any],
    data: TableData,
    table: QualifiedName,
    budget: SampleBudget,
) -> None:
    room = budget.room(table)
    sent = 0
    try:
        with conn.cursor() as cur, cur.copy(_sql(data.copy_statement, conn)) as copy:
            for line in itertools.islice(data.lines, room):
                copy.write(line)
                copy.write(b"\n")
                sent += 1
    finally:
        # One more line says whether the dump has rows past the sample; they are not read.
        more = next(data.lines, None) is not None
        budget.take(table, sent, total=sent + more)


def _insert_sample(
    conn: psycopg.Connection[Any],
    server: ScratchServer,
    data: TableData,
    table: QualifiedName,
    budget: SampleBudget,
    loaded: _Loaded,
) -> None:
    """``--inserts`` data: the INSERT statements that hold the first rows, each on its own."""
    for item in iter_plain(cast(BinaryIO, _LineStream(data.lines))):
        if not isinstance(item, Statement) or not item.terminated:
            continue
        room = budget.room(table)
        try:
            rows = count_insert_rows(item.text)
        except TextError:
            rows = 1
        if room <= 0:
            budget.take(table, 0, total=rows)
            return
        budget.take(table, rows, total=rows)
        try:
            conn.execute(_sql(item.text, conn))
        except psycopg.Error as exc:
            _check_environment(exc, conn, server)
            failure = _failure(data, exc.diag, " ".join(str(exc).split()))
            loaded.failures.append(replace(failure, statement=item.text))
            loaded.log.append(f"TOC {data.entry.dump_id}: {table}: {exc.diag.message_primary}")


class _LineStream(io.RawIOBase):
    """The data lines of an entry as the byte stream the plain splitter reads."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            line = next(self._lines, None)
            if line is None:
                return 0
            self._rest = line + b"\n"
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def _add_foreign_keys(
    dump: DumpInventory, server: ScratchServer, dsn: str, ids: set[int]
) -> tuple[list[Failure], list[str]]:
    """The foreign keys, NOT VALID, then the entries that need them, in TOC order."""
    failures: list[Failure] = []
    log: list[str] = []
    if not ids:
        return failures, log
    with _connect(dump, server, dsn) as conn:
        for entry in dump.entries:
            if entry.dump_id not in ids or not entry.defn.strip():
                continue
            log.append(f"TOC {entry.dump_id}: {entry.desc} {entry.tag}")
            try:
                if entry.desc == "FK CONSTRAINT":
                    add_foreign_key(lambda sql: conn.execute(_sql(sql, conn)), entry.defn)
                else:
                    conn.execute(_sql(entry.defn, conn))
            except psycopg.Error as exc:
                _check_environment(exc, conn, server)
                failures.append(_entry_failure(entry, exc))
                log.append(f"TOC {entry.dump_id}: ERROR: {exc.diag.message_primary}")
    return failures, log


def _sql(text: str, conn: psycopg.Connection[Any]) -> bytes:
    """SQL in the session's client encoding (the dump's, from its ENCODING entry), as bytes, so
    that the server reads the names exactly as pg_restore would send them."""
    try:
        return text.encode(conn.info.encoding)
    except (UnicodeEncodeError, LookupError):
        return text.encode("utf-8")


def _check_environment(
    exc: psycopg.Error, conn: psycopg.Connection[Any], server: ScratchServer
) -> None:
    """Raise for what is not a restore failure: disk full, or a lost server."""
    mapped = classify_db_error(exc)
    if mapped is not None:
        raise mapped from exc
    if isinstance(exc, psycopg.OperationalError) and conn.broken:
        raise server_failure(server, exc) from exc


def _failure(data: TableData, diag: Any, fallback: str) -> Failure:
    entry = data.entry
    return Failure(
        message=(diag.message_primary if diag is not None else None) or fallback,
        statement=data.copy_statement or None,
        sqlstate=diag.sqlstate if diag is not None else None,
        detail=diag.message_detail if diag is not None else None,
        hint=diag.message_hint if diag is not None else None,
        location=f"TOC {entry.dump_id}",
        desc=entry.desc,
        tag=entry.tag,
        namespace=entry.namespace or None,
        toc_id=entry.dump_id,
        dependencies=entry.dependencies,
        copy_table=QualifiedName(entry.namespace or "public", entry.tag),
    )


def _entry_failure(entry: TocEntry, exc: psycopg.Error) -> Failure:
    return failure_from(
        exc,
        statement=entry.defn,
        location=f"TOC {entry.dump_id}",
        desc=entry.desc,
        tag=entry.tag,
        namespace=entry.namespace or None,
        toc_id=entry.dump_id,
        dependencies=entry.dependencies,
        defn=entry.defn,
    )
