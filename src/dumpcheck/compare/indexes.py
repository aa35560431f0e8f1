"""Compare unique rules and indexes by structure, by Prisma's differ.

sql_schema_differ/table.rs index_pairs and the postgres flavour's indexes_match: an index is
matched by its columns in order, their sort order and operator classes, uniqueness and access
method; a UNIQUE constraint and a unique index are the same thing. A matched index with another
name is a RenameIndex step, unless another index of the same columns exists (it is then not
"singular" and Prisma leaves both alone). Partial and expression indexes are invisible to it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dumpcheck.catalog import Index, Table, UniqueConstraint
from dumpcheck.compare.equivalences import (
    DUPLICATE_INDEX,
    EXPRESSION_INDEX,
    NULLS_ORDER,
    PARTIAL_INDEX,
)
from dumpcheck.compare.findings import Difference, DifferenceKind

_NULLS = re.compile(r" NULLS (?:FIRST|LAST)$")
Any = Index | UniqueConstraint


def _keys(index: Any) -> tuple[str, ...]:
    raw = index.columns if isinstance(index, UniqueConstraint) else index.keys
    return tuple(_NULLS.sub("", k.removesuffix(" ASC")).replace('"', "") for k in raw)


def _unique(index: Any) -> bool:
    return isinstance(index, UniqueConstraint) or index.unique


def _method(index: Any) -> str:
    return "btree" if isinstance(index, UniqueConstraint) else index.method


def _signature(index: Any) -> tuple[object, ...]:
    return (_keys(index), _unique(index), _method(index), _predicate(index))


def _predicate(index: Any) -> str | None:
    if isinstance(index, UniqueConstraint) or index.predicate is None:
        return None
    return re.sub(r'[\s"()]', "", index.predicate).lower()


def _columns(index: Any) -> tuple[str, ...]:
    return tuple(k.split(" ")[0] for k in _keys(index))


def _text(index: Any) -> str:
    if isinstance(index, UniqueConstraint):
        return f"UNIQUE ({', '.join(_keys(index))})"
    unique = "UNIQUE " if _unique(index) else ""
    where = f" WHERE {index.predicate}" if isinstance(index, Index) and index.predicate else ""
    return f"{unique}{_method(index)} ({', '.join(_keys(index))}){where}"


def _kind(index: Any) -> DifferenceKind:
    return "unique" if isinstance(index, UniqueConstraint) else "index"


def _invisible(index: Any) -> str | None:
    """Why Prisma's describer does not see an index at all, if it does not."""
    if isinstance(index, Index):
        if index.predicate is not None:
            return PARTIAL_INDEX
        if any("(" in k for k in index.keys):
            return EXPRESSION_INDEX
    return None


def compare_indexes(expected: Table, actual: Table) -> tuple[list[Difference], list[Difference]]:
    """(drift, notes) for unique rules and indexes together."""
    drift: list[Difference] = []
    notes: list[Difference] = []
    wanted: list[Any] = [*expected.uniques, *expected.indexes]
    present: list[Any] = [*actual.uniques, *actual.indexes]
    visible = []
    for act in present:
        reason = (
            _invisible(act) if not any(_signature(e) == _signature(act) for e in wanted) else None
        )
        if reason is not None:
            notes.append(Difference(_kind(act), act.name, None, _text(act), reason))
        else:
            visible.append(act)
    matched: set[int] = set()
    for exp in wanted:
        candidates = [a for a in visible if _signature(a) == _signature(exp)]
        if not candidates:
            drift.append(Difference(_kind(exp), exp.name, _text(exp), None))
            continue
        matched.update(id(a) for a in candidates)
        if any(a.name == exp.name for a in candidates):
            continue
        same_columns = [
            a for a in visible if _columns(a) == _columns(exp) and _unique(a) == _unique(exp)
        ]
        diff = Difference(_kind(exp), exp.name, exp.name, candidates[0].name)
        if len(same_columns) > 1:
            notes.append(replace(diff, reason=DUPLICATE_INDEX))
        else:
            drift.append(diff)  # a rename Prisma would make
    for act in visible:
        if id(act) in matched:
            continue
        drift.append(Difference(_kind(act), act.name, None, _text(act)))
    for act in present:
        if isinstance(act, Index) and any(_NULLS.search(k) for k in act.keys):
            notes.append(Difference("index", act.name, None, _text(act), NULLS_ORDER))
    return drift, notes
