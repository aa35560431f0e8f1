"""Column types: Prisma scalars and ``@db.*`` native types, in format_type() spelling.

Source: prisma-engines psl/psl-core/src/builtin_connectors/postgres_datamodel_connector.rs
(default native type per scalar) and .../postgres_datamodel_connector/native_types.rs.
"""

from __future__ import annotations

from dataclasses import dataclass

from dumpcheck.catalog import quote_ident
from dumpcheck.expect.psl.schema import EnumDef, ScalarField
from dumpcheck.expect.rules.literals import ColumnType
from dumpcheck.expect.rules.names import pg_ident

# Scalar -> (format_type spelling, DDL spelling in Prisma's migration SQL).
SCALARS: dict[str, tuple[str, str]] = {
    "String": ("text", "TEXT"),
    "Int": ("integer", "INTEGER"),
    "BigInt": ("bigint", "BIGINT"),
    "Float": ("double precision", "DOUBLE PRECISION"),
    "Decimal": ("numeric(65,30)", "DECIMAL(65,30)"),
    "Boolean": ("boolean", "BOOLEAN"),
    "DateTime": ("timestamp(3) without time zone", "TIMESTAMP(3)"),
    "Json": ("jsonb", "JSONB"),
    "Bytes": ("bytea", "BYTEA"),
}


@dataclass(frozen=True)
class NativeType:
    """One ``@db.X`` type: how many arguments it takes and how both spellings look."""

    canonical: str  # format_type() spelling; "{}" takes the argument list
    ddl: str  # Prisma's DDL spelling
    max_args: int = 0
    default_args: tuple[int, ...] = ()  # what PostgreSQL assumes when none are given


# native_types.rs: PostgresType. Precision-taking time types print their precision always,
# as Prisma writes it out (TIMESTAMP(3)); Postgres's own default (6) prints without one.
NATIVE: dict[str, NativeType] = {
    "SmallInt": NativeType("smallint", "SMALLINT"),
    "Integer": NativeType("integer", "INTEGER"),
    "BigInt": NativeType("bigint", "BIGINT"),
    "Decimal": NativeType("numeric{}", "DECIMAL{}", 2),
    "Money": NativeType("money", "MONEY"),
    "Inet": NativeType("inet", "INET"),
    "Oid": NativeType("oid", "OID"),
    "Citext": NativeType("public.citext", "CITEXT"),
    "Real": NativeType("real", "REAL"),
    "DoublePrecision": NativeType("double precision", "DOUBLE PRECISION"),
    "VarChar": NativeType("character varying{}", "VARCHAR{}", 1),
    "Char": NativeType("character{}", "CHAR{}", 1, (1,)),
    "Text": NativeType("text", "TEXT"),
    "ByteA": NativeType("bytea", "BYTEA"),
    "Timestamp": NativeType("timestamp{} without time zone", "TIMESTAMP{}", 1),
    "Timestamptz": NativeType("timestamp{} with time zone", "TIMESTAMPTZ{}", 1),
    "Date": NativeType("date", "DATE"),
    "Time": NativeType("time{} without time zone", "TIME{}", 1),
    "Timetz": NativeType("time{} with time zone", "TIMETZ{}", 1),
    "Boolean": NativeType("boolean", "BOOLEAN"),
    "Bit": NativeType("bit{}", "BIT{}", 1, (1,)),
    "VarBit": NativeType("bit varying{}", "VARBIT{}", 1),
    "Uuid": NativeType("uuid", "UUID"),
    "Xml": NativeType("xml", "XML"),
    "Json": NativeType("json", "JSON"),
    "JsonB": NativeType("jsonb", "JSONB"),
}


def native_type(name: str, args: tuple[int, ...]) -> tuple[str, str]:
    """(canonical, ddl) for ``@db.<name>(args)``; KeyError/ValueError when it is not valid."""
    spec = NATIVE[name]
    if len(args) > spec.max_args:
        raise ValueError(f"@db.{name} takes at most {spec.max_args} argument(s)")
    written = f"({','.join(str(a) for a in args)})" if args else ""
    # CHAR and BIT without a length mean length 1 (PostgreSQL datatype docs), which
    # format_type() prints; Prisma writes them bare.
    used = args or spec.default_args
    shown = f"({','.join(str(a) for a in used)})" if used else ""
    return spec.canonical.format(shown), spec.ddl.format(written)


def unsupported_type(text: str) -> str:
    """``Unsupported("...")``: the type as written, lower-cased when it is a plain name."""
    stripped = text.strip()
    return stripped.lower() if stripped.replace("_", "").isalnum() else stripped


def column_type(fld: ScalarField, enum: EnumDef | None, default_schema: str) -> ColumnType:
    """The element type of a scalar, enum or Unsupported field, in both spellings."""
    is_list = fld.arity == "list"
    if fld.unsupported is not None:
        return ColumnType(
            unsupported_type(fld.unsupported), fld.unsupported, "Unsupported", is_list
        )
    if enum is not None:
        # Prisma qualifies a type outside the connection's schema (postgres_renderer.rs).
        ddl = f'"{enum.db_name}"'
        if enum.schema != default_schema:
            ddl = f'"{enum.schema}"."{enum.db_name}"'
        # The catalog holds the name as PostgreSQL stores it, cut to 63 bytes.
        canonical = f"{quote_ident(enum.schema)}.{quote_ident(pg_ident(enum.db_name))}"
        return ColumnType(canonical, ddl, "Enum", is_list)
    canonical, ddl = SCALARS[fld.type]
    if fld.native is not None:
        canonical, ddl = native_type(fld.native.name, fld.native.args)
    return ColumnType(canonical, ddl, fld.type, is_list)
