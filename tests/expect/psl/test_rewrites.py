"""Invariance: a schema rewritten in ways Prisma accepts gives the same expectation.

Hypothesis picks a real schema (../shared/prisma-schemas and ../shared/corpus) and a sequence
of rewrites (tests/expect/psl/rewrites.py), optionally spread over several files; the catalog
and the model of every table must not change. A sample of rewrites goes to Prisma's engine,
which must accept each and build the same objects from it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dumpcheck.expect import expect, render_sql
from tests.expect.oracle import CORPUS, engine_sql, for_engine
from tests.expect.psl.rewrites import REWRITES, split_files

_REPO = Path(__file__).resolve().parents[3]
SCHEMAS = Path(
    os.environ.get("DUMPCHECK_PRISMA_SCHEMAS", _REPO.parent / "shared" / "prisma-schemas")
)


def _sources() -> dict[str, str]:
    if not SCHEMAS.is_dir():
        return {}  # test_there_are_schemas_to_rewrite fails on it
    roots = [p for p in SCHEMAS.iterdir() if p.is_dir() and not (p / "PRISMA_REJECTS").exists()]
    roots += [p.parent / "schema" for p in CORPUS.glob("*/MANIFEST")]
    out = {}
    for root in sorted(roots):
        files = sorted(root.rglob("*.prisma"))
        text = "\n".join(for_engine(f.read_text("utf-8")) for f in files)
        if len(text) < 60_000:  # keeps each example fast; the big ones are in the e2e test
            out[root.parent.name if root.name == "schema" else root.name] = text
    return out


SOURCES = _sources()
NAMES = sorted(SOURCES)


def _write(folder: Path, files: list[tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files:
        (folder / name).write_text(text, "utf-8")
    return folder


@st.composite
def rewritten(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], list[str]]:
    name = draw(st.sampled_from(NAMES))
    steps = draw(st.lists(st.sampled_from(sorted(REWRITES)), min_size=1, max_size=4))
    rng = random.Random(draw(st.integers(0, 2**32)))
    text = SOURCES[name]
    for step in steps:
        text = REWRITES[step](text, rng)
    files = draw(st.integers(1, 3))
    layout = split_files(text, rng, files) if files > 1 else [("schema.prisma", text)]
    return name, layout, steps


def test_there_are_schemas_to_rewrite() -> None:
    assert len(NAMES) >= 60, f"no schema corpus at {SCHEMAS}"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rewritten())
def test_rewrites_prisma_accepts_change_nothing(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, list[tuple[str, str]], list[str]]
) -> None:
    name, layout, steps = case
    base = tmp_path_factory.mktemp("rewrite")
    original = expect(_write(base / "original", [("schema.prisma", SOURCES[name])]))
    changed = expect(_write(base / "changed", layout))
    assert changed.catalog == original.catalog, f"{name} after {steps}"
    assert changed.models == original.models


def _chunks(sql: str) -> list[str]:
    return sorted(chunk.strip() for chunk in sql.split("\n\n"))


def test_a_sample_of_rewrites_is_what_prisma_builds_too(tmp_path: Path) -> None:
    """The engine accepts every sampled rewrite and builds the statements it built before."""
    rng = random.Random(7)
    inputs: dict[str, list[tuple[str, str]]] = {}
    for i in range(24):
        name = NAMES[(i * 7) % len(NAMES)]
        text = SOURCES[name]
        for step in rng.sample(sorted(REWRITES), k=3):
            text = REWRITES[step](text, rng)
        inputs[f"{name}#{i}"] = split_files(text, rng, 1 + i % 3) if i % 2 else [("s.prisma", text)]
        inputs[name] = [("s.prisma", SOURCES[name])]
    result = engine_sql(inputs, raw=True)
    for key, value in result.items():
        assert "error" not in value, f"{key}: the engine rejects the rewrite: {value['error']}"
        if "#" in key:
            original = result[key.split("#")[0]]["sql"]
            assert _chunks(value["sql"]) == _chunks(original), key
        else:
            # ... and the original is what render_sql writes (as test_engine checks broadly).
            folder = _write(tmp_path / key, [(f"{key}.prisma", SOURCES[key])])
            assert value["sql"] == render_sql(expect(folder))


def test_attribute_order_keeps_a_trailing_comment_a_comment() -> None:
    """Found by hypothesis: a doc comment glued to the last attribute became an attribute."""
    from tests.expect.psl.rewrites import shuffle_attributes

    text = 'model T {\n  id Int @id\n  h String? @map("h") @db.VarChar(3) /// @enc:hash(t)\n}\n'
    rng = random.Random(1)
    for _ in range(6):
        text = shuffle_attributes(text, rng)
        line = text.splitlines()[2]
        assert line.endswith(" /// @enc:hash(t)"), line
        assert "@enc" not in line.split("///")[0]
