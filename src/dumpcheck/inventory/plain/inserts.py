"""Streaming scan of one ``INSERT`` statement of an ``--inserts`` dump: rows counted, text dropped.

pg_dump's ``--inserts`` / ``--rows-per-insert`` / ``--column-inserts`` data is
``INSERT INTO t [(cols)] [OVERRIDING SYSTEM VALUE] VALUES (...), (...);``. A row is a
parenthesised group at statement level after ``VALUES``. The scanner follows the lexical rules
of the splitter (psqlscan.l): quotes with doubled quotes, ``E''`` strings and, with
standard_conforming_strings off, ``''`` strings with backslash escapes, ``"..."`` identifiers,
``$tag$`` bodies, ``--`` and nested ``/* */`` comments. It keeps its state between buffers, so
a 500 MB value is skipped a buffer at a time and never held.
"""

from __future__ import annotations

import re

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.plain.lexer import (
    COMMENT_END,
    DOLLAR_TAG,
    IDENT_BYTES,
    SPECIAL,
    TAG_PREFIX,
    is_e_string,
    quote_body,
)
from dumpcheck.sqltext import (
    TextError,
    find_keyword,
    read_ident_list,
    read_qualified,
    skip_quoted,
    skip_ws,
)

_VALUES_END = re.compile(rb"\bVALUES\s*\Z", re.IGNORECASE)
_INSERT_INTO = re.compile(r"INSERT\s+INTO\s", re.IGNORECASE)
_VALUES = re.compile(r"\bVALUES\b", re.IGNORECASE)
_DEFAULT_VALUES = re.compile(r"DEFAULT\s+VALUES\b", re.IGNORECASE)
_TUPLE_SPECIAL = re.compile(r"""[()'"]""")

# One INSERT whose rows hold plain values and standard strings only, its table and column list
# unquoted: what pg_dump --inserts / --rows-per-insert writes for most tables. A quote right
# after a name character (E'', U&'', B'') is not a standard string: such statements, and any
# with parentheses, dollar quotes or comments in a row, go to the scanner.
_ROW = rb"\((?:[^'\"$();/\-]++|-(?!-)|/(?!\*)|(?<![A-Za-z0-9_&])'(?:[^']++|'')*+')*+\)"
# Names as pg_dump writes them (fmtQualifiedId): bare, or quoted with doubled quotes ("User").
_NAME = rb'(?:[A-Za-z0-9_]++|"(?:[^"\n]++|"")++")'
_HEAD = (
    rb"INSERT INTO (" + _NAME + rb"(?:\." + _NAME + rb")?"
    rb"(?: \((?:" + _NAME + rb"(?:, )?)*+\))?) (?:OVERRIDING SYSTEM VALUE )?VALUES\s++"
)
_SINGLE_ROW_INSERT = re.compile(_HEAD + rb"(" + _ROW + rb");\n?")
# --rows-per-insert puts each row on a line of its own: "VALUES\n\t(..),\n\t(..);".
_SIMPLE_INSERT = re.compile(_HEAD + rb"(" + _ROW + rb"(?:,\s*+" + _ROW + rb")*+);\n?")
SIMPLE_INSERT = _SIMPLE_INSERT  # group 2: the rows
SIMPLE_ROW = re.compile(_ROW)
# Any INSERT pg_dump writes, strings with a prefix too (E'', B''): pg_dump doubles every quote,
# in an escape string as well (string_utils.c appendStringLiteral), so the quotes pair up alike.
_ANY_ROW = rb"\((?:[^'\"$();/\-]++|-(?!-)|/(?!\*)|'(?:[^']++|'')*+')*+\)"
ANY_INSERT = re.compile(_HEAD + rb"(" + _ANY_ROW + rb"(?:,\s*+" + _ANY_ROW + rb")*+);\n?")
_STRING = re.compile(rb"'(?:[^']++|'')*+'")

_NORMAL, _QUOTE, _DOLLAR, _LINE_COMMENT, _BLOCK_COMMENT = range(5)


class InsertScanner:
    """Lexical state of one INSERT statement, fed a buffer at a time; counts VALUES rows."""

    def __init__(self, *, standard_strings: bool) -> None:
        self.standard_strings = standard_strings
        self.rows = 0
        self.depth = 0
        self.in_values = False
        self.first_row_at = -1  # offset of the first row's "(" in the buffer it was found in
        self._mode = _NORMAL
        self._quote = 0
        self._backslashes = False
        self._tag = b""
        self._comment_depth = 0

    def feed(
        self, buf: bytearray, pos: int, end: int, *, eof: bool, start: int
    ) -> tuple[int, bool]:
        """Scan ``buf[pos:end]``: (offset to resume from, whether the statement's ``;`` was read).

        The bytes from the returned offset on must be fed again with more input after them (at
        most a few: a token that may continue). ``start`` is where the statement begins in
        ``buf`` (or how far back the buffer goes): the scanner looks back two bytes at most.
        After the first row's ``(`` it returns at once with ``first_row_at`` set.
        """
        i = pos
        while i < end:
            mode = self._mode
            if mode == _NORMAL:
                m = SPECIAL.search(buf, i, end)
                if m is None:
                    # A lone "-", "/" or "$" at the end may start a comment or a dollar quote.
                    if not eof and buf[end - 1] in b"-/":
                        return end - 1, False
                    return end, False
                at = m.start()
                tok = buf[at]
                i = m.end()
                if tok == 0x3B:  # ;
                    if self.depth == 0:
                        return i, True
                elif tok == 0x28:  # (
                    self.depth += 1
                    if self.depth == 1 and self.in_values:
                        self.rows += 1
                    elif self.depth == 1 and _VALUES_END.search(buf, start, at):
                        self.in_values = True  # the first row; before it, a column list
                        self.rows += 1
                        self.first_row_at = at
                        return i, False
                elif tok == 0x29:  # )
                    self.depth -= 1
                elif tok == 0x27:  # '
                    backslashes = is_e_string(buf, at, start) or not self.standard_strings
                    self._enter_quote(0x27, backslashes=backslashes)
                elif tok == 0x22:  # "
                    self._enter_quote(0x22, backslashes=False)
                elif tok == 0x24:  # $
                    if at > start and buf[at - 1] in IDENT_BYTES:
                        continue  # a$b: part of a name (scan.l: dolqdelim)
                    tag = DOLLAR_TAG.match(buf, at, end)
                    if tag is None:
                        if not eof and TAG_PREFIX.match(buf, at, end):
                            return at, False  # the tag may continue in the next buffer
                        continue
                    self._mode, self._tag = _DOLLAR, bytes(tag.group(0))
                    i = tag.end()
                elif m.group(0) == b"--":
                    self._mode = _LINE_COMMENT
                else:  # /*
                    self._mode, self._comment_depth = _BLOCK_COMMENT, 1
            elif mode == _QUOTE:
                i = self._in_quote(buf, i, end, eof=eof)
                if i < 0:
                    return -i - 1, False
            elif mode == _DOLLAR:
                close = buf.find(self._tag, i, end)
                if close < 0:
                    # Keep what may be the start of the closing tag.
                    return (end if eof else max(i, end - len(self._tag) + 1)), False
                self._mode, i = _NORMAL, close + len(self._tag)
            elif mode == _LINE_COMMENT:
                nl = buf.find(b"\n", i, end)
                if nl < 0:
                    return end, False
                self._mode, i = _NORMAL, nl + 1
            else:
                m = COMMENT_END.search(buf, i, end)
                if m is None:
                    if not eof and buf[end - 1] in b"/*":
                        return end - 1, False
                    return end, False
                self._comment_depth += 1 if m.group(0) == b"/*" else -1
                i = m.end()
                if self._comment_depth == 0:
                    self._mode = _NORMAL
        return end, False

    def _enter_quote(self, quote: int, *, backslashes: bool) -> None:
        self._mode, self._quote, self._backslashes = _QUOTE, quote, backslashes

    def _in_quote(self, buf: bytearray, i: int, end: int, *, eof: bool) -> int:
        """The offset after the closing quote, or -(offset to resume from) - 1."""
        body = quote_body(self._quote, backslashes=self._backslashes)
        j = body.match(buf, i, end).end()  # type: ignore[union-attr]  # it matches ""
        if j >= end:
            return -end - 1
        if j + 1 >= end:  # a lone quote or backslash at the end: the next byte tells
            if eof:
                self._mode = _NORMAL
                return end
            return -j - 1
        self._mode = _NORMAL
        return j + 1  # the body stops only before a lone closing quote


def simple_insert_run(
    buf: bytearray, start: int, spans: list[tuple[int, int]] | None = None
) -> tuple[bytes, int, int] | None:
    """Consecutive simple INSERTs into one table from ``start``, each read with one regex:
    (the table and column list as written, their rows, the offset after them). ``spans``, when
    given, gets where each statement's rows are (for their fingerprint).

    A match is always a whole statement: the regex lexes quotes as psql does, so a buffer that
    ends inside a statement gives no match (it needs the final ``);``).
    """
    name = b""
    rows, pos = 0, start
    while True:
        m = _SINGLE_ROW_INSERT.match(buf, pos)
        count = 1
        if m is None:
            m = _SIMPLE_INSERT.match(buf, pos)
            if m is not None:
                count = _row_count(m.group(2))
        if m is None or (name and m.group(1) != name):
            break
        name = name or bytes(m.group(1))
        rows += count
        pos = m.end()
        if spans is not None:
            spans.append(m.span(2))
    return (name, rows, pos) if rows else None


def _row_count(values: bytes) -> int:
    # Outside its strings a simple row list has one "(" per row and no other.
    rows = values.count(b"(")
    if rows > 1 and b"'" in values:
        rows = _STRING.sub(b"", values).count(b"(")
    return rows


def parse_insert_head(text: str) -> tuple[QualifiedName, tuple[str, ...] | None] | None:
    """The table and column list of ``INSERT INTO s.t (a, b) ... VALUES``, or None."""
    m = _INSERT_INTO.match(text)
    if m is None:
        return None
    try:
        parts, pos = read_qualified(text, m.end())
        pos = skip_ws(text, pos)
        columns: tuple[str, ...] | None = None
        if text.startswith("(", pos):
            columns, pos = read_ident_list(text, pos)
    except TextError:
        return None
    if not 1 <= len(parts) <= 2:
        return None
    schema = parts[0] if len(parts) == 2 else "public"
    return QualifiedName(schema, parts[-1]), columns


def count_insert_rows(text: str, pos: int = 0) -> int:
    """The number of row tuples of an INSERT (``DEFAULT VALUES`` is one row)."""
    if _DEFAULT_VALUES.search(text, pos):
        at = find_keyword(text, _DEFAULT_VALUES, pos)
        if at >= 0:
            return 1
    at = find_keyword(text, _VALUES, pos)
    if at < 0:
        raise TextError("INSERT without VALUES")
    rows = 0
    depth = 0
    i = at + len("VALUES")
    n = len(text)
    while i < n:
        m = _TUPLE_SPECIAL.search(text, i)
        if m is None:
            break
        c = m.group(0)
        i = m.start()
        if c == "(":
            if depth == 0:
                rows += 1
            depth += 1
            i += 1
        elif c == ")":
            depth -= 1
            i += 1
        else:
            i = skip_quoted(text, i)
    return rows
