"""Column defaults compared the way Prisma's differ compares them.

The database side is read as the schema describer reads ``pg_get_expr`` (sql-schema-describer
postgres/default.rs get_default_value, by the column's type family); the expected side is the
same text, except that dbgenerated() and autoincrement() are known for what they are. The
comparison is sql_schema_differ/column.rs defaults_match, arm for arm.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

Kind = Literal["none", "value", "now", "sequence", "dbgenerated", "any"]
# Trailing casts: ::text, ::auth."Status"[], ::character varying(255), ::timestamp(3) without
# time zone. A bracket is only ever the [] of an array type, never the end of ARRAY[...].
_CAST = re.compile(r"^(?P<body>.*?)(?:::(?:[\w\" .]|\(\d+(?:,\s*\d+)?\))+(?:\[\])*)+$", re.DOTALL)
_NEXTVAL = re.compile(r"^nextval\(\(?'(?P<seq>[^']+)'(?:::text\))?::regclass\)$", re.IGNORECASE)
_NOW = re.compile(r"^(?:now\(\)|current_timestamp)(?:::[\w\" .()]+)?$", re.IGNORECASE)
_STRING = re.compile(r"^[Ee]?'((?:[^']|'')*)'$", re.DOTALL)


@dataclass(frozen=True)
class Parsed:
    """One side's default, as the differ sees it."""

    kind: Kind
    value: object = None  # Decimal, str, bool, bytes hex, list, JSON object
    text: str = ""


def family(scalar: str, column_type: str) -> str:
    """The describer's type family for a column (String, Int, Float, DateTime, Uuid, ...)."""
    base = column_type.removesuffix("[]").split("(")[0].strip()
    if scalar == "Unsupported":
        return "Unsupported"
    if base == "uuid":
        return "Uuid"  # a literal default on a uuid column is DbGenerated to the describer
    return {"BigInt": "Int", "Decimal": "Float"}.get(scalar, scalar)


def parse(text: str | None, fam: str, is_list: bool) -> Parsed:
    """The database's printed default as the describer reads it. An expression it cannot read
    as a value is DbGenerated with the text as printed, parentheses and all (postgres/default.rs
    get_default_value: ``DefaultValue::db_generated(default_string)``)."""
    if text is None:
        return Parsed("none")
    found = _parse(text, fam, is_list)
    return Parsed("dbgenerated", text=text) if found.kind == "dbgenerated" else found


def _parse(text: str, fam: str, is_list: bool) -> Parsed:
    raw = text.strip()
    while raw.startswith("(") and raw.endswith(")") and _balanced(raw[1:-1]):
        raw = raw[1:-1].strip()
    if raw.upper().startswith("NULL"):
        return Parsed("none")
    if _NEXTVAL.match(raw):
        return Parsed("sequence", text=raw)
    if is_list:
        items = _list_items(raw)
        if items is None:
            return Parsed("dbgenerated", text=raw)
        values = [_scalar(i, fam) for i in items]
        if any(v.kind != "value" for v in values):
            return Parsed("dbgenerated", text=raw)
        return Parsed("value", [v.value for v in values])
    if fam == "DateTime" and _NOW.match(raw):
        return Parsed("now")
    return _scalar(raw, fam)


def _scalar(raw: str, fam: str) -> Parsed:
    body = _strip_casts(raw)
    if fam in ("Int", "Float"):
        quoted = _STRING.match(body)
        number = quoted.group(1) if quoted else body
        try:
            return Parsed("value", Decimal(number))
        except InvalidOperation:
            return Parsed("dbgenerated", text=raw)
    if fam == "Boolean":
        low = body.strip("'").lower()
        if low in ("t", "true", "f", "false"):
            return Parsed("value", low in ("t", "true"))
        return Parsed("dbgenerated", text=raw)
    quoted = _STRING.match(body)
    if fam in ("String", "Json", "Enum", "Bytes") and quoted is not None:
        value = quoted.group(1).replace("''", "'")
        if body[0] in "Ee":
            value = value.encode("latin-1", "backslashreplace").decode("unicode_escape")
        return Parsed("value", value)
    if fam == "Enum" and re.fullmatch(r"\w+", body):
        return Parsed("value", body)
    return Parsed("dbgenerated", text=raw)


def _strip_casts(raw: str) -> str:
    match = _CAST.match(raw)
    body = match.group("body") if match else raw
    while body.startswith("(") and body.endswith(")") and _balanced(body[1:-1]):
        body = body[1:-1].strip()
    return body


def _list_items(raw: str) -> list[str] | None:
    body = _strip_casts(raw)
    if body.upper().startswith("ARRAY[") and body.endswith("]"):
        inner = body[6:-1].strip()
        return _split_top(inner) if inner else []
    quoted = _STRING.match(body)
    if quoted is not None:
        text = quoted.group(1).replace("''", "'")
        if text.startswith("{") and text.endswith("}"):
            inner = text[1:-1]
            if not inner:
                return []
            items = _split_top(inner)
            return ["'" + i.strip('"').replace("'", "''") + "'" if i else i for i in items]
    return None


def _split_top(text: str) -> list[str]:
    out, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            cur.append(ch)
        elif ch in "([":
            depth += 1
            cur.append(ch)
        elif ch in ")]":
            depth -= 1
            cur.append(ch)
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out


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


def defaults_match(expected: Parsed, actual: Parsed, fam: str) -> bool:
    """sql_schema_differ/column.rs defaults_match: the database (prev) against Prisma (next)."""
    prev, nxt = actual, expected
    if nxt.kind == "any":
        return True  # a bare dbgenerated(): Prisma knows a default exists, not which
    if fam == "DateTime" and nxt.kind == "value":
        return prev.kind != "none"  # a DateTime literal equals any default the database has
    if nxt.kind == "sequence":
        return True  # autoincrement is compared apart (column_autoincrement_changed)
    if prev.kind == "sequence":
        return nxt.kind == "none"  # "sequences are dropped separately"
    if prev.kind != nxt.kind:
        return False
    if prev.kind == "value":
        return _values_equal(prev.value, nxt.value, fam)
    if prev.kind == "dbgenerated":
        # column.rs: `prev.eq_ignore_ascii_case(next)`, NOW() and now() alike.
        return _ascii_lower(prev.text) == _ascii_lower(nxt.text)
    return True  # none/none, now/now


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _values_equal(a: object, b: object, fam: str) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return all(_values_equal(x, y, fam) for x, y in zip(a, b, strict=True))
    if fam == "Json" and isinstance(a, str) and isinstance(b, str):
        try:
            return bool(_serde_json(a) == _serde_json(b))
        except ValueError:
            return True  # the differ treats JSON it cannot parse as equal
    if fam == "DateTime":
        return True
    return a == b


def _serde_int(text: str) -> tuple[str, int | float]:
    # serde_json's parser: an integer is a u64 or an i64 (equal only to an integer), one past
    # their range is an f64, and "-0" is the f64 -0.0 (de.rs parse_number).
    value = int(text)
    if text.startswith("-") and value == 0:
        return ("f", -0.0)
    if -(2**63) <= value < 2**64:
        return ("i", value)
    return ("f", float(value))


def _serde_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _serde_json(text: str) -> object:
    """JSON as serde_json's Value compares it (sql_schema_differ column.rs: Json defaults are
    equal when their Values are): an integer never equals a float, so the 1e2 that jsonb
    prints as 100 is another value to Prisma."""
    return json.loads(
        text,
        parse_int=_serde_int,
        parse_float=lambda t: ("f", float(t)),
        parse_constant=_serde_constant,
    )


def autoincrement_changed(expected: Parsed, actual: Parsed, actual_identity: bool) -> bool:
    """Prisma compares autoincrement as a flag: serial, identity and any nextval() are one."""
    return (expected.kind == "sequence") != (actual.kind == "sequence" or actual_identity)
