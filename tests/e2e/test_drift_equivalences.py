"""Prisma's differ is the oracle for what is drift: change a database Prisma built, and the
tables dumpcheck calls drift are exactly the tables `prisma migrate diff` would change.

Prisma's engine builds the database from each schema.prisma of tests/e2e/drift_equivalences
(the top one; partial/, with the partialIndexes preview feature; multischema/; and
relation_mode_prisma/), after the folder's setup.sql if it has one; each case of the folder's
cases.sql then changes it the way a hand-written migration, a DBA or an old Prisma version does:
defaults spelled otherwise, identity instead of serial, opclasses, collations, INCLUDE and
partial indexes, domains, renamed constraints, extra objects, ... Prisma's side is the wasm
schema engine reading the live database (tests/oracle/diff_db.mjs); dumpcheck's is `inspect`
on the same database.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.expect.model import differ_ignores
from dumpcheck.inspection import InspectOptions, inspect_database
from dumpcheck.restore import read_catalog
from dumpcheck.scratch.model import ScratchServer
from tests.e2e.test_prisma_drift import prisma_drift, tables_in_script
from tests.expect.oracle import engine_sql, run_script

HERE = Path(__file__).parent / "drift_equivalences"
_CASE = re.compile(r"^-- case: (\S+)\n", re.MULTILINE)


def _cases(folder: Path) -> list[tuple[Path, str, str]]:
    text = (folder / "cases.sql").read_text("utf-8")
    parts = _CASE.split(text)[1:]
    return [(folder, name, sql.strip()) for name, sql in zip(parts[::2], parts[1::2], strict=True)]


CASES = [
    case
    for folder in (HERE, *sorted(p for p in HERE.iterdir() if (p / "cases.sql").is_file()))
    for case in _cases(folder)
]


@cache
def _built_by_prisma(folder: Path) -> str:
    out = engine_sql({"s": [("schema.prisma", (folder / "schema.prisma").read_text("utf-8"))]})
    assert "sql" in out["s"], out["s"]
    setup = folder / "setup.sql"
    return (setup.read_text("utf-8") if setup.is_file() else "") + out["s"]["sql"]


def _what_dumpcheck_changes(server: ScratchServer, db: str, schema: Path) -> set[str]:
    """Tables dumpcheck would have Prisma change: drift, missing, and the tables of Prisma's
    schemas it has no model for (Prisma drops those; views and other schemas it leaves)."""
    outcome = inspect_database(InspectOptions(url=server.dsn(db), prisma=schema))
    resolved = outcome.expectation.resolved
    assert resolved is not None
    managed = set(resolved.datasource.schemas) or {resolved.default_schema}
    catalog = read_catalog(server.dsn(db))
    out = set()
    for t in outcome.findings.tables:
        table = catalog.tables.get(QualifiedName(t.schema, t.name))
        # Prisma's differ never touches its own _prisma_migrations (MIGRATIONS_TABLE_NAME),
        # nor PostGIS's tables. A model's PostGIS table that is absent is `missing` to
        # dumpcheck (the application would miss it) though migrate would not create it.
        if differ_ignores(t.name):
            continue
        dropped = t.verdict == "unexpected" and t.schema in managed
        dropped &= t.name != "_prisma_migrations"
        # Prisma's describer reads plain and partitioned tables (tables_query.sql), a
        # partition that is itself partitioned too; a plain partition is never unexpected.
        if t.verdict in ("drift", "missing") or (
            dropped and table is not None and table.kind in ("table", "partitioned")
        ):
            out.add(t.qualified)
    return out


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("folder", "name", "sql"), CASES, ids=[f"{f.name}-{n}" for f, n, _ in CASES]
)
def test_drift_is_what_prisma_would_change(
    folder: Path, name: str, sql: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    run_script(scratch_server, fresh_db, _built_by_prisma(folder), tmp_path)
    if sql:
        run_script(scratch_server, fresh_db, sql, tmp_path)
    schema = folder / "schema.prisma"
    script = prisma_drift(scratch_server, fresh_db, schema)
    prisma = tables_in_script(script, read_catalog(scratch_server.dsn(fresh_db)))
    ours = _what_dumpcheck_changes(scratch_server, fresh_db, schema)
    assert ours == prisma, f"{name}: Prisma's diff:\n{script}"


# Schemas whose own database `prisma migrate diff` lists on every run, because the describer
# reads back something other than what the schema says; the database is exactly what the
# schema asks for, so dumpcheck reports no drift (a note, compare/equivalences.py).
PRISMA_LISTS_ITS_OWN = {
    # Created with the operator class, read back without one (none is read for a B-tree).
    "btree-opclass": (
        "  @@index([title], type: Hash)",
        '  @@index([title], type: Hash)\n  @@index([body(ops: raw("text_pattern_ops"))])',
        'CREATE INDEX "Post_body_idx" ON "Post"("body" text_pattern_ops)',
    ),
    # dbgenerated("CURRENT_TIMESTAMP") is read back as now(), which is not the expression.
    "dbgenerated-current-timestamp": (
        "  bytes     Bytes?",
        '  bytes     Bytes?\n  day       DateTime @default(dbgenerated("CURRENT_TIMESTAMP")) '
        "@db.Date",
        'ALTER COLUMN "day" SET DEFAULT CURRENT_TIMESTAMP',
    ),
    # uuid_out prints lower case: the describer reads the default back as an expression.
    "uuid-literal-upper-case": (
        "  bytes     Bytes?",
        '  bytes     Bytes?\n  ref       String @default("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11") '
        "@db.Uuid",
        'ALTER COLUMN "ref" SET DEFAULT',
    ),
    # jsonb keeps 1e2 as the numeric 100, an integer to serde_json where 1e2 is a float.
    "jsonb-number-respelled": (
        "  bytes     Bytes?",
        '  bytes     Bytes?\n  meta      Json     @default("{\\"n\\": [1e2, 0.5]}")',
        'ALTER COLUMN "meta" SET DEFAULT',
    ),
}


@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(PRISMA_LISTS_ITS_OWN))
def test_what_prisma_lists_on_its_own_database_is_no_drift(
    case: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    old, new, listed = PRISMA_LISTS_ITS_OWN[case]
    text = (HERE / "schema.prisma").read_text("utf-8")
    assert old in text
    schema = tmp_path / "own" / "schema.prisma"
    schema.parent.mkdir()
    schema.write_text(text.replace(old, new), "utf-8")
    built = engine_sql({"s": [("schema.prisma", schema.read_text("utf-8"))]})["s"]["sql"]
    run_script(scratch_server, fresh_db, built, tmp_path)
    assert listed in prisma_drift(scratch_server, fresh_db, schema)
    assert _what_dumpcheck_changes(scratch_server, fresh_db, schema) == set()
