"""The restore stage: restore a dump into a scratch database and tie every error to its object."""

from __future__ import annotations

from dumpcheck.restore.catalog_reader import read_catalog
from dumpcheck.restore.spelling import server_spellings
from dumpcheck.restore.stage import restore

__all__ = ["read_catalog", "restore", "server_spellings"]
