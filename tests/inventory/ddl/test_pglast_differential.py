"""Differential test: what our DDL reader extracts agrees with pglast (the real PostgreSQL parser)
on every statement of real pg_dump output."""

from __future__ import annotations

from pathlib import Path

import pglast
import pytest
from pglast import ast
from pglast.enums import AlterTableType, ConstrType

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.inventory import inventory
from dumpcheck.inventory.ddl import DdlReader
from dumpcheck.inventory.ddl.state import DdlState
from dumpcheck.inventory.plain import Statement, iter_plain
from tests.inventory.conftest import SourceDb
from tests.inventory.dumps import pg_dump

pytestmark = pytest.mark.postgres


_COMPARED = (
    AlterTableType.AT_AddIdentity,
    AlterTableType.AT_ColumnDefault,
    AlterTableType.AT_AddConstraint,
)


def _key(rv: ast.RangeVar | None) -> QualifiedName:
    # Every statement _check compares names its relation; pglast types the field as optional.
    assert rv is not None and rv.relname is not None
    return QualifiedName(rv.schemaname or "public", rv.relname)


def _names(nodes: tuple[ast.Node, ...] | None) -> tuple[str, ...]:
    names: list[str] = []
    for n in nodes or ():
        assert isinstance(n, ast.String) and n.sval is not None
        names.append(n.sval)
    return tuple(names)


def _check(stmt: ast.Node, cat: Catalog) -> int:
    """Compare one parsed statement with the catalog; return how many facts were compared."""
    if isinstance(stmt, ast.CreateStmt):
        table = cat.tables[_key(stmt.relation)]
        columns = [e.colname for e in stmt.tableElts or () if isinstance(e, ast.ColumnDef)]
        if stmt.partbound is None or columns:
            assert [c.name for c in table.columns] == columns
        checks = [
            e.conname
            for e in stmt.tableElts or ()
            if isinstance(e, ast.Constraint) and e.contype == ConstrType.CONSTR_CHECK
        ]
        if table.partition_of is None:
            assert [c.name for c in table.checks] == checks
        else:  # a partition's CHECKs that merge with its parent's are the parent's
            assert {c.name for c in table.checks} <= set(checks)
        return 1
    if isinstance(stmt, ast.AlterTableStmt):
        compared = 0
        assert stmt.cmds is not None
        for cmd in stmt.cmds:
            if cmd.subtype not in _COMPARED:
                continue  # OWNER TO, ALTER INDEX ... ATTACH PARTITION, ...: nothing to compare
            table = cat.tables[_key(stmt.relation)]
            if cmd.subtype == AlterTableType.AT_AddIdentity:
                column = table.column(cmd.name)
                assert column is not None and column.identity is not None
                compared += 1
            if cmd.subtype == AlterTableType.AT_ColumnDefault:
                column = table.column(cmd.name)
                assert column is not None and column.default is not None
                compared += 1
            if cmd.subtype != AlterTableType.AT_AddConstraint:
                continue
            con = cmd.def_
            if table.partition_of is not None and con.contype != ConstrType.CONSTR_FOREIGN:
                # ALTER INDEX ... ATTACH PARTITION later makes it the parent's (conislocal false)
                compared += 1
                continue
            if con.contype == ConstrType.CONSTR_PRIMARY:
                assert table.primary_key is not None
                assert (table.primary_key.name, table.primary_key.columns) == (
                    con.conname,
                    _names(con.keys),
                )
            elif con.contype == ConstrType.CONSTR_UNIQUE:
                found = {u.name: u for u in table.uniques}[con.conname]
                assert found.columns == _names(con.keys)
                assert found.nulls_not_distinct == bool(con.nulls_not_distinct)
            elif con.contype == ConstrType.CONSTR_FOREIGN:
                fk = {f.name: f for f in table.foreign_keys}[con.conname]
                assert fk.ref_table == _key(con.pktable)
                assert fk.columns == _names(con.fk_attrs)
                assert fk.ref_columns == _names(con.pk_attrs)
            compared += 1
        return compared
    if isinstance(stmt, ast.IndexStmt):
        table = cat.tables[_key(stmt.relation)]
        names = {i.name: i.unique for i in table.indexes} | {u.name: True for u in table.uniques}
        assert stmt.idxname is not None
        if table.partition_of is not None and stmt.idxname not in names:
            return 1  # attached to the parent's index by ALTER INDEX ... ATTACH PARTITION
        assert names[stmt.idxname] == bool(stmt.unique)
        return 1
    if isinstance(stmt, ast.CreateEnumStmt):
        key = QualifiedName(*_names(stmt.typeName)[-2:])
        assert cat.enums[key].values == _names(stmt.vals)
        return 1
    if isinstance(stmt, ast.AlterSeqStmt):
        owned = [o for o in stmt.options or () if o.defname == "owned_by"]
        if owned:
            parts = _names(owned[0].arg)
            seq = cat.sequences[_key(stmt.sequence)]
            assert seq.owned_by == (QualifiedName(parts[0], parts[1]), parts[2])
            return 1
    if isinstance(stmt, ast.CreateSeqStmt):
        assert _key(stmt.sequence) in cat.sequences
        return 1
    return 0


def _differential(dump: Path) -> None:
    inv = inventory(dump)
    assert inv.unparsed == ()
    # The same statements again with every fast reader cross-checked by sqlglot.
    checked = DdlReader(DdlState(cross_check=True))
    compared = 0
    with dump.open("rb") as f:
        for item in iter_plain(f):
            if not isinstance(item, Statement):
                continue
            checked.feed(item.text, f"line {item.line}")
            for raw in pglast.parse_sql(item.text):
                assert raw.stmt is not None
                compared += _check(raw.stmt, inv.catalog)
    assert compared > 25
    assert checked.state.unparsed == []
    assert (
        checked.state.catalog(
            {k: t.rows for k, t in inv.catalog.tables.items() if t.rows is not None}
        )
        == inv.catalog
    )


def test_agrees_with_pglast_pg18(rich_db: SourceDb, tmp_path: Path) -> None:
    _differential(pg_dump(rich_db.server, rich_db.dbname, tmp_path / "d.sql"))


def test_agrees_with_pglast_pg17(rich_db_17: SourceDb, tmp_path: Path) -> None:
    _differential(pg_dump(rich_db_17.server, rich_db_17.dbname, tmp_path / "d.sql"))
