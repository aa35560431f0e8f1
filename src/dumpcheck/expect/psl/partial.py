"""A partial index's ``where:`` (the partialIndexes preview feature), read and validated.

Prisma 7.9+ (parser-database, index attributes) takes either ``raw("predicate")``, copied into
the index's WHERE as written, or an object ``{ field: value, ... }`` of equalities joined by
AND, each value ``true``/``false``, ``null``, a string, a number or ``{ not: value }``, on a
scalar field of a type that value fits. The engine renders the object form as
``("col" = v AND "col" IS NULL AND "col" != 'x')`` with the fields' database names.
"""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.expect.psl.arguments import Arguments, describe
from dumpcheck.expect.psl.ast import Arg, Call, Ident, Num, Obj, Str, Value
from dumpcheck.expect.psl.schema import ScalarField

PREVIEW = "partialindexes"
_EXAMPLE = "`where: raw(\"status = 'active'\")`"
# The Prisma types each kind of literal fits (a list field: its element type). Json and Bytes
# take none: only null.
_FITS = {
    "Boolean": ("Boolean",),
    "String": ("String", "DateTime"),
    "Number": ("Int", "BigInt", "Float", "Decimal"),
}
_ARTICLE = {"Boolean": "Boolean", "String": "a String", "Number": "a Number"}


def where_clause(
    args: Arguments,
    previews: frozenset[str],
    model: str,
    scalars: Mapping[str, ScalarField],
    relations: frozenset[str],
) -> str | None:
    """The predicate the index is created with, parenthesised as the engine writes it."""
    value = args.get("where")
    if value is None:
        return None
    if PREVIEW not in previews:
        raise args.error(
            value.pos,
            'Partial indexes are a preview feature. Add "partialIndexes" to previewFeatures in '
            "your generator block.",
        )
    if isinstance(value, Call) and value.name == "raw":
        first = value.args[0].value if value.args else None
        if first is None:
            raise args.error(
                value.pos,
                f"The `where` argument must be a raw() function with a string argument, e.g. "
                f"{_EXAMPLE}.",
            )
        if not isinstance(first, Str):
            raise args.error(first.pos, f"Expected a string value, but received {describe(first)}.")
        if first.value == "":
            raise args.error(value.pos, "The `where` argument cannot contain an empty string.")
        # raw("a", "b"): the engine reads the first argument only. Text that starts with "("
        # and ends with ")" is taken as it is ("(a) AND (b)" too), anything else is wrapped.
        text = first.value
        return text if text.startswith("(") and text.endswith(")") else f"({text})"
    if isinstance(value, Obj):
        if not value.entries:
            raise args.error(value.pos, "The `where` argument cannot be an empty object.")
        parts = [_condition(args, model, scalars, relations, e) for e in value.entries]
        return "(" + " AND ".join(parts) + ")"
    if isinstance(value, Str):
        raise args.error(value.pos, f"Expected a function value, but received {describe(value)}.")
    raise args.error(
        value.pos,
        f"The `where` argument must be either a raw() function call or an object literal, e.g. "
        f"{_EXAMPLE} or `where: {{ active: true }}`.",
    )


def _condition(
    args: Arguments,
    model: str,
    scalars: Mapping[str, ScalarField],
    relations: frozenset[str],
    entry: Arg,
) -> str:
    name = entry.name or ""
    fld = scalars.get(name)
    if fld is None or entry.value is None:
        if name in relations:
            raise args.error(
                entry.pos,
                f"Field '{name}' is a relation field. Only scalar fields can be used in the "
                "where clause.",
            )
        raise args.error(entry.pos, f"Field '{name}' does not exist in model '{model}'.")
    column = '"' + fld.column.replace('"', '""') + '"'
    value, negate = _negated(args, entry.value)
    if isinstance(value, Ident) and value.name == "null":
        return f"{column} IS {'NOT ' if negate else ''}NULL"
    literal, kind = _literal(args, value)
    _check_type(args, entry, fld, kind)
    return f"{column} {'!=' if negate else '='} {literal}"


def _negated(args: Arguments, value: Value) -> tuple[Value, bool]:
    if not isinstance(value, Obj):
        return value, False
    if len(value.entries) != 1:
        raise args.error(
            value.pos,
            "Nested object in where clause must have exactly one key. Use `{ not: null }` or "
            '`{ not: "value" }`.',
        )
    inner = value.entries[0]
    if inner.name != "not" or inner.value is None:
        raise args.error(
            value.pos,
            f"Unknown key '{inner.name}' in nested where clause object. Only 'not' is supported.",
        )
    return inner.value, True


def _literal(args: Arguments, value: Value) -> tuple[str, str]:
    if isinstance(value, Ident) and value.name in ("true", "false"):
        return value.name, "Boolean"
    if isinstance(value, Num):
        return value.text, "Number"
    if isinstance(value, Str):
        return "'" + value.value.replace("'", "''") + "'", "String"
    named = f" '{value.name}'" if isinstance(value, Ident) else ""
    raise args.error(
        value.pos,
        f"Invalid value{named} in where clause. Expected true, false, null, a string, a number, "
        "or an object like { not: null }.",
    )


def _check_type(args: Arguments, entry: Arg, fld: ScalarField, kind: str) -> None:
    name = entry.name
    if fld.unsupported is not None:
        raise args.error(
            entry.pos,
            f"Field '{name}' is an unsupported type and cannot be used in the object syntax of "
            "a where clause. Use raw() instead.",
        )
    if fld.is_enum:
        if kind != "String":
            raise args.error(
                entry.pos,
                f"Type mismatch: field '{name}' is an Enum and only accepts String values in "
                "the where clause.",
            )
        return
    if fld.type not in _FITS[kind]:
        raise args.error(
            entry.pos,
            f"Type mismatch: field '{name}' is of type {fld.type}, but the value is "
            f"{_ARTICLE[kind]}.",
        )
