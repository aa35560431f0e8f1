"""Random schemas, random changes, Prisma's differ as the oracle.

Each random schema the engine accepts (tests/expect/psl/random_schemas.py) is built by the
engine's own SQL; the tables `prisma migrate diff` lists on that untouched database are set
aside (Prisma lists some of its own databases on every run, compare/equivalences.py), and
dumpcheck must list none beyond them. One random change (tests/e2e/drift_mutations.py) later,
the tables dumpcheck calls drift must be exactly the further tables Prisma would change.
Seeds are fixed (DUMPCHECK_DRIFT_SEEDS=FIRST:COUNT draws others; 600 more agreed when this was
written, 600 again once schemas drew long names and partial indexes compared as Prisma
compares them, and 1,400 once the changes were widened and schemas drew odd literal
defaults). A schema PostgreSQL itself refuses (an index on a json column) is passed over.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from dumpcheck.restore import read_catalog
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from tests.e2e.drift_mutations import random_change
from tests.e2e.test_drift_equivalences import _what_dumpcheck_changes
from tests.e2e.test_prisma_drift import prisma_drift, tables_in_script
from tests.expect.oracle import engine_sql, run_script
from tests.expect.psl.random_schemas import random_schema

FIRST, COUNT = (int(x) for x in os.environ.get("DUMPCHECK_DRIFT_SEEDS", "0:40").split(":"))
# Features the scratch server cannot build without more than PostgreSQL: extensions.
_NEEDS_MORE = ("extensions", "Citext", "Unsupported")


def _built(seeds: range) -> list[tuple[int, str, str]]:
    texts = {str(s): random_schema(s) for s in seeds}
    texts = {k: v for k, v in texts.items() if not any(word in v for word in _NEEDS_MORE)}
    engine = engine_sql({k: [("schema.prisma", v)] for k, v in texts.items()}, raw=True)
    return [(int(k), texts[k], engine[k]["sql"]) for k in texts if "sql" in engine[k]]


@pytest.mark.postgres
def test_random_changes_are_judged_as_prisma_judges_them(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    checked = 0
    problems = []
    for seed, text, sql in _built(range(FIRST, FIRST + COUNT * 8))[:COUNT]:
        schema = tmp_path / str(seed) / "schema.prisma"
        schema.parent.mkdir()
        schema.write_text(text, "utf-8")
        db = create_database(scratch_server)
        try:
            try:
                run_script(scratch_server, db, sql, schema.parent)
            except AssertionError:
                continue  # PostgreSQL refuses Prisma's own SQL for this schema
            catalog = read_catalog(scratch_server.dsn(db))
            listed = tables_in_script(prisma_drift(scratch_server, db, schema), catalog)
            extra = _what_dumpcheck_changes(scratch_server, db, schema) - listed
            change = random_change(catalog, random.Random(seed))
            try:
                run_script(scratch_server, db, change, schema.parent)
            except AssertionError:
                continue  # the change does not apply here (NOT NULL on rows with NULLs, ...)
            after = read_catalog(scratch_server.dsn(db))
            prisma = tables_in_script(prisma_drift(scratch_server, db, schema), after) - listed
            ours = _what_dumpcheck_changes(scratch_server, db, schema) - listed
            checked += 1
            if extra or ours != prisma:
                problems.append(
                    f"seed {seed}: {change}\n  Prisma {sorted(prisma)}, dumpcheck {sorted(ours)}"
                    + (
                        f"; on the untouched database dumpcheck lists {sorted(extra)}"
                        if extra
                        else ""
                    )
                )
        finally:
            drop_database(scratch_server, db)
    assert checked >= COUNT * 3 // 4, checked
    assert not problems, "\n".join(problems)
