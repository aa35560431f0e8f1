"""The sqlglot side of the DDL reader: a fallback for unusual constraint shapes, and the
cross-check of every fast reader (``DdlState.cross_check``, on in the tests).

Imported lazily: sqlglot adds about 35 MB of RSS and 0.4 s of import time, which a plain
inventory of regular pg_dump output does not need.
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp

from dumpcheck.catalog import FkAction, ForeignKey, PrimaryKey, QualifiedName, UniqueConstraint

# sqlglot logs a warning for every exp.Command fallback; the DDL reader handles those itself.
# Set here, where sqlglot is imported, so the reader's start-up does not load logging.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

Constraint = PrimaryKey | UniqueConstraint | ForeignKey
_FK_OPTION = re.compile(r"ON\s+(UPDATE|DELETE)\s+(.+)", re.IGNORECASE)
_FK_ACTIONS: dict[str, FkAction] = {
    "NO ACTION": "NO ACTION",
    "RESTRICT": "RESTRICT",
    "CASCADE": "CASCADE",
    "SET NULL": "SET NULL",
    "SET DEFAULT": "SET DEFAULT",
}
# sqlglot 30.30 raises on "bit varying"; varbit is the same type to its grammar.
_BIT_VARYING = re.compile(r"\bbit varying\b")


def _parse(sql: str) -> exp.Expr:
    """sqlglot's tree for one statement; its errors as ValueError, the DDL reader's contract.

    sqlglot's ParseError and TokenError derive from SqlglotError(Exception), not ValueError, and
    a corrupt dump (a flipped bit inside a quoted name) reaches them; the reader records
    ValueErrors as unparsed statements instead of crashing.
    """
    try:
        return sqlglot.parse_one(sql, read="postgres")
    except sqlglot.errors.SqlglotError as exc:
        raise ValueError(f"sqlglot: {exc}") from exc


def check_create_table(sql: str, table_name: str, columns: tuple[str, ...]) -> None:
    """sqlglot must read the same table name and column names as the fast reader."""
    tree = _parse(_BIT_VARYING.sub("varbit", sql))
    table = tree.find(exp.Table)
    if not isinstance(tree, exp.Create) or table is None or _ident(table.this) != table_name:
        raise ValueError("sqlglot read a different table name")
    schema = tree.this
    if isinstance(schema, exp.Schema):
        names = tuple(_ident(e.this) for e in schema.expressions if isinstance(e, exp.ColumnDef))
        if names != columns:
            raise ValueError(f"sqlglot reads columns {names}, the fast reader {columns}")


def check_index(sql: str, table_name: str) -> None:
    """sqlglot must read the same table for a CREATE INDEX (given without ONLY or its tail)."""
    checked = _parse(sql)
    index_node = checked.this if isinstance(checked, exp.Create) else None
    table_node = index_node.args.get("table") if isinstance(index_node, exp.Index) else None
    if not isinstance(table_node, exp.Table) or _ident(table_node.this) != table_name:
        raise ValueError("sqlglot read a different index table")


def sqlglot_constraint(name: str, element: str) -> Constraint:
    """A PK, UNIQUE or FK table constraint read by sqlglot."""
    tree = _parse(f"ALTER TABLE x ADD {element}")
    constraint = tree.find(exp.Constraint)
    kinds = constraint.expressions if constraint is not None else []
    if len(kinds) != 1:
        raise ValueError("sqlglot found no single constraint")
    kind = kinds[0]
    if isinstance(kind, exp.PrimaryKey):
        return PrimaryKey(name, _names(kind.expressions))
    if isinstance(kind, exp.UniqueColumnConstraint):
        schema = kind.this
        columns = _names(schema.expressions) if isinstance(schema, exp.Schema) else ()
        params = kind.args.get("include")
        include = params.args.get("include") if isinstance(params, exp.IndexParameters) else None
        return UniqueConstraint(
            name,
            columns,
            via_index=False,
            nulls_not_distinct=bool(kind.args.get("nulls")),
            include=_names(include or []),
        )
    if isinstance(kind, exp.ForeignKey):
        return _foreign_key(name, kind)
    raise ValueError(f"constraint kind {type(kind).__name__} not modelled")


def _foreign_key(name: str, fk: exp.ForeignKey) -> ForeignKey:
    reference = fk.args.get("reference")
    target = reference.this if isinstance(reference, exp.Reference) else None
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table, exp.Table):
        raise ValueError("foreign key without a referenced table")
    ref_key = QualifiedName(_ident(table.args.get("db")) or "public", _ident(table.this))
    ref_columns = _names(target.expressions) if isinstance(target, exp.Schema) else ()
    actions: dict[str, FkAction] = {}
    for option in (
        reference.args.get("options") or () if isinstance(reference, exp.Reference) else ()
    ):
        m = _FK_OPTION.match(str(option))
        if m and m[2].strip().upper() in _FK_ACTIONS:
            actions[m[1].upper()] = _FK_ACTIONS[m[2].strip().upper()]
    return ForeignKey(
        name,
        _names(fk.expressions),
        ref_key,
        ref_columns,
        on_delete=actions.get("DELETE", "NO ACTION"),
        on_update=actions.get("UPDATE", "NO ACTION"),
    )


def _names(nodes: list[exp.Expression]) -> tuple[str, ...]:
    return tuple(_ident(n) for n in nodes)


def _ident(node: object) -> str:
    if isinstance(node, exp.Column):
        node = node.this
    if isinstance(node, exp.Identifier):
        return str(node.this) if node.quoted else str(node.this).lower()
    if isinstance(node, exp.Expression):
        return str(node.name)
    return ""


# Catalog schemas: a view over pg_catalog.pg_class refers to no table of the dump.
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})


def view_relations(sql: str) -> list[QualifiedName]:
    """The schema-qualified relations a CREATE VIEW statement reads (CTE names excluded).

    pg_dump writes view bodies with pg_get_viewdef under an empty search_path, so every
    relation is schema-qualified; an unqualified name is a CTE or a function's result.
    """
    try:
        tree = _parse(sql)
    except ValueError:
        return []
    target = tree.this if isinstance(tree, exp.Create) else None
    while isinstance(target, exp.Schema):  # CREATE VIEW v (a, b) AS ...
        target = target.this
    found: list[QualifiedName] = []
    for table in tree.find_all(exp.Table):
        schema = table.args.get("db")
        if table is target or schema is None or table.args.get("catalog") is not None:
            continue
        key = QualifiedName(schema.name, table.name)
        if key.schema not in _SYSTEM_SCHEMAS and key not in found:
            found.append(key)
    return found
