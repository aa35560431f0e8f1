"""Errors with file, line, column and a caret, where ``prisma validate`` points."""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.errors import SchemaParseError, SourceLocation
from dumpcheck.expect.psl.ast import Pos

# A hostile schema may hold a line of a megabyte: quote a window of it around the column.
_WINDOW = 160


def location(sources: Mapping[str, str], pos: Pos) -> SourceLocation:
    """A SourceLocation (1-based line and column) for ``pos``, with the line for the caret."""
    text = sources.get(pos.file, "")
    offset = min(max(pos.offset, 0), len(text))
    start = text.rfind("\n", 0, offset) + 1
    cr = text.rfind("\r", 0, offset) + 1  # a lone CR ends a line too (NEWLINE in the grammar)
    start = max(start, cr)
    end = len(text)
    for stop in ("\n", "\r"):
        found = text.find(stop, offset)
        if 0 <= found < end:
            end = found
    number = text.count("\n", 0, offset) + text.count("\r", 0, offset)
    number -= text.count("\r\n", 0, offset)
    line = text[start:end]
    column = offset - start + 1
    if len(line) > _WINDOW:
        # Keep the caret under the right character: cut the line around the column.
        left = max(0, column - 1 - _WINDOW // 2)
        line = ("…" if left else "") + line[left : left + _WINDOW] + "…"
        shown = column - left + (1 if left else 0)
        return SourceLocation(pos.file, number + 1, column, line, caret_column=shown)
    return SourceLocation(pos.file, number + 1, column, line)


def fail(sources: Mapping[str, str], pos: Pos, message: str) -> SchemaParseError:
    """A SchemaParseError at ``pos``; the message is cut to about 200 characters."""
    if len(message) > 200:
        message = message[:197] + "..."
    return SchemaParseError(message, location(sources, pos))
