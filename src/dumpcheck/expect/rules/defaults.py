"""Column defaults: what ``@default(...)`` puts in the database, in both spellings.

sql_schema_calculator.rs: only literals, ``now()``, ``dbgenerated("...")`` and
``autoincrement()`` reach the database; ``uuid()``, ``cuid()``, ``nanoid()`` and ``ulid()`` are
computed by the client. The DDL is postgres_renderer.rs render_default; the printed form is
what PostgreSQL stores and pg_get_expr() prints (rules/literals.py).
"""

from __future__ import annotations

import uuid
from typing import cast

from dumpcheck.expect.psl.ast import Array, Ident, Num, Str, Value
from dumpcheck.expect.psl.moments import chrono_text, rfc3339
from dumpcheck.expect.psl.numbers import rust_decimal
from dumpcheck.expect.psl.schema import Default, EnumDef
from dumpcheck.expect.rules.literals import (
    ColumnType,
    Literal,
    bytes_hex,
    ddl_array,
    inet_output,
    jsonb_output,
    number_literal,
    printed_array,
    printed_scalar,
    sql_string,
)
from dumpcheck.expect.rules.moments import stored_moment


def column_default(
    default: Default, ctype: ColumnType, enum: EnumDef | None
) -> tuple[str, str] | None:
    """(pg_get_expr spelling, Prisma's DDL) of a default; None when the database gets none.

    ``autoincrement()`` is not handled here: it makes a serial column (rules/columns.py).
    """
    if default.kind == "now":
        return "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"
    if default.kind == "dbgenerated":
        # Written verbatim; PostgreSQL may re-spell it when it stores it (compare knows).
        expr = default.expression
        return (expr, expr) if expr else None
    if default.kind != "value" or default.value is None:
        return None
    value = default.value
    if ctype.is_list:
        assert isinstance(value, Array)
        items = [_literal(v, ctype, enum) for v in value.items]
        return printed_array(items, ctype), ddl_array(items, ctype)
    lit = _literal(value, ctype, enum)
    return printed_scalar(lit, ctype), lit.ddl


def _literal(value: Value, ctype: ColumnType, enum: EnumDef | None) -> Literal:
    scalar = ctype.scalar
    if enum is not None:
        assert isinstance(value, Ident)
        label = dict(enum.values)[value.name]
        return Literal(sql_string(label), "string", label)
    if scalar == "Boolean":
        assert isinstance(value, Ident)
        return Literal(value.name, "bool", value.name)
    if scalar in ("Int", "BigInt"):
        assert isinstance(value, Num)
        return number_literal(str(int(value.text)))
    if scalar == "Decimal":
        # Read and printed by Rust's bigdecimal, number or string: 10.0 stays 10.0, ".01" is
        # 0.01, "1e2" is 100; PostgreSQL keeps that constant under the cast to the column type.
        text = rust_decimal(value.text if isinstance(value, Num) else cast(Str, value).value)
        assert text is not None  # refused when the schema was read (psl/defaults.py)
        return number_literal(text)
    if isinstance(value, Num):
        # Float: parser-database keeps it as a BigDecimal too (PrismaValue::Float), so it is
        # printed as Decimal is: "007.5" is 7.5, "-0.0" is 0.0, "1.50" stays 1.50.
        text = rust_decimal(value.text)
        assert text is not None  # the grammar reads only digits, a sign and a point here
        return number_literal(text)
    assert isinstance(value, Str)
    return _string_literal(value.value, ctype)


def _string_literal(text: str, ctype: ColumnType) -> Literal:
    if ctype.scalar == "DateTime":
        moment = rfc3339(text)
        assert moment is not None  # refused when the schema was read (psl/defaults.py)
        return Literal(
            sql_string(chrono_text(moment)), "string", stored_moment(moment, ctype.canonical)
        )
    if ctype.scalar == "Bytes":
        hexed = bytes_hex(text)
        return Literal(sql_string(hexed), "string", hexed)
    if ctype.scalar == "Json" and ctype.canonical == "jsonb":
        return Literal(sql_string(text), "string", jsonb_output(text))
    if ctype.canonical == "inet":
        return Literal(sql_string(text), "string", inet_output(text))
    if ctype.canonical == "uuid":
        # uuid_out prints the canonical form: lower case, hyphenated (uuid.c); uuid_in also
        # takes upper case, braces and no hyphens. Text PostgreSQL refuses is kept as it is.
        try:
            return Literal(sql_string(text), "string", str(uuid.UUID(text)))
        except ValueError:
            pass
    return Literal(sql_string(text), "string", text)
