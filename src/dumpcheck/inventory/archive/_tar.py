"""Members of a tar (``-Ft``) archive, read as one forward stream.

pg_backup_tar.c writes ``toc.dat`` first (the same header and TOC as the other formats), then
one ``<dumpid>.dat`` member per table, the large objects as ``blob_<oid>.dat`` members followed
by their ``blobs[_<dumpid>].toc`` listing, and ``restore.sql``. Headers are plain ustar
(pgtar.c tarCreateHeader): name in bytes 0-99, size in octal at 124 (base-256 when the high bit
is set), checksum at 148.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive._binary import InputTruncated, RawEntry
from dumpcheck.inventory.archive._streams import DataStream, read_file_pieces
from dumpcheck.inventory.model import Compression

BLOCK = 512
_SUFFIXES: dict[str, Compression] = {".gz": "gzip", ".lz4": "lz4", ".zst": "zstd"}


@dataclass(frozen=True)
class TarMember:
    """One member header."""

    name: str
    size: int


def parse_header(block: bytes, where: str) -> TarMember | None:
    """The member a 512-byte header describes; None for the zero block that ends the archive."""
    if block.count(0) == BLOCK:
        return None
    stored = block[148:156].strip(b"\0 ")
    computed = sum(block[:148]) + 32 * 8 + sum(block[156:])
    try:
        valid = int(stored, 8) == computed
    except ValueError:
        valid = False
    if not valid:
        raise DumpFormatError(f"{where}: corrupt tar header (checksum mismatch)")
    name = block[:100].split(b"\0", 1)[0].decode("utf-8", errors="replace")
    prefix = block[345:500].split(b"\0", 1)[0].decode("utf-8", errors="replace")
    if block[257:262] == b"ustar" and prefix:
        name = f"{prefix}/{name}"
    raw_size = block[124:136]
    if raw_size[0] & 0x80:  # base-256 for members of 8 GB and more
        size = int.from_bytes(raw_size[1:], "big")
    else:
        size = int(raw_size.strip(b"\0 ") or b"0", 8)
    return TarMember(name, size)


class TarWalker:
    """Walks the members of a tar stream; each member's content is read before the next header."""

    def __init__(self, stream: BinaryIO, where: str) -> None:
        self.stream = stream
        self.where = where
        self._peeked: TarMember | None = None
        self._has_peek = False
        self._pending_skip = 0
        self.ended_cleanly = False  # the zero block that ends a tar archive was read

    def peek(self) -> TarMember | None:
        """The next member header (read once), or None at the end of the archive."""
        if not self._has_peek:
            self._skip_pending()
            block = self.stream.read(BLOCK)
            if len(block) == 0:
                self._peeked = None
            elif len(block) < BLOCK:
                raise InputTruncated
            else:
                self._peeked = parse_header(block, self.where)
                self.ended_cleanly = self._peeked is None
            self._has_peek = True
        return self._peeked

    def take(self) -> TarMember | None:
        """The next member; its content must then be read with ``content``."""
        member = self.peek()
        self._has_peek = False
        return member

    def content(self, member: TarMember) -> Iterator[bytes]:
        """The member's bytes in bounded pieces; InputTruncated if the archive ends inside."""
        yield from read_file_pieces(self.stream, member.size)
        self._pending_skip = -member.size % BLOCK

    def skip(self, member: TarMember) -> None:
        """Pass over a member's content."""
        for _ in self.content(member):
            pass

    def pass_over(self, member: TarMember, start: int) -> None:
        """Seek past the rest of ``member``, whose content starts at ``start`` and may have been
        read in part (quick verify reads the first rows of a table and moves on)."""
        self.stream.seek(start + member.size)
        self._pending_skip = -member.size % BLOCK

    def _skip_pending(self) -> None:
        if self._pending_skip:
            self.stream.read(self._pending_skip)
            self._pending_skip = 0


def compression_of(name: str) -> tuple[str, Compression]:
    for suffix, compression in _SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], compression
    return name, "none"


def iter_members(walker: TarWalker, entries: list[RawEntry]) -> Iterator[DataStream]:
    """One stream per data member after ``toc.dat``, in archive order."""
    by_file = {raw.filename: raw for raw in entries if raw.filename}
    blob_entries = [raw for raw in entries if raw.entry.desc == "BLOBS" and raw.filename]
    while (member := walker.peek()) is not None:
        base, compression = compression_of(member.name)
        if base.startswith("blob_"):
            owner = blob_entries.pop(0) if blob_entries else None
            if owner is None:
                raise DumpFormatError(
                    f"{walker.where}: large object member {member.name} "
                    "but the TOC has no BLOBS entry left"
                )
            yield DataStream(
                owner.entry.dump_id,
                f"{walker.where}: {owner.filename}",
                compression,
                True,
                blobs=_blob_run(walker),
            )
            continue
        walker.take()
        raw = by_file.get(base)
        if raw is None or raw.entry.desc == "BLOBS":
            walker.skip(member)  # restore.sql, or the listing of an empty run
            continue
        yield DataStream(
            raw.entry.dump_id,
            f"{walker.where}: {member.name}",
            compression,
            True,
            chunks=walker.content(member),
        )


def _blob_run(walker: TarWalker) -> Iterator[Iterator[bytes]]:
    """The blob members up to and including their listing, which must name as many.

    In a tar archive the BLOBS entry's TOC filename is ``<dumpid>.dat``, but the members are
    ``blob_<oid>.dat`` followed by the listing ``blobs.toc`` (``blobs_<dumpid>.toc`` since 1.16).
    """
    seen = 0
    while (member := walker.peek()) is not None:
        base, _ = compression_of(member.name)
        walker.take()
        if base.startswith("blob_"):
            seen += 1
            yield walker.content(member)
            continue
        if base.startswith("blobs") and base.endswith(".toc"):
            listed = sum(piece.count(b"\n") for piece in walker.content(member))
            if listed != seen:
                raise DumpFormatError(
                    f"{walker.where}: {member.name} lists {listed} large objects, "
                    f"the archive holds {seen}"
                )
            return
        raise DumpFormatError(
            f"{walker.where}: unexpected member {member.name} among large objects"
        )
    raise InputTruncated
