"""The names and marks of the databases a refresh creates, so it only ever drops its own.

A refresh of ``shop`` restores into ``shop__dumpcheck_<UTC stamp>`` (the candidate) and, when
it promotes it, renames the old ``shop`` to ``shop__previous_<UTC stamp>``. Every database a
refresh creates also carries a ``COMMENT ON DATABASE`` mark: a name alone can be chosen by
anyone, the mark is what makes a database ours to drop. The target that was there before the
first refresh never gets the mark, so it is kept as a previous database, never dropped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes (src/include/pg_config_manual.h).
MAX_NAME_BYTES = 63
CANDIDATE = "__dumpcheck_"
PREVIOUS = "__previous_"
MARK = "created by dumpcheck refresh"
_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def stamp(now: datetime | None = None) -> str:
    """``20261205T125400Z``: sorts as it reads, and is a valid part of an identifier."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


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
