"""``dumpcheck refresh``: verify the dump in a new database beside the target, then swap.

One restore: the candidate ``<target>__dumpcheck_<stamp>`` is verify's scratch database, on the
target's own server. Only when the gate passes is it swapped in; otherwise the target is not
touched at all (not one row: nothing but the candidate is ever written), and the candidate is
dropped (or kept with ``--keep-failed``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dumpcheck.errors import BadInputError
from dumpcheck.refresh import names

if TYPE_CHECKING:
    from dumpcheck.inventory.model import DumpInventory
    from dumpcheck.refresh.server import Session
    from dumpcheck.scratch.model import ScratchServer
    from dumpcheck.verify import ProgressCallback, StageCallback, VerifyOptions, VerifyOutcome

# Verdicts --allow may accept; the others (a table missing, broken, or short of rows) never pass.
ALLOWABLE = ("unexpected", "drift")


@dataclass(frozen=True)
class RefreshOptions:
    """Everything ``dumpcheck refresh`` can be told."""

    target: str  # postgresql:// URL or key=value naming the database to refresh
    verify: VerifyOptions | None  # None for --rollback
    allow: frozenset[str] = frozenset()
    wait_s: float = 60.0
    terminate: bool = False
    keep: int = 1
    keep_failed: bool = False


@dataclass(frozen=True)
class RefreshOutcome:
    """What the refresh did, for the report, the artifacts and the history line."""

    target: str
    promoted: bool
    exit_code: int
    candidate: str | None = None
    previous: str | None = None  # the name the replaced target now has
    dropped: tuple[str, ...] = ()  # our own older databases dropped (stale candidates, --keep)
    kept_failed: str | None = None
    verify: VerifyOutcome | None = None
    reason: str = ""
    unmarked: tuple[str, ...] = ()  # candidate-named databases without our mark, left alone


def _target_name(conninfo: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(conninfo).get("dbname")
    if not name:
        raise BadInputError("--target names no database: give it as postgresql://.../DBNAME")
    if str(name) in ("postgres", "template0", "template1"):
        raise BadInputError(f"refusing to refresh the system database {name}")
    return str(name)


def refresh(
    options: RefreshOptions,
    *,
    on_stage: StageCallback | None = None,
    progress: ProgressCallback | None = None,
) -> RefreshOutcome:
    """Verify into a candidate beside the target; promote it when the gate passes."""
    from dumpcheck.live import parse_database_url
    from dumpcheck.refresh import server as srv

    if options.verify is not None and options.verify.sample is not None:
        # The candidate is promoted as it was verified: a sampled one would lose every row
        # past the sample. The CLI refuses --quick before this; other callers are stopped here.
        raise BadInputError("refresh cannot promote a quick verify (--quick): use a full verify")

    url = parse_database_url(options.target)
    target = _target_name(url.conninfo)
    conn, maintenance = srv.connect(url.conninfo, url.shown, url.scrub)
    with conn:
        exists = srv.check_privileges(conn, target)
        srv.lock(conn, target)  # held until this session ends, crash or not
        # We hold the lock: any candidate of this target is a killed run's leftover.
        leftovers = srv.ours(conn, target, names.CANDIDATE)
        dropped = tuple(c.name for c in leftovers if c.marked)
        # Unmarked: a run killed between CREATE DATABASE and its mark, or anyone's database
        # that happens to have such a name. Never ours to drop; told, so a person can.
        unmarked = tuple(c.name for c in leftovers if not c.marked)
        for leftover in leftovers:
            if leftover.marked:
                srv.drop(conn, leftover)
        if options.verify is None:
            outcome = _rollback(conn, target, exists, options, dropped)
        else:
            outcome = _refresh(
                conn, maintenance, target, exists, options, dropped, on_stage, progress
            )
        return replace(outcome, unmarked=unmarked)


def _refresh(
    conn: Session,
    maintenance: str,
    target: str,
    exists: bool,
    options: RefreshOptions,
    dropped: tuple[str, ...],
    on_stage: StageCallback | None,
    progress: ProgressCallback | None,
) -> RefreshOutcome:
    from dumpcheck.refresh import server as srv
    from dumpcheck.verify import verify

    assert options.verify is not None
    when = names.free_stamp(target, srv.database_names(conn))
    candidate = names.candidate_name(target, when)

    def into(inv: DumpInventory, server: ScratchServer) -> str:
        srv.create(conn, candidate, target, when, inv.facts.encoding)
        return candidate

    vopts = replace(options.verify, backend="dsn", scratch_dsn=maintenance, keep_scratch=False)
    ours = srv.OurDatabase(candidate, when, marked=True)
    try:
        outcome = verify(vopts, on_stage=on_stage, progress=progress, into=into)
    except BaseException:
        # The target was never touched; the candidate goes (a failed restore keeps nothing).
        with contextlib.suppress(Exception):
            srv.drop(conn, ours)
        raise
    code = outcome.findings.exit_code()
    passed, reason = gate(outcome, options.allow)
    if not passed:
        kept = None
        if options.keep_failed:
            kept = candidate
        else:
            srv.drop(conn, ours)
            _drop_roles(maintenance, outcome)
        return RefreshOutcome(
            target, False, code or 1, candidate, None, dropped, kept, outcome, reason
        )
    if on_stage is not None:
        on_stage("swap")
    previous = (
        names.previous_name(target, names.free_stamp(target, srv.database_names(conn)))
        if exists
        else None
    )
    try:
        srv.swap(
            conn, target, candidate, previous, wait_s=options.wait_s, terminate=options.terminate
        )
    except BaseException:
        if not options.keep_failed:
            with contextlib.suppress(Exception):
                srv.drop(conn, ours)
        raise
    pruned = _prune(conn, target, options.keep)
    return RefreshOutcome(
        target, True, 0, candidate, previous, (*dropped, *pruned), None, outcome, reason
    )


def gate(outcome: VerifyOutcome, allow: frozenset[str]) -> tuple[bool, str]:
    """Whether the refresh may promote: exit 0, or only verdicts ``--allow`` accepts."""
    findings = outcome.findings
    if findings.exit_code() == 0:
        return True, "every expected table is ok"
    blocking = [t for t in findings.failing() if t.verdict not in allow]
    dump_fatal = replace(findings, tables=()).exit_code() != 0
    if blocking or dump_fatal:
        from dumpcheck.report import summary_tail

        return False, summary_tail(findings)
    shown = ", ".join(sorted({t.verdict for t in findings.failing()}))
    return True, f"only {shown}, which --allow accepts"


def _prune(conn: Session, target: str, keep: int) -> list[str]:
    from dumpcheck.refresh import server as srv

    dropped = []
    for old in srv.ours(conn, target, names.PREVIOUS)[keep:]:
        if old.marked:  # the database that was there before the first refresh is never dropped
            srv.drop(conn, old)
            dropped.append(old.name)
    return dropped


def _drop_roles(maintenance: str, outcome: VerifyOutcome) -> None:
    from dumpcheck.scratch import drop_roles
    from dumpcheck.scratch.model import ScratchServer

    if outcome.restore is not None and outcome.restore.created_roles:
        server = ScratchServer("dsn", 0, "", maintenance, None)
        drop_roles(server, outcome.restore.created_roles)


def _rollback(
    conn: Session, target: str, exists: bool, options: RefreshOptions, dropped: tuple[str, ...]
) -> RefreshOutcome:
    from dumpcheck.refresh import server as srv

    previous = srv.ours(conn, target, names.PREVIOUS)
    if not previous:
        raise BadInputError(f"no previous database of {target} to roll back to")
    back = previous[0]
    # A swap: the current target becomes the newest previous, so a second rollback undoes it.
    outgoing = (
        names.previous_name(target, names.free_stamp(target, srv.database_names(conn)))
        if exists
        else None
    )
    srv.swap(conn, target, back.name, outgoing, wait_s=options.wait_s, terminate=options.terminate)
    return RefreshOutcome(
        target, True, 0, back.name, outgoing, dropped, None, None, f"rolled back to {back.name}"
    )
