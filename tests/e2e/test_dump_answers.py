"""Answers a user needs from real dumps made by real pg_dump (the server's own, 18):

- a view that fails to restore carries its own CREATE VIEW error first, in every format, with
  the follow-on OWNER error tied to it as secondary;
- ``pg_dump -T`` leaves traces in the views that select from the excluded table, not only in
  foreign keys;
- the roles dumpcheck had to create in the scratch server are listed in every report format;
- a table whose data ``pg_dump --exclude-table-data`` left out is ok and empty, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dumpcheck.compare.findings import ExcludedTableData
from dumpcheck.inventory import inventory
from dumpcheck.report import ReportFormat, render
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify

SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Product {
  id    Int     @id
  title String?

  @@map("products")
}
"""
SOURCE = """\
CREATE ROLE dumpcheck_test_reporting NOLOGIN;
CREATE TABLE products (id int PRIMARY KEY, title text);
INSERT INTO products VALUES (1, 'a'), (2, 'b');
CREATE TABLE other (id int PRIMARY KEY);
CREATE VIEW other_v AS SELECT o.id, p.title FROM other o JOIN products p ON p.id = o.id;
GRANT SELECT ON products TO dumpcheck_test_reporting;
"""
SCHEMA_SQL_FOR_PRODUCTS = """\
CREATE TABLE products (id int PRIMARY KEY, title text);
INSERT INTO products VALUES (1, 'a'), (2, 'b');
CREATE TABLE other (id int PRIMARY KEY);
INSERT INTO other VALUES (1);
"""


@pytest.fixture
def dumps(scratch_server: ScratchServer, fresh_db: str, tmp_path: Path) -> dict[str, Path]:
    """The source dumped with ``-T other`` as plain SQL and as a custom archive; the role it
    grants to is dropped from the server afterwards, so the restore must create it."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS dumpcheck_test_reporting")
        conn.execute(SOURCE)
    assert scratch_server.install is not None
    out = {}
    for fmt, name in (("-Fp", "excl.sql"), ("-Fc", "excl.dump")):
        out[name] = tmp_path / name
        run(
            scratch_server.install.binary("pg_dump"),
            [fmt, "-T", "other", "-f", str(out[name]), "-d", scratch_server.dsn(fresh_db)],
            major=scratch_server.major,
        )
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute("DROP OWNED BY dumpcheck_test_reporting")
        conn.execute("DROP ROLE dumpcheck_test_reporting")
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    return out


@pytest.mark.parametrize("name", ["excl.sql", "excl.dump"])
def test_view_errors_dependent_views_and_created_roles(
    scratch_server: ScratchServer, dumps: dict[str, Path], name: str
) -> None:
    dump = dumps[name]
    facts = inventory(dump).facts
    assert ("public.other", "view public.other_v selects from it") in [
        (str(k), ev) for k, ev in facts.excluded_traces
    ]
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=dump.parent / "schema.prisma",
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    findings = outcome.findings
    view = next(t for t in findings.tables if t.name == "other_v")
    assert view.verdict == "failed_restore"
    first = view.errors[0]
    assert first.statement is not None and first.statement.lstrip().startswith("CREATE VIEW")
    assert 'relation "public.other" does not exist' in first.message
    assert first.severity == "fatal"
    assert all(e.severity == "secondary" and e.root_cause for e in view.errors[1:])
    products = next(t for t in findings.tables if t.name == "products")
    assert (products.verdict, products.restored_rows) == ("ok", 2)
    # The role the dump grants to was created for the restore, and every format says so.
    assert findings.scratch is not None
    assert findings.scratch.created_roles == ("dumpcheck_test_reporting",)
    report = json.loads(render(findings, "json"))
    assert report["scratch"]["created_roles"] == ["dumpcheck_test_reporting"]
    formats: tuple[ReportFormat, ...] = ("text", "markdown", "junit")
    for fmt in formats:
        assert "dumpcheck_test_reporting" in render(findings, fmt), fmt
        assert 'relation "public.other" does not exist' in render(findings, fmt), fmt


def test_a_managed_server_dump_keeps_prisma_tables_ok(
    scratch_server: ScratchServer, dumps: dict[str, Path], tmp_path: Path
) -> None:
    """A Supabase/RDS dump, as such dumps come: extensions and roles only those services have
    (pgsodium, supabase_vault, aws_commons; grants to authenticated and rds_superuser). The
    Prisma tables stay ok, the missing extensions are named, the created roles listed."""
    plain = dumps["excl.sql"].read_text()
    managed = (
        "CREATE EXTENSION IF NOT EXISTS pgsodium WITH SCHEMA public;\n"
        "CREATE EXTENSION IF NOT EXISTS supabase_vault WITH SCHEMA public;\n"
        "CREATE EXTENSION IF NOT EXISTS aws_commons WITH SCHEMA public;\n"
        "GRANT SELECT ON TABLE public.products TO authenticated;\n"
        "GRANT ALL ON TABLE public.products TO rds_superuser;\n"
    )
    at = plain.index("CREATE TABLE public.products")
    edited = tmp_path / "managed.sql"
    edited.write_text(plain[:at] + managed + "\n" + plain[at:])
    schema = dumps["excl.sql"].parent / "schema.prisma"
    findings = verify(
        VerifyOptions(
            dump=edited, prisma=schema, backend="dsn", scratch_dsn=scratch_server.conninfo
        )
    ).findings
    products = next(t for t in findings.tables if t.name == "products")
    assert (products.verdict, products.restored_rows) == ("ok", 2)
    missing = {getattr(f, "name", None) for f in findings.dump_findings}
    assert {"pgsodium", "supabase_vault", "aws_commons"} <= missing
    assert findings.scratch is not None
    assert {"authenticated", "rds_superuser"} <= set(findings.scratch.created_roles)


@pytest.mark.parametrize("codec", ["bzip2", "xz"])
def test_plain_dump_through_bzip2_or_xz_verifies(
    scratch_server: ScratchServer, dumps: dict[str, Path], tmp_path: Path, codec: str
) -> None:
    """``pg_dump | bzip2`` and ``pg_dump | xz``, read by content whatever the file is called."""
    import bz2
    import lzma

    plain = dumps["excl.sql"].read_bytes()
    packed = tmp_path / "nightly.backup"
    packed.write_bytes(bz2.compress(plain) if codec == "bzip2" else lzma.compress(plain))
    assert inventory(packed).facts.compression == codec
    findings = verify(
        VerifyOptions(
            dump=packed,
            prisma=dumps["excl.sql"].parent / "schema.prisma",
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    ).findings
    products = next(t for t in findings.tables if t.name == "products")
    assert (products.verdict, products.restored_rows) == ("ok", 2)
    assert products.dump_fingerprint == products.restored_fingerprint
    assert findings.dump is not None and findings.dump.compression == codec


@pytest.mark.parametrize("fmt", ["-Fp", "-Fc", "-Fd"])
def test_table_data_left_out_by_pg_dump_is_said_not_failed(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    """``pg_dump --exclude-table-data``: the table is ok and empty, and every report says why
    (its reason, the dump finding); the twin dump without the option says nothing of it.

    Another table keeps its data: with no data section at all the dump reads as schema-only,
    which a plain dump cannot tell from one whose every table's data was left out."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SCHEMA_SQL_FOR_PRODUCTS)
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    assert scratch_server.install is not None
    seen = {}
    for label, extra in (("excluded", ["--exclude-table-data=public.products"]), ("whole", [])):
        dump = tmp_path / f"{label}{fmt}"
        run(
            scratch_server.install.binary("pg_dump"),
            [fmt, *extra, "-f", str(dump), "-d", scratch_server.dsn(fresh_db)],
            major=scratch_server.major,
        )
        findings = verify(
            VerifyOptions(
                dump=dump,
                prisma=tmp_path / "schema.prisma",
                backend="dsn",
                scratch_dsn=scratch_server.conninfo,
            )
        ).findings
        assert findings.exit_code() == 0, label
        seen[label] = findings
    excluded, whole = seen["excluded"], seen["whole"]
    products = next(t for t in excluded.tables if t.name == "products")
    assert (products.verdict, products.dump_rows, products.restored_rows) == ("ok", None, 0)
    assert products.data_excluded
    assert [f for f in excluded.dump_findings if isinstance(f, ExcludedTableData)] == [
        ExcludedTableData(("public.products",))
    ]
    shown = {t["name"]: t for t in json.loads(render(excluded, "json"))["tables"]}
    assert shown["products"]["data_excluded"] is True and "data_excluded" not in shown["other"]
    for report in (render(excluded, "text"), render(excluded, "markdown")):
        assert "--exclude-table-data" in report
    # The twin: every row there, and not a word about left-out data.
    products = next(t for t in whole.tables if t.name == "products")
    assert (products.verdict, products.restored_rows, products.data_excluded) == ("ok", 2, False)
    assert not any(isinstance(f, ExcludedTableData) for f in whole.dump_findings)
    assert "exclude-table-data" not in render(whole, "text")
