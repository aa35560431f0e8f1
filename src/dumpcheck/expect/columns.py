"""Each scalar field as a column: type, nullability, default (both spellings), sequence."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from dumpcheck.catalog import Column, Sequence, quote_ident
from dumpcheck.expect.ast import Array, Call, Field, Ident, Num, SchemaAst, Str, Value
from dumpcheck.expect.build import TableDraft
from dumpcheck.expect.datasource import fail
from dumpcheck.expect.defaults import (
    ColumnType,
    Literal,
    bytes_hex,
    datetime_ddl,
    datetime_literal,
    datetime_output,
    ddl_array,
    jsonb_output,
    number_literal,
    printed_array,
    printed_scalar,
    rust_float,
    sql_string,
)
from dumpcheck.expect.names import serial_sequence_name
from dumpcheck.expect.symbols import Symbols

# Functions whose value the Prisma client computes: no database default
# (sql_schema_calculator.rs: only now(), autoincrement() and dbgenerated() reach the database).
_CLIENT_SIDE = frozenset({"uuid", "cuid", "nanoid", "ulid"})
_SERIAL = {"integer": ("SERIAL", "integer"), "bigint": ("BIGSERIAL", "bigint")}
_SERIAL["smallint"] = ("SMALLSERIAL", "smallint")


def add_columns(
    ast: SchemaAst, symbols: Symbols, draft: TableDraft, fields: list[tuple[Field, ColumnType]]
) -> None:
    """Append one Column per scalar field (with sequences for autoincrement())."""
    model = draft.model
    for fld, ctype in fields:
        assert fld.type is not None
        name = model.columns[fld.name]
        nullable = fld.type.optional or fld.type.is_list
        type_text = ctype.canonical + ("[]" if ctype.is_list else "")
        ddl_type = ctype.ddl + ("[]" if ctype.is_list else "")
        default: str | None = None
        attr = fld.attribute("default")
        if attr is not None:
            arg = attr.arg("value")
            if arg is None:
                raise fail(ast, attr.pos, "@default needs a value")
            if isinstance(arg.value, Call) and arg.value.name == "autoincrement":
                serial = _SERIAL.get(ctype.canonical)
                if serial is None or ctype.is_list:
                    raise fail(ast, arg.pos, "autoincrement() needs an Int or BigInt field")
                seq = serial_sequence_name(model.table, name)
                draft.sequences.append(Sequence(model.schema, seq, (model.key, name), serial[1]))
                default = f"nextval('{quote_ident(model.schema)}.{quote_ident(seq)}'::regclass)"
                ddl_type = serial[0]
            else:
                pair = _default(ast, symbols, arg.value, ctype, fld)
                if pair is not None:
                    default, draft.ddl_defaults[name] = pair
        draft.columns.append(Column(name, type_text, nullable, default))
        draft.ddl_types[name] = ddl_type


def _default(
    ast: SchemaAst, symbols: Symbols, value: Value, ctype: ColumnType, fld: Field
) -> tuple[str, str] | None:
    """(canonical, DDL) for a default value; None when the database gets no default."""
    if isinstance(value, Call):
        if value.name in _CLIENT_SIDE:
            return None
        if value.name == "now":
            return "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"
        if value.name == "dbgenerated":
            # The expression is written verbatim; pg_get_expr may re-spell it (dbgenerated()
            # with no argument means "a default exists, Prisma does not know it").
            if not value.args:
                return None
            inner = value.args[0].value
            if not isinstance(inner, Str):
                raise fail(ast, inner.pos, "dbgenerated() takes a string")
            return (inner.value, inner.value) if inner.value else None
        if value.name in ("sequence", "auto"):
            raise fail(ast, value.pos, f"{value.name}() is not available on postgresql")
        raise fail(ast, value.pos, f"unknown default function {value.name}()")
    if ctype.is_list:
        if not isinstance(value, Array):
            raise fail(ast, value.pos, f"the default of list field {fld.name!r} must be a list")
        items = [_literal(ast, symbols, v, ctype) for v in value.items]
        return printed_array(items, ctype), ddl_array(items, ctype)
    lit = _literal(ast, symbols, value, ctype)
    return printed_scalar(lit, ctype), lit.ddl


def _literal(ast: SchemaAst, symbols: Symbols, value: Value, ctype: ColumnType) -> Literal:
    scalar = ctype.scalar
    try:
        if scalar == "Enum":
            if not isinstance(value, Ident):
                raise ValueError("an enum default must be one of its values")
            enum = next(e for e in symbols.enums.values() if e.type_name == ctype.canonical)
            if value.name not in enum.labels:
                raise ValueError(f"{value.name!r} is not a value of enum {enum.name}")
            label = enum.labels[value.name]
            return Literal(sql_string(label), "string", label)
        if scalar == "Boolean":
            if not isinstance(value, Ident) or value.name not in ("true", "false"):
                raise ValueError("a Boolean default must be true or false")
            return Literal(value.name, "bool", value.name)
        if scalar in ("Int", "BigInt"):
            if not isinstance(value, Num) or not value.text.lstrip("-").isdigit():
                raise ValueError(f"an {scalar} default must be a whole number")
            return number_literal(str(int(value.text)))
        if scalar in ("Float", "Decimal"):
            text = value.value if isinstance(value, Str) and scalar == "Decimal" else None
            if isinstance(value, Num):
                text = value.text
            if text is None:
                raise ValueError(f"a {scalar} default must be a number")
            if not Decimal(text).is_finite():
                raise ValueError(f"{text!r} is not a finite number")
            shown = rust_float(float(text)) if scalar == "Float" else text
            return number_literal(shown)
        if not isinstance(value, Str):
            raise ValueError(f"a {scalar} default must be a string")
        return _string_literal(value.value, ctype)
    except InvalidOperation:
        raise fail(ast, value.pos, "invalid default: not a number") from None
    except (ValueError, ArithmeticError) as exc:
        raise fail(ast, value.pos, f"invalid default: {exc}") from None


def _string_literal(text: str, ctype: ColumnType) -> Literal:
    if ctype.scalar == "DateTime":
        moment = datetime_literal(text)
        return Literal(
            sql_string(datetime_ddl(moment)), "string", datetime_output(moment, ctype.canonical)
        )
    if ctype.scalar == "Bytes":
        hexed = bytes_hex(text)
        return Literal(sql_string(hexed), "string", hexed)
    if ctype.scalar == "Json" and ctype.canonical == "jsonb":
        return Literal(sql_string(text), "string", jsonb_output(text))
    return Literal(sql_string(text), "string", text)
