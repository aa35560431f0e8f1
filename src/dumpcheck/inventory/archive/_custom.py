"""Data blocks of a custom (``-Fc``) archive, read sequentially after the TOC.

Layout (pg_backup_custom.c): a block is a type byte (BLK_DATA 1 or BLK_BLOBS 3) and the dump id,
then for table data a run of chunks (integer length, bytes) ended by a zero length; for large
objects a run of (oid, chunks ended by zero) ended by oid 0. Each table block, and each large
object, is one compression stream. An archive written to a pipe has no data offsets in its TOC,
so reading the blocks in file order is the one method that works for every custom archive.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Iterator

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import _chunkrun
from dumpcheck.inventory.archive._binary import (
    OFFSET_NO_DATA,
    OFFSET_SET,
    ArchiveHeader,
    ByteReader,
    InputTruncated,
    RawEntry,
    read_toc,
)
from dumpcheck.inventory.archive._rows import CopyRowCounter
from dumpcheck.inventory.archive._streams import READ_PIECE, DataStream

BLK_DATA = 1
BLK_BLOBS = 3
# Bulk chunk walking checks this much at once; 0: what _chunkrun.window() says (tests set it).
_RUN_WINDOW = 0


def _native_payloads() -> Callable[[bytes, int, int], tuple[bytes, int, int, int]] | None:
    try:
        from dumpcheck._rowhash import chunk_payloads
    except ImportError:  # pragma: no cover - where the extension is not built
        return None
    return chunk_payloads


_payloads = _native_payloads()


def expected_data(entries: list[RawEntry]) -> set[int]:
    """Dump ids whose data the archive must hold.

    A seekable pg_dump rewrites the TOC with the offset of every block it wrote (flag
    K_OFFSET_POS_SET); an archive written to a pipe leaves every flag at K_OFFSET_POS_NOT_SET, and
    then every entry with a data dumper has a block.
    """
    if any(raw.offset_flag == OFFSET_SET for raw in entries):
        return {raw.entry.dump_id for raw in entries if raw.offset_flag == OFFSET_SET}
    return {
        raw.entry.dump_id
        for raw in entries
        if raw.entry.had_data and raw.offset_flag != OFFSET_NO_DATA
    }


def _chunks(
    reader: ByteReader, where: str, counter: CopyRowCounter | None = None
) -> Iterator[bytes]:
    """The payload of one chunk run, ended by a zero length; partial data before a truncation.

    Uncompressed archives hold one chunk per row (compress_none.c writes each WriteData call
    through), so chunk headers are parsed in bulk from READ_PIECE buffers and the payloads are
    handed on joined, about a buffer at a time, instead of one small chunk per step. Given a
    ``counter`` (uncompressed COPY data that is only counted), runs of chunks that _chunkrun
    proves are credited to it directly instead of being handed on.
    """
    stream = reader.stream
    head = 1 + reader.int_size
    unpack = struct.Struct("<BI" if reader.int_size == 4 else "<BQ").unpack_from
    # With the C walk, payloads joined and counted beat _chunkrun's proof over the headers.
    bulk = counter is not None and head == _chunkrun.HEAD and _payloads is None
    while True:
        start = stream.tell()
        buf = stream.read(READ_PIECE)
        view = memoryview(buf)
        pos, end = 0, len(buf)
        payloads: list[memoryview] = []
        append = payloads.append
        next_try = 0 if bulk else end
        if not bulk and _payloads is not None:
            # The same walk in C (rowhash.c chunk_payloads): a hashed uncompressed archive has
            # a chunk per row, too many for Python.
            joined, pos, status, length = _payloads(buf, 0, reader.int_size)
            if status == 2:
                raise DumpFormatError(f"{where}: corrupt data chunk length {-length}")
            if joined:
                yield joined
            if status == 1:
                stream.seek(start + pos + head)
                reader.consumed = stream.tell()
                return
            end_walk = pos  # the loop below has nothing left to walk
        else:
            end_walk = end
        while pos + head <= end_walk:
            if pos >= next_try:
                assert counter is not None
                window = min(end, pos + (_RUN_WINDOW or _chunkrun.window()))
                run = _chunkrun.verified_run(buf, pos, window)
                if run is not None:
                    if payloads:
                        yield b"".join(payloads)  # the consumer feeds it before the run
                        payloads.clear()
                    if run.nuls and counter.nul_at is None:
                        counter.nul_at = counter.total  # within this run
                    counter.add_run(run.rows, run.size, run.tail)
                    covered, pos = run.end - pos, run.end
                else:
                    covered = 0
                # A short run: walk the rest of the window one chunk at a time first.
                next_try = pos if 2 * covered >= window - pos + covered else window
                continue
            sign, length = unpack(buf, pos)
            if sign:
                raise DumpFormatError(f"{where}: corrupt data chunk length {-length}")
            if length == 0:
                stream.seek(start + pos + head)
                reader.consumed = stream.tell()
                if payloads:
                    yield b"".join(payloads)
                return
            pos += head
            if pos + length > end:
                pos -= head
                break
            append(view[pos : pos + length])
            pos += length
        if payloads:
            yield b"".join(payloads)
        del payloads, view
        stream.seek(start + pos)
        if end - pos >= head:
            yield from _large_chunk(reader, where)  # longer than what the buffer had left
        elif end < READ_PIECE:
            reader.consumed = stream.tell()
            raise InputTruncated


def _large_chunk(reader: ByteReader, where: str) -> Iterator[bytes]:
    """One chunk read in bounded pieces: its header, then its payload."""
    length = reader.int_()
    if length < 0:
        raise DumpFormatError(f"{where}: corrupt data chunk length {length}")
    while length > 0:
        want = min(length, READ_PIECE)
        piece = reader.upto(want)
        if piece:
            yield piece
        if len(piece) < want:
            raise InputTruncated
        length -= want


def _skip_chunks(reader: ByteReader, where: str) -> None:
    while (length := reader.int_()) != 0:
        if length < 0:
            raise DumpFormatError(f"{where}: corrupt data chunk length {length}")
        reader.stream.seek(length, 1)


def _blobs(reader: ByteReader, where: str) -> Iterator[Iterator[bytes]]:
    while (oid := reader.int_()) != 0:
        yield _chunks(reader, f"{where} large object {oid}")


def iter_blocks(
    reader: ByteReader, header: ArchiveHeader, known_ids: set[int], path: str
) -> Iterator[DataStream]:
    """Every data block from the reader's position to the end of the file, in file order.

    Each stream must be consumed before the next is requested. InputTruncated escapes from
    this generator when the file ends inside a block header, and from a stream's chunks when it
    ends inside the data.
    """
    compression = header.compression
    while True:
        kind = reader.upto(1)
        if not kind:
            return
        if kind[0] not in (BLK_DATA, BLK_BLOBS):
            _trailing_toc(reader, header, len(known_ids), path)
            return
        dump_id = reader.int_()
        where = f"{path}: TOC {dump_id}"
        if dump_id not in known_ids:
            raise DumpFormatError(
                f"{path}: corrupt archive: data block for TOC entry {dump_id}, which the TOC lacks"
            )
        if kind[0] == BLK_DATA:
            yield DataStream(
                dump_id,
                where,
                compression,
                False,
                chunks=_chunks(reader, where),
                counted_chunks=(
                    functools.partial(_chunks, reader, where) if compression == "none" else None
                ),
            )
        elif kind[0] == BLK_BLOBS:
            yield DataStream(dump_id, where, compression, False, blobs=_blobs(reader, where))


def _trailing_toc(reader: ByteReader, header: ArchiveHeader, entry_count: int, path: str) -> None:
    """Accept a second copy of the TOC after the last block, and nothing else.

    pg_dump 18 opens a redirected stdout in append mode, so its final "rewrite the TOC with
    offsets" (pg_backup_custom.c _CloseArchive) lands after the data instead of over the first
    copy. Anything else where a block type byte belongs is corruption.
    """
    reader.stream.seek(-1, 1)
    start = reader.consumed - 1
    try:
        copy = read_toc(reader, header, path)
    except DumpFormatError:
        copy = None
    if copy is None or (not copy.truncated and copy.expected != entry_count):
        raise DumpFormatError(
            f"{path}: corrupt archive: byte {start} holds neither a data block nor a TOC copy"
        )
    if not copy.truncated and reader.upto(1):
        raise DumpFormatError(f"{path}: corrupt archive: unexpected bytes after the TOC copy")


def seek_block(reader: ByteReader, raw: RawEntry, path: str) -> Iterator[bytes]:
    """The raw chunks of one table's block: by its offset when known, else by scanning."""
    dump_id = raw.entry.dump_id
    where = f"{path}: TOC {dump_id}"
    if raw.offset_flag == OFFSET_SET:
        reader.stream.seek(raw.offset)
        kind, found = reader.byte(), reader.int_()
        if kind != BLK_DATA or found != dump_id:
            raise DumpFormatError(f"{where}: corrupt archive: data offset points elsewhere")
        return _chunks(reader, where)
    while True:
        kind_byte = reader.upto(1)
        if not kind_byte:
            return iter(())
        found = reader.int_()
        if kind_byte[0] == BLK_DATA and found == dump_id:
            return _chunks(reader, where)
        if kind_byte[0] == BLK_DATA:
            _skip_chunks(reader, where)
        elif kind_byte[0] == BLK_BLOBS:
            while reader.int_() != 0:
                _skip_chunks(reader, where)
        else:
            return iter(())  # past the last block (pg_dump 18's TOC copy): no data for it


def block_offsets(reader: ByteReader, path: str) -> dict[int, int]:
    """Where each table's data block starts, from the reader's position (just after the TOC).

    An archive written to a pipe has no offsets in its TOC; walking the block and chunk headers,
    seeking over every payload, finds them without decompressing or holding anything.
    """
    found: dict[int, int] = {}
    try:
        while True:
            start = reader.stream.tell()
            kind = reader.upto(1)
            if not kind or kind[0] not in (BLK_DATA, BLK_BLOBS):
                return found  # the end, or pg_dump 18's TOC copy after the last block
            dump_id = reader.int_()
            if kind[0] == BLK_DATA:
                found[dump_id] = start
                _skip_chunks(reader, f"{path}: TOC {dump_id}")
            else:
                while reader.int_() != 0:
                    _skip_chunks(reader, f"{path}: TOC {dump_id}")
    except InputTruncated:
        return found  # the blocks after the cut are not in the file
