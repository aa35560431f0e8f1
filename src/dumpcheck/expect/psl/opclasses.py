"""Operator classes (``ops:``) and the index types that take them, on PostgreSQL.

The postgres connector's ``OperatorClass`` and ``validations.rs``
(generalized_index_validations): each named class belongs to one index type; ``raw("x")`` is
written verbatim and never checked. A class that is its type's default (pg_opclass.opcdefault)
is one PostgreSQL does not print, so the catalog never spells it.
"""

from __future__ import annotations

from collections.abc import Mapping

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
# Which Prisma scalar each BRIN class family reads (validations.rs: "not of BigInt type").
_BRIN_SCALAR = {
    "int2": "Int", "int4": "Int", "oid": "Int", "int8": "BigInt", "float4": "Float",
    "float8": "Float", "numeric": "Decimal", "date": "DateTime", "timestamp": "DateTime",
    "timestamptz": "DateTime", "time": "DateTime", "timetz": "DateTime", "bytea": "Bytes",
}  # fmt: skip
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
    """The index type takes this field (and its class), as validations.rs checks them."""
    if ops is not None and ops.startswith(RAW_PREFIX):
        return
    if ops is not None:
        family = OPCLASSES[ops][1]
        if family != algorithm:
            raise fail(
                sources,
                pos,
                f"The given operator class `{ops}` is not supported with the `{algorithm}` index "
                "type.",
            )
    native = fld.native.name if fld.native is not None else None
    unsupported = fld.type == "Unsupported"
    if algorithm == "Gin" and not unsupported:
        if fld.arity == "list":
            if ops not in (None, "ArrayOps"):
                raise fail(sources, pos, f"The given operator class `{ops}` expects a Json field.")
            return
        if ops == "ArrayOps":
            raise fail(
                sources,
                pos,
                f"The given operator class `ArrayOps` expects the type of field `{fld.name}` to be "
                "an array.",
            )
        if fld.type != "Json":
            raise fail(
                sources,
                pos,
                f"The Gin index type does not support the type of the field `{fld.name}`.",
            )
        if native == "Json":
            raise fail(
                sources, pos, "The Gin index field type `Json` has no default operator class."
            )
    elif algorithm == "SpGist" and not unsupported:
        ok = (fld.type == "String" and native in (None, "Text", "VarChar", "Char", "Inet")) and (
            ops is None or (ops == "TextOps") != (native == "Inet")
        )
        if not ok:
            raise fail(
                sources,
                pos,
                f"The SpGist index type does not support the type of the field `{fld.name}`.",
            )
    elif algorithm == "Brin" and not unsupported:
        if fld.type == "Json" or fld.arity == "list":
            raise fail(
                sources,
                pos,
                f"The Brin index type does not support the type of the field `{fld.name}`.",
            )
        if ops is not None:
            family = OPCLASSES[ops][0].split("_")[0]
            wanted = _BRIN_SCALAR.get(family, "String")
            if wanted != fld.type:
                raise fail(
                    sources,
                    pos,
                    f"The given operator class `{ops}` points to the field `{fld.name}` that is "
                    f"not of {wanted} type.",
                )
    elif algorithm == "Gist" and ops == "InetOps" and native != "Inet" and not unsupported:
        raise fail(
            sources,
            pos,
            f"The given operator class `InetOps` does not support native type `{native}` of field "
            f"`{fld.name}`.",
        )
