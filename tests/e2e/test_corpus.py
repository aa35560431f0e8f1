"""No false positives on real projects: each corpus project's database, built by its own
migrations as `prisma migrate deploy` builds it and then dumped, verifies clean except for the
project's listed real drift (tests/expect/expected_differences/<project>.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.compare.findings import Difference
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify
from tests.expect.oracle import CORPUS
from tests.expect.test_corpus_migrations import expected_differences
from tests.prisma_deploy import deploy_migrations

PROJECTS = sorted(p.parent.name for p in CORPUS.glob("*/MANIFEST")) if CORPUS.is_dir() else []


def _listed(project: str, difference: Difference) -> bool:
    """Is this difference one of the project's listed real drifts?"""
    for line in expected_differences(project):
        if difference.kind == "enum" and line.startswith(f'enum public."{difference.object}"'):
            return True
        if difference.kind in {"index", "unique"} and f" {difference.object}:" in line:
            return True
    return False


def test_corpus_is_present() -> None:
    assert len(PROJECTS) >= 4, f"corpus not found at {CORPUS}"


@pytest.mark.parametrize("project", PROJECTS)
def test_corpus_dump_verifies_clean(
    project: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    folder = CORPUS / project / "migrations"
    deploy_migrations(scratch_server, fresh_db, folder)
    dsn = scratch_server.dsn(fresh_db)
    dump = tmp_path / f"{project}.dump"
    assert scratch_server.install is not None
    run(
        scratch_server.install.binary("pg_dump"),
        ["-Fc", "-f", str(dump), "-d", dsn],
        major=scratch_server.major,
    )
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=CORPUS / project / "schema",
            migrations=folder,
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    findings = outcome.findings
    problems = {
        t.qualified: (t.verdict, [d for d in t.differences if not _listed(project, d)])
        for t in findings.tables
        if t.verdict != "ok"
    }
    unexplained = {k: v for k, v in problems.items() if v[0] != "drift" or v[1]}
    assert unexplained == {}
    assert all(s.state == "applied" for s in outcome.migrations)
    assert findings.dump_findings == ()


def test_listed_drift_is_really_reported(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """The check above is not vacuous: hoppscotch's hand-made trigram index shows as drift."""
    if "hoppscotch" not in PROJECTS:
        pytest.fail("hoppscotch missing from the corpus")
    test_corpus_dump_verifies_clean("hoppscotch", scratch_server, fresh_db, tmp_path)
    dump = tmp_path / "hoppscotch.dump"
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=CORPUS / "hoppscotch" / "schema",
            migrations=CORPUS / "hoppscotch" / "migrations",
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    team = next(t for t in outcome.findings.tables if t.name == "TeamCollection")
    assert team.verdict == "drift"
    assert [d.object for d in team.differences] == ["TeamCollection_title_trgm_idx"]


@pytest.mark.parametrize("project", PROJECTS)
def test_corpus_data_only_dump_loads_into_the_prisma_tables(
    project: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """pg_dump -a of the migrated database: every table it has data for loads into the tables
    the Prisma schema defines, and every column its COPY lists exists there."""
    folder = CORPUS / project / "migrations"
    deploy_migrations(scratch_server, fresh_db, folder)
    dump = tmp_path / f"{project}-data.dump"
    assert scratch_server.install is not None
    run(
        scratch_server.install.binary("pg_dump"),
        ["-Fc", "--data-only", "-f", str(dump), "-d", scratch_server.dsn(fresh_db)],
        major=scratch_server.major,
    )
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=CORPUS / project / "schema",
            migrations=folder,
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    assert outcome.restore is not None and outcome.restore.into_prisma_schema
    assert outcome.restore.errors == ()
    not_ok = {
        t.qualified: (t.verdict, t.differences)
        for t in outcome.findings.tables
        if t.verdict != "ok"
    }
    assert not_ok == {}
    assert all(s.state == "applied" for s in outcome.migrations)
