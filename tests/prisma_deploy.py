"""Build a database as `prisma migrate deploy` builds it, for tests that need production's shape.

Each migration.sql is played in folder-name order, as one script and without a wrapping
transaction (some use CREATE INDEX CONCURRENTLY), then recorded in `_prisma_migrations` with
the SHA-256 of its file, as the schema engine records it.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import psycopg

from dumpcheck.scratch.model import ScratchServer
from tests.expect.oracle import run_files

# The table the schema engine creates before the first migration (prisma-engines
# schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs).
MIGRATIONS_TABLE = """
CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
"""


def deploy_migrations(server: ScratchServer, db: str, folder: Path) -> list[Path]:
    """Play and record every migration under ``folder``; returns the migration folders."""
    scripts = sorted(p for p in folder.iterdir() if (p / "migration.sql").is_file())
    dsn = server.dsn(db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(MIGRATIONS_TABLE)
    run_files(server, db, [s / "migration.sql" for s in scripts])
    with psycopg.connect(dsn, autocommit=True) as conn:
        for script in scripts:
            digest = hashlib.sha256((script / "migration.sql").read_bytes()).hexdigest()
            conn.execute(
                "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name,"
                " applied_steps_count) VALUES (%s, %s, now(), %s, 1)",
                (str(uuid.uuid4()), digest, script.name),
            )
    return scripts
