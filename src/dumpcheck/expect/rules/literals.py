"""Literal defaults in both spellings: Prisma's DDL and what pg_get_expr() prints back.

Prisma writes the DDL (prisma-engines schema-engine/connectors/sql-schema-connector/src/
sql_renderer/postgres_renderer.rs, render_default); PostgreSQL parses it, coerces it to the
column type (cookDefault) and prints it with ruleutils.c get_const_expr/get_coercion_expr,
under search_path = '' (catalog.py). Both spellings are derived here from the same value.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_INT4 = (-(2**31), 2**31 - 1)
_INT8 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class ColumnType:
    """A column's type: canonical (format_type) and DDL spellings of the element type."""

    canonical: str  # element type, e.g. "timestamp(3) without time zone", public."Role"
    ddl: str  # e.g. "TIMESTAMP(3)", "\"Role\""
    scalar: str  # the Prisma scalar (String, Int, ... or "Enum")
    is_list: bool = False

    @property
    def base(self) -> str:
        """The element type without its typmod, as format_type(oid, NULL) prints it."""
        if self.canonical.startswith("character(") or self.canonical == "character":
            return "bpchar"
        if re.fullmatch(r"bit(\(\d+\))?", self.canonical):
            return '"bit"'
        return re.sub(r"\(\d+(,\d+)?\)", "", self.canonical)

    @property
    def has_typmod(self) -> bool:
        """Whether the element type carries a typmod (numeric(65,30), varchar(5), ...)."""
        return "(" in self.canonical


def sql_string(text: str) -> str:
    """A standard_conforming_strings SQL literal: quotes doubled, backslashes as they are."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Literal:
    """One default value in both spellings, before it meets the column type."""

    ddl: str  # as Prisma writes it
    kind: str  # "string" (an unknown-typed literal), "number", "bool"
    text: str  # the constant's output text, as the type's output function prints it


def number_literal(text: str) -> Literal:
    """A number as Prisma writes it; ``text`` is what the constant prints as."""
    return Literal(text, "number", text)


def _number_const(text: str, showtype: int) -> tuple[str, str]:
    """(printed const, its type) for a numeric literal (ruleutils.c get_const_expr).

    int4 prints bare unless negative; a float-looking numeric prints bare unless negative;
    everything else is quoted, with a ``::type`` label unless ``showtype`` < 0.
    """
    if re.fullmatch(r"-?\d+", text):
        value = int(text)
        if _INT4[0] <= value <= _INT4[1]:
            const_type, bare = "integer", value >= 0
        else:
            const_type, bare = ("bigint" if _INT8[0] <= value <= _INT8[1] else "numeric"), False
        out = str(value)  # the scanner reads the integer: 007 prints as 7
    else:
        out = format(Decimal(text), "f") if "e" in text.lower() else text
        const_type, bare = "numeric", not out.startswith("-")
    if bare:
        return out, const_type
    return (f"'{out}'" if showtype < 0 else f"'{out}'::{const_type}"), const_type


def printed_scalar(lit: Literal, col: ColumnType) -> str:
    """A scalar column default as pg_get_expr prints it (implicit coercions stay hidden)."""
    if lit.kind == "bool":
        return lit.text
    if lit.kind == "number":
        return _number_const(lit.text, 0)[0]
    return f"{sql_string(lit.text)}::{col.base}"


def printed_element(lit: Literal, col: ColumnType) -> str:
    """An ARRAY[...] element: explicitly coerced to the element type (get_coercion_expr)."""
    if lit.kind == "bool":
        return lit.text
    if lit.kind == "string":
        if col.has_typmod:
            return f"{sql_string(lit.text)}::{col.canonical}"
        return f"{sql_string(lit.text)}::{col.base}"
    printed, const_type = _number_const(lit.text, 0)
    if const_type == col.base and not col.has_typmod:
        return printed
    if const_type == col.base:
        return f"{_number_const(lit.text, -1)[0]}::{col.canonical}"
    return f"({printed})::{col.canonical}"


def printed_array(items: list[Literal], col: ColumnType) -> str:
    """``ARRAY[...]`` as pg_get_expr prints a list default."""
    if not items:
        if col.has_typmod:
            # The empty array takes the cast's type without its modifier, then a length
            # coercion applies it: (ARRAY[]::character varying[])::character varying(19)[].
            return f"(ARRAY[]::{col.base}[])::{col.canonical}[]"
        return f"ARRAY[]::{col.canonical}[]"
    return "ARRAY[" + ", ".join(printed_element(i, col) for i in items) + "]"


def ddl_array(items: list[Literal], col: ColumnType) -> str:
    """A list default as Prisma writes it: ``ARRAY[...]::TYPE[]``."""
    return "ARRAY[" + ", ".join(i.ddl for i in items) + f"]::{col.ddl}[]"


def rust_float(value: float) -> str:
    """An f64 as Rust's Display prints it (no exponent; integral values without '.0')."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def inet_output(text: str) -> str:
    """What inet_out prints (network.c, inet_net_ntop): IPv6 in lower case with its longest
    run of zero groups as ``::``, an IPv4-mapped or -compatible address with its IPv4 part
    dotted, and no ``/bits`` when they are the whole address. Text PostgreSQL may read
    otherwise, or refuse, is kept as it is."""
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError:
        return text
    address, bits = iface.ip, iface.network.prefixlen
    shown = str(address)
    if isinstance(address, ipaddress.IPv6Address):
        packed = address.packed
        if address.ipv4_mapped is not None:
            shown = f"::ffff:{address.ipv4_mapped}"
        elif packed[:12] == bytes(12) and packed[12:14] != bytes(2):
            shown = f"::{ipaddress.IPv4Address(packed[12:])}"
    return shown if bits == address.max_prefixlen else f"{shown}/{bits}"


def bytes_hex(text: str) -> str:
    """Base64 (Prisma's Bytes literal) to bytea hex output ``\\x0102``."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not valid base64: {exc}") from exc
    return "\\x" + raw.hex()


class _RawNumber(str):
    """A JSON number kept as its text, so jsonb normalisation keeps the digits."""


def _jsonb_key(key: str) -> tuple[int, bytes]:
    # jsonb orders object keys by length, then bytewise (jsonb_util.c lengthCompareJsonbString).
    raw = key.encode("utf-8")
    return len(raw), raw


def _jsonb_text(value: object) -> str:
    if isinstance(value, _RawNumber):
        # jsonb keeps a number as numeric: numeric.c set_var_from_str takes the fraction's
        # digits less the exponent as the scale (at least 0), and zero has no sign; numeric_out
        # prints it so: 1e2 is 100, 1.50e-1 is 0.150, -0 is 0.
        number = Decimal(value)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)  # JSON has no NaN or Infinity
        text = format(number, f".{max(0, -exponent)}f")
        return text[1:] if number.is_zero() and text.startswith("-") else text
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: _jsonb_key(kv[0]))
        inner = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)}: {_jsonb_text(v)}" for k, v in items
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def jsonb_output(text: str) -> str:
    """The text jsonb_out prints for ``text``; ValueError when it is not JSON."""
    try:
        value = json.loads(text, parse_int=_RawNumber, parse_float=_RawNumber)
    except (json.JSONDecodeError, InvalidOperation) as exc:
        raise ValueError(f"not valid JSON: {exc.args[0]}") from exc
    return _jsonb_text(value)
