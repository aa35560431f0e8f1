"""Whether two partial-index predicates are the same to Prisma's differ.

PostgreSQL stores a predicate in its own spelling (pg_get_expr): every operation in
parentheses, bare identifiers where quotes are not needed, literals with their type
(``(f3 = (0)::numeric)`` for ``"f3" = 0``). The postgres flavour of sql_schema_differ
(predicates_match, pg_predicates_semantically_equal) parses both sides, drops the
parentheses, and then holds two expressions equal when they are identical, or when they differ
only by:
- an identifier quoted on one side and bare on the other, where the bare one reads the same;
- a literal on one side that the other casts once (``0`` and ``(0)::numeric``);
- a cast around a cast on one side (the outer one PostgreSQL's annotation);
and recursively through the operands of the same binary or unary operator, IS [NOT]
NULL/TRUE/FALSE, BETWEEN and a cast to the same type. Anything else that differs is a new
index to Prisma. Expressions are read here with sqlglot, as everywhere in dumpcheck.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

_VALUES = (exp.Literal, exp.Boolean, exp.Null)


def predicates_match(a: str, b: str) -> bool:
    """Whether Prisma's differ takes predicates ``a`` and ``b`` for the same one."""
    if a == b:
        return True
    left, right = _parse(a), _parse(b)
    if left is None or right is None:
        return False
    return _same(left, right)


@lru_cache(maxsize=1024)
def _parse(text: str) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(text, read="postgres")
    except SqlglotError:
        return None


def _bare(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _same(a: exp.Expr, b: exp.Expr) -> bool:
    a, b = _bare(a), _bare(b)
    if _identical(a, b):
        return True
    if isinstance(a, exp.Column) and isinstance(b, exp.Column):
        parts_a, parts_b = a.parts, b.parts
        return len(parts_a) == len(parts_b) and all(map(_same_ident, parts_a, parts_b))
    for value, cast in ((a, b), (b, a)):
        # PostgreSQL's annotation of a bare literal: 0 is (0)::numeric.
        if (
            isinstance(value, _VALUES)
            and isinstance(cast, exp.Cast)
            and _identical(value, _bare(cast.this))
        ):
            return True
    for inner, cast in ((a, b), (b, a)):
        # Its annotation around a cast the predicate wrote: the inner one is compared.
        if isinstance(cast, exp.Cast) and isinstance(_bare(cast.this), exp.Cast):
            return _same(inner, _bare(cast.this))
    if type(a) is not type(b):
        return False
    if isinstance(a, exp.Cast):
        return _identical(a.args["to"], b.args["to"]) and _same(a.this, b.this)
    if isinstance(a, exp.Is):  # before Binary: sqlglot's Is is one, with a NOT flag
        return (
            bool(a.args.get("negate")) == bool(b.args.get("negate"))
            and _identical(a.expression, b.expression)
            and _same(a.this, b.this)
        )
    if isinstance(a, exp.Binary):
        return _same(a.this, b.this) and _same(a.expression, b.expression)
    if isinstance(a, (exp.Not, exp.Neg, exp.BitwiseNot)):
        return _same(a.this, b.this)
    if isinstance(a, exp.Between):
        return all(_same(a.args[k], b.args[k]) for k in ("this", "low", "high"))
    return False


def _same_ident(a: exp.Expr, b: exp.Expr) -> bool:
    if not (isinstance(a, exp.Identifier) and isinstance(b, exp.Identifier)):
        return _identical(a, b)
    if a.this != b.this:
        return False
    if bool(a.args.get("quoted")) == bool(b.args.get("quoted")):
        return True
    # "f3" and f3 are one column when f3 bare reads as that same identifier.
    read = _parse(a.this)
    return isinstance(read, exp.Column) and not read.table and read.this.this == a.this


def _identical(a: object, b: object) -> bool:
    """Equal as parsed: same node types and arguments, identifiers with their quoting."""
    if isinstance(a, exp.Expr) or isinstance(b, exp.Expr):
        # Prisma drops every pair of parentheses before it compares.
        a = _bare(a) if isinstance(a, exp.Expr) else a
        b = _bare(b) if isinstance(b, exp.Expr) else b
        if type(a) is not type(b):
            return False
        assert isinstance(a, exp.Expr) and isinstance(b, exp.Expr)
        keys = type(a).arg_types
        return all(_identical(a.args.get(k), b.args.get(k)) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_identical, a, b))
    if a in (None, False) and b in (None, False):
        return True  # an absent flag is a false one
    return a == b
