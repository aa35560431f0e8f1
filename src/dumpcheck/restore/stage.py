"""The restore stage's entry point: preflight, restore, classify, read the catalog back."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import time
from collections.abc import Callable, Collection
from pathlib import Path

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BadInputError, BinaryNotFoundError, ScratchServerError
from dumpcheck.inventory import DumpSource, RemoteDump, dump_size
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.restore.archive import restore_archive
from dumpcheck.restore.base import apply_base_schema
from dumpcheck.restore.catalog_reader import read_catalog
from dumpcheck.restore.classify import Failure, classify
from dumpcheck.restore.model import PreflightFinding, RestoreResult
from dumpcheck.restore.overlap import EarlyReads
from dumpcheck.restore.plain import restore_plain
from dumpcheck.restore.preflight import check_extensions, missing_tablespaces, prepare_server
from dumpcheck.restore.quick import restore_archive_quick
from dumpcheck.scratch import (
    create_database,
    disk_full_error,
    drop_database,
    drop_roles,
    log_tail,
    server_died_error,
)
from dumpcheck.scratch.model import ScratchServer

# pg_restore's own complaints about its input file (pg_backup_archiver.c, _discoverArchiveFormat
# and ReadHead): the dump is unreadable, which is bad input (exit 2), not a restore failure.
_BAD_INPUT = re.compile(
    r"could not open input file|input file appears to be a text format dump|"
    r"input file does not appear to be a valid archive|did not find magic string|"
    r"input file is too short|unrecognized file format|could not read input file"
)
# An archive newer than the pg_restore reading it (pg_backup_archiver.c, ReadHead).
# A well-formed version we do not know means a newer pg_dump; "(-1.-1)" means garbage.
_TOO_NEW = re.compile(r"unsupported version \((?P<version>\d+\.\d+)\) in file header")
_BAD_VERSION = re.compile(r"unsupported version \(.*\) in file header")
# What a client sees when the server goes away under it (libpq fe-misc.c, postmaster.c).
_SERVER_GONE = re.compile(
    r"server closed the connection unexpectedly|terminating connection because of crash|"
    r"connection to server .* failed|could not connect to server|no connection to the server|"
    r"the database system is (shutting down|in recovery mode)"
)


def restore(
    dump: DumpInventory,
    server: ScratchServer,
    *,
    database: str | None = None,
    jobs: int | None = None,
    no_owner: bool = False,
    base_schema: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: DumpSource | None = None,
    sample: int | None = None,
    uncounted: Collection[QualifiedName] = (),
    early: EarlyReads | None = None,
) -> RestoreResult:
    """Restore ``dump`` into a new database on ``server`` (or ``database``) and report.

    ``base_schema`` is SQL run before the dump (the Prisma schema's DDL, for a data-only dump
    that needs its tables to exist); its failures are reported like the dump's own.
    ``progress(done, total)`` is called as the restore advances (bytes for plain dumps,
    items for archives). ``source`` is where the dump is read again, the file at
    ``dump.facts.path`` by default; a plain dump in object storage is streamed from there.
    ``sample`` (quick verify) loads only the first ``sample`` rows of each table; the schema is
    restored whole. ``uncounted`` tables get no row count here (read_catalog): the caller
    reads their rows back and counts them then. ``early`` reads tables back as a parallel
    archive restore finishes them (overlap.EarlyReads).
    """
    source = Path(dump.facts.path) if source is None else source
    _check_readable(dump, source)
    started = time.monotonic()
    roles = prepare_server(server, dump.facts)
    created_roles = roles.names
    own_database = database is None
    try:
        if database is None:
            database = create_database(server, dump.facts.encoding)
        result = _restore_into(
            dump,
            source,
            server,
            database,
            jobs,
            no_owner,
            roles.findings,
            created_roles,
            base_schema,
            progress,
            sample,
            uncounted,
            early,
        )
    except BaseException:
        # A failed restore leaves nothing behind on the server: not its database, not its roles.
        with contextlib.suppress(Exception):
            if own_database and database is not None:
                drop_database(server, database)
            drop_roles(server, created_roles)
        raise
    return dataclasses.replace(
        result, duration_s=time.monotonic() - started, roles_source=roles.source
    )


def _restore_into(
    dump: DumpInventory,
    source: DumpSource,
    server: ScratchServer,
    database: str,
    jobs: int | None,
    no_owner: bool,
    findings: list[PreflightFinding],
    created_roles: list[str],
    base_schema: str | None,
    progress: Callable[[int, int], None] | None,
    sample: int | None = None,
    uncounted: Collection[QualifiedName] = (),
    early: EarlyReads | None = None,
) -> RestoreResult:
    dsn = server.dsn(database)
    failures: list[Failure]
    extra: dict[str, str] = {}
    findings = [*findings, *check_extensions(server, dsn, dump.facts.extensions)]
    base_failures = apply_base_schema(server, dsn, base_schema) if base_schema is not None else []
    no_tablespaces = missing_tablespaces(server, dsn, dump.entries)
    if no_tablespaces:
        extra["tablespaces_left_out"] = ",".join(no_tablespaces)
    if created_roles:
        extra["created_roles"] = ",".join(created_roles)
    if sample is not None:
        extra["sample"] = str(sample)
    if early is not None and sample is None:
        early.start(dsn)
    if dump.facts.format == "plain":
        size = max(dump_size(source), 1)
        plain = restore_plain(
            dump,
            server,
            dsn,
            source=source,
            jobs=jobs,
            no_owner=no_owner,
            progress=(lambda n: progress(min(n, size), size)) if progress is not None else None,
            sample=sample,
            on_ready=early.ready if early is not None else None,
            no_tablespaces=bool(no_tablespaces),
        )
        sampled = frozenset(plain.sampled)
        failures, tool = plain.failures, "psycopg statement driver"
        log = "\n".join(plain.log)
        extra.update(
            statements=str(plain.statements), copies=str(plain.copies), skipped=str(plain.skipped)
        )
    else:
        if sample is None:
            run = restore_archive(
                dump,
                server,
                dsn,
                jobs=jobs,
                no_owner=no_owner,
                progress=progress,
                on_ready=early.ready if early is not None else None,
                no_tablespaces=bool(no_tablespaces),
            )
        else:
            run = restore_archive_quick(
                dump,
                server,
                dsn,
                sample=sample,
                jobs=jobs,
                no_owner=no_owner,
                progress=progress,
                no_tablespaces=bool(no_tablespaces),
            )
        failures, tool, log, sampled = run.failures, run.tool, run.log, run.sampled
        extra["pg_restore_exit"] = str(run.returncode)
        extra["pg_restore_errors_printed"] = str(run.printed_errors)
        if run.summary_errors is not None:
            extra["pg_restore_errors_summary"] = str(run.summary_errors)
        _raise_for_input(run.failures, dump)
    _raise_for_environment(failures, server, log)
    if sample is not None:
        extra["sampled_tables"] = str(len(sampled))
    if base_schema is not None:
        extra["base_schema_errors"] = str(len(base_failures))
        log = "".join(f"{f.location}: ERROR: {f.message}\n" for f in base_failures) + log
    errors = classify([*base_failures, *failures], {e.dump_id: e for e in dump.entries})
    catalog = read_catalog(dsn, uncounted=uncounted)
    return RestoreResult(
        database=database,
        catalog=catalog,
        errors=tuple(errors),
        preflight=tuple(findings),
        log=log,
        tool=tool,
        extra=extra,
        created_roles=tuple(created_roles),
        tablespaces_left_out=tuple(no_tablespaces),
        into_prisma_schema=base_schema is not None,
        sample=sample,
        sampled=sampled,
    )


def _check_readable(dump: DumpInventory, source: DumpSource) -> None:
    if isinstance(source, RemoteDump):
        # pg_restore seeks in an archive (-j needs its data offsets): only a plain dump is
        # restored from the stream; verify fetches archives to a local copy first.
        if dump.facts.format != "plain":
            raise BadInputError(f"{source}: pg_restore needs a local copy of this archive")
        return
    path = source
    if not path.exists():
        raise BadInputError(f"the dump {path} does not exist")
    if not os.access(path, os.R_OK):
        raise BadInputError(f"the dump {path} is not readable")


def _raise_for_input(failures: list[Failure], dump: DumpInventory) -> None:
    """pg_restore could not read the archive at all: bad input (exit 2), or too old (exit 3)."""
    for f in failures:
        too_new = _TOO_NEW.search(f.message)
        if too_new is not None:
            raise BinaryNotFoundError(
                f"{f.message}: the archive {dump.facts.path} (format {too_new['version']}) is "
                f"newer than this pg_restore; install a newer PostgreSQL with "
                f"`dumpcheck postgres install 18`"
            )
        bad = _BAD_INPUT.search(f.message) or _BAD_VERSION.search(f.message)
        if f.toc_id is None and f.sqlstate is None and bad:
            raise BadInputError(f"pg_restore cannot read {dump.facts.path}: {f.message}")


def _raise_for_environment(failures: list[Failure], server: ScratchServer, log: str) -> None:
    """Disk full or a dead server end the run with exit 3, whatever else was printed."""
    for f in failures:
        full = disk_full_error(f.message, f.sqlstate)
        if full is not None:
            raise full
    died = server_died_error(server)
    if died is not None:
        raise died
    gone = next((f for f in failures if _SERVER_GONE.search(f.message)), None)
    if gone is not None:
        died = server_died_error(server, grace=3)  # the postmaster may be a moment from gone
        if died is not None:
            raise died
        # The postmaster lives but a backend crashed (and took every session with it).
        raise ScratchServerError(
            f"the scratch server lost its sessions during the restore ({gone.message}); "
            f"server log tail: {log_tail(server.log_path)}"
        )
