"""read_archive: the TOC and the exact row count of every table, in one streaming pass.

One pass, forward: the data an inventory needs beyond the counts (the rows of
``_prisma_migrations``, the first INSERT of ``--inserts`` data) is kept as it streams by, so
that an archive read from object storage is read once and never seeked in for a second look.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dumpcheck.errors import DumpFormatError
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.inventory.archive import _custom, _directory, _tar
from dumpcheck.inventory.archive._binary import (
    FORMAT_CUSTOM,
    FORMAT_TAR,
    ArchiveHeader,
    ByteReader,
    InputTruncated,
    RawEntry,
    TocRead,
    encoding_from_defn,
    read_header,
    read_toc,
)
from dumpcheck.inventory.archive._codecs import StreamIncomplete, decompress
from dumpcheck.inventory.archive._rows import CopyRowCounter, InsertRowCounter
from dumpcheck.inventory.archive._streams import DataStream, Kept
from dumpcheck.inventory.archive.model import ArchiveFormat, ArchiveScan
from dumpcheck.inventory.archive.sniff import sniff_archive
from dumpcheck.inventory.model import TocEntry
from dumpcheck.inventory.source import DumpSource, open_binary

if TYPE_CHECKING:
    from dumpcheck.inventory.plain.insert_rows import InsertHasher

_BUFFER = 1 << 16
# A directory archive's data files read at once, at most (one per core up to this).
FILE_READERS = 4


def entry_label(entry: TocEntry) -> str:
    """``TOC 215 (TABLE DATA public.products)``: how messages name an entry."""
    name = f"{entry.namespace}.{entry.tag}" if entry.namespace else entry.tag
    return f"TOC {entry.dump_id} ({entry.desc} {name})"


@dataclass
class _Tally:
    """What the data pass has found so far."""

    by_id: dict[int, RawEntry]
    keep: frozenset[str] = frozenset()  # tables (by tag) whose whole data is kept
    kept: dict[int, bytes] = field(default_factory=dict)
    row_counts: dict[int, int] = field(default_factory=dict)
    blobs: int = 0
    seen: set[int] = field(default_factory=set)
    stops: list[str] = field(default_factory=list)
    damaged: dict[int, str] = field(default_factory=dict)  # data entry -> where it is damaged
    fingerprints: dict[int, Fingerprint] | None = None  # None: not asked for
    # The STDSTRINGS entry (pg_backup_archiver.c): how INSERT data spells its strings.
    standard_strings: bool = True
    stopping: threading.Event | None = None  # set: the other files' readers give up

    def fork(self, stopping: threading.Event) -> _Tally:
        """An empty tally for one more data file, read beside this one's (merge() adds it)."""
        return _Tally(
            self.by_id,
            self.keep,
            fingerprints=None if self.fingerprints is None else {},
            standard_strings=self.standard_strings,
            stopping=stopping,
        )

    def merge(self, other: _Tally) -> None:
        """Add what ``other`` found; called in TOC order, so messages keep the serial order."""
        self.kept |= other.kept
        self.row_counts |= other.row_counts
        self.blobs += other.blobs
        self.seen |= other.seen
        self.stops.extend(other.stops)
        for dump_id, where in other.damaged.items():
            self.damaged.setdefault(dump_id, where)
        if self.fingerprints is not None and other.fingerprints is not None:
            self.fingerprints |= other.fingerprints

    def _stop(self, dump_id: int, where: str) -> None:
        self.stops.append(where)
        self.damaged.setdefault(dump_id, where)

    def consume(self, stream: DataStream) -> None:
        """Read one entry's data to its end, counting rows; record where it stops short."""
        raw = self.by_id[stream.dump_id]
        label = entry_label(raw.entry)
        self.seen.add(stream.dump_id)
        if stream.missing:
            self._stop(stream.dump_id, f"{label}: {stream.missing}")
        elif stream.blobs is not None:
            self._consume_blobs(stream, label)
        elif stream.chunks is not None:
            self._consume_rows(stream, raw, label)

    def _pieces(self, stream: DataStream, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Decompressed pieces; a custom block whose stream stops early is corrupt, not cut."""
        try:
            for piece in decompress(
                chunks, stream.compression, file_wrapper=stream.file_wrapper, where=stream.where
            ):
                if self.stopping is not None and self.stopping.is_set():
                    raise _Stopped
                yield piece
        except StreamIncomplete:
            if stream.file_wrapper:
                raise InputTruncated from None
            raise DumpFormatError(
                f"{stream.where}: corrupt archive: the data block ends before its "
                f"{stream.compression} stream does"
            ) from None

    def _consume_rows(self, stream: DataStream, raw: RawEntry, label: str) -> None:
        assert stream.chunks is not None
        hashing = self.fingerprints is not None
        counter = CopyRowCounter(fingerprint=hashing) if raw.copy_stmt else InsertRowCounter()
        truncated = False
        chunks = stream.chunks
        table_data = raw.entry.desc == "TABLE DATA"
        keep = Kept(whole=raw.entry.tag in self.keep) if table_data else None
        if keep is not None and not keep.whole and raw.copy_stmt:
            keep = None  # COPY data: its column list is in the TOC, not in the first line
        # The bulk chunk walk only counts: hashing and keeping need each row's bytes.
        if (
            isinstance(counter, CopyRowCounter)
            and stream.counted_chunks is not None
            and not hashing
            and keep is None
        ):
            chunks = stream.counted_chunks(counter)
        inserts: InsertHasher | None = None
        if hashing and not raw.copy_stmt:
            # Imported here: only --inserts archives need it (start-up, issue 15).
            from dumpcheck.inventory.plain.insert_rows import InsertHasher

            inserts = InsertHasher(standard_strings=self.standard_strings)
        try:
            for piece in self._pieces(stream, chunks):
                counter.feed(piece)
                if inserts is not None:
                    inserts.feed(piece)
                if keep is not None:
                    keep.feed(piece)
        except InputTruncated:
            truncated = True
        if keep is not None:
            self.kept[stream.dump_id] = b"".join(keep.parts)
        rows = counter.rows
        if raw.entry.desc == "TABLE DATA":
            self.row_counts[stream.dump_id] = rows
            found = counter.fingerprint() if isinstance(counter, CopyRowCounter) else None
            if isinstance(counter, CopyRowCounter) and counter.nul_at is not None:
                found = None
            if inserts is not None and inserts.done() and inserts.hasher.rows == rows:
                found = inserts.hasher.result()
            if found is not None and not truncated and self.fingerprints is not None:
                self.fingerprints[stream.dump_id] = found
        if truncated:
            self._stop(stream.dump_id, f"{label} ends after {rows} rows")
        elif isinstance(counter, CopyRowCounter) and counter.nul_at is not None:
            self._stop(
                stream.dump_id,
                f"{label} is damaged: a NUL byte at offset {counter.nul_at} of its data, "
                "which COPY text cannot hold",
            )
        elif isinstance(counter, CopyRowCounter) and not counter.has_end_marker:
            self._stop(
                stream.dump_id, f"{label} ends after {rows} rows, without the end-of-data marker"
            )
        elif isinstance(counter, InsertRowCounter) and not counter.at_statement_boundary:
            self._stop(
                stream.dump_id, f"{label} ends after {rows} rows, inside an INSERT statement"
            )

    def _consume_blobs(self, stream: DataStream, label: str) -> None:
        assert stream.blobs is not None
        read = 0
        try:
            for blob in stream.blobs:
                for _ in self._pieces(stream, blob):
                    pass
                read += 1
        except InputTruncated:
            self.stops.append(f"{label} ends after {read} large objects")
        except _directory.MissingBlobFile as missing:
            self.stops.append(f"{label}: large object file {missing} is missing")
        self.blobs += read

    def stops_at(self, expected: set[int]) -> str | None:
        """The first place the archive stops short, and how many more there are."""
        stops = list(self.stops)
        # In TOC order, which is the order pg_dump writes the data (WriteDataChunks).
        for dump_id in [d for d in self.by_id if d in expected and d not in self.seen]:
            where = f"{entry_label(self.by_id[dump_id].entry)}: its data is missing"
            stops.append(where)
            self.damaged.setdefault(dump_id, where)
        if not stops:
            return None
        more = len(stops) - 1
        return stops[0] + (f" (and {more} more incomplete data entries)" if more else "")


def _result(
    fmt: ArchiveFormat,
    header: ArchiveHeader,
    toc: TocRead,
    tally: _Tally | None,
    expected: set[int],
    extra_stop: str | None = None,
) -> ArchiveScan:
    entries = tuple(raw.entry for raw in toc.entries)
    encoding = next((encoding_from_defn(e.defn) for e in entries if e.desc == "ENCODING"), None)
    if toc.truncated:
        stops_at: str | None = (
            f"the archive ends inside its TOC, after {len(toc.entries)} of {toc.expected} entries"
            if toc.expected
            else "the archive ends inside its TOC, before the entry count"
        )
    elif tally is None:
        stops_at = extra_stop
    else:
        stops_at = tally.stops_at(expected)
        if extra_stop:
            stops_at = f"{stops_at}; {extra_stop}" if stops_at else extra_stop
    return ArchiveScan(
        format=fmt,
        compression=header.compression,
        version=header.version_text,
        pg_dump_version=header.pg_dump_version,
        server_version=header.server_version,
        database=header.database,
        encoding=encoding,
        entries=entries,
        row_counts=dict(tally.row_counts) if tally else {},
        complete=stops_at is None,
        stops_at=stops_at,
        blobs=tally.blobs if tally else 0,
        damaged=dict(tally.damaged) if tally else {},
        fingerprints=dict(tally.fingerprints or {}) if tally else {},
        kept_data=dict(tally.kept) if tally else {},
        copy_statements={
            raw.entry.dump_id: raw.copy_stmt
            for raw in toc.entries
            if raw.entry.desc == "TABLE DATA"
        },
    )


@contextmanager
def open_toc(
    path: DumpSource, fmt: ArchiveFormat
) -> Iterator[tuple[ArchiveHeader, TocRead, object]]:
    """Header and TOC of an archive, with the open handle the data is read from next."""
    if fmt == "custom":
        with open_binary(path, _BUFFER) as stream:
            reader = ByteReader(stream, str(path))
            header = _checked_header(reader, str(path), FORMAT_CUSTOM)
            yield header, read_toc(reader, header, str(path)), reader
    elif fmt == "directory":
        if not isinstance(path, Path):
            raise DumpFormatError(f"{path}: a directory archive is read from a local copy")
        toc_path = path / "toc.dat"
        with toc_path.open("rb", buffering=_BUFFER) as stream:
            reader = ByteReader(stream, str(toc_path))
            # The TOC of a directory archive carries the tar format code (pg_backup_directory.c).
            header = _checked_header(reader, str(toc_path), FORMAT_TAR)
            toc = read_toc(reader, header, str(toc_path))
        yield header, toc, path
    else:
        with open_binary(path, _BUFFER) as stream:
            walker = _tar.TarWalker(stream, str(path))
            member = walker.take()
            if member is None or member.name != "toc.dat":
                raise DumpFormatError(f"{path}: the first tar member is not toc.dat")
            pieces: list[bytes] = []
            with suppress(InputTruncated):
                pieces.extend(walker.content(member))
            reader = ByteReader(io.BytesIO(b"".join(pieces)), f"{path}: toc.dat")
            header = _checked_header(reader, f"{path}: toc.dat", FORMAT_TAR)
            yield header, read_toc(reader, header, f"{path}: toc.dat"), walker


def _checked_header(reader: ByteReader, where: str, format_code: int) -> ArchiveHeader:
    header = read_header(reader, where)
    if header.format_code != format_code:
        raise DumpFormatError(f"{where}: corrupt archive header (format code {header.format_code})")
    return header


def read_archive(
    path: DumpSource, *, fingerprints: bool = False, keep: frozenset[str] = frozenset()
) -> ArchiveScan:
    """Read a custom, directory or tar archive: facts, TOC, exact row counts, completeness;
    with ``fingerprints``, the fingerprint of each COPY data entry's rows too; ``kept_data``
    holds the data of the tables named (by tag) in ``keep``, and the first line of INSERT data."""
    fmt = sniff_archive(path)
    if fmt is None:
        if isinstance(path, Path) and path.is_dir():
            raise DumpFormatError(f"{path}: directory without toc.dat, not a pg_dump archive")
        raise DumpFormatError(f"{path}: not a pg_dump archive (custom, directory or tar)")
    with open_toc(path, fmt) as (header, toc, handle):
        if toc.truncated:
            return _result(fmt, header, toc, None, set())
        tally = _Tally({raw.entry.dump_id: raw for raw in toc.entries}, keep)
        tally.standard_strings = not any(
            raw.entry.desc == "STDSTRINGS" and "'off'" in raw.entry.defn for raw in toc.entries
        )
        tally.fingerprints = {} if fingerprints else None
        extra_stop: str | None = None
        if isinstance(handle, ByteReader):
            expected = _custom.expected_data(toc.entries)
            blocks = _custom.iter_blocks(handle, header, set(tally.by_id), str(path))
            extra_stop = _drain(tally, blocks, "archive ends inside a data block header")
        elif isinstance(handle, _tar.TarWalker):
            expected = {raw.entry.dump_id for raw in toc.entries if raw.filename}
            extra_stop = _drain(
                tally,
                _tar.iter_members(handle, toc.entries),
                "the tar archive ends inside a member header or a member it skips",
            )
            if extra_stop is None and not handle.ended_cleanly:
                extra_stop = "the tar archive ends without its end-of-archive block"
        else:
            assert isinstance(handle, Path)
            expected = {raw.entry.dump_id for raw in toc.entries if raw.filename}
            _drain_files(tally, _directory.iter_files(handle, toc.entries, header.compression))
        return _result(fmt, header, toc, tally, expected, extra_stop)


class _Stopped(Exception):  # noqa: N818 - a signal: another file's reader failed, or Ctrl-C
    """Raised in a data file's reader once the read of the archive is abandoned."""


def _drain_files(tally: _Tally, streams: Iterator[DataStream]) -> None:
    """Consume a directory archive's data files, several at once: each is its own file, and
    the decompression and the row hash release the GIL (isa-l, zstd, lz4, dumpcheck._rowhash),
    so each core reads one. Results are merged in TOC order; the first file (in that order)
    that fails raises, as a serial read would, and stops the others."""
    workers = min(os.cpu_count() or 1, FILE_READERS)
    if workers < 2:
        _drain(tally, streams, "")
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    stopping = threading.Event()

    def read(stream: DataStream) -> _Tally:
        part = tally.fork(stopping)
        part.consume(stream)
        return part

    with ThreadPoolExecutor(workers, thread_name_prefix="dumpcheck-files") as pool:
        futures: list[Future[_Tally]] = []
        try:
            futures.extend(pool.submit(read, stream) for stream in streams)
            for future in futures:
                tally.merge(future.result())
        except BaseException:
            stopping.set()
            for future in futures:
                future.cancel()
            raise


def _drain(tally: _Tally, streams: Iterator[DataStream], cut_message: str) -> str | None:
    """Consume every stream; the message when the input ends between two of them."""
    try:
        for stream in streams:
            tally.consume(stream)
    except InputTruncated:
        return cut_message
    return None
