"""Columns: each scalar field of a model becomes one, in field order.

sql_schema_calculator.rs (push_column_for_scalar_field): lists are nullable arrays whatever
the field says, an ``autoincrement()`` Int or BigInt is a SERIAL or BIGSERIAL (PostgreSQL
then owns a sequence ``<table>_<column>_seq``), and a key column is NOT NULL.
"""

from __future__ import annotations

from dataclasses import dataclass

from dumpcheck.catalog import Column, QualifiedName, Sequence, quote_ident
from dumpcheck.expect.model import ColumnOrigin
from dumpcheck.expect.psl.ast import Str
from dumpcheck.expect.psl.schema import EnumDef, Model, ScalarField
from dumpcheck.expect.rules.defaults import column_default
from dumpcheck.expect.rules.names import pg_ident, serial_sequence_name
from dumpcheck.expect.rules.types import column_type

_SERIAL = {"integer": "SERIAL", "bigint": "BIGSERIAL", "smallint": "SMALLSERIAL"}


@dataclass(frozen=True)
class ModelColumns:
    """A model's columns with the DDL spellings render_sql needs, and its serial sequences."""

    columns: tuple[Column, ...]
    ddl: dict[str, tuple[str, str | None]]  # column -> (DDL type, DDL default)
    sequences: tuple[Sequence, ...]
    origins: dict[str, ColumnOrigin]


def model_columns(model: Model, enums: dict[str, EnumDef], default_schema: str) -> ModelColumns:
    """Every scalar field of ``model`` as a column of its table."""
    table = pg_ident(model.db_name)
    key_columns = {f.column for f in model.primary_key.fields} if model.primary_key else set()
    columns: list[Column] = []
    ddl: dict[str, tuple[str, str | None]] = {}
    sequences: list[Sequence] = []
    origins: dict[str, ColumnOrigin] = {}
    for fld in model.scalars:
        name = pg_ident(fld.column)
        ctype = column_type(fld, enums.get(fld.type) if fld.is_enum else None, default_schema)
        type_text = ctype.canonical + ("[]" if ctype.is_list else "")
        ddl_type = ctype.ddl + ("[]" if ctype.is_list else "")
        nullable = fld.arity != "required" and fld.column not in key_columns
        default = ddl_default = None
        default_kind = _default_kind(fld)
        if default_kind == "autoincrement" and ctype.canonical not in _SERIAL:
            # sql-schema-connector renders a serial only for the three integer types; an
            # autoincrement() on @db.Oid gets a plain OID column with no default.
            default_kind = None
        elif fld.default is not None and fld.default.kind == "autoincrement":
            seq = serial_sequence_name(table, name)
            sequences.append(
                Sequence(
                    model.schema, seq, (QualifiedName(model.schema, table), name), ctype.canonical
                )
            )
            default = f"nextval('{quote_ident(model.schema)}.{quote_ident(seq)}'::regclass)"
            ddl_type = _SERIAL[ctype.canonical]
        elif fld.default is not None:
            pair = column_default(fld.default, ctype, enums.get(fld.type) if fld.is_enum else None)
            if pair is not None:
                default, ddl_default = pair
        columns.append(Column(name, type_text, nullable, default))
        ddl[name] = (ddl_type, ddl_default)
        written = fld.default.value if fld.default is not None else None
        json_text = (
            written.value
            if fld.type == "Json" and not ctype.is_list and isinstance(written, Str)
            else None
        )
        origins[name] = ColumnOrigin("Enum" if fld.is_enum else fld.type, default_kind, json_text)
    return ModelColumns(tuple(columns), ddl, tuple(sequences), origins)


def _default_kind(fld: ScalarField) -> str | None:
    default = fld.default
    if default is None or default.kind == "client":
        return None
    if default.kind == "dbgenerated":
        return "dbgenerated" if default.expression else "dbgenerated_any"
    return default.kind
