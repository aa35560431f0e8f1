"""Random schemas against Prisma's engine: the same verdict, and byte for byte the same DDL.

tests/expect/psl/random_schemas.py draws each schema from a seed; the engine decides all of
them in one node process. dumpcheck must accept exactly the schemas the engine accepts and, for
those, print the engine's own migration SQL (render_sql). The seeds are fixed, so a run is
repeatable and a failure names a schema to print (`random_schema(seed)`, or `random_files(seed)`:
the same schema spread over several files, with comments);
DUMPCHECK_SCHEMA_SEEDS=FIRST:COUNT draws other ones (12,000 more agreed when it was written;
12,000 again after names past 63 bytes were drawn too).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable

import pytest

from dumpcheck.errors import BadInputError
from dumpcheck.expect import render_sql
from dumpcheck.expect.psl import parse_file, resolve
from dumpcheck.expect.psl.ast import SchemaAst
from dumpcheck.expect.rules import build_expectation
from tests.expect.oracle import engine_sql
from tests.expect.psl.random_schemas import random_files, random_schema

FIRST, COUNT = (int(x) for x in os.environ.get("DUMPCHECK_SCHEMA_SEEDS", "0:1000").split(":"))


def _ours(files: list[tuple[str, str]]) -> str | BadInputError:
    try:
        blocks = [block for name, text in files for block in parse_file(text, name)]
        ast = SchemaAst(tuple(blocks), dict(files))
        return render_sql(build_expectation(resolve(ast, "public")))
    except BadInputError as exc:
        return exc


@pytest.mark.parametrize(
    "draw",
    [lambda seed: [("schema.prisma", random_schema(seed))], random_files],
    ids=["one-file", "files-and-comments"],
)
def test_random_schemas_are_decided_and_built_as_prisma_does(
    draw: Callable[[int], list[tuple[str, str]]],
) -> None:
    seeds = range(FIRST, FIRST + COUNT)
    schemas = {str(seed): draw(seed) for seed in seeds}
    engine = engine_sql(schemas, raw=True)
    accepted = sum("sql" in e for e in engine.values())
    # Both verdicts are drawn in number: the run tests the validations and the DDL.
    assert COUNT // 5 < accepted < COUNT * 4 // 5, accepted
    problems = []
    for seed, files in schemas.items():
        ours, theirs = _ours(files), engine[seed]
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
