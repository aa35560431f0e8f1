"""The plain splitter's byte layer: a growing buffer with line numbers, and the COPY data scan.

Statement text is kept in one buffer that grows only as far as a statement needs; COPY data,
which can be 100 GB, is read with readinto into one fixed buffer and scanned in bulk (copydata)
without ever being held.
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import TYPE_CHECKING, BinaryIO

from dumpcheck.fingerprint import NATIVE
from dumpcheck.inventory.plain.copydata import count_newlines, find_end_marker, scan_step
from dumpcheck.inventory.plain.items import CopyBlock

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor


class SplitterBuffer:
    """The buffer, its line numbering and the COPY data reader the splitter builds on."""

    def __init__(self, stream: BinaryIO, read_size: int) -> None:
        self._stream = stream
        self._read_size = read_size
        self._buf = bytearray()
        self._eof = False
        self._line = 1  # line number at offset self._line_pos of the buffer
        self._line_pos = 0
        self.bytes_read = 0
        self.encoding = "utf-8"
        self._copy_pos = 0
        # The fixed buffer COPY data is read into (readinto: no per-read allocation).
        # Two read buffers, used in turn: the rows of one are hashed on another core while the
        # next is read and scanned (_rows).
        # Made at the first refill: most COPY blocks end inside the splitter's own buffer.
        self._rbufs: list[bytearray] = []
        self._copy_state: tuple[bytearray, int, int, int] = (self._buf, 0, 0, 1)

    def _fill(self, keep_from: int) -> int:
        """Drop the buffer before ``keep_from`` and read more; return the shift (-1 at EOF)."""
        if self._eof:
            return -1
        if keep_from > self._line_pos:
            self._line_at(keep_from)
        if keep_from:
            del self._buf[:keep_from]
            self._line_pos -= keep_from
        chunk = self._stream.read(max(self._read_size, len(self._buf) // 2))
        if not chunk:
            self._eof = True
            return -1 if keep_from == 0 else keep_from
        self.bytes_read += len(chunk)
        self._buf += chunk
        return keep_from

    def _line_at(self, pos: int) -> int:
        self._line += self._buf.count(b"\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def _decode(self, raw: bytes | bytearray) -> str:
        return raw.decode(self.encoding, errors="replace")

    def _read_line(self, pos: int) -> tuple[int, int]:
        """Make sure the line at ``pos`` is whole in the buffer: (offset of its end, new pos)."""
        while True:
            end = self._buf.find(b"\n", pos)
            if end >= 0:
                return end, pos
            shift = self._fill(pos)
            if shift < 0:
                return len(self._buf), pos
            pos -= shift

    def _find_newline(self, pos: int) -> int:
        end, newpos = self._read_line(pos)
        self._copy_pos = newpos
        return end if end < len(self._buf) else -1

    def _drain(self, block: CopyBlock, data: Generator[bytes]) -> None:
        data.close()  # whatever the consumer left unread is counted, not copied
        if not block.end_line:
            for _ in self._copy_data(block, emit=False):
                pass

    # -- COPY data ---------------------------------------------------------------------------

    def _copy_data(self, block: CopyBlock, *, emit: bool) -> Generator[bytes]:
        """Yield (or, with emit=False, only count) the data of ``block`` up to its ``\\.`` line.

        The data is scanned a buffer at a time with bulk byte operations (copydata): the rest
        of the splitter's buffer first, then whole reads into one fixed buffer, so a 100 GB
        table costs no per-row work and no copies unless the consumer takes the data. The scan
        position is saved before every yield, so a second generator (the drain) resumes it.
        """
        # buf[pos - 1] is always a newline (the one ending the COPY statement or a row) or the
        # last byte handed over, so searching "\n\\." from pos - 1 also finds a "\." on the
        # first data line.
        buf, pos, n, line = self._copy_state
        step = scan_step()
        while True:
            # Scan at most `step` bytes at a time (cache-sized for the pure-Python scans).
            limit = n if emit else min(n, pos + step)
            final = limit == n and self._eof  # nothing can follow buf[:limit]
            j, stop = self._end_marker(buf, pos - 1, limit, final=final)
            if stop >= 0:  # the "\." line: whole rows end at j + 1
                _find_nul(block, buf, pos, j + 1, line)
                rows = _rows(block, buf, pos, j + 1)
                _join(block)
                chunk = bytes(memoryview(buf)[pos : j + 1]) if emit and j + 1 > pos else b""
                block.rows += rows
                block.complete = True
                block.data_end = self.bytes_read - n + j + 1  # buf[:n] ends at bytes_read
                block.end_line = line + rows
                self._end_copy(buf, stop, n, block.end_line + (buf[stop - 1] == 0x0A))
                if chunk:
                    yield chunk
                return
            # No end marker yet: hand over all but the bytes where one may begin (j, or the
            # last three bytes, where a "\n\\." straddling the next read may start).
            safe = limit if final else (j if j >= 0 else max(limit - 3, pos))
            if safe > pos:
                _find_nul(block, buf, pos, safe, line)
                rows = _rows(block, buf, pos, safe)
                chunk = bytes(memoryview(buf)[pos:safe]) if emit else b""
                block.rows += rows
                line += rows
                pos = safe
                self._copy_state = (buf, pos, n, line)
                if emit:
                    yield chunk
            if final:
                _join(block)
                block.end_line = line
                block.data_end = self.bytes_read
                self._end_copy(buf, n, n, line)
                return  # truncated inside the COPY data
            if limit < n:
                continue  # the buffer holds more
            buf, pos, n = self._refill_copy(buf, pos, n)
            self._copy_state = (buf, pos, n, line)

    def _end_marker(self, buf: bytearray, search: int, n: int, *, final: bool) -> tuple[int, int]:
        """The first ``\\.`` line from ``search`` in ``buf[:n]``: (offset of the newline before
        it, offset after it); (-1, -1) if there is none, (offset, -1) if ``buf[:n]`` ends too
        early to tell and is not ``final``.
        """
        while True:
            j = find_end_marker(buf, max(search, 0), n)
            if j < 0:
                return -1, -1
            if j + 3 >= n:
                return (j, j + 3) if final else (j, -1)
            after = buf[j + 3]
            if after == 0x0A:
                return j, j + 4
            if after == 0x0D:  # psql also accepts "\.\r\n" (copy.c handleCopyIn)
                if j + 4 >= n and not final:
                    return j, -1
                return j, j + 5 if j + 4 < n and buf[j + 4] == 0x0A else j + 4
            search = j + 1  # "\." followed by more text is not the end marker

    def _refill_copy(self, buf: bytearray, pos: int, n: int) -> tuple[bytearray, int, int]:
        """Move ``buf[pos - 1:n]`` (at most 4 bytes) to the front of the read buffer, read
        after it: (the read buffer, the new offset of ``pos``, its valid length)."""
        rbufs = self._rbufs
        if len(rbufs) < 2:
            rbufs.append(bytearray(max(self._read_size, 16)))
        rbuf = rbufs[1] if buf is rbufs[0] else rbufs[0]
        carry = n - (pos - 1)
        rbuf[:carry] = buf[pos - 1 : n]
        view = memoryview(rbuf)
        try:
            got = self._readinto(view[carry:])
        finally:
            view.release()
        if got == 0:
            self._eof = True
        self.bytes_read += got
        return rbuf, 1, carry + got

    def _readinto(self, view: memoryview) -> int:
        readinto = getattr(self._stream, "readinto", None)
        if readinto is not None:
            return int(readinto(view))
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _end_copy(self, buf: bytearray, stop: int, n: int, line: int) -> None:
        """Hand the bytes after the COPY data back to the statement scanner."""
        if any(buf is rbuf for rbuf in self._rbufs):
            self._buf = bytearray(memoryview(buf)[stop:n])
            stop = 0
        self._copy_pos = stop
        self._line = line
        self._line_pos = stop


def _find_nul(block: CopyBlock, buf: bytearray, start: int, end: int, line: int) -> None:
    """Note the line of the first NUL byte in ``buf[start:end]`` (a memchr: no cost per row)."""
    if block.nul_line is None:
        at = buf.find(0, start, end)
        if at >= 0:
            block.nul_line = line + count_newlines(buf, start, at)


def _rows(block: CopyBlock, buf: bytearray, start: int, end: int) -> int:
    """The newlines in ``buf[start:end]``; the rows are hashed meanwhile on another core.

    The C hash releases the GIL (dumpcheck._rowhash): this buffer's rows are hashed while the
    splitter reads and scans the next one (the other read buffer), so fingerprints cost little
    more time than counting. Buffers are hashed one after another, in order (a row may
    straddle two): the next is handed over once the last is done, and the block's end waits
    for its last one.
    """
    rows = count_newlines(buf, start, end)
    hasher = block.hasher
    if hasher is not None:
        if not NATIVE:
            hasher.feed(buf, start, end)
            return rows
        _join(block)
        block.pending = _hashing().submit(hasher.feed, buf, start, end)
    return rows


def _join(block: CopyBlock) -> None:
    if block.pending is not None:
        pending, block.pending = block.pending, None
        pending.result()


@functools.cache
def _hashing() -> ThreadPoolExecutor:
    # Imported here: an archive's reader uses this module's splitter but never hashes here.
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="dumpcheck-hash")
