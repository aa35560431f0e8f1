"""Compare unique rules and indexes as Prisma's describer reads them and its differ pairs them.

sql-schema-describer postgres.rs (index_from_row) reads of each index: its columns in order,
INCLUDE columns among them (indkey holds both), each one's sort order, the access method, and an
operator class only for GiST, GIN, SP-GiST and BRIN; never a collation or operator class
options. An index with an expression key is set aside (expression_indexes), unseen by the differ.
sql_schema_differ/table.rs index_pairs and the postgres flavour's indexes_match then match two
indexes by those columns, uniqueness and method; a UNIQUE constraint and a unique index are the
same thing. A matched index with another name is a RenameIndex step, unless another index of the
same columns exists (it is then not "singular" and Prisma leaves both alone).

A partial index: without the partialIndexes preview feature Prisma 7 reads it without its
predicate, so it matches the index the schema asks for, and is never dropped when it matches
none (`prisma migrate diff` checked against the wasm engine, 7.10). With the feature, the
predicate is compared and an index the schema lacks is dropped, as any other.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from dumpcheck.catalog import Index, Table, UniqueConstraint
from dumpcheck.compare.equivalences import (
    DUPLICATE_INDEX,
    EXPRESSION_INDEX,
    KEY_DETAIL,
    NULLS_ORDER,
    PARTIAL_INDEX,
    PARTIAL_PREDICATE,
)
from dumpcheck.compare.findings import Difference, DifferenceKind
from dumpcheck.compare.predicates import predicates_match

_NULLS = re.compile(r" NULLS (?:FIRST|LAST)$")
# What may follow a key's column, as pg_get_indexdef prints it (ruleutils.c): a collation, an
# operator class with its options, the sort order and the nulls order.
_AFTER_COLUMN = re.compile(
    r'(?P<collate> COLLATE (?:"(?:[^"]|"")*"|[\w$]+)(?:\.(?:"(?:[^"]|"")*"|[\w$]+))?)?'
    r"(?: (?!(?:ASC|DESC|NULLS)\b)(?P<opclass>[\w$.]+)(?P<options> \(.*\))?)?"
    r"(?: (?P<order>ASC|DESC))?(?: NULLS (?:FIRST|LAST))?"
)
# The describer reads an operator class only for these methods (postgres.rs index_from_row).
_OPCLASS_READ = frozenset({"gist", "gin", "spgist", "brin"})
Any = Index | UniqueConstraint


@dataclass(frozen=True)
class _Seen:
    """One index as Prisma's describer reads it."""

    index: Any
    keys: tuple[str, ...]  # "col", "col DESC", "col jsonb_path_ops"; INCLUDE columns last
    columns: tuple[str, ...]
    unique: bool
    method: str
    predicate: str | None  # None when there is none or it is not compared
    unread: bool  # the catalog has key details the describer does not read
    expression: bool

    def matches(self, other: _Seen) -> bool:
        """sql_schema_differ's index pairing: the same keys, uniqueness and method, and
        predicates its postgres flavour takes for the same (compare/predicates.py)."""
        if (self.keys, self.unique, self.method) != (other.keys, other.unique, other.method):
            return False
        if self.predicate is None or other.predicate is None:
            return self.predicate is other.predicate
        return predicates_match(self.predicate, other.predicate)


def _seen(index: Any, columns: Collection[str], predicates: bool) -> _Seen:
    if isinstance(index, UniqueConstraint):
        raw, method, unique, predicate = index.columns, "btree", True, None
    else:
        raw, method, unique, predicate = index.keys, index.method, index.unique, index.predicate
    keys: list[str] = []
    names: list[str] = []
    unread = expression = False
    for key in raw:
        view, name, dropped = _key(key, columns, method)
        keys.append(view)
        names.append(name)
        unread |= dropped
        expression |= name == ""
    keys += index.include
    names += index.include
    shown = predicate if predicates else None
    return _Seen(index, tuple(keys), tuple(names), unique, method, shown, unread, expression)


def _key(key: str, columns: Collection[str], method: str) -> tuple[str, str, bool]:
    """(the key as the describer reads it, its column or "" for an expression, whether the
    catalog's key has a detail the describer does not read)."""
    # The longest column the key starts with: a column name may hold spaces.
    head = max((c for c in columns if key == c or key.startswith(c + " ")), key=len, default=None)
    rest = _AFTER_COLUMN.fullmatch(key[len(head) :]) if head is not None else None
    if head is None or rest is None:
        return _NULLS.sub("", key.removesuffix(" ASC")), "", False
    view = head
    dropped = rest["collate"] is not None or rest["options"] is not None
    if rest["opclass"] is not None:
        if method in _OPCLASS_READ:
            view += " " + rest["opclass"].rsplit(".", 1)[-1]
        else:
            dropped = True
    if rest["order"] == "DESC":
        view += " DESC"
    return view, head, dropped


def _single(index: _Seen, visible: list[_Seen]) -> bool:
    alike = [o for o in visible if o.columns == index.columns and o.unique == index.unique]
    return len(alike) == 1


def _text(index: Any) -> str:
    include = f" INCLUDE ({', '.join(index.include)})" if index.include else ""
    if isinstance(index, UniqueConstraint):
        return f"UNIQUE ({', '.join(index.columns)}){include}"
    unique = "UNIQUE " if index.unique else ""
    where = f" WHERE {index.predicate}" if index.predicate else ""
    keys = ", ".join(k.removesuffix(" ASC") for k in index.keys)
    return f"{unique}{index.method} ({keys}){include}{where}"


def _kind(index: Any) -> DifferenceKind:
    return "unique" if isinstance(index, UniqueConstraint) else "index"


def _note(seen: _Seen, reason: str) -> Difference:
    return Difference(_kind(seen.index), seen.index.name, None, _text(seen.index), reason)


def compare_indexes(
    expected: Table,
    actual: Table,
    *,
    partial_indexes: bool = False,
    order: tuple[str, ...] = (),
) -> tuple[list[Difference], list[Difference]]:
    """(drift, notes) for unique rules and indexes together.

    ``partial_indexes``: the schema enables the partialIndexes preview feature; ``order``: the
    expected indexes' names in Prisma's order (the first that matches an index is its pair).
    """
    columns = {c.name for c in expected.columns} | {c.name for c in actual.columns}
    rank = {name: i for i, name in enumerate(order)}
    wanted_raw: list[Any] = sorted(
        [*expected.uniques, *expected.indexes], key=lambda i: rank.get(i.name, len(rank))
    )
    present_raw: list[Any] = [*actual.uniques, *actual.indexes]
    wanted = [_seen(i, columns, partial_indexes) for i in wanted_raw]
    present = [_seen(i, columns, partial_indexes) for i in present_raw]
    drift: list[Difference] = []
    notes: list[Difference] = []
    visible = []
    for act in present:
        if act.expression:
            notes.append(_note(act, EXPRESSION_INDEX))  # the describer sets it aside
        else:
            visible.append(act)
    matched: set[int] = set()
    for exp in wanted:
        candidates = [a for a in visible if a.matches(exp)]
        if not candidates:
            drift.append(Difference(_kind(exp.index), exp.index.name, _text(exp.index), None))
            continue
        matched.update(id(a) for a in candidates)
        named = next((a for a in candidates if a.index.name == exp.index.name), None)
        if named is not None:
            if _text(named.index) != _text(exp.index) and (named.unread or exp.unread):
                notes.append(_note(named, KEY_DETAIL))
            if isinstance(named.index, Index) and named.index.predicate and not partial_indexes:
                notes.append(_note(named, PARTIAL_PREDICATE))
            continue
        # table.rs index_pairs: an index the database holds once (no other of the same columns
        # and kind) pairs with the first expected index that matches it, and is renamed when
        # the names differ; one of several alike is left alone.
        single = [a for a in candidates if _single(a, visible)]
        renamed = [a for a in single if next(e for e in wanted if e.matches(a)) is exp]
        diff = Difference(
            _kind(exp.index), exp.index.name, exp.index.name, candidates[0].index.name
        )
        if renamed:
            drift.append(replace(diff, actual=renamed[0].index.name))  # a rename Prisma makes
        elif not single:
            notes.append(replace(diff, reason=DUPLICATE_INDEX))
    for act in visible:
        if id(act) in matched:
            continue
        if isinstance(act.index, Index) and act.index.predicate and not partial_indexes:
            notes.append(_note(act, PARTIAL_INDEX))  # unmatched, and Prisma never drops it
        else:
            drift.append(Difference(_kind(act.index), act.index.name, None, _text(act.index)))
    for act in present:
        if isinstance(act.index, Index) and any(_NULLS.search(k) for k in act.index.keys):
            notes.append(_note(act, NULLS_ORDER))
    return drift, notes
