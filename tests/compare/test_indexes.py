"""Indexes and unique rules as Prisma's describer reads them (no database).

Each rule here was checked against Prisma's engine on a real database by
tests/e2e/test_drift_equivalences.py; these pin the compare logic alone.
"""

from __future__ import annotations

from dumpcheck.catalog import Column, Index, Table, UniqueConstraint
from dumpcheck.compare.equivalences import (
    EXPRESSION_INDEX,
    KEY_DETAIL,
    PARTIAL_INDEX,
    PARTIAL_PREDICATE,
)
from dumpcheck.compare.findings import Difference
from dumpcheck.compare.indexes import compare_indexes

COLUMNS = tuple(
    Column(name, type_)
    for name, type_ in (("id", "integer"), ("name", "text"), ("tags", "text[]"), ("my col", "text"))
)


def _table(*objects: Index | UniqueConstraint) -> Table:
    return Table(
        "public",
        "t",
        columns=COLUMNS,
        uniques=tuple(o for o in objects if isinstance(o, UniqueConstraint)),
        indexes=tuple(o for o in objects if isinstance(o, Index)),
    )


def _reasons(notes: list[Difference]) -> list[str | None]:
    return [n.reason for n in notes]


def test_same_index_is_no_difference() -> None:
    index = Index("t_name_idx", ("name", "id DESC"))
    assert compare_indexes(_table(index), _table(index)) == ([], [])


def test_btree_operator_class_and_collation_are_not_compared() -> None:
    expected = _table(Index("t_name_idx", ("name", "id DESC")))
    for key in ("name text_pattern_ops", 'name COLLATE "C"', 'name COLLATE "C" text_pattern_ops'):
        actual = _table(Index("t_name_idx", (key, "id DESC")))
        drift, notes = compare_indexes(expected, actual)
        assert drift == [], key
        assert _reasons(notes) == [KEY_DETAIL], key


def test_a_unique_index_with_an_operator_class_is_the_unique_rule() -> None:
    expected = _table(UniqueConstraint("t_name_key", ("name",)))
    actual = _table(Index("t_name_key", ("name varchar_pattern_ops",), unique=True))
    drift, notes = compare_indexes(expected, actual)
    assert drift == []
    assert _reasons(notes) == [KEY_DETAIL]


def test_gin_operator_class_is_compared() -> None:
    expected = _table(Index("t_tags_idx", ("tags",), method="gin"))
    actual = _table(Index("t_tags_idx", ("tags array_ops_custom",), method="gin"))
    drift, _ = compare_indexes(expected, actual)
    assert [d.object for d in drift] == ["t_tags_idx", "t_tags_idx"]


def test_gist_operator_class_options_are_not_compared() -> None:
    expected = _table(Index("t_name_idx", ("name gist_trgm_ops",), method="gist"))
    key = "name public.gist_trgm_ops (siglen='32')"
    actual = _table(Index("t_name_idx", (key,), method="gist"))
    drift, notes = compare_indexes(expected, actual)
    assert drift == []
    assert _reasons(notes) == [KEY_DETAIL]


def test_a_column_name_with_spaces_is_read_whole() -> None:
    expected = _table(Index("t_c_idx", ("my col DESC",)))
    assert compare_indexes(expected, _table(Index("t_c_idx", ("my col DESC",)))) == ([], [])
    drift, _ = compare_indexes(expected, _table(Index("t_c_idx", ("my col",))))
    assert len(drift) == 2


def test_include_columns_are_index_columns() -> None:
    expected = _table(UniqueConstraint("t_name_key", ("name",)))
    for actual in (
        UniqueConstraint("t_name_key", ("name",), include=("id",)),
        UniqueConstraint("t_name_key", ("name",), via_index=False, include=("id",)),
    ):
        drift, _ = compare_indexes(expected, _table(actual))
        assert [(d.expected, d.actual) for d in drift] == [
            ("UNIQUE (name)", None),
            (None, "UNIQUE (name) INCLUDE (id)"),
        ]
    # The schema's own columns, as an INCLUDE would list them, are still a different index.
    both = _table(Index("t_name_idx", ("name", "id")))
    drift, _ = compare_indexes(both, _table(Index("t_name_idx", ("name",), include=("id",))))
    assert drift == []


def test_partial_index_stands_for_the_schemas_index_without_the_preview_feature() -> None:
    expected = _table(UniqueConstraint("t_name_key", ("name",)))
    actual = _table(Index("t_name_key", ("name",), unique=True, predicate="(id > 0)"))
    drift, notes = compare_indexes(expected, actual)
    assert drift == []
    assert _reasons(notes) == [PARTIAL_PREDICATE]
    # With partialIndexes, the predicate is compared: the schema asks for none.
    drift, _ = compare_indexes(expected, actual, partial_indexes=True)
    assert len(drift) == 2


def test_partial_index_the_schema_lacks_is_never_dropped_without_the_preview_feature() -> None:
    actual = _table(Index("t_live", ("id",), predicate="(name IS NOT NULL)"))
    drift, notes = compare_indexes(_table(), actual)
    assert drift == []
    assert _reasons(notes) == [PARTIAL_INDEX]
    drift, notes = compare_indexes(_table(), actual, partial_indexes=True)
    assert [d.object for d in drift] == ["t_live"]
    assert notes == []


def test_partial_index_of_another_name_is_a_rename() -> None:
    expected = _table(Index("t_name_idx", ("name",)))
    actual = _table(Index("t_other", ("name",), predicate="(id > 0)"))
    drift, _ = compare_indexes(expected, actual)
    assert [(d.expected, d.actual) for d in drift] == [("t_name_idx", "t_other")]


def test_predicates_compare_by_text_with_the_preview_feature() -> None:
    expected = _table(Index("t_name_idx", ("name",), predicate="(length(name) > 3)"))
    same = _table(Index("t_name_idx", ("name",), predicate="length(name) > 3"))
    other = _table(Index("t_name_idx", ("name",), predicate="(length(name) > 4)"))
    assert compare_indexes(expected, same, partial_indexes=True) == ([], [])
    assert len(compare_indexes(expected, other, partial_indexes=True)[0]) == 2


def test_expression_index_is_set_aside() -> None:
    actual = _table(Index("t_lower", ("lower(name)",)))
    drift, notes = compare_indexes(_table(), actual)
    assert drift == []
    assert _reasons(notes) == [EXPRESSION_INDEX]
