"""Refresh a database from a dump: verify it in a new database beside the target, then swap."""

from __future__ import annotations

from dumpcheck.refresh.run import RefreshOptions, RefreshOutcome, refresh
from dumpcheck.refresh.summary import describe, parse_wait

__all__ = ["RefreshOptions", "RefreshOutcome", "describe", "parse_wait", "refresh"]
