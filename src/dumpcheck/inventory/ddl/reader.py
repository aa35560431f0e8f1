"""pg_dump DDL to catalog objects, one statement at a time.

Types, defaults and expressions are taken as the original text slices, never through sqlglot's
``.sql()``: pg_dump already writes them the way ``format_type()`` / ``pg_get_expr()`` print
them, and sqlglot respells them (``integer`` -> ``INT``, ``now()`` -> ``CURRENT_TIMESTAMP``).

Reading is two-tier. Fast readers over the text (:mod:`sqltext`) handle the exact shapes
pg_dump writes; measured, sqlglot costs 0.2 ms per CREATE TABLE, so it cannot sit on the path
of a 10,000-table schema that must parse in 3 s. sqlglot (postgres dialect) reads constraint
shapes the fast reader does not recognise, and with ``DdlState.cross_check`` (the tests) it
re-parses every CREATE TABLE, constraint and index and must agree. Where sqlglot 30.30 fails
(``bit varying``, ``ON ONLY``, the ``exp.Command`` fallbacks for OWNER TO, OWNED BY, ATTACH
PARTITION, ADD GENERATED AS IDENTITY, CREATE EXTENSION/DOMAIN, materialized views) the
targeted readers in :mod:`dumpcheck.inventory.ddl.alter` are the only ones. Anything left is
recorded as :class:`Unparsed` with its location, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dumpcheck.catalog import (
    Enum,
    QualifiedName,
    Sequence,
    TableKind,
)
from dumpcheck.inventory.ddl import alter as ddl_alter
from dumpcheck.inventory.ddl import indexes as ddl_index
from dumpcheck.inventory.ddl import types as ddl_types
from dumpcheck.inventory.ddl.columns import TABLE_CONSTRAINT, parse_column
from dumpcheck.inventory.ddl.state import DdlState, TableDraft
from dumpcheck.inventory.model import Unparsed
from dumpcheck.sqltext import (
    TextError,
    matching_paren,
    read_ident,
    read_qualified,
    skip_ws,
    split_top_level,
    squash,
)

_LEADING_COMMENTS = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*", re.DOTALL)
_CREATE_TABLE = re.compile(
    r"CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?P<mod>UNLOGGED\s+|TEMP(?:ORARY)?\s+|FOREIGN\s+)?"
    r"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?",
    re.IGNORECASE,
)
_CREATE_VIEW = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|RECURSIVE)\s+)?(?P<mat>MATERIALIZED\s+)?"
    r"VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?",
    re.IGNORECASE,
)
_CREATE_INDEX = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.IGNORECASE)
_CREATE_TYPE = re.compile(r"CREATE\s+TYPE\s+", re.IGNORECASE)
_CREATE_SEQUENCE = re.compile(
    r"CREATE\s+(?:UNLOGGED\s+)?SEQUENCE\s+(?:IF\s+NOT\s+EXISTS\s+)?", re.I
)
_CREATE_SCHEMA = re.compile(r"CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?", re.IGNORECASE)
_AS_ENUM = re.compile(r"AS\s+ENUM\s*(?=\()", re.IGNORECASE)
_AS_COMPOSITE = re.compile(r"AS\s*(?=\()", re.IGNORECASE)
_SEQ_AS = re.compile(r"\bAS\s+(smallint|integer|bigint)\b", re.IGNORECASE)
_PARTITION_OF = re.compile(r"PARTITION\s+OF\s", re.IGNORECASE)
# Statement heads that never create or change a catalog object this stage models.
_NO_CATALOG_EFFECT = re.compile(
    r"(?:SET\s|SELECT\s|RESET\s|COMMENT\s+ON\s|SECURITY\s+LABEL\s|REFRESH\s+MATERIALIZED\s|"
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|AGGREGATE|TRIGGER|CONSTRAINT\s+TRIGGER|"
    r"EVENT\s+TRIGGER|RULE|POLICY|PUBLICATION|SUBSCRIPTION|COLLATION|CONVERSION|OPERATOR|CAST|"
    r"TEXT\s+SEARCH|LANGUAGE|PROCEDURAL\s+LANGUAGE|TRUSTED\s+PROCEDURAL|FOREIGN\s+DATA\s+WRAPPER|"
    r"SERVER|USER\s+MAPPING|STATISTICS|TRANSFORM|ACCESS\s+METHOD|DATABASE)\b|"
    r"ALTER\s+(?:FUNCTION|PROCEDURE|AGGREGATE|DATABASE|ROLE|PUBLICATION|SUBSCRIPTION|"
    r"EVENT\s+TRIGGER|TEXT\s+SEARCH|OPERATOR|COLLATION|CONVERSION|LANGUAGE|PROCEDURAL\s+LANGUAGE|"
    r"FOREIGN\s+DATA\s+WRAPPER|SERVER|USER\s+MAPPING|STATISTICS|LARGE\s+OBJECT|EXTENSION)\b|"
    r"CLUSTER\s|BEGIN\b|COMMIT\b|START\s+TRANSACTION\b|INSERT\s|DROP\s|UPDATE\s|DELETE\s|"
    r"CHECKPOINT\b|ANALYZE\b|VACUUM\b)",
    re.IGNORECASE,
)


def strip_leading_comments(text: str) -> str:
    """The statement without the comments and whitespace before its first word."""
    m = _LEADING_COMMENTS.match(text)
    return text[m.end() :] if m else text


def qualified(parts: list[str]) -> QualifiedName:
    """A QualifiedName from a dotted name; unqualified names default to ``public``."""
    if len(parts) == 1:
        return QualifiedName("public", parts[0])
    return QualifiedName(parts[-2], parts[-1])


def shorten(text: str, limit: int = 300) -> str:
    """A statement squashed to one line and cut to ``limit`` characters."""
    try:
        one = squash(text)
    except TextError:
        # An unterminated quote (a corrupt statement): this runs while recording that very
        # statement as unparsed, so it must not raise; collapse all whitespace instead.
        one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


@dataclass
class DdlReader:
    """Feeds statements into a :class:`DdlState`; ``state`` holds everything learnt so far."""

    state: DdlState = field(default_factory=DdlState)

    def feed(self, text: str, location: str) -> None:
        """Read one statement (with or without its trailing ``;``) found at ``location``."""
        sql = strip_leading_comments(text).rstrip().rstrip(";").rstrip()
        if not sql:
            return
        try:
            handled = self._dispatch(sql, location)
        except (
            TextError,
            ValueError,
            IndexError,
        ) as exc:  # sqlglot_bridge: ValueError for sqlglot
            self.state.unparsed.append(Unparsed(location, shorten(sql), _reason(exc)))
            return
        if not handled:
            self.state.unparsed.append(Unparsed(location, shorten(sql), "statement not modelled"))

    def _dispatch(self, sql: str, location: str) -> bool:
        head = sql[:7].upper()
        if head.startswith("ALTER"):
            handled = ddl_alter.alter(self.state, sql, location)
            return handled or _NO_CATALOG_EFFECT.match(sql) is not None
        if head.startswith(("GRANT", "REVOKE")):
            return ddl_alter.grant(self.state, sql)
        if head.startswith("CREATE"):
            return self._create(sql, location)
        if head.startswith("SET SES"):
            return ddl_alter.session_authorization(self.state, sql)
        return _NO_CATALOG_EFFECT.match(sql) is not None

    def _create(self, sql: str, location: str) -> bool:
        m = _CREATE_TABLE.match(sql)
        if m:
            mod = (m["mod"] or "").strip().upper()
            draft = self._create_table(
                sql, m.end(), location, "foreign" if mod == "FOREIGN" else "table"
            )
            draft.unlogged = mod == "UNLOGGED"
            return True
        m = _CREATE_VIEW.match(sql)
        if m:
            parts, _ = read_qualified(sql, m.end())
            key = qualified(parts)
            draft = self.state.draft(key, location, created=True)
            draft.kind = "matview" if m["mat"] else "view"
            self._view_references(key, sql, draft.kind)
            return True
        if _CREATE_INDEX.match(sql):
            ddl_index.create_index(self.state, sql, location)
            return True
        m = _CREATE_TYPE.match(sql)
        if m:
            parts, pos = read_qualified(sql, m.end())
            key = qualified(parts)
            enum = _AS_ENUM.match(sql, skip_ws(sql, pos))
            composite = _AS_COMPOSITE.match(sql, skip_ws(sql, pos))
            if enum:
                self.state.enums[key] = Enum(key.schema, key.name, enum_labels(sql, enum.end()))
            elif composite:
                ddl_types.create_composite(self.state, key, sql, composite.end())
            else:
                # Range and base types: names only (the catalog does not model them).
                self.state.types.add(key)
            return True
        m = _CREATE_SEQUENCE.match(sql)
        if m:
            parts, _ = read_qualified(sql, m.end())
            key = qualified(parts)
            dtype = _SEQ_AS.search(sql)
            seq = Sequence(key.schema, key.name, data_type=dtype[1].lower() if dtype else "bigint")
            self.state.sequences[key] = seq
            return True
        m = _CREATE_SCHEMA.match(sql)
        if m:
            schema, pos = read_ident(sql, m.end())
            self.state.schemas.add(schema)
            rest = sql[pos:].split()
            if len(rest) >= 2 and rest[0].upper() == "AUTHORIZATION":
                self.state.roles.add(read_ident(rest[1], 0)[0])
            return True
        if ddl_alter.create_other(self.state, sql):
            return True
        return _NO_CATALOG_EFFECT.match(sql) is not None

    # -- CREATE TABLE ------------------------------------------------------------------------

    def _create_table(self, sql: str, pos: int, location: str, kind: TableKind) -> TableDraft:
        parts, pos = read_qualified(sql, pos)
        key = qualified(parts)
        draft = self.state.draft(key, location, created=True)
        draft.kind = kind
        rest = skip_ws(sql, pos)
        partition_of = _PARTITION_OF.match(sql, rest)
        of_type: QualifiedName | None = None
        if partition_of:
            parent_parts, pos = read_qualified(sql, partition_of.end())
            draft.partition_of = qualified(parent_parts)
            rest = skip_ws(sql, pos)
        elif sql.startswith("OF ", rest) or sql.startswith("of ", rest):
            type_parts, pos = read_qualified(sql, rest + 3)
            of_type = qualified(type_parts)
            rest = skip_ws(sql, pos)
        has_elements = rest < len(sql) and sql[rest] == "("
        if of_type is not None:
            # A typed table: columns come from the composite type, elements add options.
            open_at = rest if has_elements else None
            for element in ddl_types.typed_table_columns(self.state, draft, of_type, sql, open_at):
                ddl_alter.table_constraint(self.state, draft, element)
        elif has_elements:
            close = matching_paren(sql, rest)
            for start, end in split_top_level(sql, rest + 1, close):
                self._table_element(draft, sql[start:end])
            if self.state.cross_check:
                from dumpcheck.inventory.ddl.sqlglot_bridge import check_create_table

                check_create_table(sql, key.name, tuple(draft.columns))
        after = matching_paren(sql, rest) + 1 if has_elements else rest
        if has_elements and of_type is None and draft.partition_of is None:
            ddl_types.inherit_columns(self.state, draft, sql, after)
        draft.partition_key = ddl_types.partition_key(sql, after)
        if draft.partition_key is not None:
            draft.kind = "partitioned"
        return draft

    def _view_references(self, view: QualifiedName, sql: str, kind: str) -> None:
        """The relations a view selects from: a view over a table that ``pg_dump -T`` left
        out is dumped anyway (pg_dump does not follow dependents) and is a trace of it."""
        from dumpcheck.inventory.ddl.sqlglot_bridge import view_relations

        word = "materialized view" if kind == "matview" else "view"
        for relation in view_relations(sql):
            self.state.references.append((relation, f"{word} {view} selects from it"))

    def _table_element(self, draft: TableDraft, element: str) -> None:
        if TABLE_CONSTRAINT.match(element):
            ddl_alter.table_constraint(self.state, draft, element)
            return
        name, pos = read_ident(element, 0)
        draft.columns[name] = parse_column(name, element[pos:])


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"


def enum_labels(sql: str, start: int) -> tuple[str, ...]:
    """The labels of ``('a', 'b''c')`` starting at ``start`` (E'' strings honoured)."""
    close = matching_paren(sql, start)
    labels: list[str] = []
    for s, e in split_top_level(sql, start + 1, close):
        literal = sql[s:e]
        if literal[:1] in "eE":
            body = literal[2:-1].replace("''", "'")
            labels.append(body.encode("latin-1", "backslashreplace").decode("unicode_escape"))
        else:
            labels.append(literal[1:-1].replace("''", "'"))
    return tuple(labels)
