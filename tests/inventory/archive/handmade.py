"""Build small pg_dump archives byte by byte, for archive versions no local pg_dump writes.

Follows the layout of pg_backup_archiver.c WriteHead/WriteToc and pg_backup_custom.c blocks.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field


def pg_int(value: int, int_size: int = 4) -> bytes:
    """A pg_dump integer: sign byte, then little-endian magnitude."""
    return bytes([1 if value < 0 else 0]) + abs(value).to_bytes(int_size, "little")


def pg_str(value: str | None) -> bytes:
    """A pg_dump string: length (-1 for NULL), then the bytes."""
    if value is None:
        return pg_int(-1)
    raw = value.encode()
    return pg_int(len(raw)) + raw


@dataclass
class Entry:
    """One TOC entry to write."""

    dump_id: int
    desc: str
    tag: str
    namespace: str = "public"
    defn: str = ""
    copy_stmt: str = ""
    data: bytes | None = None  # COPY data for a TABLE DATA entry
    deps: list[int] = field(default_factory=list)


def custom_archive(
    version: tuple[int, int],
    entries: list[Entry],
    *,
    compress: bool,
    format_code: int = 1,
    chunk: int = 7,
) -> bytes:
    """A complete custom archive (no data offsets, as when written to a pipe)."""
    out = bytearray(b"PGDMP" + bytes([version[0], version[1], 0, 4, 8, format_code]))
    if version >= (1, 15):
        out += bytes([1 if compress else 0])
    else:
        out += pg_int(-1 if compress else 0)  # Z_DEFAULT_COMPRESSION or none
    for value in (5, 4, 3, 2, 1, 124, 0):  # creation time
        out += pg_int(value)
    out += pg_str("db") + pg_str("11.22") + pg_str("11.22")
    out += pg_int(len(entries))
    for entry in entries:
        out += pg_int(entry.dump_id) + pg_int(1 if entry.data is not None else 0)
        out += pg_str("0") + pg_str("0") + pg_str(entry.tag) + pg_str(entry.desc)
        out += pg_int(3 if entry.data is not None else 2)  # section
        out += pg_str(entry.defn) + pg_str("") + pg_str(entry.copy_stmt)
        out += pg_str(entry.namespace) + pg_str("")  # tablespace
        if version >= (1, 14):
            out += pg_str("heap" if entry.desc == "TABLE" else "")
        if version >= (1, 16):
            out += pg_int(ord("r") if entry.desc == "TABLE" else 0)
        out += pg_str("postgres") + pg_str("false")
        for dep in entry.deps:
            out += pg_str(str(dep))
        out += pg_str(None)
        out += bytes([1 if entry.data is not None else 3]) + bytes(8)  # offset flag, offset
    for entry in entries:
        if entry.data is None:
            continue
        payload = zlib.compress(entry.data) if compress else entry.data
        out += bytes([1]) + pg_int(entry.dump_id)
        for start in range(0, len(payload), chunk):
            piece = payload[start : start + chunk]
            out += pg_int(len(piece)) + piece
        out += pg_int(0)
    return bytes(out)


def sample_entries() -> list[Entry]:
    """ENCODING, a table, and its data: three rows, one of them empty."""
    return [
        Entry(1, "ENCODING", "ENCODING", "", defn="SET client_encoding = 'LATIN1';\n"),
        Entry(10, "TABLE", "t", defn="CREATE TABLE public.t (v text);\n"),
        Entry(
            20,
            "TABLE DATA",
            "t",
            copy_stmt="COPY public.t (v) FROM stdin;\n",
            data=b"a\n\nc\\\\.\n\\.\n\n\n",
            deps=[10],
        ),
    ]
