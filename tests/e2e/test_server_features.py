"""No false alarm from what production databases carry beside a Prisma schema.

A real database often has objects Prisma neither writes nor compares: publications, an event
trigger, row-level security and policies, triggers, comments, CHECK constraints, a column
collation, extended statistics, a partitioned table, views, a materialized view, an unlogged
table, a sequence restarted elsewhere, storage parameters. Dumped by real pg_dump in every
format, each model's table is ``ok`` and the extra relations are ``unexpected`` (exit 0), never
``failed_restore`` or ``drift``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import VerifyOptions, verify

pytestmark = pytest.mark.postgres

SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  age   Int?
  note  String?
  posts Post[]
}

model Post {
  id        Int      @id @default(autoincrement())
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  title     String   @db.VarChar(200)
  published Boolean  @default(false)
  createdAt DateTime @default(now())
}
"""

SOURCE = """
CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL COLLATE "C",
                     age integer CHECK (age > 0), note text);
CREATE UNIQUE INDEX "User_email_key" ON "User" (email);
CREATE TABLE "Post" (id serial PRIMARY KEY, "authorId" integer NOT NULL,
                     title varchar(200) NOT NULL, published boolean NOT NULL DEFAULT false,
                     "createdAt" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId")
  REFERENCES "User"(id) ON UPDATE CASCADE ON DELETE RESTRICT;
INSERT INTO "User" (email, age)
  SELECT 'u' || g || '@example.com', 20 + g FROM generate_series(1, 9) g;
INSERT INTO "Post" ("authorId", title) SELECT 1 + g % 9, 'post ' || g FROM generate_series(1, 20) g;
COMMENT ON TABLE "User" IS 'people';
COMMENT ON COLUMN "User".note IS 'free text';
ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON "User" USING (true);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION ddl_seen() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER ddl_seen ON ddl_command_end EXECUTE FUNCTION ddl_seen();
CREATE PUBLICATION users FOR TABLE "User";
CREATE STATISTICS user_stats ON age, note FROM "User";
ALTER SEQUENCE "User_id_seq" RESTART WITH 1000 CACHE 5;
ALTER TABLE "Post" SET (fillfactor = 80);
CREATE VIEW adults AS SELECT * FROM "User" WHERE age >= 18;
CREATE MATERIALIZED VIEW user_count AS SELECT count(*) FROM "User";
CREATE TABLE audit (id bigint, at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE audit_2024 PARTITION OF audit FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNLOGGED TABLE scratchpad (k text);
"""


@pytest.mark.parametrize("fmt", ["custom", "plain", "directory", "tar"])
def test_what_prisma_does_not_model_raises_no_alarm(
    fmt: str, scratch_server: ScratchServer, tmp_path: Path
) -> None:
    assert scratch_server.install is not None
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    dump = tmp_path / f"dump.{fmt}"
    source = create_database(scratch_server)
    try:
        with psycopg.connect(scratch_server.dsn(source), autocommit=True) as conn:
            conn.execute(SOURCE)
        argv = [str(scratch_server.install.binary("pg_dump")), f"--format={fmt}"]
        argv += ["-f", str(dump), scratch_server.dsn(source)]
        subprocess.run(argv, check=True, capture_output=True)
    finally:
        drop_database(scratch_server, source)
    options = VerifyOptions(
        dump=dump, prisma=schema, backend="dsn", scratch_dsn=scratch_server.conninfo
    )
    findings = verify(options).findings
    verdicts = {t.name: t.verdict for t in findings.tables}
    assert verdicts == {
        "User": "ok",
        "Post": "ok",
        "adults": "unexpected",
        "user_count": "unexpected",
        "audit": "unexpected",
        "audit_2024": "unexpected",
        "scratchpad": "unexpected",
    }
    rows = {t.name: t.restored_rows for t in findings.tables if t.verdict == "ok"}
    assert rows == {"User": 9, "Post": 20}
    assert findings.exit_code() == 0
