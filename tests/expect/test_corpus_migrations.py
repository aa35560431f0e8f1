"""(a) Each corpus project's migrations, played in order into a fresh database as
`prisma migrate deploy` plays them, build the expected catalog.

Differences that are real drift between a project's schema and its migrations (raw SQL
indexes the schema does not declare, enum values appended by ALTER TYPE ... ADD VALUE) are
listed in expected_differences/<project>.txt, one line each: the difference, `  # `, and why.
Every other difference is a bug; a listed line that no longer happens is an error too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dumpcheck.expect import expect
from dumpcheck.restore import read_catalog
from dumpcheck.scratch.model import ScratchServer
from tests.expect.oracle import CORPUS, catalog_diff
from tests.prisma_deploy import deploy_migrations

PROJECTS = sorted(p.parent.name for p in CORPUS.glob("*/MANIFEST")) if CORPUS.is_dir() else []
EXPECTED = Path(__file__).resolve().parent / "expected_differences"


def expected_differences(project: str) -> dict[str, str]:
    """difference -> reason, from expected_differences/<project>.txt."""
    path = EXPECTED / f"{project}.txt"
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        diff, sep, reason = line.partition("  # ")
        assert sep and reason.strip(), f"{path.name}: every line needs '  # <reason>': {line}"
        out[diff.rstrip()] = reason.strip()
    return out


@pytest.mark.postgres
@pytest.mark.parametrize("project", PROJECTS)
def test_migrations_build_the_expectation(
    project: str, scratch_server: ScratchServer, fresh_db: str
) -> None:
    """Play migrations/*/migration.sql in folder order, record them, compare object by object."""
    folder = CORPUS / project / "migrations"
    deploy_migrations(scratch_server, fresh_db, folder)
    dsn = scratch_server.dsn(fresh_db)
    expectation = expect(CORPUS / project / "schema", migrations=folder)
    # Column order is not compared: migrations append columns, migrate never reorders them.
    found = catalog_diff(expectation.catalog, read_catalog(dsn), positions=False)
    listed = expected_differences(project)
    unexpected = [d for d in found if d not in listed]
    stale = [d for d in listed if d not in found]
    assert unexpected == [], "differences that are bugs (or unlisted drift)"
    assert stale == [], "listed differences that no longer happen"


@pytest.mark.parametrize("project", PROJECTS)
def test_migration_history_is_listed_with_checksums(project: str) -> None:
    """Every folder with a migration.sql, in folder-name order, with its SHA-256."""
    folder = CORPUS / project / "migrations"
    expectation = expect(CORPUS / project / "schema", migrations=folder)
    scripts = sorted(p for p in folder.iterdir() if (p / "migration.sql").is_file())
    assert [m.name for m in expectation.migrations] == [s.name for s in scripts]
    for m, s in zip(expectation.migrations, scripts, strict=True):
        assert m.checksum == hashlib.sha256((s / "migration.sql").read_bytes()).hexdigest()
    assert any(m.creates for m in expectation.migrations)
    assert expectation.catalog.table("public", "_prisma_migrations") is not None
