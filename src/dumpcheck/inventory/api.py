"""``inventory(path)``: detect the dump's format from its content and read it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dumpcheck.errors import BadInputError, DumpFormatError
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.inventory.source import check_readable

Progress = Callable[[int], None]


def inventory(
    path: Path, progress: Progress | None = None, *, fingerprints: bool = True
) -> DumpInventory:
    """Everything ``path`` (plain, custom, directory or tar dump) holds, read without a database.

    ``progress`` is called now and then with the number of bytes of the file read so far.
    A truncated dump is not an error: ``facts.complete`` is False and ``facts.stops_at`` says where.
    ``fingerprints`` also hashes every COPY row (dumpcheck.fingerprint); off, it costs nothing.
    """
    path = Path(path)
    check_readable(path)
    try:
        return _read(path, progress, fingerprints)
    except PermissionError as exc:
        # A member of a directory archive (or toc.dat) that this user cannot read: bad input,
        # exit 2, not an environment failure.
        where = exc.filename or path
        raise BadInputError(f"{where}: permission denied (dumpcheck cannot read it)") from exc


def _read(path: Path, progress: Progress | None, fingerprints: bool) -> DumpInventory:
    from dumpcheck.inventory.archive import sniff_archive

    fmt = sniff_archive(path)
    if fmt is not None:
        from dumpcheck.inventory.archive.reader import inventory_archive

        return inventory_archive(path, progress, fingerprints=fingerprints)
    if path.is_dir():
        raise DumpFormatError(f"{path}: a directory without toc.dat, not a directory-format dump")
    from dumpcheck.inventory.plain.reader import inventory_plain

    return inventory_plain(path, progress, fingerprints=fingerprints)
