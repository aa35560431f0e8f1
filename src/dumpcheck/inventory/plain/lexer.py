"""The lexical rules of the plain-dump splitter (psqlscan.l): where quotes, comments and
dollar-quoted bodies end, on a byte buffer that may end before they do."""

from __future__ import annotations

import re

# What may change the lexical state in ordinary SQL text.
SPECIAL = re.compile(rb"""[;'"$()]|--|/\*""")
# In a statement, a backslash outside quotes and comments also matters: psql reads it as the
# start of a meta-command, which ends the statement's text there (psqlscan.l, xqs/{other}).
STATEMENT_SPECIAL = re.compile(rb"""[;'"$()\\]|--|/\*""")
DOLLAR_TAG = re.compile(rb"\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$")
TAG_PREFIX = re.compile(rb"\$[A-Za-z0-9_\x80-\xff]*\Z")
IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$") | (
    frozenset(range(0x80, 0x100))
)
COMMENT_END = re.compile(rb"/\*|\*/")
# String bodies up to the closing quote, each in one regex call (possessive: no backtracking),
# so that a 500 MB value of doubled quotes costs no Python per quote. ESCAPED_BODY is for E''
# strings and for '' strings under standard_conforming_strings = off.
STRING_BODY = re.compile(rb"(?:[^']++|'')*+")
ESCAPED_BODY = re.compile(rb"(?:[^'\\]++|''|\\.)*+", re.DOTALL)
IDENT_BODY = re.compile(rb'(?:[^"]++|"")*+')
# SQL-standard function bodies (PG 14+): psql does not end the statement inside BEGIN ... END.
_ATOMIC_HEAD = re.compile(rb"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b", re.IGNORECASE)
_BLOCK_WORD = re.compile(rb"\b(BEGIN|CASE|END)\b", re.IGNORECASE)


def quote_body(quote: int, *, backslashes: bool) -> re.Pattern[bytes]:
    """The regex for the body of a quoted string or identifier opened by ``quote``."""
    if quote == 0x22:
        return IDENT_BODY
    return ESCAPED_BODY if backslashes else STRING_BODY


def is_e_string(buf: bytearray, at: int, start: int) -> bool:
    """Whether the quote at ``at`` opens an ``E'...'`` string (the E not ending a name)."""
    return (
        at > start and buf[at - 1] in b"eE" and (at - 1 == start or buf[at - 2] not in IDENT_BYTES)
    )


def inside_begin_atomic(buf: bytearray, start: int, end: int) -> bool:
    """Whether ``;`` at ``end`` sits inside a BEGIN ATOMIC body (psqlscan.l's begin_depth)."""
    if not _ATOMIC_HEAD.match(buf, start):
        return False
    depth = 0
    for m in _BLOCK_WORD.finditer(buf, start, end):
        depth += -1 if m.group(1).upper() == b"END" else 1
    return depth > 0


def token_end(
    buf: bytearray, tok: bytes, at: int, start: int, *, eof: bool, standard_strings: bool
) -> int:
    """The offset after the token ``tok`` at ``at``, or -1 if the buffer ends inside it.

    ``start`` is where the statement begins (the scan looks back no further).
    """
    if tok in (b";", b"(", b")"):
        return at + 1
    if tok == b"--":
        nl = buf.find(b"\n", at)
        return nl + 1 if nl >= 0 else (len(buf) if eof else -1)
    if tok == b"/*":
        return _block_comment_end(buf, at, eof=eof)
    if tok == b'"':
        return _quote_end(buf, at, 0x22, backslashes=False, eof=eof)
    if tok == b"'":
        backslashes = is_e_string(buf, at, start) or not standard_strings
        return _quote_end(buf, at, 0x27, backslashes=backslashes, eof=eof)
    # "$": a dollar quote only when not inside an identifier such as a$b (scan.l: dolqdelim).
    if at > start and buf[at - 1] in IDENT_BYTES:
        return at + 1
    m = DOLLAR_TAG.match(buf, at)
    if m is None:
        if not eof and TAG_PREFIX.match(buf, at):
            return -1
        return at + 1
    close = buf.find(m.group(0), m.end())
    if close < 0:
        return len(buf) if eof else -1
    return close + len(m.group(0))


def _quote_end(buf: bytearray, at: int, quote: int, *, backslashes: bool, eof: bool) -> int:
    n = len(buf)
    j = quote_body(quote, backslashes=backslashes).match(buf, at + 1).end()  # type: ignore[union-attr]
    if j >= n:
        return n if eof else -1
    if j + 1 >= n and not eof:
        return -1  # cannot tell '' (an escaped quote) or an escaped byte from the end yet
    return j + 1  # the body stops only before a lone closing quote


def _block_comment_end(buf: bytearray, at: int, *, eof: bool) -> int:
    # Block comments nest in PostgreSQL (scan.l: xc with xcdepth).
    depth = 0
    i = at
    while True:
        m = COMMENT_END.search(buf, i)
        if m is None:
            return len(buf) if eof else -1
        depth += 1 if m.group(0) == b"/*" else -1
        i = m.end()
        if depth == 0:
            return i
