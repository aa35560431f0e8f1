"""Exact helpers over SQL text as pg_dump writes it: identifiers, parentheses, top-level splits.

These give the *original text slices* (types, defaults, index keys) that the catalog needs verbatim,
which sqlglot cannot give back without respelling them.
"""

from __future__ import annotations

import re

# scan.l's ident_start [A-Za-z\200-\377_] and ident_cont [A-Za-z\200-\377_0-9\$] (every non-
# ASCII character, as the server reads UTF-8 bytes), written as what they exclude: a class
# with the range up to U+10FFFF costs 8 ms to compile, at every start of the command.
_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"
_CONT = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_CONT_NO_DOLLAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
# An identifier as the PostgreSQL scanner reads it (scan.l: ident_start, ident_cont, xd).
_IDENT = re.compile(rf'"((?:[^"]|"")*)"|({_START}{_CONT}*)')
# Lower-case unquoted names: no folding needed (pg_dump quotes everything else).
_SIMPLE_IDENT = re.compile(r"[a-z_][a-z0-9_$]*(?![\w$\"])")
_SIMPLE_QUALIFIED = re.compile(r"[a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)*(?![\w$\".])")
_WS = re.compile(r"(?:\s+|--[^\n]*(?:\n|$))*")
# The next character that changes lexical state inside an expression.
_EXPR_SPECIAL = re.compile(r"""[(),'"$\[\]]""")
_DOLLAR = re.compile(rf"\$({_START}{_CONT_NO_DOLLAR}*)?\$")


class TextError(ValueError):
    """The text does not have the shape a helper expected."""


def skip_ws(text: str, pos: int) -> int:
    """Skip whitespace and ``--`` comments from ``pos``."""
    if pos < len(text) and text[pos] not in _WS_START:
        return pos  # the common case, without a regex call
    m = _WS.match(text, pos)
    return m.end() if m else pos


_WS_START = frozenset(" \t\n\r\f\v-")


def read_ident(text: str, pos: int) -> tuple[str, int]:
    """Read one identifier at ``pos`` (after whitespace): its bare name and the end offset."""
    pos = skip_ws(text, pos)
    m = _SIMPLE_IDENT.match(text, pos)
    if m is not None:
        return m.group(0), m.end()  # the common case: a lower-case unquoted name
    m = _IDENT.match(text, pos)
    if m is None:
        raise TextError(f"expected an identifier at offset {pos}")
    if m.group(1) is not None:
        return m.group(1).replace('""', '"'), m.end()
    # Unquoted identifiers fold to lower case (PostgreSQL downcases ASCII letters only).
    return _ascii_lower(m.group(2)), m.end()


def _ascii_lower(word: str) -> str:
    if word.isascii():
        return word.lower()
    return word.translate(_LOWER)


_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def read_qualified(text: str, pos: int) -> tuple[list[str], int]:
    """Read a dotted name such as ``public."a;b"``: its parts and the end offset."""
    pos = skip_ws(text, pos)
    m = _SIMPLE_QUALIFIED.match(text, pos)
    if m is not None and not text.startswith(".", skip_ws(text, m.end())):
        return m.group(0).split("."), m.end()  # the common case: public.products
    part, pos = read_ident(text, pos)
    parts = [part]
    while True:
        nxt = skip_ws(text, pos)
        if nxt < len(text) and text[nxt] == ".":
            part, pos = read_ident(text, nxt + 1)
            parts.append(part)
        else:
            return parts, pos


def read_ident_list(text: str, pos: int) -> tuple[tuple[str, ...], int]:
    """Read ``(a, "b", c)`` at ``pos``: the bare names and the offset after ``)``."""
    pos = skip_ws(text, pos)
    if pos >= len(text) or text[pos] != "(":
        raise TextError(f"expected '(' at offset {pos}")
    names: list[str] = []
    pos = skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == ")":
        return (), pos + 1
    while True:
        name, pos = read_ident(text, pos)
        names.append(name)
        pos = skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos < len(text) and text[pos] == ")":
            return tuple(names), pos + 1
        raise TextError(f"expected ',' or ')' at offset {pos}")


def skip_quoted(text: str, pos: int) -> int:
    """``pos`` is at a quote character; return the offset after the closing quote."""
    quote = text[pos]
    if quote == "$":
        m = _DOLLAR.match(text, pos)
        if m is None:
            return pos + 1  # a parameter such as $1, or a $ inside a name
        end = text.find(m.group(0), m.end())
        if end < 0:
            raise TextError("unterminated dollar-quoted string")
        return end + len(m.group(0))
    # E'...' strings honour backslash escapes; pg_dump writes E'' only when needed.
    backslashes = quote == "'" and pos > 0 and text[pos - 1] in "eE"
    i = pos + 1
    n = len(text)
    while i < n:
        c = text[i]
        if backslashes and c == "\\":
            i += 2
            continue
        if c == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise TextError("unterminated quoted text")


def matching_paren(text: str, pos: int) -> int:
    """``text[pos]`` is an opening bracket; return the offset of its closing partner."""
    depth = 0
    i = pos
    while True:
        m = _EXPR_SPECIAL.search(text, i)
        if m is None:
            raise TextError("unbalanced parentheses")
        c = m.group(0)
        i = m.start()
        if c in "([":
            depth += 1
            i += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return i
            i += 1
        elif c == ",":
            i += 1
        else:
            i = skip_quoted(text, i)


def split_top_level(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at commas outside brackets and quotes; spans are stripped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    depth = 0
    piece = start
    i = start
    while True:
        m = _EXPR_SPECIAL.search(text, i, end)
        if m is None:
            break
        c = m.group(0)
        i = m.start()
        if c in "([":
            depth += 1
            i += 1
        elif c in ")]":
            depth -= 1
            i += 1
        elif c == ",":
            if depth == 0:
                spans.append(_strip(text, piece, i))
                piece = i + 1
            i += 1
        else:
            i = skip_quoted(text, i)
    spans.append(_strip(text, piece, end))
    return [s for s in spans if s[0] < s[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_keyword(text: str, words: re.Pattern[str], start: int, end: int | None = None) -> int:
    """Offset of the first match of ``words`` outside brackets and quotes, or -1."""
    end = len(text) if end is None else end
    depth = 0
    i = start
    while i < end:
        m = _EXPR_SPECIAL.search(text, i, end)
        stop = m.start() if m else end
        if depth == 0:
            k = words.search(text, i, stop)
            if k is not None:
                return k.start()
        if m is None:
            return -1
        c = m.group(0)
        i = m.start()
        if c in "([":
            depth += 1
            i += 1
        elif c in ")]":
            depth -= 1
            i += 1
        elif c == ",":
            i += 1
        else:
            i = skip_quoted(text, i)
    return -1


def squash(text: str) -> str:
    """Collapse whitespace runs outside quotes to one space (pg_dump's line breaks are layout)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        m = _QUOTE.search(text, i)
        stop = m.start() if m else n
        out.append(_SPACES.sub(" ", text[i:stop]))
        if m is None:
            break
        j = skip_quoted(text, stop)
        out.append(text[stop:j])
        i = j
    return "".join(out).strip()


_QUOTE = re.compile(r"""['"]|\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$""")
_SPACES = re.compile(r"\s+")
