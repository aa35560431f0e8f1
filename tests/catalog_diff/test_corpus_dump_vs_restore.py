"""The catalog differential on real projects: each corpus project's database, built by its own
Prisma migrations, dumped by the real pg_dump, read from the file and read back after restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.inventory import inventory
from dumpcheck.restore import restore
from dumpcheck.scratch import drop_database
from dumpcheck.scratch.model import ScratchServer
from tests.catalog_diff.diff import catalog_differences
from tests.catalog_diff.test_dump_vs_restore import expected_restored
from tests.expect.oracle import CORPUS
from tests.prisma_deploy import deploy_migrations
from tests.restore.dumps import pg_dump

pytestmark = pytest.mark.postgres

PROJECTS = sorted(p.parent.name for p in CORPUS.glob("*/MANIFEST")) if CORPUS.is_dir() else []


def test_corpus_is_present() -> None:
    assert len(PROJECTS) >= 4, f"corpus not found at {CORPUS}"


@pytest.mark.parametrize("project", PROJECTS)
def test_corpus_dump_catalog_equals_restored_catalog(
    project: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    deploy_migrations(scratch_server, fresh_db, CORPUS / project / "migrations")
    for fmt in ("plain", "custom"):
        inv = inventory(pg_dump(scratch_server, fresh_db, tmp_path / f"dump.{fmt}", fmt))
        assert inv.unparsed == ()
        assert len(inv.catalog.tables) > 10
        result = restore(inv, scratch_server)
        try:
            assert [e.message for e in result.errors if e.severity == "fatal"] == []
            restored = expected_restored(inv.catalog, result.catalog)
            assert catalog_differences(inv.catalog, restored) == [], fmt
        finally:
            drop_database(scratch_server, result.database)
