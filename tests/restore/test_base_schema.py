"""A data-only dump loads into the tables the Prisma schema defines; their failures are reported."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.catalog import QualifiedName
from dumpcheck.expect import base_schema_sql, expect, prisma_migrations_sql, render_sql
from dumpcheck.expect.rules import migrations_table
from dumpcheck.restore import restore
from dumpcheck.restore.base import describe
from dumpcheck.restore.catalog_reader import read_catalog
from dumpcheck.scratch.model import ScratchServer

SOURCE = """
CREATE TABLE "Author" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL,
                       CONSTRAINT "Author_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Post" ("id" SERIAL NOT NULL, "authorId" INTEGER NOT NULL,
                     CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId")
  REFERENCES "Author"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
INSERT INTO "Author" ("name") VALUES ('a'), ('b');
INSERT INTO "Post" ("authorId") VALUES (2), (1), (2);
"""

SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Author {
  id    Int    @id @default(autoincrement())
  name  String
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  authorId Int
  author   Author @relation(fields: [authorId], references: [id])
}
"""


@pytest.mark.parametrize(
    ("statement", "described"),
    [
        ('-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "app";', ("SCHEMA", None, "app")),
        ('CREATE EXTENSION IF NOT EXISTS "citext";', ("EXTENSION", None, "citext")),
        ("-- CreateEnum\nCREATE TYPE \"Role\" AS ENUM ('A');", ("TYPE", "app", "Role")),
        ('-- CreateTable\nCREATE TABLE "Post" ("id" INTEGER);', ("TABLE", "app", "Post")),
        ('CREATE TABLE "other"."T" ("id" INTEGER);', ("TABLE", "other", "T")),
        ('CREATE UNIQUE INDEX "Post_key" ON "Post"("id");', ("INDEX", "app", "Post_key")),
        ('ALTER TABLE "Post" ADD CONSTRAINT "f" FOREIGN KEY', ("FK CONSTRAINT", "app", None)),
        ("SET search_path TO app;", (None, None, None)),
    ],
)
def test_describe_names_the_object_a_rendered_statement_creates(
    statement: str, described: tuple[str | None, str | None, str | None]
) -> None:
    assert describe(statement, "app") == described


def test_prisma_migrations_ddl_builds_the_table_expect_models(
    scratch_server: ScratchServer, fresh_db: str
) -> None:
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(prisma_migrations_sql())
    table = read_catalog(scratch_server.dsn(fresh_db)).table("public", "_prisma_migrations")
    assert table is not None
    assert table.columns == migrations_table("public").columns
    assert table.primary_key == migrations_table("public").primary_key


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_data_only_dump_restores_into_the_prisma_tables(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    base = base_schema_sql(expect(tmp_path / "schema.prisma"))
    with source_db(scratch_server, SOURCE) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"d.{fmt}", fmt, "--data-only")
    result = restore(inventory_of(dump), scratch_server, database=fresh_db, base_schema=base)
    assert result.errors == ()
    assert result.into_prisma_schema
    rows = {t.name: t.rows for t in result.catalog.tables.values()}
    assert rows == {"Author": 2, "Post": 3, "_prisma_migrations": 0}
    # The dump's setval reached the sequence Prisma's SERIAL made: the next id follows on.
    with psycopg.connect(scratch_server.dsn(fresh_db)) as conn:
        assert conn.execute("SELECT nextval('\"Author_id_seq\"')").fetchone() == (3,)


def test_failures_of_the_prisma_ddl_are_root_causes_of_the_data_that_needed_them(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with source_db(scratch_server, SOURCE) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain", "--data-only")
    base = (
        '-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS "no_such_extension";\n\n'
        '-- CreateTable\nCREATE TABLE "Author" ("id" SERIAL NOT NULL, "name" citext_nope);\n\n'
        '-- CreateTable\nCREATE TABLE "Post" ("id" SERIAL NOT NULL, "authorId" INTEGER);\n'
    )
    result = restore(inventory_of(dump), scratch_server, database=fresh_db, base_schema=base)
    by_location = {e.location: e for e in result.errors}
    extension = by_location["Prisma DDL statement 1"]
    author = by_location["Prisma DDL statement 2"]
    assert (extension.object_type, extension.sqlstate) == ("EXTENSION", "0A000")
    assert (author.object_type, author.table, author.severity) == (
        "TABLE",
        QualifiedName("public", "Author"),
        "secondary",  # caused by the extension, which is the root
    )
    assert author.root_cause_id == extension.id  # its type came from the missing extension
    copy = next(e for e in result.errors if e.object_type == "TABLE DATA")
    assert copy.table == QualifiedName("public", "Author")
    assert copy.root_cause_id == extension.id
    assert result.catalog.table("public", "Post") is not None
    assert "Prisma DDL statement 2: ERROR:" in result.log


CYCLE_SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id         Int    @id
  favoriteId Int?   @unique
  favorite   Post?  @relation("favorite", fields: [favoriteId], references: [id])
  posts      Post[] @relation("author")
}

model Post {
  id        Int   @id
  authorId  Int
  author    User  @relation("author", fields: [authorId], references: [id])
  favoredBy User? @relation("favorite")
}
"""


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_tables_whose_foreign_keys_form_a_cycle_load(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    """A user's favourite post, a post's author: whichever table's COPY comes first refers to
    rows not loaded yet. pg_dump warns about such dumps and advises --disable-triggers."""
    (tmp_path / "schema.prisma").write_text(CYCLE_SCHEMA)
    expectation = expect(tmp_path / "schema.prisma")
    source = (
        render_sql(expectation)
        + 'INSERT INTO "User" VALUES (1, NULL); INSERT INTO "Post" VALUES (1, 1);'
        + 'UPDATE "User" SET "favoriteId" = 1;'
    )
    with source_db(scratch_server, source) as src:
        dump = pg_dump(scratch_server, src, tmp_path / f"t.{fmt}", fmt, "--data-only")
    result = restore(
        inventory_of(dump),
        scratch_server,
        database=fresh_db,
        base_schema=base_schema_sql(expectation),
    )
    assert result.errors == ()
    assert {t.name: t.rows for t in result.catalog.tables.values()} == {
        "User": 1,
        "Post": 1,
        "_prisma_migrations": 0,
    }
