"""``@default(...)``: which functions and literals Prisma accepts for a field of each type.

parser-database ``attributes/default.rs`` and ``coerce_expression.rs``, psl-core
``validations/default_value.rs`` and ``autoincrement.rs`` (Prisma 7.10).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

from dumpcheck.expect.psl.arguments import Arguments, describe
from dumpcheck.expect.psl.ast import Array, Attribute, Call, Ident, Num, Str, Value
from dumpcheck.expect.psl.moments import rfc3339
from dumpcheck.expect.psl.numbers import rust_decimal
from dumpcheck.expect.psl.schema import Default

_I64 = (-(2**63), 2**63 - 1)
_STRING_FUNCTIONS = ("uuid", "cuid", "nanoid", "ulid")


def read_default(
    sources: Mapping[str, str],
    attr: Attribute,
    scalar: str,
    is_list: bool,
    enum_values: tuple[str, ...] | None,
) -> Default:
    """The validated default of a field whose type is ``scalar`` (or an enum, or Unsupported)."""
    args = Arguments(sources, attr, ("value", "map"), "value", "@default")
    if args.get("map") is not None:
        raise args.error(
            attr.pos,
            "You defined a database name for the default value of a field on the model. This is "
            "not supported by the provider.",
        )
    value = args.require("value")
    if isinstance(value, Call):
        return _function(args, value, scalar, is_list)
    if scalar == "Unsupported":
        raise args.error(
            value.pos, 'Only @default(dbgenerated("...")) can be used for Unsupported types.'
        )
    if is_list:
        if not isinstance(value, Array):
            raise args.error(value.pos, "The default value of a list field must be a list.")
        for item in value.items:
            _literal(args, item, scalar, enum_values)
        return Default("value", value, pos=attr.pos)
    if isinstance(value, Array):
        raise args.error(value.pos, "The default value of a non-list field cannot be a list.")
    _literal(args, value, scalar, enum_values)
    assert isinstance(value, Str | Num | Ident)
    return Default("value", value, pos=attr.pos)


def _function(args: Arguments, call: Call, scalar: str, is_list: bool) -> Default:
    name = call.name
    params = [a.value for a in call.args]
    if name == "dbgenerated":
        if not params:
            return Default("dbgenerated", pos=call.pos)
        first = params[0]
        if len(params) > 1 or not isinstance(first, Str) or not first.value:
            raise args.error(
                call.pos,
                "dbgenerated() takes either no argument, or a single nonempty string argument.",
            )
        return Default("dbgenerated", expression=first.value, pos=call.pos)
    if name == "auto":
        raise args.error(call.pos, "The current connector does not support the `auto()` function.")
    if name not in ("autoincrement", "now", *_STRING_FUNCTIONS):
        raise args.error(
            call.pos,
            f"Unknown function in @default(): `{name}` is not known. You can read about the "
            "available functions here: https://pris.ly/d/attribute-functions",
        )
    wanted = {"autoincrement": ("Int", "BigInt"), "now": ("DateTime",)}.get(name, ("String",))
    # Prisma checks the scalar type only: now() on DateTime[] passes (and writes a scalar
    # default), so it passes here too.
    if scalar not in wanted:
        shown = f"{scalar}[]" if is_list else scalar
        raise args.error(
            call.pos, f"The function `{name}()` cannot be used on fields of type `{shown}`."
        )
    if name in ("autoincrement", "now", "ulid") and params:
        raise args.error(
            call.pos,
            f"The `{name}` function does not take any argument. Consider changing this default "
            f"to `{name}()`.",
        )
    if params:
        _function_argument(args, call, name, params)
    if name == "autoincrement":
        return Default("autoincrement", pos=call.pos)
    if name == "now":
        return Default("now", pos=call.pos)
    return Default("client", pos=call.pos)


def _function_argument(args: Arguments, call: Call, name: str, params: list[Value | None]) -> None:
    first = params[0]
    number = (
        int(first.text) if isinstance(first, Num) and first.text.lstrip("-").isdigit() else None
    )
    allowed = {"uuid": (4, 7), "cuid": (1, 2)}
    if name in allowed:
        if len(params) > 1 or number is None or number not in allowed[name]:
            a, b = allowed[name]
            raise args.error(
                call.pos,
                f"`{name}()` takes either no argument, or a single integer argument which is "
                f"either {a} or {b}.",
            )
        return
    # nanoid(n): 2 <= n <= 255
    if len(params) > 1 or number is None or not 2 <= number <= 255:
        raise args.error(
            call.pos,
            "`nanoid()` takes either no argument, or a single integer argument between 2 and 255.",
        )


def _literal(
    args: Arguments, value: Value, scalar: str, enum_values: tuple[str, ...] | None
) -> None:
    def expected(what: str) -> Exception:
        shown = value.text if isinstance(value, Num) else describe(value).split("`")[1]
        return args.error(value.pos, f"Expected a {what} value, but found `{shown}`.")

    if enum_values is not None:
        if not isinstance(value, Ident):
            raise expected("enum")
        if value.name not in enum_values:
            raise args.error(
                value.pos,
                f"The defined default value `{value.name}` is not a valid value of the enum "
                "specified for the field.",
            )
        return
    if scalar in ("Int", "BigInt"):
        if not isinstance(value, Num):
            raise expected(scalar)
        if not re.fullmatch(r"-?\d+", value.text) or not _I64[0] <= int(value.text) <= _I64[1]:
            raise args.error(value.pos, f'Parse error: "{value.text}" is not a valid integer.')
        return
    if scalar == "Float":
        if not isinstance(value, Num):
            raise expected("Float")
        return
    if scalar == "Decimal":
        if isinstance(value, Num):
            return
        if not isinstance(value, Str):
            raise expected("Decimal")
        if rust_decimal(value.value) is None:
            raise args.error(value.pos, f'Parse error: "{value.value}" is not a valid decimal.')
        return
    if scalar == "Boolean":
        if isinstance(value, Ident) and value.name.lower() in ("true", "false"):
            if value.name not in ("true", "false"):
                raise args.error(value.pos, "A boolean literal must be `true` or `false`.")
            return
        raise expected("Boolean")
    if not isinstance(value, Str):
        raise expected(scalar)
    _string_literal(args, value, scalar)


def _string_literal(args: Arguments, value: Str, scalar: str) -> None:
    text = value.value
    if scalar == "DateTime":
        if rfc3339(text) is None:
            raise args.error(
                value.pos, f'Parse error: "{text}" is not a valid rfc3339 datetime string.'
            )
    elif scalar == "Json":
        try:
            json.loads(text, parse_constant=_reject_constant)
        except ValueError:
            raise args.error(
                value.pos, f'Parse error: "{text}" is not a valid JSON string.'
            ) from None
    elif scalar == "Bytes":
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise args.error(
                value.pos, f'Parse error: "{text}" is not a valid base64 string.'
            ) from None


def _reject_constant(name: str) -> object:
    raise ValueError(name)  # NaN and Infinity are not JSON (serde_json rejects them)
