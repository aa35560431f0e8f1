"""Golden cases: each folder holds a source database, a Prisma schema and the expected reports.

Rewrite the goldens with ``DUMPCHECK_UPDATE_GOLDENS=1 make test``. Every case also has a
no-false-positive twin: a dump of the database the schema itself describes verifies clean.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import jsonschema
import psycopg
import pytest

from dumpcheck.expect import expect, render_sql
from dumpcheck.report import load_schema, render
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify

CASES = Path(__file__).resolve().parent
ROOT = CASES.parents[1]
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "case.json").exists())
UPDATE = os.environ.get("DUMPCHECK_UPDATE_GOLDENS") == "1"


def _normalise(text: str, dump: Path) -> str:
    """Take out what changes from run to run: paths, versions, random database names."""
    text = text.replace(str(dump), "<dump>")
    text = re.sub(r"dumpcheck_[a-z0-9]{6,}", "dumpcheck_<db>", text)
    text = re.sub(r"\b1[5-9]\.\d+(\.\d+)?\b", "<pg-version>", text)
    return text.replace(str(ROOT) + "/", "")


def _build_source(server: ScratchServer, db: str, sql: str) -> None:
    # The server runs as another user when we are root: the extension folder must be
    # reachable through every parent, so it lives directly under /tmp, not in tmp_path.
    with tempfile.TemporaryDirectory(prefix="dumpcheck-test-ext-") as tmp:
        ext = Path(tmp)
        (ext / "extension").mkdir()
        for f in (ROOT / "fixtures/demo/extension").iterdir():
            shutil.copy(f, ext / "extension" / f.name)
        for p in (ext, ext / "extension"):
            p.chmod(0o755)
        with psycopg.connect(server.dsn(db), autocommit=True) as conn:
            conn.execute(sql.replace("{extension_dir}", str(ext)).encode())


def _pg_dump(server: ScratchServer, db: str, args: list[str], target: Path) -> None:
    assert server.install is not None
    run(
        server.install.binary("pg_dump"),
        [*args, "-f", str(target), "-d", server.dsn(db)],
        major=server.major,
    )


def _append_row(dump: Path, table: str, line: str) -> None:
    """Corrupt a plain dump: one malformed row inside ``table``'s COPY block."""
    text = dump.read_text()
    marker = f"COPY {table} "
    start = text.index(marker)
    end = text.index("\n\\.\n", start)
    dump.write_text(text[:end] + "\n" + line.replace("\\t", "\t") + text[end:])


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path) -> None:
    case = CASES / name
    spec = json.loads((case / "case.json").read_text())
    _build_source(scratch_server, fresh_db, (case / "source.sql").read_text())
    dump = tmp_path / "source.dump"
    _pg_dump(scratch_server, fresh_db, spec["pg_dump_args"], dump)
    if "append_row" in spec:
        _append_row(dump, spec["append_row"]["table"], spec["append_row"]["line"])
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=case / "schema.prisma",
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    assert outcome.findings.exit_code() == spec["exit_code"]
    goldens = (
        ("json", "expected.json"),
        ("markdown", "expected.md"),
        ("text", "expected.txt"),
        ("junit", "expected.xml"),
    )
    report = json.loads(render(outcome.findings, "json"))
    jsonschema.validate(report, load_schema())
    for fmt, golden in goldens:
        got = _normalise(render(outcome.findings, fmt), dump)  # type: ignore[arg-type]
        path = case / golden
        if UPDATE or not path.exists():
            path.write_text(got)
        assert got == path.read_text(), (
            f"{name}/{golden} differs; rerun with DUMPCHECK_UPDATE_GOLDENS=1"
        )


@pytest.mark.parametrize("name", NAMES)
def test_no_false_positive(
    name: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """The database the schema itself describes, dumped and verified, is all ok."""
    spec = json.loads((CASES / name / "case.json").read_text())
    schema = CASES / name / "schema.prisma"
    ddl = render_sql(expect(schema))
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(ddl.encode())
    dump = tmp_path / "clean.dump"
    _pg_dump(scratch_server, fresh_db, spec.get("twin_args", ["-Fc"]), dump)
    outcome = verify(
        VerifyOptions(dump=dump, prisma=schema, backend="dsn", scratch_dsn=scratch_server.conninfo)
    )
    bad = {
        t.qualified: (t.verdict, t.differences)
        for t in outcome.findings.tables
        if t.verdict != "ok"
    }
    assert bad == {}
    assert outcome.findings.exit_code() == 0
