"""One column definition of CREATE TABLE, read from pg_dump's text.

pg_dump writes a column as ``name type [DEFAULT e] [NOT NULL] [COLLATE c] ...`` with keywords
in upper case and types as ``format_type()`` prints them (pg_dump.c dumpTableSchema), so the
reader can split on the upper-case keywords without a full SQL parser.
"""

from __future__ import annotations

import re

from dumpcheck.catalog import Column
from dumpcheck.sqltext import find_keyword, matching_paren, read_ident, skip_ws, squash

TABLE_CONSTRAINT = re.compile(
    r"(?:CONSTRAINT\s|CHECK\s*\(|PRIMARY\s+KEY|UNIQUE\b|FOREIGN\s+KEY|EXCLUDE\b|LIKE\s)"
)
# Column constraint keywords; pg_dump writes keywords in upper case and types in lower case, so
# matching upper case only cannot hit a type such as public.storage.
_COLUMN_KEYWORD = re.compile(
    r"(?<![\w.\"])(?:CONSTRAINT|NOT NULL|NULL|DEFAULT|CHECK|GENERATED|COLLATE|PRIMARY KEY|"
    r"UNIQUE|REFERENCES|COMPRESSION|STORAGE)\b"
)
_EXPR_END = re.compile(r"(?<![\w.\"])(?:CONSTRAINT|NOT NULL|COLLATE|CHECK|COMPRESSION|STORAGE)\b")
_IDENTITY = re.compile(r"GENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY", re.IGNORECASE)
_GENERATED_EXPR = re.compile(r"GENERATED\s+ALWAYS\s+AS\s*(?=\()", re.IGNORECASE)


def parse_column(name: str, definition: str) -> Column:
    """A column from the text after its name: ``type [DEFAULT e] [NOT NULL] [COLLATE c]``."""
    definition = definition.strip()
    first = find_keyword(definition, _COLUMN_KEYWORD, 0)
    type_text = squash(definition if first < 0 else definition[:first])
    if not type_text:
        raise ValueError(f"column {name} has no type")
    nullable = True
    default: str | None = None
    generated: str | None = None
    identity: str | None = None
    pos = first
    while 0 <= pos < len(definition):
        word = definition[pos:]
        if word.startswith("NOT NULL"):
            nullable = False
            pos += len("NOT NULL")
        elif word.startswith("DEFAULT"):
            end = find_keyword(definition, _EXPR_END, pos + len("DEFAULT"))
            stop = len(definition) if end < 0 else end
            default = squash(definition[pos + len("DEFAULT") : stop])
            pos = stop
        elif _IDENTITY.match(word):
            m = _IDENTITY.match(word)
            identity = "always" if m and m[1].upper() == "ALWAYS" else "by default"
            pos += m.end() if m else 0
            nxt = skip_ws(definition, pos)
            if definition.startswith("(", nxt):
                pos = matching_paren(definition, nxt) + 1
            nullable = False  # identity columns are always NOT NULL (tablecmds.c)
        elif _GENERATED_EXPR.match(word):
            m = _GENERATED_EXPR.match(word)
            open_at = pos + (m.end() if m else 0)
            close = matching_paren(definition, open_at)
            generated = squash(definition[open_at + 1 : close])
            pos = close + 1
        elif word.startswith("CHECK"):
            pos = matching_paren(definition, definition.index("(", pos)) + 1
        elif word.startswith("CONSTRAINT"):
            _, pos = read_ident(definition, pos + len("CONSTRAINT"))
        else:
            pos += 1  # COLLATE, NULL, ...: skip the keyword, the search below moves on
        nxt = find_keyword(definition, _COLUMN_KEYWORD, pos)
        pos = nxt
    return Column(
        name,
        type_text,
        nullable=nullable,
        default=default,
        identity=identity,  # type: ignore[arg-type]
        generated=generated,
    )
