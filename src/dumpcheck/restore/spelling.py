"""How PostgreSQL itself spells the defaults Prisma writes as raw SQL (``dbgenerated("...")``).

PostgreSQL parses a default when it stores it and prints it back with ruleutils.c: Prisma's
``NOW() + INTERVAL '1 days'`` comes back as ``(now() + '1 day'::interval)``. No rewriting
by hand can follow every such rule, so the server that restored the dump is asked: each
expression is set as the default of a scratch column of its type, in a transaction that is
rolled back, and read with pg_get_expr exactly as the catalog reader reads the restored one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from dumpcheck.catalog import QualifiedName, quote_ident

Expression = tuple[QualifiedName, str, str, str]  # table, column, column type, default as written


def server_spellings(
    conninfo: str, expressions: Iterable[Expression], default_schema: str
) -> dict[tuple[QualifiedName, str], str]:
    """(table, column) -> pg_get_expr's text of each expression; those it refuses are left out."""
    out: dict[tuple[QualifiedName, str], str] = {}
    wanted = list(expressions)
    if not wanted:
        return out
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute("SET DateStyle = 'ISO, MDY'")
        cur.execute("SET IntervalStyle = 'postgres'")
        for i, (table, column, type_, expression) in enumerate(wanted):
            spelled = _one(cur, i, type_, expression, default_schema)
            if spelled is not None:
                out[(table, column)] = spelled
        conn.rollback()
    return out


def _one(
    cur: psycopg.Cursor[Any], i: int, type_: str, expression: str, default_schema: str
) -> str | None:
    name = f"dumpcheck_default_{i}"
    cur.execute("SAVEPOINT spelling")
    try:
        # Prisma's DDL runs with the connection's schema first on the search path; the
        # catalog reader prints under an empty one.
        cur.execute(f"SET LOCAL search_path TO {quote_ident(default_schema)}, public")
        cur.execute(f"CREATE TEMP TABLE {name} (c {type_} DEFAULT {expression})")
        cur.execute("SET LOCAL search_path = ''")
        cur.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
            "WHERE d.adrelid = %s::regclass",
            (f"pg_temp.{name}",),
        )
        row = cur.fetchone()
        cur.execute("RELEASE SAVEPOINT spelling")
    except psycopg.Error:
        cur.execute("ROLLBACK TO SAVEPOINT spelling")
        return None
    return str(row[0]) if row is not None else None
