"""CREATE INDEX of pg_dump output, and index keys in the catalog's spelling.

pg_dump writes each index as pg_get_indexdef() prints it; sqlglot 30.30 raises on ``ON ONLY``
and misreads a ``NULLS NOT DISTINCT`` tail, so the fast reader here is the only one and sqlglot
only cross-checks the table name (``DdlState.cross_check``).
"""

from __future__ import annotations

import re

from dumpcheck.catalog import Index, QualifiedName, UniqueConstraint
from dumpcheck.inventory.ddl.state import DdlState
from dumpcheck.sqltext import (
    TextError,
    matching_paren,
    read_ident,
    read_ident_list,
    read_qualified,
    skip_ws,
    split_top_level,
    squash,
)

_CREATE_INDEX = re.compile(
    r"CREATE\s+(?P<unique>UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?",
    re.IGNORECASE,
)
_ON_ONLY = re.compile(r"\s+ON\s+(?P<only>ONLY\s+)?", re.IGNORECASE)
_USING = re.compile(r"\s*USING\s+(\w+)\s*", re.IGNORECASE)
_INDEX_TAIL = re.compile(
    r"\s*(?:INCLUDE\s*(?P<include>\()|(?P<nnd>NULLS\s+NOT\s+DISTINCT)|WITH\s*(?P<with>\()|"
    r"TABLESPACE\s+\S+|WHERE\s+(?P<where>.*))",
    re.IGNORECASE | re.DOTALL,
)


def _key(parts: list[str]) -> QualifiedName:
    if len(parts) == 1:
        return QualifiedName("public", parts[0])
    return QualifiedName(parts[-2], parts[-1])


def create_index(state: DdlState, sql: str, location: str) -> None:
    """``CREATE [UNIQUE] INDEX name ON [ONLY] t USING m (keys) ...`` (pg_get_indexdef's text)."""
    m = _CREATE_INDEX.match(sql)
    if m is None:
        raise TextError("not a CREATE INDEX")
    name, pos = read_ident(sql, m.end())
    on = _ON_ONLY.match(sql, pos)
    if on is None:
        raise TextError("CREATE INDEX without ON")
    parts, pos = read_qualified(sql, on.end())
    using = _USING.match(sql, pos)
    method = using[1].lower() if using else "btree"
    pos = skip_ws(sql, using.end() if using else pos)
    close = matching_paren(sql, pos)
    keys = tuple(_index_key(sql[s:e]) for s, e in split_top_level(sql, pos + 1, close))
    if state.cross_check:
        from dumpcheck.inventory.ddl.sqlglot_bridge import check_index

        # sqlglot 30.30 raises on "ON ONLY" and misreads a NULLS NOT DISTINCT tail: it checks
        # the statement up to the key list, without ONLY; the tail is read below.
        check_index(sql[: on.start()] + " ON " + sql[on.end() : close + 1], parts[-1])
    predicate: str | None = None
    nulls_not_distinct = False
    include: tuple[str, ...] = ()
    pos = close + 1
    while (tail := _INDEX_TAIL.match(sql, pos)) is not None and tail.end() > pos:
        if tail["where"] is not None:
            predicate = squash(tail["where"])
            break
        if tail["nnd"]:
            nulls_not_distinct = True
        if tail["include"]:
            include, pos = read_ident_list(sql, tail.start("include"))
        else:
            pos = matching_paren(sql, tail.start("with")) + 1 if tail["with"] else tail.end()
    draft = state.existing(_key(parts))
    unique = bool(m["unique"])
    bare = all(_is_bare(k) for k in keys)
    if unique and bare and predicate is None and method == "btree":
        draft.uniques.append(UniqueConstraint(name, keys, True, nulls_not_distinct, include))
    else:
        draft.indexes.append(Index(name, keys, unique, method, predicate, include))


def _index_key(text: str) -> str:
    """One key as the catalog spells it: ``col``, ``col DESC``, ``col gin_trgm_ops``, ``expr``.

    pg_get_indexdef quotes a column (``"createdAt" DESC``) and qualifies an operator class
    outside pg_catalog (``title public.gin_trgm_ops``); the catalog keeps the bare column name
    and the bare opclass name, as the restore reader (attname, pg_opclass.opcname) and Prisma's
    ``ops:`` argument give them. An expression is kept as printed.
    """
    text = squash(text)
    try:
        head, pos = _key_head(text)
    except TextError:
        return text
    rest = text[pos:].lstrip()
    collate = _KEY_COLLATE.match(rest)
    if collate:  # kept as printed: "COLLATE "POSIX"" (ruleutils.c generate_collation_name)
        head += " " + collate[0].rstrip()
        rest = rest[collate.end() :]
    if not rest or _KEY_ORDER.fullmatch(rest):
        return f"{head} {rest}" if rest else head
    try:
        opclass, end = read_qualified(rest, 0)
    except TextError:
        return text
    head += f" {opclass[-1]}"
    order = rest[end:].lstrip()
    if order.startswith("("):  # opclass options, "(siglen='32')"
        close = matching_paren(order, 0) + 1
        head += " " + order[:close]
        order = order[close:].lstrip()
    if not _KEY_ORDER.fullmatch(order):
        return text
    return f"{head} {order}" if order else head


_KEY_COLLATE = re.compile(r'COLLATE (?:[\w$]+|"(?:[^"]|"")*")(?:\.(?:[\w$]+|"(?:[^"]|"")*"))?\s*')


def _key_head(text: str) -> tuple[str, int]:
    """The column (bare) or expression a key starts with, and where it ends.

    ruleutils.c prints an expression key as a function call or wrapped in parentheses.
    """
    if text.startswith("("):
        end = matching_paren(text, 0) + 1
        return text[:end], end
    parts, end = read_qualified(text, 0)
    if end < len(text) and text[end] == "(":
        close = matching_paren(text, end) + 1
        return text[:close], close
    if len(parts) != 1:
        raise TextError("a qualified name that is not a function call")
    return parts[0], end


_KEY_ORDER = re.compile(r"(?:ASC|DESC)?(?: ?NULLS (?:FIRST|LAST))?")


def _is_bare(key: str) -> bool:
    return not any(c in key for c in " ()'\":")
