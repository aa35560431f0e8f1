"""The lexical pieces of Prisma's grammar: whitespace, names, literals and string escapes.

datamodel.pest's terminals (WHITESPACE, NEWLINE, identifier, numeric_literal, string_literal,
the three comment forms) and parse_expression.rs's JSON string escapes.
"""

from __future__ import annotations

import re

from dumpcheck.expect.psl.ast import BlockKind

# WHITESPACE = SPACE_SEPARATOR | "\t": the Unicode Zs category, not \f, \v or a line break.
WS = re.compile("[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")
NEWLINE = re.compile(r"\r\n|\n|\r")
REST_OF_LINE = re.compile(r"[^\r\n]*")
WORD = re.compile(r"[\w\-]+")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# string_literal: JSON-like, no raw control character, a backslash escapes any character.
STRING = re.compile(r'"((?:\\[\s\S]|[^"\\\x00-\x1f])*+)"')
COMMENT = re.compile(
    "[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*"
    r"(?://[^\r\n]*|/\*[\s\S]*?\*/)"
)
EMPTY_LINES = re.compile("(?:[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*(?:\r\n|\n|\r))+")
ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
MODEL_KEYWORDS: tuple[BlockKind, ...] = ("model", "type", "view")
CONFIG_KEYWORDS: tuple[BlockKind, ...] = ("datasource", "generator")


def identifier_length(word: str) -> int:
    """How much of ``word`` the identifier rule takes: (ASCII alnum | letter) then also _ and -."""
    if word.isascii():
        if word[0] in "_-":
            return 0
        return len(word)
    for i, ch in enumerate(word):
        ok = (ch.isascii() and (ch.isalnum() or (i > 0 and ch in "_-"))) or ch.isalpha()
        if not ok:
            return i
    return len(word)


class EscapeError(ValueError):
    """A string escape Prisma rejects, at ``offset`` within the literal."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def unescape(raw: str) -> str:
    """Resolve JSON escapes; an unknown one is an error (parse_expression.rs)."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = raw[i + 1]
        if esc in ESCAPES:
            out.append(ESCAPES[esc])
            i += 2
            continue
        if esc != "u":
            raise EscapeError(
                i,
                "Unknown escape sequence. If the value is a windows-style path, `\\` must "
                "be escaped as `\\\\`.",
            )
        code = _hex4(raw, i + 2)
        if code is None:
            raise EscapeError(i, "Invalid unicode escape sequence.")
        if 0xD800 <= code <= 0xDFFF:
            # A UTF-16 surrogate pair: two escapes make one character.
            low = _hex4(raw, i + 8) if raw.startswith("\\u", i + 6) else None
            if low is None or not (0xD800 <= code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF):
                raise EscapeError(i, "Invalid unicode escape sequence.")
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
            i += 12
            continue
        out.append(chr(code))
        i += 6
    return "".join(out)


def _hex4(raw: str, at: int) -> int | None:
    digits = raw[at : at + 4]
    if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits, 16)
