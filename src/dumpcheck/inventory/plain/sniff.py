"""Is this file a plain dump at all: a look at its first 64 KiB before the streaming pass."""

from __future__ import annotations

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.plain.splitter import CLUSTER_HEADER
from dumpcheck.inventory.source import DumpSource, open_plain

_DUMP_MARKERS = (
    b"-- PostgreSQL database dump",
    b"\\restrict ",
    b"\\connect ",
    b"SET ",
    CLUSTER_HEADER.encode(),
)


def check_is_dump(path: DumpSource) -> None:
    """DumpFormatError unless ``path`` (maybe compressed) reads as a psql script from pg_dump."""
    stream = open_plain(path)
    try:
        head = stream.read(1 << 16)
    finally:
        stream.close()
    if not head and stream.truncated:
        raise DumpFormatError(
            f"{path}: the {stream.compression} stream ends before any data (cut short?)"
        )
    if not head:
        raise DumpFormatError(f"{path}: empty after decompression, not a dump")
    # A NUL byte says binary, unless pg_dump's own header opens the file: then it is a dump
    # damaged further on, which the scan reports where it is damaged.
    opened = head[:4096]
    binary = b"\x00" in head and _DUMP_MARKERS[0] not in opened and _DUMP_MARKERS[-1] not in opened
    if binary or not any(m in head for m in _DUMP_MARKERS):
        raise DumpFormatError(f"{path}: not a PostgreSQL dump (no pg_dump header, not an archive)")
