"""Equivalent spellings compare equal: the rules that keep compare free of false positives."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# A schema qualifier in front of an identifier: `public.`, `"my schema".`. pg_dump and a
# catalog read under search_path='' qualify; Prisma's own DDL and a default search_path do not.
_QUALIFIER = re.compile(r'(?<![\w."])(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\.(?=["a-zA-Z_])')
_STRING = re.compile(r"'(?:[^']|'')*'")


def _strip_qualifiers(text: str) -> str:
    """Drop schema qualifiers outside string literals (but inside nextval's regclass literal)."""
    out: list[str] = []
    pos = 0
    for m in _STRING.finditer(text):
        out.append(_QUALIFIER.sub("", text[pos : m.start()]))
        literal = m.group(0)
        # nextval('public."User_id_seq"'::regclass): the literal names a sequence.
        if text[m.end() : m.end() + 10] == "::regclass":
            literal = "'" + _QUALIFIER.sub("", literal[1:-1]) + "'"
        out.append(literal)
        pos = m.end()
    out.append(_QUALIFIER.sub("", text[pos:]))
    return "".join(out)


def normalize_type(type_: str) -> str:
    """A type spelling for comparison: unqualified, unquoted where quoting is optional."""
    t = _strip_qualifiers(type_.strip())
    # `character varying` without a length equals `varchar`; format_type prints the former.
    t = re.sub(r"\bvarchar\b", "character varying", t)
    t = re.sub(r"\btimestamptz\b", "timestamp with time zone", t)
    t = re.sub(r"\bint4\b", "integer", t)
    t = re.sub(r"\bint8\b", "bigint", t)
    t = re.sub(r"\bfloat8\b", "double precision", t)
    return t


# Casts that PostgreSQL adds to a literal default of the column's own type, which a
# hand-written or Prisma-generated default omits: `'x'::text`, `'{}'::jsonb`, `0::bigint`.
_TRIVIAL_CAST = re.compile(
    r"::(?:text|character varying|jsonb|json|bigint|integer|numeric|double precision|"
    r"boolean|bytea|timestamp\(\d\) without time zone|timestamp without time zone|"
    r"timestamp\(\d\) with time zone|date|uuid|text\[\]|integer\[\])$"
)


def normalize_default(default: str | None) -> str | None:
    """A default expression for comparison, with equivalent spellings folded together."""
    if default is None:
        return None
    d = _strip_qualifiers(default.strip())
    while d.startswith("(") and d.endswith(")") and _balanced(d[1:-1]):
        d = d[1:-1].strip()
    # Prisma's now() is stored as CURRENT_TIMESTAMP; both mean transaction start time.
    if d.lower() in {"now()", "current_timestamp", "transaction_timestamp()"}:
        return "CURRENT_TIMESTAMP"
    d = _utc_timestamptz(d)
    d = _TRIVIAL_CAST.sub("", d)
    # An enum literal: 'A'::"Role" and 'A'::Role differ only in optional quoting.
    d = re.sub(r'::"([a-z_][a-z0-9_$]*)"$', r"::\1", d)
    if re.fullmatch(r"'-?\d+(\.\d+)?'", d):
        d = d[1:-1]
    return d


# A timestamptz constant as ruleutils.c prints it: in the session's TimeZone, so the same
# instant reads '2024-01-01 05:30:00+05:30' on a server in Asia/Kolkata and
# '2024-01-01 00:00:00+00' in UTC (Prisma's DDL writes UTC literals).
_TIMESTAMPTZ_LITERAL = re.compile(
    r"'(?P<value>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d(?::\d\d){0,2})'"
    r"(?P<cast>::timestamp(?:\(\d\))? with time zone)$"
)


def _utc_timestamptz(default: str) -> str:
    m = _TIMESTAMPTZ_LITERAL.fullmatch(default)
    if m is None:
        return default
    try:
        instant = datetime.fromisoformat(m["value"]).astimezone(UTC)
    except ValueError:
        return default
    return f"'{instant.isoformat(sep=' ')}'{m['cast']}"


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
