"""The whole pipeline in one typed function: expect, inventory, restore, compare."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dumpcheck.catalog import QualifiedName
from dumpcheck.compare import compare
from dumpcheck.compare.findings import ExpectationDisagreement, Findings, ScratchInfo
from dumpcheck.errors import BadInputError
from dumpcheck.expect import CrossCheck
from dumpcheck.expect.model import Expectation, MigrationStatus
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.restore.model import RestoreResult
from dumpcheck.scratch.model import Backend, ScratchServer

if TYPE_CHECKING:
    from dumpcheck.inventory import DumpSource
    from dumpcheck.restore import EarlyReads


@dataclass(frozen=True)
class VerifyOptions:
    """Everything ``dumpcheck verify`` can be told."""

    dump: Path
    prisma: Path
    migrations: Path | None = None
    default_schema: str | None = None
    backend: Backend = "local"
    scratch_dsn: str | None = None
    pg_version: int | None = None
    keep_scratch: bool = False
    jobs: int | None = None
    no_owner: bool = False
    strict: bool = False
    expect_check: bool = False  # also ask the project's own Prisma for its DDL
    fingerprints: bool = True  # hash every row on both sides (dumpcheck.fingerprint)
    dump_url: str | None = None  # s3://...: streamed, or fetched when pg_restore must seek
    database: str | None = None  # the database of a pg_dumpall file (default: its only one)
    # --quick: load only the first ``sample`` rows of each table (None: a full verify). The
    # schema is restored whole, the inventory still counts every row of the dump.
    sample: int | None = None


@dataclass(frozen=True)
class VerifyOutcome:
    """The findings and every stage's output, for artifacts and triage."""

    findings: Findings
    expectation: Expectation
    inventory: DumpInventory
    restore: RestoreResult | None
    migrations: tuple[MigrationStatus, ...]
    kept_server: ScratchServer | None = None
    timings: dict[str, float] = field(default_factory=dict)


StageCallback = Callable[[str], None]
# refresh: creates the database to restore into on the server, from the dump's inventory; the
# database is the caller's, never dropped here.
IntoDatabase = Callable[[DumpInventory, ScratchServer], str]
# (what, done, total): "reading" in bytes of the dump file, "restoring" in bytes or items.
ProgressCallback = Callable[[str, int, int], None]


@contextlib.contextmanager
def _timed(timings: dict[str, float], stage: str, on_stage: StageCallback | None) -> Iterator[None]:
    if on_stage is not None:
        on_stage(stage)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round(time.perf_counter() - start, 3)


def _check_paths(options: VerifyOptions) -> None:
    # Checked up front so that a typo costs nothing: no server is started for it.
    if options.dump_url is None and not options.dump.exists():
        raise BadInputError(f"dump not found: {options.dump}")
    if not options.prisma.exists():
        raise BadInputError(f"Prisma schema not found: {options.prisma}")
    if options.backend == "dsn" and not options.scratch_dsn:
        raise BadInputError("--scratch dsn needs --scratch-dsn URL")
    if options.sample is not None and options.sample < 1:
        raise BadInputError(f"--sample must be at least 1 row, not {options.sample}")


def dbgenerated_defaults(
    expectation: Expectation,
) -> list[tuple[QualifiedName, str, str, str]]:
    """Every expected dbgenerated("...") default: (table, column, type, expression)."""
    out = []
    for key, origins in expectation.column_origins.items():
        table = expectation.catalog.tables.get(key)
        if table is None:
            continue
        for column in table.columns:
            origin = origins.get(column.name)
            if origin is not None and origin.default == "dbgenerated" and column.default:
                out.append((key, column.name, column.type, column.default))
    return out


def verify(
    options: VerifyOptions,
    *,
    on_stage: StageCallback | None = None,
    progress: ProgressCallback | None = None,
    into: IntoDatabase | None = None,
) -> VerifyOutcome:
    """Verify one dump against one Prisma schema; every stage runs for real."""
    _check_paths(options)
    if options.dump_url is not None:
        return _verify_remote(options, on_stage, progress, into)
    return _verify(options, options.dump, on_stage, progress, into)


def _verify(
    options: VerifyOptions,
    source: DumpSource,
    on_stage: StageCallback | None,
    progress: ProgressCallback | None,
    into: IntoDatabase | None,
) -> VerifyOutcome:
    from dumpcheck.expect import base_schema_sql, classify_migrations, expect
    from dumpcheck.inventory import dump_size, inventory
    from dumpcheck.restore import restore, server_spellings
    from dumpcheck.scratch import open_scratch

    timings: dict[str, float] = {}
    with _timed(timings, "expect", on_stage):
        expectation = expect(
            options.prisma, migrations=options.migrations, default_schema=options.default_schema
        )
    size = max(dump_size(source), 1)

    def read() -> DumpInventory:
        with _timed(timings, "inventory", on_stage):
            return inventory(
                source,
                progress=(lambda n: progress("reading", min(n, size), size)) if progress else None,
                fingerprints=options.fingerprints,
                database=options.database,
            )

    def scratch(major: int | None) -> contextlib.AbstractContextManager[ScratchServer]:
        return open_scratch(
            backend=options.backend,
            pg_version=options.pg_version,
            min_major=major,
            dsn=options.scratch_dsn,
            keep=options.keep_scratch,
        )

    kept: ScratchServer | None = None
    with contextlib.ExitStack() as stack:
        inv, server = _read_while_starting(read, scratch, source, stack)
        checked = None
        if options.expect_check:
            from dumpcheck.expect import cross_check

            with _timed(timings, "expect-check", on_stage):
                checked = cross_check(expectation, options.prisma)
        statuses = classify_migrations(expectation.migrations, inv.prisma_migrations)
        # The fingerprints read every row of these tables back and count them as they go: a
        # count(*) before would scan each table twice. (A quick verify samples them: counted.)
        uncounted = (
            frozenset(inv.fingerprints)
            if options.fingerprints and options.sample is None
            else frozenset()
        )
        early = stack.enter_context(early_reads(inv, server)) if uncounted else None
        with _timed(timings, "restore", on_stage):
            restored = restore(
                inv,
                server,
                database=into(inv, server) if into is not None else None,
                jobs=options.jobs,
                no_owner=options.no_owner,
                # A data-only dump has rows but no tables: load it into the ones Prisma defines,
                # as the application's own database would have them.
                base_schema=base_schema_sql(expectation) if inv.facts.kind == "data-only" else None,
                progress=(lambda done, total: progress("restoring", done, total))
                if progress
                else None,
                source=source,
                sample=options.sample,
                uncounted=uncounted,
                early=early,
            )
        if options.fingerprints and not restored.server_died:
            with _timed(timings, "fingerprint", on_stage):
                restored = with_fingerprints(restored, inv, server, options.jobs, uncounted, early)
        spellings = server_spellings(
            server.dsn(restored.database),
            dbgenerated_defaults(expectation),
            expectation.default_schema,
        )
        if options.keep_scratch:
            kept = server
        elif into is not None:
            pass  # refresh's candidate: the caller promotes or drops it, roles included
        else:
            # On a --scratch-dsn server the database is the only trace we leave: drop it now.
            # (A local cluster is deleted whole when the block ends.)
            from dumpcheck.scratch import drop_database, drop_roles

            drop_database(server, restored.database)
            if server.backend != "local":
                drop_roles(server, restored.created_roles)
    with _timed(timings, "compare", on_stage):
        findings = compare(
            expectation,
            inv,
            restored,
            migrations=statuses,
            scratch=ScratchInfo(
                server.backend,
                server.server_version,
                restored.created_roles,
                restored.roles_source,
            ),
            strict=options.strict,
            prisma=str(options.prisma),
            spellings=spellings,
        )
    if checked is not None:
        findings = _with_cross_check(findings, checked)
    return VerifyOutcome(findings, expectation, inv, restored, statuses, kept, timings)


def _read_while_starting(
    read: Callable[[], DumpInventory],
    scratch: Callable[[int | None], contextlib.AbstractContextManager[ScratchServer]],
    source: DumpSource,
    stack: contextlib.ExitStack,
) -> tuple[DumpInventory, ScratchServer]:
    """The dump's inventory and a running scratch server, the server started while the dump
    is read (initdb and start-up wait on other processes: about 0.7 s a run hidden).

    The server's major depends on the dump's pg_dump, which the header states: read first, it
    lets both start at once. Without it (a header that cannot be read cheaply) the inventory
    comes first, as it must. The inventory runs in a daemon thread, so Ctrl-C during the start
    leaves at once (the server is cleaned up by ``stack``; the reader dies with the process).
    """
    from dumpcheck.inventory import pg_dump_major

    major = pg_dump_major(source)
    if major is None:
        inv = read()
        return inv, stack.enter_context(scratch(inv.facts.pg_dump_major))
    box: list[DumpInventory] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            box.append(read())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failed.append(exc)

    reader = threading.Thread(target=run, name="dumpcheck-inventory", daemon=True)
    reader.start()
    started = contextlib.ExitStack()
    stack.enter_context(started)
    server = started.enter_context(scratch(major))
    reader.join()
    if failed:
        raise failed[0]
    inv = box[0]
    if inv.facts.pg_dump_major != major:
        # The header said one thing and the inventory another (a pg_dumpall part written by
        # another pg_dump?): the server is chosen again from what the inventory read.
        started.close()
        server = stack.enter_context(scratch(inv.facts.pg_dump_major))
    return inv, server


def _verify_remote(
    options: VerifyOptions,
    on_stage: StageCallback | None,
    progress: ProgressCallback | None,
    into: IntoDatabase | None,
) -> VerifyOutcome:
    """Verify an s3:// dump: a plain dump is streamed twice (the inventory, then the restore
    replays it statement by statement), never written to disk; an archive, which pg_restore
    seeks in, is fetched once to a private local copy that both stages read. Reported under
    its URL either way."""
    from dumpcheck.inventory import is_archive, local_copy, locate

    url = options.dump_url
    assert url is not None
    remote = locate(url)
    if not is_archive(remote):
        return _verify(options, remote, on_stage, progress, into)
    if on_stage is not None:
        on_stage("fetch")
    with local_copy(remote) as path:
        local = replace(options, dump=path, dump_url=None)
        outcome = _verify(local, path, on_stage, progress, into)
    findings = outcome.findings
    if findings.dump is not None:
        findings = replace(findings, dump=replace(findings.dump, path=url))
    facts = replace(outcome.inventory.facts, path=url)
    return replace(outcome, findings=findings, inventory=replace(outcome.inventory, facts=facts))


def early_reads(inv: DumpInventory, server: ScratchServer) -> EarlyReads:
    """A full verify's read-back of every fingerprinted table, to begin while the restore runs
    (restore.overlap); ``with_fingerprints`` takes what it read."""
    from dumpcheck.restore import EarlyReads, partitions, requests_for

    tables = {k: fp for k, fp in inv.fingerprints.items() if k not in partitions(inv.entries)}
    return EarlyReads(
        requests_for(tables, {}, inv.data_columns, tables.keys()),
        encoding=inv.facts.encoding,
        source_major=inv.facts.source_major,
        pipe_dir=_pipe_dir(server),
    )


def _pipe_dir(server: ScratchServer) -> Path | None:
    # Our own cluster: its private socket directory takes the read-back's named pipes.
    return server.socket_dir if server.backend == "local" else None


def with_fingerprints(
    restored: RestoreResult,
    inv: DumpInventory,
    server: ScratchServer,
    jobs: int | None,
    uncounted: frozenset[QualifiedName],
    early: EarlyReads | None = None,
) -> RestoreResult:
    """Read back every table whose rows the dump fingerprinted and restored in full; the
    ``uncounted`` tables get their row counts from the read-back (or a count(*) where their
    rows are not read: not comparable). ``early``: the tables read while the restore ran."""
    from dumpcheck.restore import count_tables, fingerprint_restored, requests_for

    tables = restored.catalog.tables
    unknown = {
        k for k in uncounted if (t := tables.get(k)) and t.kind == "table" and t.rows is None
    }
    counts = {key: table.rows for key, table in tables.items()}
    # A sampled table holds the dump's first rows only: its fingerprint could never match the
    # dump's, whose sum covers every row. Tables loaded whole are compared as in a full verify.
    whole = {k: fp for k, fp in inv.fingerprints.items() if k not in restored.sampled}
    dsn = server.dsn(restored.database)
    found = fingerprint_restored(
        dsn,
        requests_for(whole, counts, inv.data_columns, unknown),
        encoding=inv.facts.encoding,
        source_major=inv.facts.source_major,
        jobs=jobs or min(os.cpu_count() or 1, 4),
        pipe_dir=_pipe_dir(server),
        early=early,
    )
    rows = {k: found.fingerprints[k].rows for k in unknown if k in found.fingerprints}
    rows |= count_tables(dsn, unknown - rows.keys()) if unknown - rows.keys() else {}
    # A table that lost rows is rows_lost already: its content, or why it could not be
    # compared, adds nothing (requests_for asks for neither once the count is known).
    equal = {k for k, n in {**counts, **rows}.items() if k in whole and n == whole[k].rows}
    found = replace(
        found,
        fingerprints={k: fp for k, fp in found.fingerprints.items() if k in equal},
        not_comparable={
            k: why for k, why in found.not_comparable.items() if k not in unknown or k in equal
        },
    )
    if restored.sampled:
        # Said of the sampled tables that hold rows: a table that failed to load says why.
        loaded = [key for key in restored.sampled if counts.get(key)]
        reasons = {key: sampled_reason(restored, inv, key) for key in loaded}
        found = replace(found, not_comparable={**found.not_comparable, **reasons})
    return replace(restored, catalog=restored.catalog.with_rows(rows), fingerprints=found)


def sampled_reason(restored: RestoreResult, inv: DumpInventory, key: QualifiedName) -> str:
    """Why a sampled table's rows were not compared by content."""
    dumped = inv.catalog.tables.get(key)
    of = f" of {dumped.rows}" if dumped is not None and dumped.rows is not None else ""
    return (
        f"sampled (--quick loaded the first {restored.sample}{of} rows), so its fingerprint "
        "would not match the dump's, which covers every row"
    )


def _with_cross_check(findings: Findings, checked: CrossCheck) -> Findings:
    if checked.skipped is not None:
        return replace(findings, notes=(*findings.notes, checked.skipped))
    if not checked.disagreements:
        note = f"--expect-check: {checked.prisma} writes the same DDL as dumpcheck expects."
        return replace(findings, notes=(*findings.notes, note))
    finding = ExpectationDisagreement(str(checked.prisma), checked.disagreements)
    return replace(findings, dump_findings=(*findings.dump_findings, finding))
