"""--inserts data: rows counted exactly while streaming, in bounded memory."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain import InsertRows, PlainSplitter, Statement, iter_plain


class _Watched(io.BytesIO):
    """A stream that records the splitter's buffer size at every read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.splitter: PlainSplitter | None = None
        self.largest = 0

    def read(self, size: int | None = -1) -> bytes:
        if self.splitter is not None:
            self.largest = max(self.largest, len(self.splitter._buf))
        return super().read(size)


def test_a_huge_value_is_never_held() -> None:
    value = b"x'y" * (2 << 20)  # 6 MB, quotes doubled below
    dump = (
        b"SET standard_conforming_strings = on;\n"
        b'INSERT INTO public.t (a, "b;(") VALUES (1, \'' + value.replace(b"'", b"''") + b"'),"
        b" (2, E'it\\'s (; '), (3, $q$ ); ( $q$), (4, ROW(1, (2))), (5, '--', /* ; ( */ 6);\n"
        b"SELECT 1;\n"
    )
    stream = _Watched(dump)
    splitter = PlainSplitter(stream, read_size=4096)
    stream.splitter = splitter
    items = list(splitter.counting_items())
    assert isinstance(items[1], InsertRows)
    assert (items[1].table, items[1].columns) == (QualifiedName("public", "t"), ("a", "b;("))
    assert (items[1].rows, items[1].line, items[1].terminated) == (5, 2, True)
    assert items[1].head == 'INSERT INTO public.t (a, "b;(") VALUES'
    assert items[2] == Statement("SELECT 1;", 3)
    assert stream.largest < 64 << 10  # the 6 MB value went through a 4 KB window


def test_runs_of_simple_inserts_are_counted_together() -> None:
    dump = (
        b"INSERT INTO t VALUES (1, 'a');\nINSERT INTO t VALUES (2, '');\n"
        b"INSERT INTO public.u (a, b) VALUES (-1, 'x''y)');\n"
        b"INSERT INTO public.u (a, b) VALUES (2, E'\\'');\n"  # an E'' string: the scanner
        b"INSERT INTO public.u (a, b) VALUES (3, '--');\n"
        b"INSERT INTO public.u (a, b) VALUES (4, '), ('), (5, '(('), (6, NULL);\n"  # 3 rows
    )
    for read_size in (1 << 20, 7):
        items = list(PlainSplitter(io.BytesIO(dump), read_size=read_size).counting_items())
        assert all(isinstance(i, InsertRows) and i.terminated for i in items)
        per_table: dict[str, int] = {}
        for i in items:
            assert isinstance(i, InsertRows)
            per_table[i.table.name] = per_table.get(i.table.name, 0) + i.rows
        assert per_table == {"t": 2, "u": 6}
        first = items[0]
        assert isinstance(first, InsertRows) and first.line == 1


def test_restore_mode_still_holds_the_statement() -> None:
    dump = b"INSERT INTO public.t VALUES (1), (2);\n"
    assert list(iter_plain(io.BytesIO(dump))) == [
        Statement("INSERT INTO public.t VALUES (1), (2);", 1)
    ]


def test_truncated_insert() -> None:
    dump = b"INSERT INTO public.t VALUES (1), (2, 'never clo"
    (item,) = list(PlainSplitter(io.BytesIO(dump), read_size=8).counting_items())
    assert isinstance(item, InsertRows)
    assert (item.terminated, item.table) == (False, QualifiedName("public", "t"))


def test_statements_read_whole_when_they_must_be() -> None:
    dump = (
        b"INSERT INTO public.nocols DEFAULT VALUES;\n"
        b"INSERT INTO public._prisma_migrations (id) VALUES ('m1');\n"
    )
    items = list(PlainSplitter(io.BytesIO(dump), read_size=5).counting_items())
    assert [type(i) for i in items] == [Statement, Statement]


def test_standard_conforming_strings_off() -> None:
    dump = b"SET standard_conforming_strings = off;\nINSERT INTO t VALUES ('a\\'), (', 1);\n"
    items = list(PlainSplitter(io.BytesIO(dump), read_size=3).counting_items())
    assert isinstance(items[1], InsertRows) and items[1].rows == 1


_VALUE = st.one_of(
    st.integers().map(str),
    st.text(alphabet="ab'();,$\\\n").map(lambda s: "'" + s.replace("'", "''") + "'"),
    st.text(alphabet="ab'();,$\n").map(
        lambda s: "E'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    ),
    st.text(alphabet="ab'();,\n").map(lambda s: "$v$" + s + "$v$"),
    st.just("ROW(1, (2, 3))"),
    st.just("NULL /* ) ; ( */"),
    st.just("'--' -- a comment ( ;\n"),
)
_ROWS = st.lists(st.lists(_VALUE, min_size=1, max_size=3), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    rows=_ROWS,
    read_size=st.one_of(st.integers(1, 40), st.just(1 << 20)),
    columns=st.booleans(),
)
def test_streamed_count_equals_whole_count(
    rows: list[list[str]], read_size: int, columns: bool
) -> None:
    head = 'INSERT INTO "s;x"."t(" ("a b", c) VALUES ' if columns else "INSERT INTO t VALUES "
    text = head + ", ".join("(" + ", ".join(r) + ")" for r in rows) + ";"
    dump = (text + "\nSELECT 2;\n").encode()
    items = list(PlainSplitter(io.BytesIO(dump), read_size=read_size).counting_items())
    assert isinstance(items[0], InsertRows)
    assert items[0].rows == len(rows)
    assert items[1] == Statement("SELECT 2;", 2 + text.count("\n"))
