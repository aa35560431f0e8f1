"""Data files of a directory (``-Fd``) archive.

pg_backup_directory.c names each table's data ``<dumpid>.dat`` in the TOC and adds the
compression suffix when writing (``.gz``, ``.lz4``, ``.zst``); pg_restore finds the file by
trying the suffixes (compress_io.c InitDiscoverCompressFileHandle), and so do we. Large objects
are listed in ``blobs.toc`` (``blobs_<dumpid>.toc`` since archive 1.16), one ``<oid> <file>``
line each, with their data in ``blob_<oid>.dat``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive._binary import RawEntry
from dumpcheck.inventory.archive._streams import DataStream, read_file_pieces
from dumpcheck.inventory.model import Compression

_SUFFIXES: tuple[tuple[str, Compression], ...] = (
    ("", "none"),
    (".gz", "gzip"),
    (".lz4", "lz4"),
    (".zst", "zstd"),
)


def find_data_file(directory: Path, name: str) -> tuple[Path, Compression] | None:
    """The file holding ``name``'s data and its compression, found by suffix like pg_restore."""
    for suffix, compression in _SUFFIXES:
        candidate = directory / f"{name}{suffix}"
        if candidate.is_file():
            return candidate, compression
    return None


def file_chunks(path: Path) -> Iterator[bytes]:
    """The raw bytes of one data file, in bounded pieces."""
    with path.open("rb") as stream:
        yield from read_file_pieces(stream)


def _blob_files(directory: Path, listing: Path) -> list[tuple[Path, Compression] | str]:
    found: list[tuple[Path, Compression] | str] = []
    with listing.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[0].isdigit():
                raise DumpFormatError(f"{listing}: line {number} is not '<oid> <file>'")
            name = parts[1].decode("ascii", errors="replace")
            found.append(find_data_file(directory, name) or name)
    return found


def _blob_streams(entries: list[tuple[Path, Compression] | str]) -> Iterator[Iterator[bytes]]:
    for item in entries:
        if isinstance(item, str):
            raise MissingBlobFile(item)
        yield file_chunks(item[0])


class MissingBlobFile(Exception):  # noqa: N818 - a signal turned into a finding by the scanner
    """A large object listed in a blobs TOC has no data file."""


def iter_files(
    directory: Path, entries: list[RawEntry], compression: Compression
) -> Iterator[DataStream]:
    """One stream per TOC entry that names a data file, in TOC order."""
    for raw in entries:
        if not raw.filename:
            continue
        dump_id = raw.entry.dump_id
        found = find_data_file(directory, raw.filename)
        if found is None:
            yield DataStream(
                dump_id,
                f"{directory}/{raw.filename}",
                "none",
                True,
                missing=f"data file {raw.filename} is missing",
            )
            continue
        path, file_compression = found
        if raw.entry.desc == "BLOBS":
            # The listing is never compressed; the blob files use the archive's compression.
            listed = _blob_files(directory, path)
            yield DataStream(dump_id, str(path), compression, True, blobs=_blob_streams(listed))
        else:
            yield DataStream(dump_id, str(path), file_compression, True, chunks=file_chunks(path))
