"""Passwords in a dump never reach a report or the restore log artifact.

pg_dump writes a user mapping's options, password included (pg_dump.c dumpUserMappings). When
its foreign server fails to restore (here its wrapper's handler is missing, as when the scratch
server lacks an FDW extension), the mapping fails too, and its statement is the error's
evidence. Every report format, and the scrubbed log the nightly job keeps, must withhold the
password. (pg_restore's own "Command was: ..." log lines: tests/report/test_redact_log.py.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from dumpcheck.report import render
from dumpcheck.report.redact import scrub_log
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import VerifyOptions, verify

pytestmark = pytest.mark.postgres

SECRET = "hunter2-correct-horse"
SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Item {
  id Int @id

  @@map("item")
}
"""
SOURCE = f"""
CREATE TABLE item (id integer PRIMARY KEY);
INSERT INTO item VALUES (1);
CREATE FOREIGN DATA WRAPPER legacy_wrapper VALIDATOR postgresql_fdw_validator;
CREATE SERVER legacy FOREIGN DATA WRAPPER legacy_wrapper OPTIONS (host 'db.internal');
CREATE USER MAPPING FOR CURRENT_USER SERVER legacy OPTIONS (user 'app', password '{SECRET}');
"""


def test_a_failed_user_mapping_keeps_its_password_out(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    assert scratch_server.install is not None
    source = create_database(scratch_server)
    dump = tmp_path / "dump.sql"
    try:
        with psycopg.connect(scratch_server.dsn(source), autocommit=True) as conn:
            conn.execute(SOURCE)
        argv = [str(scratch_server.install.binary("pg_dump")), "-f", str(dump)]
        subprocess.run([*argv, scratch_server.dsn(source)], check=True, capture_output=True)
    finally:
        drop_database(scratch_server, source)
    text = dump.read_text()
    assert SECRET in text  # pg_dump did write it
    wrapper = "CREATE FOREIGN DATA WRAPPER legacy_wrapper VALIDATOR"
    assert wrapper in text
    dump.write_text(text.replace(wrapper, "CREATE FOREIGN DATA WRAPPER legacy_wrapper HANDLER "
                                 "public.no_such_handler VALIDATOR"))  # fmt: skip
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    options = VerifyOptions(
        dump=dump, prisma=schema, backend="dsn", scratch_dsn=scratch_server.conninfo
    )
    outcome = verify(options)
    assert outcome.restore is not None
    assert [t.verdict for t in outcome.findings.tables] == ["ok"]
    mapping = [e for e in outcome.restore.errors if "USER MAPPING" in (e.statement or "")]
    assert mapping and SECRET in (mapping[0].statement or "")  # the evidence, before reports
    for report_format in ("text", "json", "markdown", "junit"):
        assert SECRET not in render(outcome.findings, report_format), report_format
    assert SECRET not in scrub_log(outcome.restore.log)
