"""What reading a pg_dump archive yields: facts, TOC entries, exact row counts, completeness."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dumpcheck.fingerprint import Fingerprint
from dumpcheck.inventory.model import Compression, TocEntry

ArchiveFormat = Literal["custom", "directory", "tar"]


@dataclass(frozen=True)
class ArchiveScan:
    """One full read of an archive: header facts, the TOC, and the row count of every table."""

    format: ArchiveFormat
    compression: Compression
    version: str  # archive version, "1.16"
    pg_dump_version: str | None  # "18.1"
    server_version: str | None  # of the source server, "15.4 (Debian 15.4-1)"
    database: str | None
    encoding: str | None  # from the ENCODING entry, "UTF8"
    entries: tuple[TocEntry, ...]
    # dump_id of each TABLE DATA entry whose data was reached -> exact row count (COPY lines, or
    # rows of INSERT statements); for the entry where a truncated archive stops, the rows read.
    row_counts: dict[int, int]
    complete: bool  # every data block / file read to its end
    stops_at: str | None = None  # where an incomplete archive stops, one line
    blobs: int = 0  # large objects whose data was read to its end
    # dump_id of each data entry that is cut short, missing or damaged -> where, one line.
    damaged: dict[int, str] = field(default_factory=dict)
    # dump_id of each TABLE DATA entry -> its COPY statement ("" for --inserts data), which gives
    # the column order of the rows iter_table_data yields.
    copy_statements: dict[int, str] = field(default_factory=dict)
    # dump_id of each whole, undamaged COPY data entry -> its rows' fingerprint (when asked).
    fingerprints: dict[int, Fingerprint] = field(default_factory=dict)
    # dump_id -> decompressed data kept in the pass: all of it for the tables read_archive was
    # asked to keep, the first line for INSERT data (as far as the archive holds it).
    kept_data: dict[int, bytes] = field(default_factory=dict)
