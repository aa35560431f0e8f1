"""iter_table_data: the decompressed data lines of one TABLE DATA entry, streamed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import _custom, _directory, _tar
from dumpcheck.inventory.archive._binary import (
    OFFSET_NO_DATA,
    ByteReader,
    InputTruncated,
    RawEntry,
)
from dumpcheck.inventory.archive._codecs import StreamIncomplete, decompress
from dumpcheck.inventory.archive.scan import open_toc
from dumpcheck.inventory.archive.sniff import sniff_archive
from dumpcheck.inventory.model import Compression
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
