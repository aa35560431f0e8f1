"""Random schemas against Prisma's engine: the same verdict, and byte for byte the same DDL.

tests/expect/psl/random_schemas.py draws each schema from a seed; the engine decides all of
them in one node process. dumpcheck must accept exactly the schemas the engine accepts and, for
those, print the engine's own migration SQL (render_sql). The seeds are fixed, so a run is
repeatable and a failure names a schema to print (`random_schema(seed)`);
DUMPCHECK_SCHEMA_SEEDS=FIRST:COUNT draws other ones (12,000 more agreed when it was written).
"""

from __future__ import annotations

import difflib
import os

from dumpcheck.errors import BadInputError
from dumpcheck.expect import render_sql
from tests.expect.helpers import expectation_of
from tests.expect.oracle import engine_sql
from tests.expect.psl.random_schemas import random_schema

FIRST, COUNT = (int(x) for x in os.environ.get("DUMPCHECK_SCHEMA_SEEDS", "0:1000").split(":"))


def _ours(text: str) -> str | BadInputError:
    try:
        return render_sql(expectation_of(text, datasource=False))
    except BadInputError as exc:
        return exc


def test_random_schemas_are_decided_and_built_as_prisma_does() -> None:
    seeds = range(FIRST, FIRST + COUNT)
    texts = {str(seed): random_schema(seed) for seed in seeds}
    engine = engine_sql({k: [("schema.prisma", v)] for k, v in texts.items()}, raw=True)
    accepted = sum("sql" in e for e in engine.values())
    # Both verdicts are drawn in number: the run tests the validations and the DDL.
    assert COUNT // 5 < accepted < COUNT * 4 // 5, accepted
    problems = []
    for seed, text in texts.items():
        ours, theirs = _ours(text), engine[seed]
        if isinstance(ours, BadInputError) != ("sql" not in theirs):
            said = f"rejects: {ours}" if isinstance(ours, BadInputError) else "accepts"
            problems.append(
                f"seed {seed}: dumpcheck {said}; Prisma {theirs.get('error', 'accepts')}"
            )
        elif isinstance(ours, str) and ours != theirs["sql"]:
            diff = difflib.unified_diff(
                theirs["sql"].splitlines(), ours.splitlines(), "prisma", "dumpcheck", lineterm=""
            )
            problems.append(f"seed {seed}: the DDL differs\n" + "\n".join(diff))
    assert not problems, "\n\n".join(problems[:5])
