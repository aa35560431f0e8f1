"""PostgreSQL native types as Prisma validates them: ``@db.X(args)`` on a field of a given scalar.

psl-core ``builtin_connectors/postgres_datamodel_connector/native_types.rs`` and
``validations/fields.rs`` (validate_native_type_arguments). Prisma 7.10 has no Geometry or
Geography yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from dumpcheck.expect.psl.ast import Attribute, Num
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.schema import NativeType

ArgKind = Literal["none", "length", "precision", "decimal"]


@dataclass(frozen=True)
class NativeSpec:
    """Which scalar a native type belongs to and which arguments it takes."""

    scalar: str
    args: ArgKind = "none"


NATIVE_TYPES: dict[str, NativeSpec] = {
    "SmallInt": NativeSpec("Int"),
    "Integer": NativeSpec("Int"),
    "Oid": NativeSpec("Int"),
    "BigInt": NativeSpec("BigInt"),
    "Decimal": NativeSpec("Decimal", "decimal"),
    "Money": NativeSpec("Decimal"),
    "Real": NativeSpec("Float"),
    "DoublePrecision": NativeSpec("Float"),
    "VarChar": NativeSpec("String", "length"),
    "Char": NativeSpec("String", "length"),
    "Text": NativeSpec("String"),
    "Inet": NativeSpec("String"),
    "Citext": NativeSpec("String"),
    "Bit": NativeSpec("String", "length"),
    "VarBit": NativeSpec("String", "length"),
    "Uuid": NativeSpec("String"),
    "Xml": NativeSpec("String"),
    "ByteA": NativeSpec("Bytes"),
    "Timestamp": NativeSpec("DateTime", "precision"),
    "Timestamptz": NativeSpec("DateTime", "precision"),
    "Date": NativeSpec("DateTime"),
    "Time": NativeSpec("DateTime", "precision"),
    "Timetz": NativeSpec("DateTime", "precision"),
    "Boolean": NativeSpec("Boolean"),
    "Json": NativeSpec("Json"),
    "JsonB": NativeSpec("Json"),
}


def native_type(
    sources: Mapping[str, str], attr: Attribute, prefix: str, scalar: str
) -> NativeType:
    """The native type ``attr`` (``<prefix>.Name(args)``) declares on a field of ``scalar``."""
    name = attr.name[len(prefix) + 1 :]
    spec = NATIVE_TYPES.get(name)
    if spec is None:
        raise fail(
            sources, attr.pos, f"Native type {name} is not supported for postgresql connector."
        )
    if spec.scalar != scalar:
        raise fail(
            sources,
            attr.pos,
            f"Native type {name} is not compatible with declared field type {scalar}, expected "
            f"field type {spec.scalar}.",
        )
    args: list[int] = []
    for arg in attr.args:
        value = arg.value
        if arg.name is not None or not isinstance(value, Num) or not value.text.isdigit():
            shown = getattr(value, "text", None) or getattr(value, "value", "?")
            expected = (
                "two nonnegative integers" if spec.args == "decimal" else "a nonnegative integer"
            )
            raise fail(sources, arg.pos, f"Expected {expected}, but found ({shown}).")
        args.append(int(value.text))
    if spec.args == "none" and args:
        raise fail(
            sources, attr.pos, f'Function "{name}" takes 0 arguments, but received {len(args)}.'
        )
    if spec.args in ("length", "precision") and len(args) > 1:
        raise fail(
            sources,
            attr.pos,
            f"Native type {name} takes 1 optional arguments, but received {len(args)}.",
        )
    if spec.args == "decimal":
        if len(args) > 2:
            raise fail(
                sources,
                attr.pos,
                f"Native type {name} takes 2 optional arguments, but received {len(args)}.",
            )
        if len(args) == 1:
            raise fail(
                sources, attr.pos, f"Expected two nonnegative integers, but found ({args[0]})."
            )
    if spec.args == "precision" and args and args[0] > 6:
        raise fail(
            sources,
            attr.pos,
            f"Argument M is out of range for native type `{name}({args[0]})` of Postgres: M can "
            "range from 0 to 6.",
        )
    return NativeType(name, tuple(args))
