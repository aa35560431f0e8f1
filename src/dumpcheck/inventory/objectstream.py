"""One object in object storage read front to back, in ranged GETs, as a binary stream.

The readers treat it as a file: plain dumps and tar archives only read forward; the custom
archive reader reads a megabyte, parses the chunks in it and seeks back to where the last whole
chunk ended (``_custom._chunks``), or one byte back to a TOC copy. So the block before the
current one is kept: those seeks cost no request, and the object is fetched once. A seek
outside both blocks (a second look at one table's block, by its TOC offset) is one new ranged
GET from there.

Every GET carries the ETag the object had when it was located (s3fs sends it as ``If-Match``):
an object replaced under the reader fails the next GET, and one deleted answers 404. Either ends
the run with one line and exit 3; the bytes read so far are never taken for a dump that ends.
"""

from __future__ import annotations

import io
from typing import Any

from dumpcheck.errors import EnvironmentFailure

# The first GET is small (a dump of a few kilobytes costs little) but holds a whole READ_PIECE
# of the custom reader, whose seek back must land in a kept block; later GETs double up to
# MAX_BLOCK, so a large dump is read in few requests with bounded memory (two blocks).
FIRST_BLOCK = 1 << 20
MAX_BLOCK = 16 << 20


class ObjectStream(io.RawIOBase):
    """A read-only, seekable view of one object, fetched in growing sequential blocks."""

    def __init__(self, file: Any, size: int, url: str, *, first_block: int | None = None) -> None:
        super().__init__()
        self._file = file  # an s3fs file opened without a cache: each read is one ranged GET
        self.size = size
        self.url = url
        self._pos = 0
        self._block = max(first_block or FIRST_BLOCK, 1)
        self._cur, self._cur_at = b"", 0
        self._prev, self._prev_at = b"", 0
        self.fetched = 0  # bytes asked of the store, for the tests that prove one pass

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Seeks within the last two blocks are free; others cost one ranged GET."""
        return True

    def tell(self) -> int:
        """The position in the object."""
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move the position; nothing is fetched until the next read."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError(f"{self.url}: seek before the start of the object")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes from the position (all the rest when negative); fewer only at
        the end of the object."""
        end = self.size if size is None or size < 0 else min(self.size, self._pos + size)
        parts: list[bytes] = []
        while self._pos < end:
            block, at = self._block_holding(self._pos, end - self._pos)
            piece = block[self._pos - at : end - at]
            parts.append(piece)
            self._pos += len(piece)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``buffer`` (the plain splitter's and io.BufferedReader's way)."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _block_holding(self, pos: int, wanted: int) -> tuple[bytes, int]:
        for block, at in ((self._cur, self._cur_at), (self._prev, self._prev_at)):
            if at <= pos < at + len(block):
                return block, at
        sequential = pos == self._cur_at + len(self._cur)
        length = min(self.size - pos, max(self._block, wanted))
        data = self._fetch(pos, length)
        if sequential:
            self._prev, self._prev_at = self._cur, self._cur_at
            self._block = min(self._block * 2, MAX_BLOCK)
        else:  # a jump: what was kept is not beside it
            self._prev, self._prev_at = b"", 0
        self._cur, self._cur_at = data, pos
        return data, pos

    def _fetch(self, start: int, length: int) -> bytes:
        try:
            self._file.seek(start)
            data: bytes = self._file.read(length)
        except Exception as exc:  # botocore and aiohttp raise many kinds; one line each
            raise read_error(self.url, exc, start, self.size) from exc
        self.fetched += len(data)
        if len(data) != length:
            raise EnvironmentFailure(
                f"{self.url}: the object ended at byte {start + len(data)} of {self.size} "
                "while being read (it changed under dumpcheck); run again"
            )
        return data

    def close(self) -> None:
        """Close the object."""
        try:
            self._file.close()
        finally:
            self._cur = self._prev = b""
            super().close()


def read_error(url: str, exc: BaseException, at: int, size: int) -> EnvironmentFailure:
    """One line for a GET that failed after the object was located (exit 3: the store)."""
    where = f"at byte {at} of {size}"
    if isinstance(exc, FileNotFoundError):
        return EnvironmentFailure(f"{url}: the object vanished while being read ({where})")
    if type(exc).__name__ == "FileExpired":  # s3fs: the If-Match ETag no longer holds
        return EnvironmentFailure(
            f"{url}: the object was replaced while being read ({where}); run again"
        )
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    return EnvironmentFailure(f"{url}: reading stopped {where}: {text}")
