"""The restore stage: restore a dump into a scratch database and tie every error to its object."""

from __future__ import annotations

from dumpcheck.restore.catalog_reader import count_tables, read_catalog, read_catalog_in
from dumpcheck.restore.fingerprints import fingerprint_restored, requests_for
from dumpcheck.restore.overlap import EarlyReads, partitions
from dumpcheck.restore.spelling import server_spellings
from dumpcheck.restore.stage import restore

__all__ = [
    "EarlyReads",
    "count_tables",
    "fingerprint_restored",
    "partitions",
    "read_catalog",
    "read_catalog_in",
    "requests_for",
    "restore",
    "server_spellings",
]
