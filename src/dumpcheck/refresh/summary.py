"""What a refresh did, in words for its log, and its --wait option read."""

from __future__ import annotations

import re

from dumpcheck.errors import BadInputError
from dumpcheck.refresh.run import RefreshOutcome


def parse_wait(text: str) -> float:
    """``60``, ``60s``, ``2m``: seconds to wait for sessions on the target to end."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|min)?\s*", text)
    if m is None:
        raise BadInputError(f"--wait {text!r}: give seconds (60, 60s) or minutes (2m)")
    return float(m.group(1)) * (60 if m.group(2) in ("m", "min") else 1)


def describe(outcome: RefreshOutcome) -> list[str]:
    """What the refresh did, one line each (stderr, the nightly log)."""
    lines = []
    if outcome.verify is None:
        lines.append(
            f"rolled back: {outcome.candidate} is {outcome.target} again"
            + (f"; the replaced one is {outcome.previous}" if outcome.previous else "")
        )
    elif outcome.promoted:
        lines.append(
            f"promoted: {outcome.target} is the new database ({outcome.reason})"
            + (f"; the old one is kept as {outcome.previous}" if outcome.previous else "")
        )
    else:
        where = (
            f"; the candidate is kept as {outcome.kept_failed}"
            if outcome.kept_failed
            else "; the candidate was dropped"
        )
        lines.append(f"not promoted: {outcome.target} is untouched ({outcome.reason}){where}")
    if outcome.dropped:
        lines.append(f"dropped older databases refresh had created: {', '.join(outcome.dropped)}")
    for name in outcome.unmarked:
        lines.append(
            f"left alone: {name} is named as a refresh candidate but has no dumpcheck mark "
            "(a refresh killed while creating it?); drop it by hand if nobody else made it"
        )
    return lines
