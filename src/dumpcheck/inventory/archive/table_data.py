"""iter_table_data: the decompressed data lines of one TABLE DATA entry, streamed;
iter_tables_data: those of many entries in one opening of the archive, each read as far as the
reader wants (quick verify's first rows of every table)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import _custom, _directory, _tar
from dumpcheck.inventory.archive._binary import (
    OFFSET_NO_DATA,
    OFFSET_SET,
    ByteReader,
    InputTruncated,
    RawEntry,
)
from dumpcheck.inventory.archive._codecs import StreamIncomplete, decompress
from dumpcheck.inventory.archive.scan import open_toc
from dumpcheck.inventory.archive.sniff import sniff_archive
from dumpcheck.inventory.model import Compression, TocEntry
from dumpcheck.inventory.source import DumpSource

_END_MARKER = b"\\."


def iter_table_data(path: DumpSource, dump_id: int) -> Iterator[bytes]:
    """The data lines of TABLE DATA entry ``dump_id``, without their newlines.

    For COPY data these are the rows in COPY text format, ending before the ``\\.`` marker; for
    ``--inserts`` data they are the lines of the INSERT statements. A truncated archive yields
    the complete lines there are (read_archive reports the truncation).
    """
    fmt = sniff_archive(path)
    if fmt is None:
        raise DumpFormatError(f"{path}: not a pg_dump archive (custom, directory or tar)")
    with open_toc(path, fmt) as (header, toc, handle):
        raw = next((r for r in toc.entries if r.entry.dump_id == dump_id), None)
        if raw is None or raw.entry.desc != "TABLE DATA":
            raise DumpFormatError(f"{path}: no TABLE DATA entry with id {dump_id}")
        try:
            source = _raw_source(path, raw, handle, header.compression)
        except InputTruncated:
            return  # the archive ends before this entry's data
        if source is None:
            return
        chunks, compression, file_wrapper = source
        pieces = decompress(chunks, compression, file_wrapper=file_wrapper, where=str(path))
        yield from data_lines(pieces, copy=bool(raw.copy_stmt))


@dataclass
class TableData:
    """One TABLE DATA entry's data as iter_tables_data hands it over."""

    entry: TocEntry
    copy_statement: str  # its COPY ... FROM stdin ("" for --inserts data)
    lines: Iterator[bytes]  # as iter_table_data yields them; may be left unfinished


def iter_tables_data(path: DumpSource, dump_ids: Collection[int]) -> Iterator[TableData]:
    """The TABLE DATA entries among ``dump_ids``, each with its data lines, opening the archive
    once; the reader may stop reading an entry's lines at any point before asking for the next.

    The next entry is reached by its block offset (custom; found by walking the block headers
    when the TOC has none), its file (directory) or by seeking over tar members, never by
    reading the rest of the data: the cost grows with the number of tables, not with their size.
    """
    fmt = sniff_archive(path)
    if fmt is None:
        raise DumpFormatError(f"{path}: not a pg_dump archive (custom, directory or tar)")
    with open_toc(path, fmt) as (header, toc, handle):
        wanted = [
            r for r in toc.entries if r.entry.dump_id in dump_ids and r.entry.desc == "TABLE DATA"
        ]
        if isinstance(handle, ByteReader):
            yield from _custom_entries(path, handle, wanted, header.compression)
        elif isinstance(handle, _tar.TarWalker):
            yield from _tar_entries(path, handle, wanted)
        else:
            assert isinstance(handle, Path)
            for raw in wanted:
                found = _directory.find_data_file(handle, raw.filename) if raw.filename else None
                chunks = _directory.file_chunks(found[0]) if found else iter(())
                compression = found[1] if found else "none"
                yield _table_data(path, raw, chunks, compression, file_wrapper=True)


def _custom_entries(
    path: DumpSource, reader: ByteReader, wanted: list[RawEntry], compression: Compression
) -> Iterator[TableData]:
    offsets = {r.entry.dump_id: r.offset for r in wanted if r.offset_flag == OFFSET_SET}
    if not offsets and any(r.offset_flag != OFFSET_NO_DATA for r in wanted):
        offsets = _custom.block_offsets(reader, str(path))  # written to a pipe: no offsets
    for raw in wanted:
        at = offsets.get(raw.entry.dump_id)
        if at is None:
            yield _table_data(path, raw, iter(()), compression, file_wrapper=False)
            continue
        located = dataclasses.replace(raw, offset_flag=OFFSET_SET, offset=at)
        chunks = _custom.seek_block(reader, located, str(path))
        yield _table_data(path, raw, chunks, compression, file_wrapper=False)


def _tar_entries(
    path: DumpSource, walker: _tar.TarWalker, wanted: list[RawEntry]
) -> Iterator[TableData]:
    by_file = {r.filename: r for r in wanted if r.filename}
    try:
        while by_file and (member := walker.take()) is not None:
            start = walker.stream.tell()
            base, compression = _tar.compression_of(member.name)
            raw = by_file.pop(base, None)
            if raw is not None:
                yield _table_data(path, raw, walker.content(member), compression, file_wrapper=True)
            walker.pass_over(member, start)
    except InputTruncated:
        return  # the archive ends in a member header: the entries after it have no data


def _table_data(
    path: DumpSource,
    raw: RawEntry,
    chunks: Iterable[bytes],
    compression: Compression,
    *,
    file_wrapper: bool,
) -> TableData:
    pieces = decompress(_Plain(chunks), compression, file_wrapper=file_wrapper, where=str(path))
    lines = data_lines(pieces, copy=bool(raw.copy_stmt))
    return TableData(raw.entry, raw.copy_stmt, lines)


class _Plain:
    """An iterator without ``close``: a reader that stops early closes the decompressor's
    generator, and ``yield from`` would otherwise close the chunk walk under it too."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)

    def __iter__(self) -> _Plain:
        return self

    def __next__(self) -> bytes:
        return next(self._it)


def _raw_source(
    path: DumpSource, raw: RawEntry, handle: object, compression: Compression
) -> tuple[Iterable[bytes], Compression, bool] | None:
    if isinstance(handle, ByteReader):
        if raw.offset_flag == OFFSET_NO_DATA:
            return None
        return _custom.seek_block(handle, raw, str(path)), compression, False
    if isinstance(handle, _tar.TarWalker):
        while (member := handle.take()) is not None:
            base, member_compression = _tar.compression_of(member.name)
            if base == raw.filename:
                return handle.content(member), member_compression, True
            handle.skip(member)
        return None
    assert isinstance(handle, Path)
    found = _directory.find_data_file(handle, raw.filename) if raw.filename else None
    if found is None:
        return None
    return _directory.file_chunks(found[0]), found[1], True


def data_lines(pieces: Iterable[bytes], *, copy: bool) -> Iterator[bytes]:
    """The complete lines of decompressed data, without their newlines (COPY data: up to the
    ``\\.`` marker); an unfinished last line is not yielded."""
    # The unfinished line is kept as a list of parts so that one huge row costs linear time.
    pending: list[bytes] = []
    try:
        for piece in pieces:
            lines = piece.split(b"\n")
            if len(lines) == 1:
                pending.append(piece)
                continue
            pending.append(lines[0])
            lines[0] = b"".join(pending)
            pending = [lines.pop()]
            for line in lines:
                if copy and line == _END_MARKER:
                    return
                yield line
    except (InputTruncated, StreamIncomplete):
        return
