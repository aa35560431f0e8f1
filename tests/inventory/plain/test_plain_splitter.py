"""The plain-dump splitter: exact statements, COPY blocks and meta-commands at any chunk size."""

from __future__ import annotations

import io

import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain import (
    CopyBlock,
    MetaCommand,
    ObjectHeader,
    PlainItem,
    PlainSplitter,
    Statement,
    iter_plain,
)

DUMP = b"""\\restrict abc
--
-- PostgreSQL database dump
--

-- Dumped from database version 18.1
-- Dumped by pg_dump version 18.1

SET standard_conforming_strings = on;
--
-- Name: a;b; Type: TABLE; Schema: we;ird; Owner: bob
--

CREATE TABLE "we;ird"."a;b" (
    "x;'$" text DEFAULT 'it''s; $$'::text,
    "new
line" integer
);
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $_$ BEGIN; RETURN 1; END $_$;
/* nested /* comment ; */ still */ SELECT 1;
SELECT E'a\\';b', a$b, $1;
COPY "we;ird"."a;b" ("x;'$", "new
line") FROM stdin;
a\\nb\t1
\\\\.\t2
\\.
COPY public.empty (a) FROM stdin;
\\.
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;
 SELECT CASE WHEN true THEN 1 END; END;
CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); DELETE FROM u);
--
-- PostgreSQL database dump complete
--

\\unrestrict abc
"""


def _flatten(item: PlainItem) -> object:
    if isinstance(item, CopyBlock):
        data = b"".join(item.data)
        return ("COPY", item.table, item.columns, data, item.rows, item.complete, item.end_line)
    return item


def _split(dump: bytes, read_size: int) -> list[object]:
    return [_flatten(i) for i in iter_plain(io.BytesIO(dump), read_size=read_size)]


def test_splits_every_construct() -> None:
    items = _split(DUMP, 1 << 20)
    assert items[0] == MetaCommand("restrict", "abc", 1)
    create = items[2]
    assert isinstance(create, Statement)
    assert create.line == 14
    assert create.header == ObjectHeader("a;b", "TABLE", "we;ird", "bob")
    assert create.text.endswith('line" integer\n);')
    assert isinstance(items[3], Statement) and items[3].text.endswith("END $_$;")
    assert isinstance(items[4], Statement) and items[4].text.startswith("/* nested")
    assert isinstance(items[5], Statement) and items[5].text == "SELECT E'a\\';b', a$b, $1;"
    assert items[6] == (
        "COPY",
        QualifiedName("we;ird", "a;b"),
        ("x;'$", "new\nline"),
        b"a\\nb\t1\n\\\\.\t2\n",
        2,
        True,
        26,
    )
    assert items[7] == ("COPY", QualifiedName("public", "empty"), ("a",), b"", 0, True, 28)
    assert isinstance(items[8], Statement) and items[8].text.endswith("END; END;")
    assert isinstance(items[9], Statement) and items[9].text.endswith("DELETE FROM u);")
    assert items[10] == MetaCommand("unrestrict", "abc", 36)
    assert len(items) == 11


@pytest.mark.parametrize("read_size", [1, 2, 3, 4, 5, 7, 11, 64])
def test_chunk_size_does_not_matter(read_size: int) -> None:
    assert _split(DUMP, read_size) == _split(DUMP, 1 << 20)


def test_facts_from_comments() -> None:
    splitter = PlainSplitter(io.BytesIO(DUMP))
    for _ in splitter:
        pass
    assert "-- Dumped by pg_dump version 18.1" in splitter.comments
    assert "-- PostgreSQL database dump complete" in splitter.comments


def test_unconsumed_copy_data_is_counted() -> None:
    dump = b"COPY t (a) FROM stdin;\n1\n2\n3\n\\.\nSELECT 1;\n"
    items = list(iter_plain(io.BytesIO(dump), read_size=2))
    block = items[0]
    assert isinstance(block, CopyBlock)
    assert (block.rows, block.complete) == (3, True)
    assert items[1] == Statement("SELECT 1;", 6)


def test_partly_consumed_copy_data_is_counted() -> None:
    dump = b"COPY t (a) FROM stdin;\n" + b"x\n" * 1000 + b"\\.\nSELECT 1;\n"
    it = iter_plain(io.BytesIO(dump), read_size=16)
    block = next(it)
    assert isinstance(block, CopyBlock)
    next(block.data)
    assert next(it) == Statement("SELECT 1;", 1003)
    assert block.rows == 1000


def test_truncated_copy() -> None:
    dump = b"COPY t (a) FROM stdin;\n1\n2\npartial"
    (block,) = list(iter_plain(io.BytesIO(dump), read_size=3))
    assert isinstance(block, CopyBlock)
    assert (block.rows, block.complete) == (2, False)


def test_terminator_without_final_newline() -> None:
    dump = b"COPY t (a) FROM stdin;\n1\n\\."
    (block,) = list(iter_plain(io.BytesIO(dump)))
    assert isinstance(block, CopyBlock)
    assert (block.rows, block.complete) == (1, True)


def test_unterminated_statement() -> None:
    (stmt,) = list(iter_plain(io.BytesIO(b"CREATE TABLE t (a int")))
    assert stmt == Statement("CREATE TABLE t (a int", 1, terminated=False)


def test_standard_conforming_strings_off() -> None:
    dump = b"SET standard_conforming_strings = off;\nSELECT 'a\\';b';\nSELECT 2;\n"
    items = list(iter_plain(io.BytesIO(dump)))
    assert [i.text for i in items if isinstance(i, Statement)] == [
        "SET standard_conforming_strings = off;",
        "SELECT 'a\\';b';",
        "SELECT 2;",
    ]


def test_zero_column_copy_counts_empty_lines() -> None:
    dump = b"COPY public.nocols  FROM stdin;\n\n\n\\.\n"
    (block,) = list(iter_plain(io.BytesIO(dump)))
    assert isinstance(block, CopyBlock)
    assert (block.columns, block.rows, block.complete) == ((), 2, True)


def test_crlf_terminator() -> None:
    dump = b"COPY t (a) FROM stdin;\r\n1\r\n\\.\r\nSELECT 1;\r\n"
    items = list(iter_plain(io.BytesIO(dump)))
    assert isinstance(items[0], CopyBlock)
    assert (items[0].rows, items[0].complete) == (1, True)
    assert isinstance(items[1], Statement) and items[1].text == "SELECT 1;"


def test_huge_row_is_handed_over_in_bounded_pieces() -> None:
    row = b"x" * (5 << 20)
    dump = b"COPY t (a) FROM stdin;\n" + row + b"\n\\.\n"
    it = iter_plain(io.BytesIO(dump), read_size=1 << 16)
    block = next(it)
    assert isinstance(block, CopyBlock)
    sizes = [len(c) for c in block.data]
    assert sum(sizes) == len(row) + 1
    assert max(sizes) <= 1 << 16
    assert (block.rows, block.complete) == (1, True)


def test_a_header_names_the_tablespace_apart_from_the_owner() -> None:
    """pg_dump adds "; Tablespace: x" after the owner of an object outside the default
    tablespace (pg_backup_archiver.c _printTocEntry): the owner stays the role's name."""
    dump = (
        b"--\n-- Name: a; Type: TABLE; Schema: public; Owner: bob; Tablespace: fast\n--\n\n"
        b"CREATE TABLE public.a (id integer);\n"
        b"--\n-- Name: b; Type: TABLE; Schema: public; Owner: carol\n--\n\n"
        b"CREATE TABLE public.b (id integer);\n"
    )
    first, second = (i for i in _split(dump, 1 << 20) if isinstance(i, Statement))
    assert first.header == ObjectHeader("a", "TABLE", "public", "bob", tablespace="fast")
    assert second.header == ObjectHeader("b", "TABLE", "public", "carol")
