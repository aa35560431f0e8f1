"""``verify --expect-check``: the project's own Prisma is asked for its DDL and compared.

The project's ``node_modules/.bin/prisma`` here is tests/oracle/prisma_cli.mjs: Prisma's own
schema engine (the pinned wasm build) behind the CLI's ``migrate diff`` arguments, since the
npm package would download a native engine this offline machine cannot fetch.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dumpcheck.expect import expect, render_sql
from dumpcheck.expect.crosscheck import cross_check, disagreements, find_prisma
from tests.e2e.test_cli import dumpcheck
from tests.expect.oracle import ORACLE, ensure_engine

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
DUMP = DEMO / "dumps" / "complete.dump"


def _project(tmp_path: Path, with_prisma: bool) -> Path:
    """A project folder with the demo schema (Prisma 7 style: no url) and maybe Prisma."""
    project = tmp_path / "app"
    (project / "prisma").mkdir(parents=True)
    text = (DEMO / "schema.prisma").read_text("utf-8")
    text = re.sub(r"^\s*url\s*=.*$", "", text, flags=re.MULTILINE)
    (project / "prisma" / "schema.prisma").write_text(text, "utf-8")
    if with_prisma:
        ensure_engine()
        node = shutil.which("node")
        assert node is not None
        binary = project / "node_modules" / ".bin" / "prisma"
        binary.parent.mkdir(parents=True)
        binary.write_text(f'#!/bin/sh\nexec "{node}" "{ORACLE / "prisma_cli.mjs"}" "$@"\n')
        binary.chmod(0o755)
    return project


def test_without_prisma_it_says_so_in_one_line_and_goes_on(tmp_path: Path) -> None:
    project = _project(tmp_path, with_prisma=False)
    result = dumpcheck("verify", str(DUMP), "--prisma", str(project / "prisma"), "--expect-check")
    assert result.returncode == 0  # the complete demo dump: every table ok
    lines = [line for line in result.stderr.splitlines() if "--expect-check" in line]
    assert len(lines) == 1 and "no Prisma installed" in lines[0]


@pytest.mark.postgres
def test_the_projects_prisma_agrees_and_the_report_says_so(tmp_path: Path) -> None:
    project = _project(tmp_path, with_prisma=True)
    schema = project / "prisma" / "schema.prisma"
    assert find_prisma(schema) == project / "node_modules" / ".bin" / "prisma"
    checked = cross_check(expect(schema), schema)
    assert (checked.skipped, checked.disagreements) == (None, ())
    result = dumpcheck("verify", str(DUMP), "--prisma", str(schema), "--expect-check", "-q")
    assert "writes the same DDL" in result.stderr


def test_a_disagreement_names_the_object() -> None:
    ours = render_sql(expect(DEMO / "schema.prisma"))
    theirs = ours.replace('"price" DOUBLE PRECISION NOT NULL', '"price" DECIMAL(65,30) NOT NULL')
    theirs = theirs.replace('CREATE UNIQUE INDEX "categories_name_key"', 'CREATE INDEX "x"')
    found = disagreements(ours, theirs)
    assert any("products" in line and "column price" in line for line in found)
    assert any("categories_name_key: only dumpcheck expects it" in line for line in found)
    assert disagreements(ours, ours) == ()
