"""Header and TOC of a pg_dump archive (custom, directory ``toc.dat``, tar ``toc.dat``).

The layout follows PostgreSQL's ``pg_backup_archiver.c`` (``WriteHead``/``ReadHead``,
``WriteToc``/``ReadToc``): integers are a sign byte followed by ``intSize`` little-endian
magnitude bytes, strings are an integer length (-1 for NULL) followed by the bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import BinaryIO

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.model import Compression, TocEntry

MAGIC = b"PGDMP"

# Archive format codes of pg_backup.h's ArchiveFormat enum.
FORMAT_CUSTOM = 1
FORMAT_TAR = 3
FORMAT_DIRECTORY = 5
FORMAT_NAMES = {FORMAT_CUSTOM: "custom", FORMAT_TAR: "tar", FORMAT_DIRECTORY: "directory"}

# The archive versions dumpcheck reads: 1.12 (PostgreSQL 11.0-11.x before 1.13) to 1.16 (17, 18).
MIN_VERSION = (1, 12)
MAX_VERSION = (1, 16)
V_1_14 = (1, 14)  # adds the table access method string to each TOC entry
V_1_15 = (1, 15)  # replaces the compression level integer by an algorithm byte
V_1_16 = (1, 16)  # adds relkind to each TOC entry (and BLOB METADATA / several BLOBS entries)

# pg_compression_algorithm (common/compression.h), as written since archive version 1.15.
_ALGORITHMS: dict[int, Compression] = {0: "none", 1: "gzip", 2: "lz4", 3: "zstd"}

# Offset flags of pg_backup_archiver.h (custom format data positions).
OFFSET_NOT_SET = 1
OFFSET_SET = 2
OFFSET_NO_DATA = 3

# teSection of pg_backup.h: SECTION_NONE 1 (e.g. ENCODING), PRE_DATA 2, DATA 3, POST_DATA 4.
_SECTIONS = {1: "none", 2: "pre-data", 3: "data", 4: "post-data"}
# PostgreSQL encoding names (pg_wchar.h) -> Python codecs, for decoding TOC strings.
_PG_ENCODINGS = {
    "UTF8": "utf-8",
    "SQL_ASCII": "utf-8",
    "LATIN1": "latin-1",
    "LATIN2": "iso8859-2",
    "LATIN3": "iso8859-3",
    "LATIN4": "iso8859-4",
    "LATIN5": "iso8859-9",
    "LATIN6": "iso8859-10",
    "LATIN7": "iso8859-13",
    "LATIN8": "iso8859-14",
    "LATIN9": "iso8859-15",
    "LATIN10": "iso8859-16",
    "ISO_8859_5": "iso8859-5",
    "ISO_8859_6": "iso8859-6",
    "ISO_8859_7": "iso8859-7",
    "ISO_8859_8": "iso8859-8",
    "KOI8R": "koi8-r",
    "KOI8U": "koi8-u",
    "EUC_JP": "euc-jp",
    "EUC_KR": "euc-kr",
    "EUC_CN": "gb2312",
    "SJIS": "shift-jis",
    "BIG5": "big5",
    "GBK": "gbk",
    "GB18030": "gb18030",
    "UHC": "cp949",
    "WIN866": "cp866",
    "WIN874": "cp874",
    **{f"WIN{n}": f"cp{n}" for n in range(1250, 1259)},
}


# No TOC string can exceed PostgreSQL's 1 GB field limit; a larger length is a damaged archive.
_MAX_STRING = 1 << 30


class InputTruncated(Exception):  # noqa: N818 - a signal, not an error: truncation is a finding
    """The input ended before the structure being read did."""


class ByteReader:
    """Reads pg_dump's integers, strings and offsets from a binary stream."""

    def __init__(
        self, stream: BinaryIO, where: str = "", int_size: int = 4, off_size: int = 8
    ) -> None:
        self.stream = stream
        self.where = where  # names the input in error messages
        self.int_size = int_size
        self.off_size = off_size
        self.encoding = "utf-8"
        self.consumed = 0

    def exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or InputTruncated."""
        data = self.stream.read(n)
        self.consumed += len(data)
        if len(data) != n:
            raise InputTruncated
        return data

    def upto(self, n: int) -> bytes:
        """Up to ``n`` bytes; fewer only at the end of the input."""
        data = self.stream.read(n)
        self.consumed += len(data)
        return data

    def byte(self) -> int:
        """One unsigned byte."""
        return self.exact(1)[0]

    def int_(self) -> int:
        """A pg_dump integer: sign byte, then intSize little-endian bytes."""
        raw = self.exact(1 + self.int_size)
        value = int.from_bytes(raw[1:], "little")
        return -value if raw[0] else value

    def raw_str(self) -> bytes | None:
        """A pg_dump string as bytes; None for the NULL string (length -1)."""
        length = self.int_()
        if length < 0:
            return None
        if length > _MAX_STRING:
            raise DumpFormatError(f"{self.where}: corrupt TOC: a string claims {length} bytes")
        return self.exact(length)

    def str_(self) -> str | None:
        """A pg_dump string, decoded with the archive's encoding."""
        raw = self.raw_str()
        return None if raw is None else raw.decode(self.encoding, errors="replace")

    def offset(self) -> tuple[int, int]:
        """A data offset (flag, position): flag byte, then offSize little-endian bytes."""
        flag = self.byte()
        return flag, int.from_bytes(self.exact(self.off_size), "little")


@dataclass(frozen=True)
class ArchiveHeader:
    """The fixed header every archive (and every ``toc.dat``) starts with."""

    version: tuple[int, int, int]
    int_size: int
    off_size: int
    format_code: int
    compression: Compression
    database: str | None
    server_version: str | None
    pg_dump_version: str | None

    @property
    def version_text(self) -> str:
        """The archive version as pg_restore -l prints it without the revision: ``1.16``."""
        return f"{self.version[0]}.{self.version[1]}"


@dataclass(frozen=True)
class RawEntry:
    """A TOC entry plus the reader-only fields: COPY statement and where its data lives."""

    entry: TocEntry
    copy_stmt: str
    offset_flag: int = OFFSET_NO_DATA  # custom format only
    offset: int = 0  # custom format only
    filename: str = ""  # directory and tar formats: "3353.dat", "blobs_3358.toc", ""


@dataclass
class TocRead:
    """The TOC as far as it could be read; ``expected`` is the entry count the archive claims."""

    entries: list[RawEntry] = field(default_factory=list)
    expected: int = 0
    truncated: bool = False


def check_version(vmaj: int, vmin: int, where: str) -> None:
    """Raise a one-line DumpFormatError unless this is an archive version we read."""
    if not MIN_VERSION <= (vmaj, vmin) <= MAX_VERSION:
        raise DumpFormatError(
            f"{where}: unsupported pg_dump archive version {vmaj}.{vmin} "
            "(dumpcheck reads archive versions 1.12 to 1.16, written by PostgreSQL 11 to 18)"
        )


def read_header(reader: ByteReader, where: str) -> ArchiveHeader:
    """Read and validate the archive header; any defect is a one-line DumpFormatError."""
    try:
        return _read_header(reader, where)
    except InputTruncated:
        raise DumpFormatError(f"{where}: archive header is cut short (corrupt header)") from None


def _read_header(reader: ByteReader, where: str) -> ArchiveHeader:
    if reader.exact(5) != MAGIC:
        raise DumpFormatError(f"{where}: no PGDMP magic string (not a pg_dump archive)")
    vmaj, vmin, vrev = reader.byte(), reader.byte(), reader.byte()
    check_version(vmaj, vmin, where)
    int_size, off_size = reader.byte(), reader.byte()
    # pg_dump writes sizeof(int) and sizeof(pgoff_t); anything else is a damaged header.
    if int_size not in (4, 8) or off_size not in (4, 8):
        raise DumpFormatError(
            f"{where}: corrupt archive header (integer size {int_size}, offset size {off_size})"
        )
    reader.int_size, reader.off_size = int_size, off_size
    format_code = reader.byte()
    if format_code not in FORMAT_NAMES:
        raise DumpFormatError(
            f"{where}: corrupt archive header (unknown format code {format_code})"
        )
    compression = _read_compression(reader, (vmaj, vmin), where)
    for _ in range(7):  # creation time: sec, min, hour, mday, mon, year, isdst
        reader.int_()
    database = reader.str_()
    server_version = reader.str_()
    pg_dump_version = reader.str_()
    return ArchiveHeader(
        version=(vmaj, vmin, vrev),
        int_size=int_size,
        off_size=off_size,
        format_code=format_code,
        compression=compression,
        database=database,
        server_version=server_version,
        pg_dump_version=pg_dump_version,
    )


def _read_compression(reader: ByteReader, version: tuple[int, int], where: str) -> Compression:
    if version >= V_1_15:
        code = reader.byte()
        if code not in _ALGORITHMS:
            raise DumpFormatError(
                f"{where}: corrupt archive header (unknown compression algorithm {code})"
            )
        return _ALGORITHMS[code]
    # Before 1.15 the header holds a zlib level: 0 means none, -1 (Z_DEFAULT_COMPRESSION) or 1-9
    # mean gzip (pg_backup_archiver.c ReadHead).
    level = reader.int_()
    if not -1 <= level <= 9:
        raise DumpFormatError(f"{where}: corrupt archive header (compression level {level})")
    return "none" if level == 0 else "gzip"


def read_toc(reader: ByteReader, header: ArchiveHeader, where: str) -> TocRead:
    """Read every TOC entry; an input that ends inside the TOC gives a truncated TocRead."""
    toc = TocRead()
    try:
        toc.expected = reader.int_()
        if toc.expected < 0:
            raise DumpFormatError(f"{where}: corrupt TOC (entry count {toc.expected})")
        for _ in range(toc.expected):
            toc.entries.append(_read_entry(reader, header, where))
    except InputTruncated:
        toc.truncated = True
    return toc


def _read_entry(reader: ByteReader, header: ArchiveHeader, where: str) -> RawEntry:
    version = header.version[:2]
    dump_id = reader.int_()
    if dump_id <= 0:
        raise DumpFormatError(f"{where}: corrupt TOC (entry id {dump_id})")
    had_dumper = reader.int_() != 0
    reader.str_()  # catalog tableoid
    reader.str_()  # catalog oid
    tag = reader.str_() or ""
    desc = reader.str_() or ""
    section = _SECTIONS.get(reader.int_(), "")
    defn = reader.str_() or ""
    reader.str_()  # drop statement
    copy_stmt = reader.str_() or ""
    namespace = reader.str_() or ""
    tablespace = reader.str_() or ""
    if version >= V_1_14:
        reader.str_()  # table access method
    if version >= V_1_16:
        reader.int_()  # relkind
    owner = reader.str_() or ""
    reader.str_()  # "false": the retired WITH OIDS flag
    dependencies: list[int] = []
    while (dep := reader.str_()) is not None:
        if not dep.strip().isdigit():
            raise DumpFormatError(f"{where}: corrupt TOC (dependency {dep!r} of entry {dump_id})")
        dependencies.append(int(dep))
    if desc == "ENCODING":
        reader.encoding = python_codec(encoding_from_defn(defn))
    entry = TocEntry(
        dump_id=dump_id,
        desc=desc,
        tag=tag,
        namespace=namespace,
        owner=owner,
        dependencies=tuple(dependencies),
        defn=defn,
        had_data=had_dumper,
        section=section,
        tablespace=tablespace,
    )
    if header.format_code == FORMAT_CUSTOM:
        flag, offset = reader.offset()
        return RawEntry(entry, copy_stmt, offset_flag=flag, offset=offset)
    return RawEntry(entry, copy_stmt, filename=reader.str_() or "")


def encoding_from_defn(defn: str) -> str | None:
    """The encoding name in an ENCODING entry's ``SET client_encoding = 'UTF8';``."""
    parts = defn.split("'")
    return parts[1] if len(parts) >= 3 else None


def python_codec(pg_encoding: str | None) -> str:
    """The Python codec for a PostgreSQL encoding name; UTF-8 when unknown."""
    name = _PG_ENCODINGS.get((pg_encoding or "").upper(), "utf-8")
    codecs.lookup(name)
    return name
