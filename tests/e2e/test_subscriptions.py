"""A dump holding a logical replication subscription, made by real pg_dump (as a superuser).

pg_dump writes it ``connect = false``; it names another server, so the restore leaves it out
(as pg_restore --no-subscriptions) and says so in a note, and a database that holds one can
still be dropped (DROP DATABASE refuses it even WITH (FORCE)). Before, verify ended with exit
3 and no report when it dropped its scratch database.
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

model Item {
  id Int @id

  @@map("item")
}
"""

SOURCE = """
CREATE TABLE item (id integer PRIMARY KEY);
INSERT INTO item SELECT generate_series(1, 7);
CREATE PUBLICATION items FOR TABLE item;
CREATE SUBSCRIPTION upstream CONNECTION 'host=/nonexistent dbname=elsewhere'
  PUBLICATION items WITH (connect = false, slot_name = NONE);
COMMENT ON SUBSCRIPTION upstream IS 'from the other region';
"""


def test_a_subscription_is_left_out_and_said(scratch_server: ScratchServer, tmp_path: Path) -> None:
    assert scratch_server.install is not None
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    source = create_database(scratch_server)
    dumps: dict[str, Path] = {}
    try:
        with psycopg.connect(scratch_server.dsn(source), autocommit=True) as conn:
            conn.execute(SOURCE)
        pg_dump = str(scratch_server.install.binary("pg_dump"))
        for name, args in (
            ("custom.dump", ["-Fc"]),
            ("plain.sql", []),
            ("without.dump", ["-Fc", "--no-subscriptions"]),
        ):
            dumps[name] = tmp_path / name
            argv = [pg_dump, *args, "-f", str(dumps[name]), scratch_server.dsn(source)]
            subprocess.run(argv, check=True, capture_output=True)
    finally:
        drop_database(scratch_server, source)  # holds the subscription
    assert "CREATE SUBSCRIPTION upstream" in dumps["plain.sql"].read_text()
    for name, dump in dumps.items():
        options = VerifyOptions(
            dump=dump, prisma=schema, backend="dsn", scratch_dsn=scratch_server.conninfo
        )
        findings = verify(options).findings
        assert [(t.name, t.verdict, t.restored_rows) for t in findings.tables] == [
            ("item", "ok", 7)
        ], name
        said = any("replication subscription(s): upstream" in n for n in findings.notes)
        assert said == (name != "without.dump"), name  # the twin: no subscription, no note
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_subscription").fetchone() == (0,)
