"""``inventory(source)``: detect the dump's format from its content and read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from dumpcheck.errors import BadInputError, DumpFormatError
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.inventory.remote import RemoteDump, local_copy
from dumpcheck.inventory.source import DumpSource, check_readable

Progress = Callable[[int], None]


def inventory(
    source: DumpSource, progress: Progress | None = None, *, fingerprints: bool = True
) -> DumpInventory:
    """Everything ``source`` (plain, custom, directory or tar dump) holds, read without a database.

    ``source`` is a local path or a located ``s3://`` dump (``dump_source``): a single object is
    read as a stream, never written to disk; a directory archive is fetched first.
    ``progress`` is called now and then with the number of bytes of the dump read so far.
    A truncated dump is not an error: ``facts.complete`` is False and ``facts.stops_at`` says where.
    ``fingerprints`` also hashes every COPY row (dumpcheck.fingerprint); off, it costs nothing.
    """
    if isinstance(source, RemoteDump):
        if source.directory:
            with local_copy(source) as path:
                inv = _read(path, progress, fingerprints)
            return replace(inv, facts=replace(inv.facts, path=source.url))
        return _read(source, progress, fingerprints)
    path = Path(source)
    check_readable(path)
    try:
        return _read(path, progress, fingerprints)
    except PermissionError as exc:
        # A member of a directory archive (or toc.dat) that this user cannot read: bad input,
        # exit 2, not an environment failure.
        where = exc.filename or path
        raise BadInputError(f"{where}: permission denied (dumpcheck cannot read it)") from exc


def is_archive(source: DumpSource) -> bool:
    """True for a custom, directory or tar archive (what pg_restore reads), judged by content."""
    if isinstance(source, RemoteDump) and source.directory:
        return True
    from dumpcheck.inventory.archive import sniff_archive

    return sniff_archive(source) is not None


def _read(source: DumpSource, progress: Progress | None, fingerprints: bool) -> DumpInventory:
    from dumpcheck.inventory.archive import sniff_archive

    fmt = sniff_archive(source)
    if fmt is not None:
        from dumpcheck.inventory.archive.reader import inventory_archive

        return inventory_archive(source, progress, fingerprints=fingerprints)
    if isinstance(source, Path) and source.is_dir():
        raise DumpFormatError(f"{source}: a directory without toc.dat, not a directory-format dump")
    from dumpcheck.inventory.plain.reader import inventory_plain

    return inventory_plain(source, progress, fingerprints=fingerprints)
