"""Build the tables a data-only dump loads into, from the DDL the Prisma schema implies.

pg_dump -a writes rows and sequence values but no CREATE TABLE: such a dump is restored into a
database that the application's migrations already built. Restoring it into an empty scratch
database fails every table ("relation does not exist"), which says nothing about the data. So
the restore stage first runs the Prisma schema's DDL (expect.base_schema_sql), statement by
statement, and records each failure against its object as it would a dump's own.
"""

from __future__ import annotations

import io
import re

import psycopg

from dumpcheck.inventory.plain import Statement, iter_plain
from dumpcheck.restore.classify import Failure, failure_from
from dumpcheck.scratch import classify_db_error, server_failure
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.sqltext import TextError, read_qualified

LOCATION = "Prisma DDL"

# What each statement of render_sql creates, as pg_dump's TOC would name the object.
_KINDS = (
    (re.compile(r"CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?", re.I), "SCHEMA"),
    (re.compile(r"CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?", re.I), "EXTENSION"),
    (re.compile(r"CREATE\s+TYPE\s+", re.I), "TYPE"),
    (re.compile(r"CREATE\s+TABLE\s+", re.I), "TABLE"),
    (re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+", re.I), "INDEX"),
    (re.compile(r"ALTER\s+TABLE\s+(?:ONLY\s+)?", re.I), "FK CONSTRAINT"),
)
_COMMENTS = re.compile(r"^(?:\s*--[^\n]*\n)*\s*")


def apply_base_schema(server: ScratchServer, dsn: str, sql: str) -> list[Failure]:
    """Run ``sql`` in one session at ``dsn``; every failed statement becomes a Failure.

    Disk full and a lost server raise (EnvironmentFailure), as in the dump's own restore.
    """
    failures: list[Failure] = []
    search_path = "public"
    try:
        conn = psycopg.connect(dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        raise server_failure(server, exc) from exc
    with conn:
        for number, item in enumerate(iter_plain(io.BytesIO(sql.encode("utf-8"))), start=1):
            if not isinstance(item, Statement):
                continue
            text = item.text
            path = re.match(r"SET\s+search_path\s+TO\s+(\S+?);?$", text.strip(), re.I)
            if path:
                search_path = path.group(1).strip('"').replace('""', '"')
            try:
                conn.execute(text.encode("utf-8"))
            except psycopg.Error as exc:
                if classify_db_error(exc) is not None or conn.broken:
                    raise server_failure(server, exc) from exc
                failures.append(_failure(exc, text, number, search_path))
    return failures


def _failure(exc: psycopg.Error, text: str, number: int, search_path: str) -> Failure:
    desc, namespace, tag = describe(text, search_path)
    return failure_from(
        exc,
        statement=_COMMENTS.sub("", text, count=1),
        location=f"{LOCATION} statement {number}",
        desc=desc,
        tag=tag,
        namespace=namespace,
    )


def describe(text: str, search_path: str) -> tuple[str | None, str | None, str | None]:
    """(TOC-style desc, schema, name) of the object one rendered statement creates."""
    body = _COMMENTS.sub("", text, count=1)
    for pattern, desc in _KINDS:
        m = pattern.match(body)
        if m is None:
            continue
        try:
            parts, _ = read_qualified(body, m.end())
        except TextError:
            return desc, None, None
        if desc in ("SCHEMA", "EXTENSION"):
            return desc, None, parts[-1]
        schema = parts[0] if len(parts) > 1 else search_path
        if desc == "FK CONSTRAINT":
            return desc, schema, None  # table_of() reads the table from the statement
        return desc, schema, parts[-1]
    return None, None, None
