"""Open a dump file: detect its compression from magic bytes and stream it decompressed.

Decompression errors (a gzip CRC mismatch, a corrupt zstd frame) become :class:`DumpFormatError`;
a compressed stream that simply ends early is a truncated dump, reported by ``truncated``.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import BinaryIO, cast

from dumpcheck.errors import BadInputError, DumpFormatError
from dumpcheck.inventory.model import Compression

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
LZ4_MAGIC = b"\x04\x22\x4d\x18"


def check_readable(path: Path) -> None:
    """A one-line BadInputError for a path that does not exist or cannot be read."""
    if not path.exists():
        raise BadInputError(f"{path}: no such file or directory")
    if path.is_file() and path.stat().st_size == 0:
        raise DumpFormatError(f"{path}: empty file (zero bytes), not a dump")


def compression_of(head: bytes) -> Compression:
    """The compression a file starting with ``head`` uses."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    if head.startswith(LZ4_MAGIC):
        return "lz4"
    return "none"


class DecompressedStream(io.RawIOBase):
    """A read-only stream over a (maybe compressed) file that maps codec errors to dump errors."""

    def __init__(self, path: Path, compression: Compression) -> None:
        super().__init__()
        self.path = path
        self.compression = compression
        self.truncated = False  # the compressed stream ended before its end marker
        self.raw = path.open("rb")
        self._inner: BinaryIO = self._open_inner()

    def _open_inner(self) -> BinaryIO:
        if self.compression == "gzip":
            # isal's igzip is a drop-in gzip reader, measured ~2-3x faster than zlib's.
            from isal import igzip

            return igzip.IGzipFile(fileobj=self.raw, mode="rb")  # type: ignore[no-untyped-call,return-value]
        if self.compression == "zstd":
            import zstandard

            reader = zstandard.ZstdDecompressor().stream_reader(self.raw, read_across_frames=True)
            return cast(BinaryIO, reader)
        if self.compression == "lz4":
            import lz4.frame

            return cast(BinaryIO, lz4.frame.LZ4FrameFile(self.raw, mode="rb"))
        return self.raw

    def readable(self) -> bool:
        """Always readable."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Read decompressed bytes; codec errors become DumpFormatError."""
        if self.truncated:
            return b""
        try:
            return self._inner.read(size)
        except EOFError:
            self.truncated = True  # gzip/lz4: "compressed file ended before the end marker"
            return b""
        except (OSError, zlib.error, RuntimeError, ValueError) as exc:
            if self.compression == "zstd" and "incomplete" in str(exc).lower():
                self.truncated = True
                return b""
            if isinstance(exc, OSError) and exc.errno is not None:
                raise
            name = {"gzip": "gzip", "zstd": "zstd", "lz4": "lz4"}.get(self.compression, "")
            msg = " ".join(str(exc).split()) or type(exc).__name__
            raise DumpFormatError(f"{self.path}: corrupt {name} data ({msg})") from exc

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``buffer`` (for io.BufferedReader users)."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def compressed_position(self) -> int:
        """How far into the file on disk we are (for progress)."""
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        """Close the codec and the file."""
        try:
            if self._inner is not self.raw:
                self._inner.close()
        finally:
            self.raw.close()
            super().close()


def open_plain(path: Path) -> DecompressedStream:
    """Open ``path`` for streaming, decompressing by content."""
    with path.open("rb") as f:
        head = f.read(8)
    return DecompressedStream(path, compression_of(head))
