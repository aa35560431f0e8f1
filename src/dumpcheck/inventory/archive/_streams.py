"""What every format reader hands the scanner: one raw (still compressed) stream per data entry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dumpcheck.inventory.archive._binary import InputTruncated
from dumpcheck.inventory.archive._rows import CopyRowCounter
from dumpcheck.inventory.model import Compression

# Raw reads happen in pieces of at most this size, so no table is ever held in memory.
READ_PIECE = 1 << 20
# The first line kept of --inserts data: its INSERT names the columns before VALUES. 1600
# columns (MaxHeapAttributeNumber) of quoted 63-byte names fit.
FIRST_LINE_LIMIT = 1 << 18


@dataclass
class DataStream:
    """The raw data of one TOC entry: table rows, or one stream per large object."""

    dump_id: int
    where: str  # names the data in messages: "TOC 215" or "3353.dat.gz"
    compression: Compression
    file_wrapper: bool  # gzip file (directory/tar) rather than zlib block (custom)
    chunks: Iterable[bytes] | None = None  # TABLE DATA and other single streams
    blobs: Iterable[Iterable[bytes]] | None = None  # BLOBS: one raw stream per large object
    missing: str | None = None  # why the data is absent, e.g. "data file 3353.dat.gz is missing"
    # The chunks again, for COPY data that is only counted: runs of whole rows may be credited
    # to the counter directly instead of being handed on (uncompressed custom archives).
    counted_chunks: Callable[[CopyRowCounter], Iterator[bytes]] | None = None


def read_file_pieces(stream: BinaryIO, size: int | None = None) -> Iterator[bytes]:
    """The bytes of ``stream`` in bounded pieces: all of it, or exactly ``size`` bytes.

    With ``size`` given, an early end yields what there was and then raises InputTruncated.
    """
    remaining = size
    while remaining is None or remaining > 0:
        want = READ_PIECE if remaining is None else min(READ_PIECE, remaining)
        piece = stream.read(want)
        if piece:
            yield piece
        if remaining is not None:
            remaining -= len(piece)
            if len(piece) < want:
                raise InputTruncated
        elif len(piece) < want:
            return


class Kept:
    """The data of one entry as it streams by: all of it, or its first line only."""

    def __init__(self, *, whole: bool) -> None:
        self.whole = whole
        self.parts: list[bytes] = []
        self.size = 0
        self.full = False

    def feed(self, piece: bytes) -> None:
        if self.full:
            return
        if not self.whole:
            cut = piece.find(b"\n")
            if cut >= 0:
                piece, self.full = piece[: cut + 1], True
            piece = piece[: FIRST_LINE_LIMIT - self.size]
            self.full = self.full or self.size + len(piece) >= FIRST_LINE_LIMIT
        self.parts.append(piece)
        self.size += len(piece)
