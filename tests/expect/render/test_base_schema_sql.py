"""The DDL a data-only dump loads into: the schema's tables plus the extensions they need."""

from __future__ import annotations

from pathlib import Path

from dumpcheck.expect import base_schema_sql, expect
from dumpcheck.expect.history import extensions_created
from dumpcheck.expect.render import needed_extensions

SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @db.Citext
  name  String

  @@index([name(ops: raw("gin_trgm_ops"))], type: Gin)
}
"""


def test_extensions_created_reads_both_spellings_in_order() -> None:
    sql = (
        '-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS "citext";\n'
        "create extension pg_trgm with schema public;\n"
        "-- CREATE EXTENSION commented_out;\nCREATE EXTENSION IF NOT EXISTS citext;\n"
    )
    assert extensions_created(sql) == ("citext", "pg_trgm")


def test_migrations_extensions_and_citext_columns_are_created_first(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    migration = tmp_path / "migrations" / "20240101000000_trgm"
    migration.mkdir(parents=True)
    (migration / "migration.sql").write_text("CREATE EXTENSION IF NOT EXISTS pg_trgm;\n")
    expectation = expect(tmp_path / "schema.prisma")
    assert needed_extensions(expectation) == ["pg_trgm", "citext"]
    sql = base_schema_sql(expectation)
    assert sql.index('CREATE EXTENSION IF NOT EXISTS "citext"') < sql.index('CREATE TABLE "User"')
    assert sql.startswith('CREATE SCHEMA IF NOT EXISTS "public";\nSET search_path TO "public";')
    assert sql.rstrip().endswith("applied_steps_count     INTEGER NOT NULL DEFAULT 0\n);")


def test_no_migrations_and_no_extension_types_add_nothing(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(
        SCHEMA.replace(" @db.Citext", "").split("\n  @@")[0] + "\n}\n"
    )
    assert needed_extensions(expect(tmp_path / "schema.prisma")) == []
