"""``verify --quick`` on dumps real pg_dump made: the whole schema, the first N rows of each
table, verdicts as in a full verify with the tables it loaded in part marked sampled.

The children's first rows refer to parents past the parents' first rows, so a foreign key
validated against the sample would fail: it is created NOT VALID and still read back and
compared like the dumped one. A bad row inside a table's first N rows fails that table; one
past them is not seen (what quick mode cannot see, README)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import psycopg
import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.compare.findings import Findings, TableFinding
from dumpcheck.expect import expect, render_sql
from dumpcheck.report import load_schema, render
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = 100
SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Parent {
  id       Int     @id
  name     String
  children Child[]

  @@map("parents")
}

model Child {
  id       Int    @id
  parentId Int
  parent   Parent @relation(fields: [parentId], references: [id])

  @@map("children")
}

model Tag {
  id    Int    @id
  label String

  @@map("tags")
}
"""
# Child i refers to parent 301 - i: the children's first 100 rows refer to parents 201-300,
# none of them among the parents' first 100 rows.
ROWS = """\
INSERT INTO parents SELECT g, 'parent ' || g FROM generate_series(1, 300) g;
INSERT INTO children SELECT g, 301 - g FROM generate_series(1, 250) g;
INSERT INTO tags SELECT g, E'tag\\t' || g FROM generate_series(1, 7) g;
COMMENT ON CONSTRAINT "children_parentId_fkey" ON children IS 'on the foreign key';
COMMENT ON INDEX parents_pkey IS 'on an index';
"""


def _pg_dump(server: ScratchServer, db: str, out: Path, *args: str) -> Path:
    assert server.install is not None
    run(
        server.install.binary("pg_dump"),
        [*args, "-f", str(out), "-d", server.dsn(db)],
        major=server.major,
    )
    return out


def _table(findings: Findings, name: str) -> TableFinding:
    return next(t for t in findings.tables if t.name == name)


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "schema.prisma"
    path.write_text(SCHEMA)
    return path


@pytest.fixture
def source(scratch_server: ScratchServer, fresh_db: str, schema: Path) -> str:
    """The database the schema describes (the no-false-positive twin), with its rows."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(render_sql(expect(schema)).encode())
        conn.execute(ROWS.encode())
    return fresh_db


@pytest.mark.parametrize(
    "args",
    [
        ["-Fp"],
        ["-Fc"],
        ["-Fd"],
        ["-Ft"],
        ["-Fp", "--inserts"],
        ["-Fc", "--rows-per-insert=30"],
    ],
    ids=" ".join,
)
def test_quick_verify_samples_big_tables_and_keeps_every_foreign_key(
    args: list[str],
    scratch_server: ScratchServer,
    source: str,
    schema: Path,
    tmp_path: Path,
) -> None:
    dump = _pg_dump(scratch_server, source, tmp_path / "prod.dump", *args)
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=schema,
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
            sample=SAMPLE,
            keep_scratch=True,  # to look at the restored database; dropped below
        )
    )
    assert outcome.restore is not None
    try:
        with psycopg.connect(scratch_server.dsn(outcome.restore.database)) as conn:
            validated = conn.execute(
                "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f'"
            ).fetchall()
            loaded = conn.execute(
                "SELECT (SELECT count(*) FROM parents), (SELECT count(*) FROM children)"
            ).fetchone()
            comments = conn.execute(
                "SELECT description FROM pg_description WHERE description LIKE 'on %' ORDER BY 1"
            ).fetchall()
    finally:
        drop_database(scratch_server, outcome.restore.database)
    findings = outcome.findings
    assert findings.exit_code() == 0, render(findings, "text")
    assert findings.sample == SAMPLE
    assert {t.name: (t.verdict, t.sampled) for t in findings.tables} == {
        "parents": ("ok", True),
        "children": ("ok", True),
        "tags": ("ok", False),
    }
    parents, children, tags = (_table(findings, n) for n in ("parents", "children", "tags"))
    # The inventory counts every row of the dump; the restore loaded the first ones (whole
    # INSERT statements: with 30 rows per INSERT, the fourth one holds row 100).
    per_insert = 30 if "--rows-per-insert=30" in args else 1
    first = -(-SAMPLE // per_insert) * per_insert
    assert (parents.dump_rows, parents.restored_rows) == (300, first)
    assert (children.dump_rows, children.restored_rows) == (250, first)
    assert loaded == (first, first)
    # Post-data is restored whole: the comments after an index and after the FK too.
    assert comments == [("on an index",), ("on the foreign key",)]
    assert (tags.dump_rows, tags.restored_rows) == (7, 7)
    # A table loaded whole is compared by content as in a full verify; a sampled one says why not.
    assert tags.dump_fingerprint is not None
    assert tags.restored_fingerprint == tags.dump_fingerprint
    assert tags.fingerprint_note is None
    assert children.restored_fingerprint is None
    assert "sampled (--quick loaded the first 100 of 250 rows)" in (children.fingerprint_note or "")
    # The FK exists, unvalidated, and reads back as the dumped one: no drift.
    restored = outcome.restore.catalog.tables[QualifiedName("public", "children")]
    assert [fk.name for fk in restored.foreign_keys] == ["children_parentId_fkey"]
    assert validated == [("children_parentId_fkey", False)]
    assert children.differences == ()
    report = json.loads(render(findings, "json"))
    jsonschema.Draft202012Validator(load_schema()).validate(report)
    assert report["sample"] == SAMPLE
    assert [t["sampled"] for t in report["tables"]] == [True, True, False]


def test_the_cli_quick_verify_exits_0_with_a_valid_json_report(
    scratch_server: ScratchServer, source: str, schema: Path, tmp_path: Path
) -> None:
    dump = _pg_dump(scratch_server, source, tmp_path / "prod.dump", "-Fc")
    result = subprocess.run(
        [
            sys.executable, "-m", "dumpcheck", "verify", str(dump), "--prisma", str(schema),
            "--scratch-dsn", scratch_server.conninfo, "--quick", "--sample", str(SAMPLE),
            "--format", "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema()).validate(report)
    assert {t["name"]: t["sampled"] for t in report["tables"]} == {
        "children": True,
        "parents": True,
        "tags": False,
    }


# A data-only dump of production, whose value columns are text where the Prisma schema says
# Int: a value that is no integer fails the COPY into Prisma's table.
DATA_SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Reading {
  id    Int @id
  value Int

  @@map("readings")
}

model Sensor {
  id    Int @id
  value Int

  @@map("sensors")
}

model Meter {
  id    Int @id
  value Int

  @@map("meters")
}
"""
DATA_SOURCE = """\
CREATE TABLE readings (id int PRIMARY KEY, value text NOT NULL);
CREATE TABLE sensors (id int PRIMARY KEY, value text NOT NULL);
CREATE TABLE meters (id int PRIMARY KEY, value text NOT NULL);
-- readings: a bad value in row 5, inside the sample; sensors: in row 250, past it.
INSERT INTO readings SELECT g, CASE WHEN g = 5 THEN 'n/a' ELSE g::text END
FROM generate_series(1, 300) g;
INSERT INTO sensors SELECT g, CASE WHEN g = 250 THEN 'n/a' ELSE g::text END
FROM generate_series(1, 300) g;
INSERT INTO meters SELECT g, g::text FROM generate_series(1, 300) g;
"""


@pytest.mark.parametrize("fmt", ["-Fp", "-Fc"])
def test_a_bad_row_inside_the_sample_fails_and_one_past_it_is_not_seen(
    fmt: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(DATA_SOURCE.encode())
    dump = _pg_dump(scratch_server, fresh_db, tmp_path / "data.dump", fmt, "--data-only")
    schema = tmp_path / "schema.prisma"
    schema.write_text(DATA_SCHEMA)

    def run_verify(sample: int | None) -> Findings:
        options = VerifyOptions(
            dump=dump,
            prisma=schema,
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
            sample=sample,
        )
        return verify(options).findings

    quick = run_verify(SAMPLE)
    assert {t.name: (t.verdict, t.sampled) for t in quick.tables} == {
        "readings": ("failed_restore", True),
        "sensors": ("ok", True),  # its bad row is past the sample: quick mode cannot see it
        "meters": ("ok", True),  # the twin with no bad row
    }
    readings = _table(quick, "readings")
    assert readings.errors[0].message == 'invalid input syntax for type integer: "n/a"'
    assert readings.errors[0].sqlstate == "22P02"
    assert quick.exit_code() == 1
    # A full verify sees both (a failed COPY loses every row: rows_lost).
    full = run_verify(None)
    assert {t.name: t.verdict for t in full.tables} == {
        "readings": "rows_lost",
        "sensors": "rows_lost",
        "meters": "ok",
    }


def test_a_missing_extension_still_shows(scratch_server: ScratchServer) -> None:
    """The schema is restored whole: the demo's products needs the extension aas_types."""
    options = VerifyOptions(
        dump=ROOT / "fixtures/demo/dumps/products_broken.dump",
        prisma=ROOT / "fixtures/demo/schema.prisma",
        backend="dsn",
        scratch_dsn=scratch_server.conninfo,
        sample=10,
    )
    findings = verify(options).findings
    products = _table(findings, "products")
    assert (products.verdict, products.sampled) == ("failed_restore", True)
    assert any("aas_types" in line for line in products.evidence)
    assert _table(findings, "categories").verdict == "ok"
    assert findings.exit_code() == 1


PARTITIONED = """\
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE ledger (id int, account int NOT NULL REFERENCES accounts, PRIMARY KEY (id))
    PARTITION BY RANGE (id);
CREATE TABLE ledger_low PARTITION OF ledger FOR VALUES FROM (1) TO (1000);
INSERT INTO accounts SELECT g FROM generate_series(1, 300) g;
INSERT INTO ledger SELECT g, 1 + g % {modulo} FROM generate_series(1, 250) g;
"""


@pytest.mark.parametrize(("major", "modulo"), [(15, 50), (18, 300)])
def test_a_partitioned_table_s_foreign_key(
    major: int,
    modulo: int,
    scratch_server_for: Callable[[int], ScratchServer],
    tmp_path: Path,
) -> None:
    """Before PostgreSQL 18 a partitioned table's FK cannot be NOT VALID: it is created as
    dumped, which holds when its sample refers to rows in the referenced sample (accounts
    1-50); PostgreSQL 18 adds it NOT VALID whatever the sample refers to."""
    server = scratch_server_for(major)
    db = create_database(server)
    try:
        with psycopg.connect(server.dsn(db), autocommit=True) as conn:
            conn.execute(PARTITIONED.format(modulo=modulo).encode())
        dump = _pg_dump(server, db, tmp_path / "ledger.dump", "-Fc")
    finally:
        drop_database(server, db)
    schema = tmp_path / "schema.prisma"
    schema.write_text('datasource db {\n  provider = "postgresql"\n}\n')
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=schema,
            backend="dsn",
            scratch_dsn=server.conninfo,
            sample=SAMPLE,
        )
    )
    assert outcome.restore is not None
    assert [e.message for e in outcome.restore.errors] == []
    assert {t.name: (t.verdict, t.sampled) for t in outcome.findings.tables} == {
        "accounts": ("unexpected", True),
        "ledger": ("unexpected", False),  # a partitioned table's rows are its partitions'
        "ledger_low": ("unexpected", True),
    }
    ledger = outcome.restore.catalog.tables[QualifiedName("public", "ledger")]
    assert [fk.ref_table.name for fk in ledger.foreign_keys] == ["accounts"]
