"""Compare plain (non-unique-constraint) indexes by their keys."""

from __future__ import annotations

from dumpcheck.catalog import Index, Table
from dumpcheck.compare.findings import Difference


def _signature(index: Index) -> tuple[object, ...]:
    # Keys as pg_get_indexdef prints them; " ASC" is the default and never printed by Postgres.
    keys = tuple(k.removesuffix(" ASC").replace('"', "") for k in index.keys)
    return (keys, index.unique, index.method, index.predicate)


def _text(index: Index) -> str:
    unique = "UNIQUE " if index.unique else ""
    where = f" WHERE {index.predicate}" if index.predicate else ""
    return f"{unique}{index.method} ({', '.join(index.keys)}){where}"


def compare_indexes(expected: Table, actual: Table) -> list[Difference]:
    """Indexes missing from, or extra in, the actual table."""
    diffs: list[Difference] = []
    actual_sigs = {_signature(i) for i in actual.indexes}
    expected_sigs = {_signature(i) for i in expected.indexes}
    for exp in expected.indexes:
        if _signature(exp) not in actual_sigs:
            diffs.append(Difference("index", exp.name, _text(exp), None))
    for act in actual.indexes:
        if _signature(act) not in expected_sigs:
            diffs.append(Difference("index", act.name, None, _text(act)))
    return diffs
