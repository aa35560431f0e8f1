"""Classify restore failures (fatal / harmless / secondary / other) and find each root cause.

Both drivers (pg_restore for archives, our statement driver for plain dumps) describe every
failure as a :class:`Failure`; this module turns the list into RestoreErrors. The root cause of a
failure is found, in this order: an earlier failure of the same object (its OWNER TO after its
CREATE failed), a failed TOC dependency (archives carry pg_dump's dependency graph), or the object
the error message names ("relation "public.users" does not exist" -> the failed CREATE TABLE).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore.model import RestoreError, Severity
from dumpcheck.sqltext import TextError, read_qualified

if TYPE_CHECKING:
    import psycopg

STATEMENT_LIMIT = 400


@dataclass
class Failure:
    """One failed statement (or driver error), before classification."""

    message: str
    statement: str | None = None
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    location: str | None = None  # "line 120" or "TOC 215"
    desc: str | None = None  # TOC desc / plain header Type: "TABLE", "TABLE DATA", ...
    tag: str | None = None  # TOC tag / plain header Name: "users", "users users_pkey"
    namespace: str | None = None
    toc_id: int | None = None
    dependencies: tuple[int, ...] = ()
    copy_table: QualifiedName | None = None  # the COPY target, when the statement is a COPY
    defn: str | None = None  # the entry's creating SQL, to tell a PK from a FK etc.
    caused_by: int | None = None  # 1-based index of the failure known to cause this one


def failure_from(exc: psycopg.Error, **fields: Any) -> Failure:
    """A Failure with the server's diagnostics of ``exc`` (message, SQLSTATE, detail, hint);
    ``fields`` say which statement and object it was."""
    diag = exc.diag
    return Failure(
        message=diag.message_primary or " ".join(str(exc).split()),
        sqlstate=diag.sqlstate,
        detail=diag.message_detail,
        hint=diag.message_hint,
        **fields,
    )


def shorten(statement: str | None, limit: int = STATEMENT_LIMIT) -> str | None:
    """The statement cut to ``limit`` characters (COPY statements never carry their data)."""
    if statement is None:
        return None
    text = statement.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 3].rstrip() + "..."


# Entries whose tag is a relation the catalog lists as a table (views, matviews and foreign
# tables are relations too: their own errors belong to them, pg_dump.c dumpTableSchema).
_RELATION_ENTRIES = frozenset(
    {"TABLE", "TABLE DATA", "VIEW", "MATERIALIZED VIEW", "MATERIALIZED VIEW DATA", "FOREIGN TABLE"}
)
_CREATE_RELATION = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:MATERIALIZED\s+)?VIEW|FOREIGN\s+TABLE)\b",
    re.IGNORECASE,
)


def table_of(f: Failure) -> QualifiedName | None:
    """The table the failed object belongs to, when it belongs to one."""
    if f.copy_table is not None:
        return f.copy_table
    desc, ns = f.desc or "", f.namespace or "public"
    if desc in _RELATION_ENTRIES and f.tag:
        return QualifiedName(ns, f.tag)
    for sql in (f.defn, f.statement):
        if sql:
            found = _table_in_sql(sql, ns)
            if found is not None:
                return found
    return None


_TABLE_SQL = re.compile(
    r"^\s*(?:ALTER\s+TABLE(?:\s+ONLY)?|CREATE\s+TABLE|COPY|CREATE\s+(?:UNIQUE\s+)?INDEX\s+"
    r"(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON(?:\s+ONLY)?|"
    r"CREATE\s+(?:CONSTRAINT\s+)?TRIGGER\s+.*?\s+ON|COMMENT\s+ON\s+COLUMN|"
    r"GRANT\s+.*?\s+ON\s+TABLE|REVOKE\s+.*?\s+ON\s+TABLE)\s+",
    re.IGNORECASE | re.DOTALL,
)


def _table_in_sql(sql: str, schema: str = "public") -> QualifiedName | None:
    # An unqualified name is in the object's own schema (pg_dump always qualifies; the
    # Prisma DDL a data-only dump loads into does not, and runs with its schema first).
    m = _TABLE_SQL.match(sql)
    if m is None:
        return None
    try:
        parts, _ = read_qualified(sql, m.end())
    except TextError:
        return None
    if len(parts) == 3:  # COMMENT ON COLUMN s.t.c
        return QualifiedName(parts[0], parts[1])
    if len(parts) == 2:
        return QualifiedName(parts[0], parts[1])
    return QualifiedName(schema, parts[0]) if len(parts) == 1 else None


# -- harmless -------------------------------------------------------------------------------

_OWNER_OR_ACL = re.compile(
    r"^\s*(ALTER\s+\S+(\s+\S+)?\s+.*\sOWNER\s+TO\s|GRANT\s|REVOKE\s|ALTER\s+DEFAULT\s+PRIVILEGES)",
    re.IGNORECASE | re.DOTALL,
)
_MISSING_ROLE = re.compile(r'^role ".*" does not exist')
_SET_PARAM = re.compile(r"^\s*(SET|SELECT\s+pg_catalog\.set_config)\b", re.IGNORECASE)
_PUBLIC_OR_PLPGSQL = re.compile(
    r'^(schema "public"|extension "plpgsql"|language "plpgsql") already exists'
    r"|^must be owner of (schema public|extension plpgsql)"
)
_COMMENT_ON_EXTENSION = re.compile(r"^\s*COMMENT\s+ON\s+EXTENSION\s", re.IGNORECASE)


def harmless_reason(f: Failure) -> str | None:
    """Why a failure cannot hurt the restored data, or None when it can."""
    stmt = f.statement or ""
    if _MISSING_ROLE.match(f.message) and (
        f.desc in ("ACL", "DEFAULT ACL") or _OWNER_OR_ACL.match(stmt)
    ):
        return "ownership or privileges of a role the scratch server lacks"
    if f.message.startswith("unrecognized configuration parameter") and _SET_PARAM.match(stmt):
        # A newer pg_dump sets parameters an older server lacks (transaction_timeout is PG 17+).
        return "a session setting this server version does not know"
    if _PUBLIC_OR_PLPGSQL.match(f.message):
        return "the public schema / plpgsql exist in every new database"
    on_extension = f.desc == "COMMENT" and (f.tag or "").startswith("EXTENSION ")
    if on_extension or _COMMENT_ON_EXTENSION.match(stmt):
        return "a comment on an extension"
    return None


# -- what failed and what it names ------------------------------------------------------------

_NAMED = re.compile(
    r'^(?P<kind>relation|table|schema|type|extension|function|language)\s+"?(?P<name>[^"]*?)"?'
    r"(\(.*\))? does not exist"
)
_NO_UNIQUE = re.compile(r'referenced table "(?P<name>(?:[^"]|"")*)"')
_UNIQUE_DEF = re.compile(r"\b(PRIMARY\s+KEY|UNIQUE)\b", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:UNLOGGED\s+|FOREIGN\s+)?TABLE\b", re.IGNORECASE)
_UNIQUE_INDEX = re.compile(r"^\s*CREATE\s+UNIQUE\s+INDEX\b", re.IGNORECASE)


def _object_key(f: Failure) -> tuple[str, str] | None:
    """(kind, name) of the object this failure leaves missing, for the registry below."""
    desc, ns, tag = f.desc or "", f.namespace or "", f.tag or ""
    if desc == "TABLE":
        return ("relation", f"{ns}.{tag}")
    if desc == "SCHEMA":
        return ("schema", tag)
    if desc == "EXTENSION":
        return ("extension", tag)
    if desc in ("TYPE", "DOMAIN"):
        return ("type", f"{ns}.{tag}")
    if desc in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
        return ("function", f"{ns}.{tag.split('(')[0]}")
    if desc in ("VIEW", "MATERIALIZED VIEW", "SEQUENCE", "FOREIGN TABLE"):
        return ("relation", f"{ns}.{tag}")
    return None


def breaks_table(f: Failure) -> bool:
    """Fatal for its table: CREATE TABLE failed, its COPY failed, or its PK / UNIQUE failed."""
    desc = f.desc or ""
    if desc == "TABLE DATA" or f.copy_table is not None:
        return True
    if desc == "TABLE":
        # Its CREATE TABLE, not the OWNER TO / GRANT that follow in the same entry or section.
        return f.statement is None or bool(_CREATE_TABLE.match(f.statement))
    if desc in ("VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE"):
        # Its CREATE, not the OWNER TO / GRANT / COMMENT that follow it.
        return f.statement is None or bool(_CREATE_RELATION.match(f.statement))
    sql = f.defn or f.statement or ""
    if desc == "CONSTRAINT" and _UNIQUE_DEF.search(sql):
        return True
    return desc == "INDEX" and bool(_UNIQUE_INDEX.match(sql))


class _Registry:
    """Failed objects by name, so that later errors naming them find their root cause."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], int] = {}
        self.unique_on: dict[QualifiedName, int] = {}
        self.extensions: list[int] = []

    def add(self, f: Failure, fid: int) -> None:
        key = _object_key(f)
        if key is not None:
            self.objects.setdefault(key, fid)
            if key[0] == "extension":
                self.extensions.append(fid)
        table = table_of(f)
        if table is not None and breaks_table(f) and f.desc in ("CONSTRAINT", "INDEX"):
            self.unique_on.setdefault(table, fid)

    def named_by(self, f: Failure) -> int | None:
        """The failure that left missing the object ``f``'s message names, if any."""
        m = _NAMED.match(f.message)
        if m:
            kind = "relation" if m["kind"] == "table" else m["kind"]
            name = m["name"]
            candidates = [name] if "." in name or kind in ("schema", "extension") else []
            candidates += [f"{f.namespace or 'public'}.{name}", f"public.{name}"]
            for cand in candidates:
                if (kind, cand) in self.objects:
                    return self.objects[(kind, cand)]
            if kind == "schema" or (kind == "relation" and f.copy_table is not None):
                return None
            # A type or function of an extension that failed to install: the extension is the
            # cause (pg_dump does not dump extension members, so no TOC entry names the type).
            if kind in ("type", "function") and self.extensions:
                return self.extensions[0]
            return None
        m = _NO_UNIQUE.search(f.message)
        if m and f.message.startswith("there is no unique constraint"):
            name = m["name"].replace('""', '"')
            for table, fid in self.unique_on.items():
                if table.name == name:
                    return fid
        return None


def classify(failures: Sequence[Failure], entries: Mapping[int, TocEntry]) -> list[RestoreError]:
    """RestoreErrors for ``failures`` (in restore order), each with severity and root cause."""
    roots: list[int | None] = []
    first_of_entry: dict[int | tuple[str, str, str], int] = {}
    failed_entries: dict[int, int] = {}
    registry = _Registry()
    for i, f in enumerate(failures):
        fid = i + 1
        cause = _cause(f, first_of_entry, failed_entries, entries, registry)
        roots.append(_root(cause, roots))
        if harmless_reason(f) is not None:
            continue  # it left nothing missing that a later failure could trip over
        key = _entry_key(f)
        if key is not None:
            first_of_entry.setdefault(key, fid)
        if f.toc_id is not None:
            failed_entries.setdefault(f.toc_id, fid)
        registry.add(f, fid)

    causes_fatal = {r for f, r in zip(failures, roots, strict=True) if r and breaks_table(f)}
    result = []
    for i, f in enumerate(failures):
        fid = i + 1
        severity: Severity
        if harmless_reason(f) is not None:
            severity = "harmless"
        elif roots[i] is not None:
            severity = "secondary"
        elif breaks_table(f) or fid in causes_fatal:
            severity = "fatal"
        else:
            severity = "other"
        result.append(
            RestoreError(
                id=fid,
                severity=severity,
                message=f.message,
                sqlstate=f.sqlstate,
                detail=f.detail,
                hint=f.hint,
                statement=shorten(f.statement),
                location=f.location,
                object_type=f.desc,
                object_name=_object_name(f),
                table=table_of(f),
                root_cause_id=roots[i],
            )
        )
    return result


def _entry_key(f: Failure) -> int | tuple[str, str, str] | None:
    if f.toc_id is not None:
        return f.toc_id
    if f.desc is not None:
        return (f.desc, f.namespace or "", f.tag or "")
    return None


def _cause(
    f: Failure,
    first_of_entry: Mapping[int | tuple[str, str, str], int],
    failed_entries: Mapping[int, int],
    entries: Mapping[int, TocEntry],
    registry: _Registry,
) -> int | None:
    if f.caused_by is not None:
        return f.caused_by
    key = _entry_key(f)
    if key is not None and key in first_of_entry:
        return first_of_entry[key]
    if f.dependencies and failed_entries:
        found = _failed_ancestor(f.dependencies, failed_entries, entries)
        if found is not None:
            return found
    return registry.named_by(f)


def _failed_ancestor(
    deps: tuple[int, ...], failed: Mapping[int, int], entries: Mapping[int, TocEntry]
) -> int | None:
    """The earliest failure among the entries ``deps`` reach (breadth first through the TOC)."""
    seen: set[int] = set()
    queue = deque(deps)
    hits: list[int] = []
    while queue:
        dep = queue.popleft()
        if dep in seen:
            continue
        seen.add(dep)
        if dep in failed:
            hits.append(failed[dep])
            continue  # its own cause is already resolved through roots
        entry = entries.get(dep)
        if entry is not None:
            queue.extend(entry.dependencies)
    return min(hits) if hits else None


def _root(cause: int | None, roots: Sequence[int | None]) -> int | None:
    if cause is None:
        return None
    parent = roots[cause - 1]
    return parent if parent is not None else cause


def _object_name(f: Failure) -> str | None:
    if f.tag is None:
        return str(f.copy_table) if f.copy_table is not None else None
    if f.namespace and f.namespace != "-":
        return f"{f.namespace}.{f.tag}"
    return f.tag
