"""Rows of Prisma's ``_prisma_migrations`` table, read from its COPY data or INSERTs.

Only five columns are kept (prisma-engines ``schema-connector`` MigrationRecord: migration_name,
checksum, finished_at, rolled_back_at, applied_steps_count); logs and other values are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dumpcheck.inventory.model import MigrationRow
from dumpcheck.sqltext import find_keyword, matching_paren, skip_ws, split_top_level

_WANTED = ("migration_name", "checksum", "finished_at", "rolled_back_at", "applied_steps_count")
# COPY text format escapes (copyfromparse.c CopyReadAttributesText).
_COPY_ESCAPE = re.compile(rb"\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)")
_SIMPLE_ESCAPES = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}
_VALUES = re.compile(r"\bVALUES\b", re.IGNORECASE)


def _unescape_copy(field: bytes) -> str | None:
    if field == b"\\N":
        return None

    def repl(m: re.Match[bytes]) -> bytes:
        body = m.group(0)[1:]
        if body[:1] in b"01234567" and body[:1]:
            return bytes((int(body, 8) & 0xFF,))
        if body[:1] == b"x" and len(body) > 1:
            return bytes((int(body[1:], 16),))
        return _SIMPLE_ESCAPES.get(body, body)

    return _COPY_ESCAPE.sub(repl, field).decode("utf-8", errors="replace")


def _row(values: dict[str, str | None]) -> MigrationRow | None:
    name, checksum = values.get("migration_name"), values.get("checksum")
    if name is None or checksum is None:
        return None
    steps = values.get("applied_steps_count")
    return MigrationRow(
        migration_name=name,
        checksum=checksum,
        finished_at=values.get("finished_at"),
        rolled_back_at=values.get("rolled_back_at"),
        applied_steps_count=int(steps) if steps and steps.lstrip("-").isdigit() else 0,
    )


def migrations_from_copy(columns: Sequence[str], data: Iterable[bytes]) -> list[MigrationRow]:
    """Parse the five wanted columns out of the COPY data lines of ``_prisma_migrations``."""
    wanted = {i: c for i, c in enumerate(columns) if c in _WANTED}
    rows: list[MigrationRow] = []
    rest = b""
    for chunk in data:
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            fields = line.split(b"\t")  # a tab inside a value is written as "\t"
            values = {c: _unescape_copy(fields[i]) for i, c in wanted.items() if i < len(fields)}
            row = _row(values)
            if row is not None:
                rows.append(row)
    return rows


def _literal(text: str) -> str | None:
    text = text.strip()
    if text.upper() == "NULL":
        return None
    # Strip a trailing cast such as '...'::timestamp with time zone.
    if text.startswith(("'", "E'", "e'")):
        escaped = text[0] in "eE"
        body_start = 2 if escaped else 1
        end = text.rfind("'")
        body = text[body_start:end].replace("''", "'")
        if escaped:
            body = body.encode("latin-1", "backslashreplace").decode("unicode_escape")
        return body
    return text.split("::")[0]


def migrations_from_insert(columns: Sequence[str], text: str, pos: int) -> list[MigrationRow]:
    """Parse the wanted columns out of the VALUES tuples of an INSERT (``--inserts`` dumps)."""
    at = find_keyword(text, _VALUES, pos)
    if at < 0:
        return []
    rows: list[MigrationRow] = []
    i = skip_ws(text, at + len("VALUES"))
    while i < len(text) and text[i] == "(":
        close = matching_paren(text, i)
        spans = split_top_level(text, i + 1, close)
        values = {
            c: _literal(text[s:e])
            for c, (s, e) in zip(columns, spans, strict=False)
            if c in _WANTED
        }
        row = _row(values)
        if row is not None:
            rows.append(row)
        i = skip_ws(text, close + 1)
        if i < len(text) and text[i] == ",":
            i = skip_ws(text, i + 1)
    return rows
