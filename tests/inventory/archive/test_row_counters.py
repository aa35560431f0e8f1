"""Row counters on decompressed data, split anywhere: no database needed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dumpcheck.inventory.archive._rows import CopyRowCounter, InsertRowCounter

END = b"\\.\n\n\n"  # what pg_dump writes after the last COPY row


def copy_escape(value: str | None) -> str:
    """COPY text format for one value (copyto.c CopyAttributeOutText)."""
    if value is None:
        return "\\N"
    table = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(table.get(char, char) for char in value)


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def feed_split(counter: CopyRowCounter | InsertRowCounter, data: bytes, cuts: list[int]) -> None:
    start = 0
    for cut in sorted({min(c, len(data)) for c in cuts}):
        counter.feed(data[start:cut])
        start = cut
    counter.feed(data[start:])


rows_strategy = st.lists(
    st.lists(
        st.one_of(st.none(), st.text(alphabet="ab\\.\n\t'\"();, VALUES")), min_size=1, max_size=3
    ),
    max_size=30,
)
cuts_strategy = st.lists(st.integers(min_value=0, max_value=2000), max_size=12)


@given(rows_strategy, cuts_strategy)
def test_copy_rows_counted_exactly_wherever_split(
    rows: list[list[str | None]], cuts: list[int]
) -> None:
    data = "".join("\t".join(copy_escape(v) for v in row) + "\n" for row in rows).encode()
    for fingerprint in (False, True):  # hashing counts the newlines itself
        counter = CopyRowCounter(fingerprint=fingerprint)
        feed_split(counter, data + END, cuts)
        assert counter.has_end_marker
        assert counter.rows == len(rows)


def test_copy_edge_cases() -> None:
    for data, rows, marker in [
        (END, 0, True),  # an empty table
        (b"\n" * 5 + END, 5, True),  # five empty strings
        (b"\\\\.\n" + END, 1, True),  # the value '\.'
        (b"a\nb\n", 2, False),  # no marker yet: a cut archive
        (b"a\nb", 1, False),  # a partial last row is not a row
        (b"a\n\\.\n", 1, True),  # cut inside the blank lines after the marker
        (b"", 0, False),
    ]:
        for fingerprint in (False, True):
            counter = CopyRowCounter(fingerprint=fingerprint)
            counter.feed(data)
            assert (counter.rows, counter.has_end_marker) == (rows, marker), data


insert_values = st.lists(
    st.one_of(st.integers(), st.text(alphabet="a'\"();,\n VALUES\\")), min_size=1, max_size=3
)


@given(
    st.lists(insert_values, max_size=25),
    st.integers(min_value=1, max_value=4),
    cuts_strategy,
    st.booleans(),
)
def test_insert_rows_counted_exactly_wherever_split(
    rows: list[list[int | str]], per_insert: int, cuts: list[int], column_list: bool
) -> None:
    columns = ' ("a;b", "c""(d")' if column_list else ""
    statements = []
    for start in range(0, len(rows), per_insert):
        groups = [
            "(" + ", ".join(str(v) if isinstance(v, int) else sql_literal(v) for v in row) + ")"
            for row in rows[start : start + per_insert]
        ]
        statements.append(
            f'INSERT INTO "we;ird"."t(x)"{columns} VALUES\n\t' + ",\n\t".join(groups) + ";\n"
        )
    data = ("".join(statements) + "\n\n").encode()
    counter = InsertRowCounter()
    feed_split(counter, data, cuts)
    assert counter.rows == len(rows)
    assert counter.at_statement_boundary


def test_insert_edge_cases() -> None:
    data = (
        b"INSERT INTO public.no_columns DEFAULT VALUES;\n"
        b"INSERT INTO public.t OVERRIDING SYSTEM VALUE VALUES (1, 'x'), (2, '('')');\n"
        b"INSERT INTO public.t VALUES (3, 'unfinished"
    )
    counter = InsertRowCounter()
    feed_split(counter, data, list(range(0, len(data), 3)))
    assert counter.rows == 3
    assert not counter.at_statement_boundary
