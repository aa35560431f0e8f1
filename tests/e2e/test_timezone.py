"""The user's environment does not leak into the verdicts. A machine outside UTC: its scratch
server prints timestamptz defaults in its own zone (initdb copies the machine's), and that must
not read as drift from Prisma's UTC literals; nor may PGDATESTYLE or PGOPTIONS change them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from dumpcheck.expect import expect, render_sql
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run

ROOT = Path(__file__).resolve().parents[2]

SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Event {
  id       Int      @id
  startsAt DateTime @default("2024-01-01T00:00:00.000Z") @db.Timestamptz(3)
  endsAt   DateTime @default("2024-06-30T17:00:00.500-07:00") @db.Timestamptz(6)
  plain    DateTime @default("2024-01-01T00:00:00.000Z")
}
"""


def test_scratch_server_in_another_zone_reports_no_drift(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(render_sql(expect(schema)).encode())
    dump = tmp_path / "events.dump"
    assert scratch_server.install is not None
    run(
        scratch_server.install.binary("pg_dump"),
        ["-Fc", "-f", str(dump), "-d", scratch_server.dsn(fresh_db)],
        major=scratch_server.major,
    )
    # A scratch server of its own, started in Asia/Kolkata (UTC+05:30), as on such a laptop,
    # by a user whose PGDATESTYLE prints dates the European way and whose PGOPTIONS sets a
    # statement timeout.
    result = subprocess.run(
        [sys.executable, "-m", "dumpcheck", "verify", str(dump), "--prisma", str(schema)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={
            **os.environ,
            "TZ": "Asia/Kolkata",
            "PGDATESTYLE": "SQL, DMY",
            # A timeout meant for the user's own sessions must not reach the scratch server's.
            "PGOPTIONS": "-c statement_timeout=1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 ok" in result.stdout
