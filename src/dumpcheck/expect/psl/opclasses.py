"""Operator classes (``ops:``) and the index types that take them, on PostgreSQL.

The postgres connector's ``OperatorClass`` and ``validations.rs``
(generalized_index_validations): each named class belongs to one index type; ``raw("x")`` is
written verbatim and never checked. A class that is its type's default (pg_opclass.opcdefault)
is one PostgreSQL does not print, so the catalog never spells it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

from dumpcheck.expect.psl.ast import Call, Ident, Pos, Str, Value
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.schema import ScalarField

RAW_PREFIX = "raw:"

# Prisma name -> (PostgreSQL name, index type, is the default class for its type and method).
OPCLASSES: dict[str, tuple[str, str, bool]] = {
    "InetOps": ("inet_ops", "Gist", False),
    "JsonbOps": ("jsonb_ops", "Gin", True),
    "JsonbPathOps": ("jsonb_path_ops", "Gin", False),
    "ArrayOps": ("array_ops", "Gin", True),
    "TextOps": ("text_ops", "SpGist", True),
}
_BRIN_TYPES = {
    "Bit": ("bit", ("MinMax",)),
    "VarBit": ("varbit", ("MinMax",)),
    "Bpchar": ("bpchar", ("Bloom", "MinMax")),
    "Bytea": ("bytea", ("Bloom", "MinMax")),
    "Text": ("text", ("Bloom", "MinMax")),
    "Inet": ("inet", ("Inclusion", "Bloom", "MinMax", "MinMaxMulti")),
}
for _prefix in (
    "Date", "Float4", "Float8", "Int2", "Int4", "Int8", "Numeric", "Oid",
    "Timestamp", "TimestampTz", "Time", "TimeTz", "Uuid",
):  # fmt: skip
    _BRIN_TYPES[_prefix] = (_prefix.lower(), ("Bloom", "MinMax", "MinMaxMulti"))
_VARIANT = {"Bloom": "bloom", "MinMax": "minmax", "MinMaxMulti": "minmax_multi"}
_VARIANT["Inclusion"] = "inclusion"
for _prefix, (_pg, _variants) in _BRIN_TYPES.items():
    for _variant in _variants:
        # BRIN's default class is minmax, except inet's, which is inclusion.
        default = _variant == ("Inclusion" if _prefix == "Inet" else "MinMax")
        OPCLASSES[f"{_prefix}{_variant}Ops"] = (f"{_pg}_{_VARIANT[_variant]}_ops", "Brin", default)
# Prisma name family -> the native types (PSL names) whose BRIN classes they are, and the
# Prisma scalar that takes the family without a native type (validations.rs, Brin arms).
_BRIN_NATIVE = {
    "bit": ("Bit",), "varbit": ("VarBit",), "bpchar": ("Char",), "date": ("Date",),
    "float4": ("Real",), "float8": ("DoublePrecision",), "inet": ("Inet",),
    "int2": ("SmallInt",), "int4": ("Integer",), "int8": ("BigInt",), "numeric": ("Decimal",),
    "oid": ("Oid",), "bytea": ("ByteA",), "text": ("Text", "VarChar"),
    "timestamp": ("Timestamp",), "timestamptz": ("Timestamptz",), "time": ("Time",),
    "timetz": ("Timetz",), "uuid": ("Uuid",),
}  # fmt: skip
_BRIN_ALL = frozenset(n for natives in _BRIN_NATIVE.values() for n in natives)
_BRIN_BARE = {
    "float8": "Float", "int4": "Int", "int8": "BigInt", "numeric": "Decimal", "bytea": "Bytes",
    "text": "String", "timestamp": "DateTime",
}  # fmt: skip
# Which scalars each index type takes at all (parser-database IndexAlgorithm::supports_field_type).
_TAKES = {
    "Gist": {"String"},
    "SpGist": {"String"},
    "Brin": {"String", "Bytes", "DateTime", "Float", "Int", "BigInt", "Decimal"},
}
_DEFAULT_NAMES = {(pg, algorithm) for pg, algorithm, default in OPCLASSES.values() if default}


def opclass_name(sources: Mapping[str, str], value: Value) -> str:
    """The class ``ops:`` names: ``raw:<text>`` for raw("..."), else its Prisma name."""
    if isinstance(value, Call) and value.name == "raw":
        inner = value.args[0].value if len(value.args) == 1 else None
        if not isinstance(inner, Str):
            raise fail(sources, value.pos, 'raw() takes one string: ops: raw("gin_trgm_ops")')
        return RAW_PREFIX + inner.value
    if isinstance(value, Ident) and value.name in OPCLASSES:
        return value.name
    shown = getattr(value, "name", "?")
    raise fail(
        sources, value.pos, f"Unexpected token. Expected one of: Invalid operator class: {shown}"
    )


def pg_opclass(ops: str | None, method: str) -> str | None:
    """The class as the catalog spells an index key's opclass: None when it is the default."""
    if ops is None:
        return None
    if ops.startswith(RAW_PREFIX):
        name = ops[len(RAW_PREFIX) :]
        return None if (name, _ALGORITHM_OF.get(method, "")) in _DEFAULT_NAMES else name
    pg, _, default = OPCLASSES[ops]
    return None if default else pg


_ALGORITHM_OF = {"gin": "Gin", "gist": "Gist", "spgist": "SpGist", "brin": "Brin"}


def check_opclass(
    sources: Mapping[str, str], pos: Pos, algorithm: str, fld: ScalarField, ops: str | None
) -> None:
    """The index type takes this field (and its class): validations.rs
    generalized_index_validations, arm for arm. Only an explicit @db type counts as the field's
    native type (native_type_instance), and raw() classes are never checked."""
    if ops is not None and ops.startswith(RAW_PREFIX):
        return

    def error(message: str) -> NoReturn:
        raise fail(sources, pos, message)

    if ops is not None and OPCLASSES[ops][1] != algorithm:
        error(
            f"The given operator class `{ops}` is not supported with the `{algorithm}` index type."
        )
    native = fld.native.name if fld.native is not None else None
    scalar = "Enum" if fld.is_enum else fld.type
    is_list = fld.arity == "list"

    def mismatch() -> None:  # err_f
        if native is not None and ops is not None:
            error(
                f"The given operator class `{ops}` does not support native type `{native}` of "
                f"field `{fld.name}`."
            )
        if native is not None:
            error(f"The {algorithm} index field type `{native}` has no default operator class.")
        if ops is not None:
            error(
                f"The given operator class `{ops}` expects the field `{fld.name}` to define a "
                "valid native type."
            )
        takes = scalar == "Unsupported" or algorithm in ("BTree", "Hash")
        takes |= scalar in _TAKES.get(algorithm, set())
        takes |= algorithm == "Gin" and (scalar == "Json" or is_list)
        if not takes:
            error(
                f"The {algorithm} index type does not support the type of the field `{fld.name}`."
            )

    def not_of(kind: str) -> NoReturn:
        error(
            f"The given operator class `{ops}` points to the field `{fld.name}` that is not of "
            f"{kind} type."
        )

    if algorithm == "Gist":
        if not (native == "Inet" and ops == "InetOps"):
            mismatch()
    elif algorithm == "Gin":
        if native is None and ops is None and scalar == "Json":
            return
        if ops is None and is_list:
            return
        if native == "JsonB" and ops in (None, "JsonbOps", "JsonbPathOps"):
            return
        if native is None and ops in ("JsonbOps", "JsonbPathOps"):
            if scalar != "Json":
                not_of("Json")
            return
        if ops == "ArrayOps":
            if not is_list:
                error(
                    f"The given operator class `ArrayOps` expects the type of field `{fld.name}` "
                    "to be an array."
                )
            return
        mismatch()
    elif algorithm == "SpGist":
        if native == "Inet" and ops in (None, "InetOps"):
            return
        if native is None and ops is None and scalar == "String":
            return
        if native is None and ops == "TextOps":
            if scalar != "String":
                not_of("String")
            return
        if native in ("Text", "VarChar", "Char") and ops in (None, "TextOps"):
            return
        mismatch()
    elif algorithm == "Brin":
        family = OPCLASSES[ops][0].split("_")[0] if ops is not None else None
        if native is not None and native in (_BRIN_NATIVE.get(family, ()) if family else _BRIN_ALL):
            return
        if native is None and ops is None and scalar in _BRIN_BARE.values():
            return
        if native is None and family in _BRIN_BARE:
            if scalar != _BRIN_BARE[family]:
                not_of(_BRIN_BARE[family])
            return
        mismatch()
