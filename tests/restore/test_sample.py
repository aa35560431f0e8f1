"""Quick verify's helpers without a database: the first rows of COPY data, the INSERTs that hold
them, and pg_dump's foreign keys turned NOT VALID."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain import ObjectHeader, Statement
from dumpcheck.restore.sample import SampleBudget, copy_first_rows, foreign_key_not_valid

TABLE = QualifiedName("public", "t")


def _sent(chunks: list[bytes], limit: int) -> tuple[bytes, int]:
    out: list[bytes] = []
    rows = copy_first_rows(lambda b: out.append(bytes(b)), chunks, limit)
    return b"".join(out), rows


@pytest.mark.parametrize(
    "chunks",
    [
        [b"1\ta\n2\tb\n3\tc\n4\td\n"],
        [b"1\ta\n2\t", b"b\n3\tc", b"\n4\td\n"],
        [b"1", b"\t", b"a\n", b"2\tb\n3\tc\n4", b"\td\n"],
    ],
)
def test_the_first_rows_whatever_the_chunks(chunks: list[bytes]) -> None:
    assert _sent(chunks, 2) == (b"1\ta\n2\tb\n", 2)
    assert _sent(chunks, 4) == (b"1\ta\n2\tb\n3\tc\n4\td\n", 4)
    assert _sent(chunks, 10) == (b"1\ta\n2\tb\n3\tc\n4\td\n", 4)


def test_a_row_cut_off_by_the_end_of_the_dump_is_never_sent() -> None:
    assert _sent([b"1\ta\n2\tb", b"roken"], 5) == (b"1\ta\n", 1)


def test_the_rest_of_the_data_is_left_unread() -> None:
    read: list[int] = []

    def tracked() -> Iterator[bytes]:
        for i, chunk in enumerate([b"1\n2\n", b"3\n", b"4\n"]):
            read.append(i)
            yield chunk

    out: list[bytes] = []
    assert copy_first_rows(lambda b: out.append(bytes(b)), tracked(), 2) == 2
    assert out == [b"1\n2\n"]
    assert read == [0]


PG_DUMP_FK = (
    "ALTER TABLE ONLY public.children\n"
    '    ADD CONSTRAINT "children_parentId_fkey" FOREIGN KEY ("parentId") '
    "REFERENCES public.parents(id) ON UPDATE CASCADE ON DELETE RESTRICT;\n"
)


def test_a_dumped_foreign_key_is_added_not_valid() -> None:
    assert foreign_key_not_valid(PG_DUMP_FK) == PG_DUMP_FK.rstrip()[:-1] + " NOT VALID;"
    partitioned = PG_DUMP_FK.replace("ALTER TABLE ONLY", "ALTER TABLE")
    assert (foreign_key_not_valid(partitioned) or "").endswith(" NOT VALID;")


@pytest.mark.parametrize(
    "sql",
    [
        PG_DUMP_FK.rstrip()[:-1] + " NOT VALID;",  # already unchecked in production
        PG_DUMP_FK.rstrip()[:-1] + " NOT ENFORCED;",  # PostgreSQL 18: never validated
        "ALTER TABLE ONLY public.parents\n    ADD CONSTRAINT parents_pkey PRIMARY KEY (id);",
        "ALTER TABLE ONLY public.t ADD CONSTRAINT c CHECK ((n > 0));",
        "COMMENT ON CONSTRAINT fk ON public.t IS 'FOREIGN KEY (a)';",
    ],
)
def test_only_a_checked_foreign_key_changes(sql: str) -> None:
    assert foreign_key_not_valid(sql) is None


def _insert(text: str) -> tuple[Statement, ObjectHeader]:
    header = ObjectHeader("t", "TABLE DATA", "public", "postgres", data=True)
    return Statement(text, 1, header), header


def test_insert_data_runs_the_statements_that_hold_the_first_rows() -> None:
    budget = SampleBudget(3)
    runs = [
        budget.admits(*_insert("INSERT INTO public.t VALUES (1, 'a'), (2, '(x)');")),
        budget.admits(*_insert("INSERT INTO public.t VALUES (3, 'c'), (4, 'd');")),
        budget.admits(*_insert("INSERT INTO public.t VALUES (5, 'e');")),
    ]
    assert runs == [True, True, False]  # the second holds the third row: it runs whole
    assert budget.taken[TABLE] == 4
    assert budget.cut == {TABLE}


def test_statements_other_than_data_inserts_always_run() -> None:
    budget = SampleBudget(1)
    schema = ObjectHeader("t", "TABLE", "public", "postgres")
    assert budget.admits(Statement("INSERT INTO public.t VALUES (1);", 1, schema), schema)
    assert budget.admits(Statement("CREATE TABLE public.u (a int);", 2, None), None)
    assert budget.cut == set()


def test_a_table_with_no_more_rows_than_the_sample_is_not_cut() -> None:
    budget = SampleBudget(2)
    budget.take(TABLE, 2, total=2)
    assert budget.cut == set()
    budget.take(TABLE, 0, total=1)  # a second data section past the sample
    assert budget.cut == {TABLE}
