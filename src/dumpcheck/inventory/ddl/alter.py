"""ALTER, GRANT, index and constraint statements of pg_dump output.

sqlglot 30.30 falls back to a raw ``exp.Command`` for OWNER TO, OWNED BY, ATTACH PARTITION,
ADD GENERATED AS IDENTITY and CREATE EXTENSION, and raises on ``ON ONLY``; those are read here
by small parsers over the statement text (CREATE/ALTER DOMAIN and ALTER INDEX ... ATTACH
PARTITION in :mod:`types`). PK, UNIQUE and FK have a fast reader for
pg_get_constraintdef's shapes, with sqlglot (:mod:`sqlglot_bridge`) as fallback and cross-check;
CHECK keeps pg_get_constraintdef's text verbatim.
"""

from __future__ import annotations

import re

from dumpcheck.catalog import (
    CheckConstraint,
    ExcludeConstraint,
    FkAction,
    ForeignKey,
    PrimaryKey,
    QualifiedName,
    Sequence,
    UniqueConstraint,
)
from dumpcheck.inventory.ddl import types as ddl_types
from dumpcheck.inventory.ddl.state import DdlState, TableDraft
from dumpcheck.sqltext import (
    TextError,
    find_keyword,
    read_ident,
    read_ident_list,
    read_qualified,
    skip_ws,
    split_top_level,
    squash,
)

_ALTER_TABLE = re.compile(
    r"ALTER\s+(?:FOREIGN\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?", re.IGNORECASE
)
_OWNER_TO = re.compile(r"\bOWNER\s+TO\s+", re.IGNORECASE)
_ALTER_SEQUENCE = re.compile(r"ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?", re.IGNORECASE)
_OWNED_BY = re.compile(r"\s+OWNED\s+BY\s+", re.IGNORECASE)
_ALTER_OTHER = re.compile(r"ALTER\s+(?:INDEX|TYPE|DOMAIN|SCHEMA|VIEW|MATERIALIZED\s+VIEW)\b", re.I)
_DEFAULT_PRIVILEGES = re.compile(r"ALTER\s+DEFAULT\s+PRIVILEGES\s+", re.IGNORECASE)
_ADD_CONSTRAINT = re.compile(r"ADD\s+(?=CONSTRAINT\s)", re.IGNORECASE)
_ALTER_COLUMN = re.compile(r"ALTER\s+(?:COLUMN\s+)?", re.IGNORECASE)
_SET_DEFAULT = re.compile(r"SET\s+DEFAULT\s+", re.IGNORECASE)
_SET_NOT_NULL = re.compile(r"SET\s+NOT\s+NULL\s*$", re.IGNORECASE)
_ADD_IDENTITY = re.compile(
    r"ADD\s+GENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\s*(?:\((.*)\))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SEQUENCE_NAME = re.compile(r"SEQUENCE\s+NAME\s+", re.IGNORECASE)
_ATTACH_PARTITION = re.compile(r"ATTACH\s+PARTITION\s+", re.IGNORECASE)
# ALTER TABLE actions that change nothing this stage models (storage, statistics, RLS, ...).
_NO_EFFECT_ACTION = re.compile(
    r"(?:ALTER\s+(?:COLUMN\s+)?.+\s+SET\s+(?:STATISTICS|STORAGE|COMPRESSION|\()|"
    r"ALTER\s+(?:COLUMN\s+)?.+\s+(?:RESET|OPTIONS)\s*\(|SET\s*\(|RESET\s*\(|REPLICA\s+IDENTITY|"
    r"CLUSTER\s+ON|SET\s+WITHOUT\s+CLUSTER|ENABLE|DISABLE|FORCE|NO\s+FORCE|INHERIT|OF\s|"
    r"ALTER\s+CONSTRAINT|VALIDATE\s+CONSTRAINT|SET\s+(?:ACCESS\s+METHOD|TABLESPACE|LOGGED|"
    r"UNLOGGED|WITHOUT\s+OIDS)|OPTIONS\s*\()",
    re.IGNORECASE | re.DOTALL,
)
_CREATE_EXTENSION = re.compile(r"CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?", re.IGNORECASE)
_GRANT_TO = re.compile(r"\bTO\b", re.IGNORECASE)
_REVOKE_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
_GRANTEE_END = re.compile(r"\s+(?:WITH\s|GRANTED\s+BY\s|CASCADE\b|RESTRICT\b)", re.IGNORECASE)
_GRANTED_BY = re.compile(r"\bGRANTED\s+BY\s+", re.IGNORECASE)
_FOR_ROLE = re.compile(r"FOR\s+(?:ROLE|USER)\s+", re.IGNORECASE)
_PSEUDO_ROLES = frozenset({"public", "current_user", "session_user", "current_role"})
_FK_ACTIONS: dict[str, FkAction] = {
    "NO ACTION": "NO ACTION",
    "RESTRICT": "RESTRICT",
    "CASCADE": "CASCADE",
    "SET NULL": "SET NULL",
    "SET DEFAULT": "SET DEFAULT",
}


def _key(parts: list[str]) -> QualifiedName:
    return (
        QualifiedName(parts[-2], parts[-1]) if len(parts) > 1 else QualifiedName("public", parts[0])
    )


def _add_role(state: DdlState, text: str) -> None:
    name, _ = read_ident(text, 0)
    if name.lower() not in _PSEUDO_ROLES or text.lstrip().startswith('"'):
        state.roles.add(name)


def alter(state: DdlState, sql: str, location: str) -> bool:
    """Any ALTER statement; False when it is not one this stage knows."""
    m = _DEFAULT_PRIVILEGES.match(sql)
    if m:
        return _default_privileges(state, sql, m.end())
    owner = find_keyword(sql, _OWNER_TO, 5) if _OWNER_TO.search(sql) else -1
    if owner >= 0:
        m = _OWNER_TO.match(sql, owner)
        _add_role(state, sql[m.end() if m else owner :])
        return True
    m = _ALTER_TABLE.match(sql)
    if m:
        return _alter_table(state, sql, m.end(), location)
    m = _ALTER_SEQUENCE.match(sql)
    if m:
        parts, pos = read_qualified(sql, m.end())
        owned = _OWNED_BY.match(sql, pos)
        if owned is None:
            return True  # RESTART, SET ... : nothing the catalog holds
        target, _ = read_qualified(sql, owned.end())
        if len(target) >= 2:
            table = _key(target[:-1])
            seq_key = _key(parts)
            seq = state.sequences.get(seq_key) or Sequence(seq_key.schema, seq_key.name)
            state.sequences[seq_key] = Sequence(
                seq.schema, seq.name, owned_by=(table, target[-1]), data_type=seq.data_type
            )
            state.references.append((table, f"sequence {seq_key} is OWNED BY {table}"))
        return True
    if ddl_types.alter_domain(state, sql) or ddl_types.attach_index(state, sql):
        return True
    return _ALTER_OTHER.match(sql) is not None


def _alter_table(state: DdlState, sql: str, pos: int, location: str) -> bool:
    parts, pos = read_qualified(sql, pos)
    key = _key(parts)
    action_at = skip_ws(sql, pos)
    action = sql[action_at:]
    if _ADD_CONSTRAINT.match(action):
        table_constraint(state, state.existing(key), action[4:].lstrip())
        return True
    m = _ATTACH_PARTITION.match(action)
    if m:
        child, _ = read_qualified(action, m.end())
        state.draft(_key(child), location).partition_of = key
        state.existing(key).kind = "partitioned"
        return True
    m = _ALTER_COLUMN.match(action)
    if m and not _NO_EFFECT_ACTION.match(action):
        column, cpos = read_ident(action, m.end())
        rest = action[skip_ws(action, cpos) :]
        draft = state.existing(key)
        if (d := _SET_DEFAULT.match(rest)) is not None:
            draft.set_column(column, default=squash(rest[d.end() :]))
            return True
        if _SET_NOT_NULL.match(rest):
            draft.set_column(column, nullable=False)
            return True
        if (ident := _ADD_IDENTITY.match(rest)) is not None:
            kind = "always" if ident[1].upper() == "ALWAYS" else "by default"
            draft.set_column(column, identity=kind, nullable=False)
            column_type = draft.columns[column].type
            _identity_sequence(state, ident[2] or "", key, column, column_type)
            return True
    return _NO_EFFECT_ACTION.match(action) is not None


def _identity_sequence(
    state: DdlState, options: str, table: QualifiedName, column: str, column_type: str
) -> None:
    m = _SEQUENCE_NAME.search(options)
    if m is None:
        return
    parts, _ = read_qualified(options, m.end())
    key = _key(parts)
    dtype = re.search(r"\bAS\s+(smallint|integer|bigint)\b", options, re.IGNORECASE)
    # An identity sequence has its column's type and pg_dump writes no AS for it
    # (pg_dump.c dumpSequence prints AS only for stand-alone sequences).
    data_type = dtype[1].lower() if dtype else column_type
    if data_type not in ("smallint", "integer", "bigint"):
        data_type = "bigint"
    state.sequences[key] = Sequence(
        key.schema, key.name, owned_by=(table, column), data_type=data_type
    )


def table_constraint(state: DdlState, draft: TableDraft, element: str) -> None:
    """A table constraint (``CONSTRAINT name ...`` or unnamed) of CREATE TABLE or ADD CONSTRAINT."""
    name = ""
    body_at = 0
    if element[:10].upper() == "CONSTRAINT":
        name, body_at = read_ident(element, 10)
        body_at = skip_ws(element, body_at)
    body = element[body_at:]
    word = body[:7].upper()
    if word.startswith("CHECK"):
        # pg_get_constraintdef's text, e.g. "CHECK ((price > 0))" (with NOT VALID if present).
        draft.checks.append(CheckConstraint(name, squash(body)))
        return
    if word.startswith("EXCLUDE"):
        # pg_get_constraintdef's text: "EXCLUDE USING gist (room WITH =, during WITH &&)".
        draft.excludes.append(ExcludeConstraint(name, squash(body)))
        return
    if word.startswith("NOT NUL"):  # PostgreSQL 18: CONSTRAINT name NOT NULL column
        column, _ = read_ident(body, len("NOT NULL"))
        draft.set_column(column, nullable=False)
        return
    fast = _fast_constraint(name, body)
    if fast is None or state.cross_check:
        from dumpcheck.inventory.ddl.sqlglot_bridge import sqlglot_constraint

        slow = sqlglot_constraint(name, element)
        if fast is not None and slow != fast:
            raise ValueError(f"sqlglot reads {slow}, the fast reader {fast}")
        fast = slow
    if isinstance(fast, PrimaryKey):
        draft.primary_key = fast
    elif isinstance(fast, UniqueConstraint):
        draft.uniques.append(fast)
    else:
        draft.foreign_keys.append(fast)
        state.references.append(
            (fast.ref_table, f"foreign key {name} on {draft.key} references {fast.ref_table}")
        )


_PK = re.compile(r"PRIMARY\s+KEY\s*(?=\()", re.IGNORECASE)
_UNIQUE = re.compile(r"UNIQUE\s+(?:NULLS\s+(?P<not>NOT\s+)?DISTINCT\s+)?(?=\()", re.IGNORECASE)
_INCLUDE = re.compile(r"\s*INCLUDE\s*(?=\()", re.IGNORECASE)
_FK = re.compile(r"FOREIGN\s+KEY\s*(?=\()", re.IGNORECASE)
_REFERENCES = re.compile(r"\s*REFERENCES\s+", re.IGNORECASE)
_FK_TAIL = re.compile(
    r"\s*(?:ON\s+(?P<event>UPDATE|DELETE)\s+(?P<action>NO\s+ACTION|RESTRICT|CASCADE|SET\s+NULL|"
    r"SET\s+DEFAULT)(?:\s*\([^)]*\))?|MATCH\s+\w+|(?:NOT\s+)?DEFERRABLE|INITIALLY\s+\w+|NOT\s+VALID|"
    r"NOT\s+ENFORCED|ENFORCED)",
    re.IGNORECASE,
)
Constraint = PrimaryKey | UniqueConstraint | ForeignKey


def _fast_constraint(name: str, body: str) -> Constraint | None:
    """PK, UNIQUE and FK in the exact shapes pg_get_constraintdef prints; None for others.

    This is the fast path (a 10,000-table schema must parse in 3 s); sqlglot reads whatever it
    does not recognise, and cross-checks it when ``DdlState.cross_check`` is set (tests do).
    """
    try:
        if (m := _PK.match(body)) is not None:
            return PrimaryKey(name, read_ident_list(body, m.end())[0])
        if (m := _UNIQUE.match(body)) is not None:
            columns, pos = read_ident_list(body, m.end())
            include = _INCLUDE.match(body, pos)
            return UniqueConstraint(
                name,
                columns,
                via_index=False,
                nulls_not_distinct=bool(m["not"]),
                include=read_ident_list(body, include.end())[0] if include else (),
            )
        if (m := _FK.match(body)) is None:
            return None
        columns, pos = read_ident_list(body, m.end())
        ref = _REFERENCES.match(body, pos)
        if ref is None:
            return None
        parts, pos = read_qualified(body, ref.end())
        pos = skip_ws(body, pos)
        ref_columns: tuple[str, ...] = ()
        if body.startswith("(", pos):
            ref_columns, pos = read_ident_list(body, pos)
        actions: dict[str, FkAction] = {}
        while (tail := _FK_TAIL.match(body, pos)) is not None and tail.end() > pos:
            if tail["event"]:
                actions[tail["event"].upper()] = _FK_ACTIONS[
                    " ".join(tail["action"].upper().split())
                ]
            pos = tail.end()
        if body[pos:].strip():
            return None
        return ForeignKey(
            name,
            columns,
            _key(parts),
            ref_columns,
            on_delete=actions.get("DELETE", "NO ACTION"),
            on_update=actions.get("UPDATE", "NO ACTION"),
        )
    except TextError:
        return None


def create_other(state: DdlState, sql: str) -> bool:
    """CREATE EXTENSION and CREATE DOMAIN (sqlglot 30.30 returns exp.Command for both)."""
    m = _CREATE_EXTENSION.match(sql)
    if m:
        state.extensions.add(read_ident(sql, m.end())[0])
        return True
    return ddl_types.create_domain(state, sql)


def grant(state: DdlState, sql: str) -> bool:
    """GRANT ... TO roles / REVOKE ... FROM roles: every role named."""
    is_grant = sql[:5].upper() == "GRANT"
    sep = find_keyword(sql, _GRANT_TO if is_grant else _REVOKE_FROM, 6)
    if sep < 0:
        raise TextError("GRANT/REVOKE without grantees")
    _grantees(state, sql[sep + (2 if is_grant else 4) :])
    by = _GRANTED_BY.search(sql, sep)
    if by:
        _add_role(state, sql[by.end() :])
    return True


def _grantees(state: DdlState, text: str) -> None:
    end = _GRANTEE_END.search(text)
    for s, e in split_top_level(text, 0, end.start() if end else len(text)):
        grantee = text[s:e]
        if grantee[:6].upper() == "GROUP ":
            grantee = grantee[6:]
        _add_role(state, grantee)


def _default_privileges(state: DdlState, sql: str, pos: int) -> bool:
    m = _FOR_ROLE.match(sql, pos)
    if m:
        for s, e in split_top_level(sql, m.end(), _first_word(sql, m.end())):
            _add_role(state, sql[s:e])
    inner = re.search(r"\b(GRANT|REVOKE)\b", sql[pos:])
    if inner is None:
        raise TextError("ALTER DEFAULT PRIVILEGES without GRANT/REVOKE")
    return grant(state, sql[pos + inner.start() :])


def _first_word(sql: str, pos: int) -> int:
    m = re.compile(r"\s+(?:IN\s+SCHEMA|GRANT|REVOKE)\b", re.IGNORECASE).search(sql, pos)
    return m.start() if m else len(sql)


_SESSION_AUTHORIZATION = re.compile(r"SET\s+SESSION\s+AUTHORIZATION\s+", re.IGNORECASE)


def session_authorization(state: DdlState, sql: str) -> bool:
    """``SET SESSION AUTHORIZATION 'role'`` (pg_dump --use-set-session-authorization)."""
    m = _SESSION_AUTHORIZATION.match(sql)
    if m is None:
        return False
    arg = sql[m.end() :].strip()
    if arg.startswith("'"):
        state.roles.add(arg[1:-1].replace("''", "'"))
    elif arg.upper() != "DEFAULT":
        _add_role(state, arg)
    return True
