"""A dump whose objects live in tablespaces, on real dumps made by real pg_dump.

A scratch server never has the production server's tablespaces: the restore leaves out pg_dump's
``SET default_tablespace`` (as pg_restore --no-tablespaces does), so that every table is ``ok``
with a note, instead of ``failed_restore`` for each object in a tablespace, or every table of a
script that runs in one transaction. Its no-false-positive twin: a server that has the
tablespace (--scratch-dsn, refresh's target) restores into it, with no note.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dumpcheck.compare.findings import Findings
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.local import server_os_user
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import VerifyOptions, verify

pytestmark = pytest.mark.postgres

SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Fast {
  id    Int     @id
  label String?

  @@index([label], map: "fast_label_idx")
  @@map("fast")
}

model Plain {
  id Int @id

  @@map("plain")
}
"""

SOURCE = """
CREATE TABLE fast (id integer NOT NULL, label text) TABLESPACE {space};
ALTER TABLE ONLY fast ADD CONSTRAINT fast_pkey PRIMARY KEY (id) USING INDEX TABLESPACE {space};
CREATE INDEX fast_label_idx ON fast (label) TABLESPACE {space};
CREATE TABLE plain (id integer PRIMARY KEY);
INSERT INTO fast SELECT g, 'label ' || g FROM generate_series(1, 50) g;
INSERT INTO plain SELECT generate_series(1, 5);
"""

# (file name, pg_dump arguments); "one transaction" is pg_restore -1 -f of the custom archive.
DUMPS: tuple[tuple[str, list[str]], ...] = (
    ("custom.dump", ["-Fc"]),
    ("plain.sql", []),
    ("directory", ["-Fd"]),
)


@pytest.fixture
def tablespace(scratch_server: ScratchServer) -> Iterator[str]:
    """A tablespace on the session's server, in a directory its OS user owns; dropped after."""
    name = f"space_{uuid.uuid4().hex[:8]}"
    location = Path(tempfile.mkdtemp(prefix="dumpcheck-space-"))
    owner = server_os_user()
    if owner is not None:  # as root, the server runs as another user (scratch/local.py)
        os.chown(location, owner.pw_uid, owner.pw_gid)
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE {name} LOCATION '{location}'")
    try:
        yield name
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
        shutil.rmtree(location, ignore_errors=True)


def _dumps(server: ScratchServer, space: str, out: Path) -> dict[str, Path]:
    """The source database dumped in every format, then dropped."""
    assert server.install is not None
    source = create_database(server)
    try:
        with psycopg.connect(server.dsn(source), autocommit=True) as conn:
            conn.execute(SOURCE.format(space=space))
        made = {}
        pg_dump = str(server.install.binary("pg_dump"))
        for name, args in DUMPS:
            made[name] = out / name
            argv = [pg_dump, *args, "-f", str(made[name]), server.dsn(source)]
            subprocess.run(argv, check=True, capture_output=True)
        made["one transaction"] = out / "single.sql"
        pg_restore = str(server.install.binary("pg_restore"))
        argv = [pg_restore, "-1", "-f", str(made["one transaction"]), str(made["custom.dump"])]
        subprocess.run(argv, check=True, capture_output=True)
    finally:
        drop_database(server, source)
    return made


def _verify(server: ScratchServer, dump: Path, schema: Path, jobs: int | None = None) -> Findings:
    options = VerifyOptions(
        dump=dump, prisma=schema, backend="dsn", scratch_dsn=server.conninfo, jobs=jobs
    )
    return verify(options).findings


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "schema.prisma"
    path.write_text(SCHEMA)
    return path


def test_a_server_without_the_tablespace_restores_every_table(
    scratch_server: ScratchServer, tablespace: str, schema: Path, tmp_path: Path
) -> None:
    dumps = _dumps(scratch_server, tablespace, tmp_path)
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP TABLESPACE {tablespace}")  # as on a fresh scratch server
    assert "Tablespace: " + tablespace in dumps["plain.sql"].read_text()
    for name, dump in dumps.items():
        # A plain script also on the parallel driver, whose sessions replay the driver's SETs.
        for jobs in (1, 2) if name == "plain.sql" else (None,):
            findings = _verify(scratch_server, dump, schema, jobs)
            verdicts = {t.name: (t.verdict, t.restored_rows) for t in findings.tables}
            assert verdicts == {"fast": ("ok", 50), "plain": ("ok", 5)}, (name, jobs)
            assert any(f"tablespace(s) the scratch server does not have: {tablespace}" in n
                       for n in findings.notes), name  # fmt: skip


def test_a_server_with_the_tablespace_restores_into_it(
    scratch_server: ScratchServer, tablespace: str, schema: Path, tmp_path: Path
) -> None:
    """The no-false-positive twin: nothing is left out where the tablespace exists."""
    dumps = _dumps(scratch_server, tablespace, tmp_path)
    for name in ("custom.dump", "plain.sql"):
        findings = _verify(scratch_server, dumps[name], schema)
        verdicts = {t.name: t.verdict for t in findings.tables}
        assert verdicts == {"fast": "ok", "plain": "ok"}, name
        assert not any("tablespace" in note for note in findings.notes), name
