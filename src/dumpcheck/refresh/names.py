"""The names and marks of the databases a refresh creates, so it only ever drops its own.

A refresh of ``shop`` restores into ``shop__dumpcheck_<UTC stamp>`` (the candidate) and, when
it promotes it, renames the old ``shop`` to ``shop__previous_<UTC stamp>``. Every database a
refresh creates also carries a ``COMMENT ON DATABASE`` mark: a name alone can be chosen by
anyone, the mark is what makes a database ours to drop. The target that was there before the
first refresh never gets the mark, so it is kept as a previous database, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

# PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes (src/include/pg_config_manual.h).
MAX_NAME_BYTES = 63
CANDIDATE = "__dumpcheck_"
PREVIOUS = "__previous_"
MARK = "created by dumpcheck refresh"
_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def stamp(now: datetime | None = None) -> str:
    """``20261205T125400Z``: sorts as it reads, and is a valid part of an identifier."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def free_stamp(target: str, taken: Collection[str], now: datetime | None = None) -> str:
    """A stamp later than every stamp of ``target``'s databases in ``taken``, ``now`` if it is.

    Stamps are to the second: two refreshes, or a refresh and a rollback, can fall in one
    second, and a killed run can leave a database with this second's name. The next free second
    is as good a name, and being later than all the others keeps "newest first" true for
    ``--keep`` and ``--rollback`` (``server.ours`` orders by stamp).
    """
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    for name in taken:
        for infix in (CANDIDATE, PREVIOUS):
            when = stamp_of(name, target, infix)
            if when is not None:
                used = datetime.strptime(when, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                moment = max(moment, used + timedelta(seconds=1))
    return stamp(moment)


def _named(target: str, infix: str, when: str) -> str:
    suffix = f"{infix}{when}"
    room = MAX_NAME_BYTES - len(suffix.encode())
    head = target.encode()[:room].decode("utf-8", errors="ignore")
    return f"{head}{suffix}"


def candidate_name(target: str, when: str) -> str:
    """The database a refresh restores into, before the gate."""
    return _named(target, CANDIDATE, when)


def previous_name(target: str, when: str) -> str:
    """The name the replaced target keeps after a swap."""
    return _named(target, PREVIOUS, when)


def stamp_of(name: str, target: str, infix: str) -> str | None:
    """The stamp of ``name`` if it is ``target``'s candidate or previous database (``infix``)."""
    when = name.rsplit(infix, 1)[-1] if infix in name else ""
    if not _STAMP.match(when) or name != _named(target, infix, when):
        return None
    return when


def mark(target: str, when: str) -> str:
    """The comment a refresh puts on each database it creates."""
    return f"{MARK} for {target} at {when}"
