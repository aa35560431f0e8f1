"""Build a database as `prisma migrate deploy` builds it, for tests that need production's shape.

Each migration.sql is played in folder-name order, as the schema engine applies it: the whole
file sent as one simple-protocol query (quaint's raw_cmd, tokio-postgres batch_execute), which
PostgreSQL runs as one implicit transaction (a LOCK TABLE works there; a failing statement
undoes the whole file; CREATE INDEX CONCURRENTLY only works alone in its file, as in Prisma).
Each is then recorded in `_prisma_migrations` with the SHA-256 of its file, as the engine
records it.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import psycopg

from dumpcheck.expect import prisma_migrations_sql
from dumpcheck.scratch.model import ScratchServer


def deploy_migrations(server: ScratchServer, db: str, folder: Path) -> list[Path]:
    """Play and record every migration under ``folder``; returns the migration folders."""
    scripts = sorted(p for p in folder.iterdir() if (p / "migration.sql").is_file())
    dsn = server.dsn(db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(prisma_migrations_sql())
        for script in scripts:
            try:
                conn.execute((script / "migration.sql").read_bytes())  # no parameters: simple
            except psycopg.Error as exc:
                raise AssertionError(f"{script.name}: {exc}") from exc
        for script in scripts:
            digest = hashlib.sha256((script / "migration.sql").read_bytes()).hexdigest()
            conn.execute(
                "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name,"
                " applied_steps_count) VALUES (%s, %s, now(), %s, 1)",
                (str(uuid.uuid4()), digest, script.name),
            )
    return scripts
