"""Numbers as Prisma's engine reads and prints them (Rust's bigdecimal)."""

from __future__ import annotations

import re


def rust_decimal(text: str) -> str | None:
    """A Decimal default as Prisma writes it, or None if Prisma refuses it: the text read by
    Rust's bigdecimal (`BigDecimal::from_str`: an `e`/`E` exponent, `_` anywhere in the digits
    but first, the fraction's length counting them) and printed by its Display (plain digits,
    no exponent; zero has no sign): ".01" -> 0.01, "1e2" -> 100, "0e5" -> 000000."""
    base, _, exponent = text.partition("e") if "e" in text else text.partition("E")
    if (exponent or base != text) and not re.fullmatch(r"[+-]?\d+", exponent):
        return None
    whole, _, fraction = base.partition(".")
    digits = whole + fraction
    # num-bigint's from_str_radix: an optional sign, then digits and underscores, not first.
    if not re.fullmatch(r"[+-]?\d[\d_]*", digits):
        return None
    unscaled = int(digits.replace("_", ""))
    scale = len(fraction) - int(exponent or 0)
    shown = str(abs(unscaled))
    if scale >= len(shown):
        out = "0." + "0" * (scale - len(shown)) + shown if scale > 0 else shown
    elif scale <= 0:
        out = shown + "0" * -scale
    else:
        out = shown[:-scale] + "." + shown[-scale:]
    return ("-" if unscaled < 0 else "") + out
