"""Strip row values and passwords from PostgreSQL messages and statements before any report
shows them.

The restore stage already keeps values out of its errors; this is the second line of defence,
because a report gets pasted into tickets and production data must never reach one. A failed
statement can also carry a secret: pg_dump writes a user mapping's options, password included
(dumpUserMappings), and a subscription's connection string.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

# PostgreSQL messages that quote a value (src/backend/utils/adt/*.c, ri_triggers.c,
# nbtinsert.c, execMain.c, copyfromparse.c). Each pattern keeps the names and drops the value.
_KEY_VALUE = re.compile(
    r"\)=\(.*?\)(?= already exists| is not present| is still referenced| is duplicated"
    r"| conflicts with|\.?\s*$)",
    re.MULTILINE,
)
_FAILING_ROW = re.compile(r"(Failing row contains )\(.*\)", re.MULTILINE)
_QUOTED_INPUT = re.compile(
    r"((?:invalid input syntax for (?:type )?[^:\n]+"
    r"|invalid input value for enum [^:\n]+"
    r"|date/time field value out of range"
    r"|malformed [a-z ]+ literal"
    r"|invalid (?:value|escape string|hexadecimal digit)[^:\n]*"
    r"|COPY [^,\n]+, line \d+(?:, column [^:\n]+)?"
    r"): )\".*\"",
    re.MULTILINE,
)
# A password option ("password 'x'", "sslpassword 'x'", quoted or not) and a password in a
# connection string ("password=x", "password='x y'").
_PASSWORD_OPTION = re.compile(r"""(\b(?:ssl)?password"?\s+)'(?:[^']|'')*'""", re.IGNORECASE)
_PASSWORD_CONNINFO = re.compile(
    # Inside a SQL literal the value's own quotes are doubled: ''a b''.
    r"""(\b(?:ssl)?password\s*=\s*)(?:''.*?''|'(?:[^'\\]|\\.)*'|[^\s']+)""",
    re.IGNORECASE,
)
_OUT_OF_RANGE = re.compile(r"\bvalue \".*?\" is out of range", re.MULTILINE)
_INSERT = re.compile(r"^\s*(INSERT\s+INTO\s+.*?\bVALUES\b)", re.IGNORECASE | re.DOTALL)
_COPY_FROM_STDIN = re.compile(r"^(\s*COPY\s[^\n]*?FROM\s+stdin;?)", re.IGNORECASE)


def scrub_message(text: str) -> str:
    """An error message with any quoted row value or password replaced by an ellipsis."""
    text = _PASSWORD_OPTION.sub(rf"\1'{ELLIPSIS}'", text)
    text = _PASSWORD_CONNINFO.sub(rf"\1{ELLIPSIS}", text)
    text = _KEY_VALUE.sub(f")=({ELLIPSIS})", text)
    text = _FAILING_ROW.sub(rf"\1({ELLIPSIS})", text)
    text = _QUOTED_INPUT.sub(rf'\1"{ELLIPSIS}"', text)
    return _OUT_OF_RANGE.sub(f'value "{ELLIPSIS}" is out of range', text)


def scrub_statement(sql: str) -> str:
    """A statement without row values: INSERT stops at VALUES, COPY at ``FROM stdin``."""
    insert = _INSERT.match(sql)
    if insert:
        return f"{insert.group(1)} {ELLIPSIS}"
    copy = _COPY_FROM_STDIN.match(sql)
    if copy:
        # Plain dumps put the data lines right after the COPY header.
        return copy.group(1)
    return scrub_message(sql)


_COMMAND_WAS_INSERT = re.compile(
    r"^(Command was: INSERT\s+INTO\s+.*?\bVALUES\b).*$", re.IGNORECASE | re.MULTILINE
)


def scrub_log(text: str) -> str:
    """A whole restore log (pg_restore --verbose stderr or our driver's) without row values."""
    text = _COMMAND_WAS_INSERT.sub(rf"\1 {ELLIPSIS}", text)
    return scrub_message(text)
