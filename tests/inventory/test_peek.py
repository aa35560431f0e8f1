"""pg_dump_major: the header's word, or None; never an error (the inventory reports those)."""

from __future__ import annotations

import gzip
from pathlib import Path

from dumpcheck.inventory.peek import pg_dump_major

_HEAD = b"--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 16.4\n"


def test_plain_and_compressed_plain(tmp_path: Path) -> None:
    plain = tmp_path / "a.sql"
    plain.write_bytes(_HEAD + b"-- Dumped by pg_dump version 17.2 (Debian 17.2-1)\n\nSET x = 1;\n")
    packed = tmp_path / "a.bin"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert pg_dump_major(plain) == 17
    assert pg_dump_major(packed) == 17


def test_pg_dumpall_header(tmp_path: Path) -> None:
    dump = tmp_path / "all.sql"
    dump.write_bytes(
        b"--\n-- PostgreSQL database cluster dump\n--\n\n-- Dumped by pg_dumpall version 18.1\n"
    )
    assert pg_dump_major(dump) == 18


def test_no_word_or_no_dump_gives_none(tmp_path: Path) -> None:
    bare = tmp_path / "bare.sql"
    bare.write_bytes(b"SET client_encoding = 'UTF8';\nCREATE TABLE t (id int);\n")
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP\xff\xff\xff")  # an archive header with an impossible version
    assert pg_dump_major(bare) is None
    assert pg_dump_major(junk) is None
    assert pg_dump_major(tmp_path / "absent.sql") is None
    assert pg_dump_major(tmp_path) is None  # a directory without toc.dat
