"""Domains, composite types, typed tables and partition links of pg_dump output.

pg_dump writes these through ruleutils.c under ``search_path = ''``, so the text slices are
already in the catalog's canonical spelling: a domain's base type is format_type()'s, its
default pg_get_expr()'s and each CHECK pg_get_constraintdef()'s (``CHECK ((VALUE > 0))``);
a composite's attribute types are format_type()'s; ``PARTITION BY`` is followed by
pg_get_partkeydef()'s text (pg_dump.c dumpTableSchema). sqlglot 30.30 returns a raw
``exp.Command`` for CREATE DOMAIN and ATTACH PARTITION, so these small readers are the only ones.
"""

from __future__ import annotations

import dataclasses
import re

from dumpcheck.catalog import Column, CompositeType, QualifiedName
from dumpcheck.inventory.ddl.columns import TABLE_CONSTRAINT, parse_column
from dumpcheck.inventory.ddl.state import DdlState, DomainDraft, TableDraft
from dumpcheck.sqltext import (
    TextError,
    find_keyword,
    matching_paren,
    read_ident,
    read_qualified,
    skip_ws,
    split_top_level,
    squash,
)

_CREATE_DOMAIN = re.compile(r"CREATE\s+DOMAIN\s+", re.IGNORECASE)
_DOMAIN_AS = re.compile(r"AS\s+", re.IGNORECASE)
# Words that end a domain's base type or one of its clauses; pg_dump writes keywords in upper
# case and types in lower case (dumpDomain), so upper case only cannot hit a type name.
_DOMAIN_KEYWORD = re.compile(r"(?<![\w.\"])(?:COLLATE|DEFAULT|NOT NULL|NULL|CONSTRAINT|CHECK)\b")
_ALTER_DOMAIN_ADD = re.compile(
    r"ALTER\s+DOMAIN\s+(?P<name>.+?)\s+ADD\s+(?=CONSTRAINT\s|CHECK\b)", re.IGNORECASE | re.DOTALL
)
_ALTER_INDEX_ATTACH = re.compile(r"ALTER\s+INDEX\s+(?:IF\s+EXISTS\s+)?", re.IGNORECASE)
_ATTACH_PARTITION = re.compile(r"\s*ATTACH\s+PARTITION\s+", re.IGNORECASE)
_PARTITION_BY = re.compile(r"PARTITION\s+BY\s+", re.IGNORECASE)
_WITH_OPTIONS = re.compile(r"WITH\s+OPTIONS\s+", re.IGNORECASE)
_COLLATE = re.compile(r"(?<![\w.\"])COLLATE\b")


def _key(parts: list[str]) -> QualifiedName:
    if len(parts) == 1:
        return QualifiedName("public", parts[0])
    return QualifiedName(parts[-2], parts[-1])


def create_domain(state: DdlState, sql: str) -> bool:
    """``CREATE DOMAIN d AS type [COLLATE c] [NOT NULL] [DEFAULT e] [CONSTRAINT n CHECK (..)]``."""
    m = _CREATE_DOMAIN.match(sql)
    if m is None:
        return False
    parts, pos = read_qualified(sql, m.end())
    key = _key(parts)
    as_ = _DOMAIN_AS.match(sql, skip_ws(sql, pos))
    if as_ is None:
        raise TextError("CREATE DOMAIN without AS")
    first = find_keyword(sql, _DOMAIN_KEYWORD, as_.end())
    base_type = squash(sql[as_.end() :] if first < 0 else sql[as_.end() : first])
    if not base_type:
        raise TextError("CREATE DOMAIN without a base type")
    draft = DomainDraft(key, base_type)
    state.domains[key] = draft
    if first >= 0:
        _domain_clauses(draft, sql, first)
    return True


def _domain_clauses(draft: DomainDraft, sql: str, pos: int) -> None:
    """The clauses from ``pos`` on; COLLATE is skipped (the catalog does not model it)."""
    name = ""
    while 0 <= pos < len(sql):
        word = sql[pos:]
        nxt = pos + 1
        if word.startswith("NOT NULL"):
            draft.nullable = False
            nxt = pos + len("NOT NULL")
        elif word.startswith("DEFAULT"):
            end = find_keyword(sql, _DOMAIN_KEYWORD, pos + len("DEFAULT"))
            stop = len(sql) if end < 0 else end
            draft.default = squash(sql[pos + len("DEFAULT") : stop])
            nxt = stop
        elif word.startswith("CONSTRAINT"):
            name, nxt = read_ident(sql, pos + len("CONSTRAINT"))
            pos = find_keyword(sql, _DOMAIN_KEYWORD, nxt)
            continue  # the name belongs to the clause that follows (CHECK or NOT NULL)
        elif word.startswith("CHECK"):
            close = matching_paren(sql, sql.index("(", pos))
            end = find_keyword(sql, _DOMAIN_KEYWORD, close + 1)
            stop = len(sql) if end < 0 else end
            # "CHECK (...) NOT VALID" stays whole, as pg_get_constraintdef prints it.
            draft.checks.append((name, squash(sql[pos:stop])))
            nxt = stop
        name = ""
        pos = find_keyword(sql, _DOMAIN_KEYWORD, nxt) if nxt < len(sql) else -1


def alter_domain(state: DdlState, sql: str) -> bool:
    """``ALTER DOMAIN d ADD CONSTRAINT n CHECK (...) NOT VALID`` (pg_dump's separate checks)."""
    m = _ALTER_DOMAIN_ADD.match(sql)
    if m is None:
        return False
    key = _key(read_qualified(m["name"], 0)[0])
    draft = state.domains.get(key)
    if draft is None:
        raise ValueError(f"refers to domain {key} that the dump does not create")
    _domain_clauses(draft, sql, m.end())
    return True


def create_composite(state: DdlState, key: QualifiedName, sql: str, open_at: int) -> None:
    """``CREATE TYPE name AS (a integer, b text COLLATE c)``: attributes in order."""
    close = matching_paren(sql, open_at)
    attributes: list[tuple[str, str]] = []
    for start, end in split_top_level(sql, open_at + 1, close):
        element = sql[start:end]
        name, pos = read_ident(element, 0)
        collate = find_keyword(element, _COLLATE, pos)
        type_text = squash(element[pos:] if collate < 0 else element[pos:collate])
        if not type_text:
            raise TextError(f"attribute {name} of {key} has no type")
        attributes.append((name, type_text))
    state.composites[key] = CompositeType(key.schema, key.name, tuple(attributes))


def typed_table_columns(
    state: DdlState, draft: TableDraft, type_key: QualifiedName, sql: str, open_at: int | None
) -> list[str]:
    """A typed table (``CREATE TABLE t OF type (a WITH OPTIONS NOT NULL, ...)``).

    Its columns are the type's attributes (tablecmds.c MergeAttributes); the element list only
    adds column options and table constraints. Returns the table-constraint elements.
    """

    composite = state.composites.get(type_key)
    if composite is None:
        raise ValueError(f"typed table {draft.key} of type {type_key} the dump does not create")
    for name, type_text in composite.attributes:
        draft.columns[name] = Column(name, type_text)
    constraints: list[str] = []
    if open_at is None:
        return constraints
    close = matching_paren(sql, open_at)
    for start, end in split_top_level(sql, open_at + 1, close):
        element = sql[start:end]
        if TABLE_CONSTRAINT.match(element):
            constraints.append(element)
            continue
        name, pos = read_ident(element, 0)
        if name not in draft.columns:
            raise ValueError(f"typed table {draft.key} has no column {name!r}")
        pos = skip_ws(element, pos)
        options = _WITH_OPTIONS.match(element, pos)
        rest = element[options.end() if options else pos :]
        column = parse_column(name, f"{draft.columns[name].type} {rest}")
        draft.columns[name] = column
    return constraints


def partition_key(sql: str, pos: int) -> str | None:
    """pg_get_partkeydef()'s text after ``PARTITION BY`` at or after ``pos``, or None."""
    at = find_keyword(sql, _PARTITION_BY, pos)
    if at < 0:
        return None
    m = _PARTITION_BY.match(sql, at)
    assert m is not None
    start = m.end()
    open_at = sql.index("(", start)
    return squash(sql[start : matching_paren(sql, open_at) + 1])


def attach_index(state: DdlState, sql: str) -> bool:
    """``ALTER INDEX parent_idx ATTACH PARTITION child_idx``: the child's index is inherited.

    Once attached, a partition's index has relispartition set and the constraint it backs
    conislocal = false (tablecmds.c ATExecAttachPartitionIdx, ConstraintSetParentConstraint);
    the catalog keeps it on the parent only.
    """
    m = _ALTER_INDEX_ATTACH.match(sql)
    if m is None:
        return False
    _, pos = read_qualified(sql, m.end())
    attach = _ATTACH_PARTITION.match(sql, pos)
    if attach is None:
        return False
    child, _ = read_qualified(sql, attach.end())
    state.attached_indexes.add(_key(child))
    return True


# No lookahead for the "(": find_keyword searches only up to the next bracket.
_INHERITS = re.compile(r"INHERITS\b", re.IGNORECASE)


def inherit_columns(state: DdlState, draft: TableDraft, sql: str, pos: int) -> None:
    """``CREATE TABLE child (...) INHERITS (parent, ...)``: the parents' columns come first.

    pg_dump writes only the child's local columns (attislocal); CREATE TABLE puts the
    inherited ones first, parent by parent, and merges a local column of the same name into
    the inherited one (tablecmds.c MergeAttributes): NOT NULL from either side, the local
    default over the inherited one. Identity is not inherited. The parents' columns are taken
    as they stand at this point of the dump, which is what the restore sees too.
    """
    at = find_keyword(sql, _INHERITS, pos)
    if at < 0:
        return
    open_at = skip_ws(sql, at + len("INHERITS"))
    merged: dict[str, Column] = {}
    for start, end in split_top_level(sql, open_at + 1, matching_paren(sql, open_at)):
        parent = state.existing(_key(read_qualified(sql[start:end], 0)[0]))
        for name, column in parent.columns.items():
            inherited = dataclasses.replace(column, identity=None)
            merged[name] = _merge(merged[name], inherited) if name in merged else inherited
    for name, column in draft.columns.items():
        merged[name] = _merge(merged[name], column) if name in merged else column
    draft.columns = merged


def _merge(inherited: Column, local: Column) -> Column:
    return dataclasses.replace(
        local,
        nullable=inherited.nullable and local.nullable,
        default=local.default if local.default is not None else inherited.default,
        generated=local.generated if local.generated is not None else inherited.generated,
    )
