"""The pg_dump major version a dump's header states, read without reading its data.

verify needs it to choose the scratch server (the lowest major >= pg_dump's); read first, it
lets the server start while the full inventory runs. Any doubt gives None, never an error: the
inventory reads the same header again and reports what is wrong with it.
"""

from __future__ import annotations

import re
from pathlib import Path

from dumpcheck.inventory.source import DumpSource

# The comment pg_dump (and pg_dumpall, for its own part) writes near the top of a script.
_DUMPED_BY = re.compile(rb"-- Dumped by pg_dump(?:all)? version (\d+)")
_PLAIN_HEAD = 1 << 16
_TAR_BLOCK = 512


def pg_dump_major(source: DumpSource) -> int | None:
    """The major of the pg_dump that wrote ``source``, from the archive header or the script's
    first 64 KiB; None when it cannot be told that cheaply."""
    try:
        from dumpcheck.inventory.archive import sniff_archive

        fmt = sniff_archive(source)
        if fmt is not None:
            return _archive_major(source, fmt)
        from dumpcheck.inventory.source import open_plain

        stream = open_plain(source)
        try:
            head = stream.read(_PLAIN_HEAD)
        finally:
            stream.close()
    except Exception:  # noqa: BLE001 - a guess only; the inventory reports the real error
        return None
    found = _DUMPED_BY.search(head)
    return int(found.group(1)) if found else None


def _archive_major(source: DumpSource, fmt: str) -> int | None:
    """From the archive header alone (pg_backup_archiver.c WriteHead), never the TOC: a TOC of
    10,000 tables would cost what the overlap saves."""
    from dumpcheck.inventory.archive._binary import ByteReader, read_header
    from dumpcheck.inventory.source import open_binary

    if fmt == "directory":
        if not isinstance(source, Path):
            return None
        with (source / "toc.dat").open("rb") as stream:
            header = read_header(ByteReader(stream), str(source))
    else:
        with open_binary(source) as stream:
            if fmt == "tar":
                stream.read(_TAR_BLOCK)  # toc.dat's tar header: pg_dump writes toc.dat first
            header = read_header(ByteReader(stream), str(source))
    digits = re.match(r"\d+", header.pg_dump_version or "")
    return int(digits.group()) if digits else None
