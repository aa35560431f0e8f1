"""Our own streaming reader for pg_dump archives: custom, directory and tar, versions 1.12-1.16,
with their codecs (gzip, lz4, zstd); ``reader`` turns a scan into the dump's inventory."""

from __future__ import annotations

from dumpcheck.inventory.archive.model import ArchiveFormat, ArchiveScan
from dumpcheck.inventory.archive.offsets import custom_has_offsets
from dumpcheck.inventory.archive.scan import read_archive
from dumpcheck.inventory.archive.sniff import sniff_archive
from dumpcheck.inventory.archive.table_data import (
    TableData,
    data_lines,
    iter_table_data,
    iter_tables_data,
)

__all__ = [
    "ArchiveFormat",
    "ArchiveScan",
    "TableData",
    "custom_has_offsets",
    "data_lines",
    "iter_table_data",
    "iter_tables_data",
    "read_archive",
    "sniff_archive",
]
