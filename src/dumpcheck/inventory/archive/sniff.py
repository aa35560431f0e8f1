"""Which archive format a dump holds, judged from its content, never from its name."""

from __future__ import annotations

from pathlib import Path

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive._binary import (
    FORMAT_CUSTOM,
    FORMAT_TAR,
    MAGIC,
    check_version,
)
from dumpcheck.inventory.archive._tar import BLOCK, parse_header
from dumpcheck.inventory.archive.model import ArchiveFormat
from dumpcheck.inventory.source import DumpSource, head_bytes

# Magic (5), version (3), intSize, offSize, format: the bytes that say what an archive is.
_FIXED_HEADER = 11


def check_fixed_header(head: bytes, where: str, expected_format: int) -> None:
    """Validate magic, version and format code; raise a one-line DumpFormatError otherwise."""
    if len(head) < _FIXED_HEADER:
        raise DumpFormatError(f"{where}: archive header is cut short (corrupt header)")
    check_version(head[5], head[6], where)
    format_code = head[10]
    if format_code == expected_format:
        return
    if format_code == FORMAT_TAR and expected_format == FORMAT_CUSTOM:
        raise DumpFormatError(
            f"{where}: this is the toc.dat of a directory or tar archive; "
            "pass the whole archive instead"
        )
    raise DumpFormatError(f"{where}: corrupt archive header (format code {format_code})")


def sniff_archive(path: DumpSource) -> ArchiveFormat | None:
    """``custom``, ``directory`` or ``tar`` when ``path`` holds a pg_dump archive, else None.

    A directory without ``toc.dat`` gives None (the caller says so); an archive whose header is
    corrupt or of an unknown version, or a zero-byte file, raises DumpFormatError. An ``s3://``
    object costs one small ranged read.
    """
    if not isinstance(path, Path):
        if path.directory:
            return "directory"
    elif path.is_dir():
        toc = path / "toc.dat"
        if not toc.is_file():
            return None
        with toc.open("rb") as stream:
            head = stream.read(_FIXED_HEADER)
        if not head.startswith(MAGIC):
            raise DumpFormatError(f"{toc}: no PGDMP magic string (not a pg_dump archive TOC)")
        # A directory archive's toc.dat carries the tar format code (pg_backup_directory.c).
        check_fixed_header(head, str(toc), FORMAT_TAR)
        return "directory"
    elif not path.is_file():
        raise DumpFormatError(f"{path}: no such file or directory")
    head = head_bytes(path, BLOCK + _FIXED_HEADER)
    if not head:
        raise DumpFormatError(f"{path}: empty file (0 bytes), not a dump")
    if head.startswith(MAGIC):
        check_fixed_header(head, str(path), FORMAT_CUSTOM)
        return "custom"
    if len(head) >= BLOCK and head[257:262] == b"ustar" and head[:8] == b"toc.dat\0":
        parse_header(head[:BLOCK], str(path))  # checksum
        if not head[BLOCK:].startswith(MAGIC):
            raise DumpFormatError(f"{path}: tar member toc.dat is not a pg_dump TOC")
        check_fixed_header(head[BLOCK:], f"{path}: toc.dat", FORMAT_TAR)
        return "tar"
    return None
