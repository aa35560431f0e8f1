"""Test helpers: Prisma's own schema engine (wasm, via node) and a catalog-by-catalog diff.

The engine is a test-only dependency pinned in tests/oracle/package.json; node_modules is
installed on first use with ``npm ci`` (no make step needed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from dumpcheck.catalog import Catalog, Table
from dumpcheck.expect.model import Expectation
from dumpcheck.restore.spelling import server_spellings
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import dbgenerated_defaults

ORACLE = Path(__file__).resolve().parents[1] / "oracle"
# The corpus is read where it lies, beside the repository (../shared/corpus), never copied in.
_REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("DUMPCHECK_CORPUS", _REPO.parent / "shared" / "corpus"))
# Preview features the Prisma 7 engine still knows; older schemas carry others (metrics,
# driverAdapters, multiSchema, ...) that it rejects.
_KNOWN_PREVIEW = frozenset(
    {
        "views",
        "postgresqlExtensions",
        "relationJoins",
        "nativeDistinct",
        "strictUndefinedChecks",
        "partialIndexes",
    }
)
_URL_LINE = re.compile(r"^\s*(url|directUrl|shadowDatabaseUrl)\s*=.*$", re.MULTILINE)
_PREVIEW_LINE = re.compile(r"^(\s*previewFeatures\s*=\s*)\[([^\]]*)\](.*)$", re.MULTILINE)


def _missing_tool(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the Prisma oracle cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(f"the Prisma oracle cannot run: {reason}")


def ensure_engine() -> None:
    """Install the pinned @prisma/schema-engine-wasm into tests/oracle if it is missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _missing_tool("node and npm are needed")
    modules = ORACLE / "node_modules"
    wanted = ("@prisma/schema-engine-wasm", "@prisma/adapter-pg", "pg")
    if all((modules / name / "package.json").is_file() for name in wanted):
        return
    cmd = ["npm", "ci"] if (ORACLE / "package-lock.json").exists() else ["npm", "install"]
    done = subprocess.run(
        [*cmd, "--no-audit", "--no-fund"], cwd=ORACLE, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        _missing_tool(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")


def for_engine(text: str) -> str:
    """A schema the Prisma 7 engine accepts: no URLs in datasource, no retired preview flags."""
    text = _URL_LINE.sub("", text)

    def keep_known(m: re.Match[str]) -> str:
        flags = [f.strip() for f in m.group(2).split(",") if f.strip()]
        kept = [f for f in flags if f.strip("\"'") in _KNOWN_PREVIEW]
        return f"{m.group(1)}[{', '.join(kept)}]{m.group(3)}"

    return _PREVIEW_LINE.sub(keep_known, text)


def engine_sql(
    schemas: dict[str, list[tuple[str, str]]], *, raw: bool = False
) -> dict[str, dict[str, str]]:
    """Run the engine's diff (empty -> schema, as SQL) for many schemas in one node process.

    ``raw`` hands the schemas over as written; otherwise Prisma 5/6 datasource URLs and retired
    preview flags are taken out first (Prisma 7 rejects them, dumpcheck reads them).
    """
    ensure_engine()
    payload = [
        {"name": name, "files": [[path, text if raw else for_engine(text)] for path, text in files]}
        for name, files in schemas.items()
    ]
    result: dict[str, dict[str, str]] = {}
    while payload:
        done = run_driver("diff.mjs", payload)
        if done.returncode != 0:
            raise AssertionError(f"the schema engine driver failed: {done.stderr[-2000:]}")
        answered = json.loads(done.stdout)
        if not answered:
            raise AssertionError("the schema engine driver answered nothing")
        result.update(answered)
        # A panic of the engine ends its run at that schema (diff.mjs): the rest goes again.
        payload = [item for item in payload if item["name"] not in result]
    return result


def run_driver(script: str, payload: object) -> subprocess.CompletedProcess[str]:
    """Run one of the node drivers in tests/oracle with ``payload`` as JSON on its stdin."""
    for _ in range(3):
        done = subprocess.run(
            ["node", str(ORACLE / script)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        # node itself died (a V8 "Fatal error ... unreachable code" in its deoptimizer, seen
        # once in a 6,000-schema batch): the engine's answers are deterministic, so the same
        # input is run again rather than failing the run on a crash of the runtime.
        if done.returncode == 0 or "Fatal error" not in done.stderr:
            break
    return done


def extensions_for(sql: str) -> list[str]:
    """Extensions a script needs that Prisma's DDL does not create itself."""
    needs = []
    if re.search(r"\bCITEXT\b", sql, re.IGNORECASE):
        needs.append("citext")
    if "_trgm_ops" in sql:
        needs.append("pg_trgm")
    return needs


def run_script(server: ScratchServer, db: str, sql: str, tmp: Path) -> None:
    """Run ``sql`` with psql, one statement at a time, no wrapping transaction, stop on error."""
    script = tmp / f"script_{abs(hash(sql))}.sql"
    script.write_text(sql, "utf-8")
    run_files(server, db, [script])


def run_files(server: ScratchServer, db: str, files: Iterable[Path]) -> None:
    """Run each file in order in one psql session, as `prisma migrate deploy` plays migrations:
    each as one script, not wrapped in a transaction (some use CREATE INDEX CONCURRENTLY)."""
    assert server.install is not None
    args = [a for f in files for a in ("-f", str(f))]
    psql = str(server.install.binary("psql"))
    done = subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server.dsn(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"psql failed: {done.stderr[-3000:]}")


def server_spelled(expectation: Expectation, server: ScratchServer, db: str) -> Catalog:
    """The expected catalog with each dbgenerated() default as the server spells it."""
    spellings = server_spellings(
        server.dsn(db), dbgenerated_defaults(expectation), expectation.default_schema
    )
    tables = []
    for table in expectation.catalog.tables.values():
        columns = tuple(
            replace(c, default=spellings.get((table.key, c.name), c.default)) for c in table.columns
        )
        tables.append(replace(table, columns=columns))
    return replace(expectation.catalog, tables={t.key: t for t in tables})


def _unqualified_like(expected: Table, actual: Table) -> Table:
    """An Unsupported("ltree") column is spelled as written; format_type qualifies the type
    with the schema its extension lives in, which the schema does not say."""
    spelled = {c.name: c.type for c in expected.columns}
    columns = []
    for c in actual.columns:
        want = spelled.get(c.name)
        if want is not None and "." not in want and "." in c.type and c.type.endswith(want):
            c = replace(c, type=want)
        columns.append(c)
    return replace(actual, columns=tuple(columns))


def _table_lines(t: Table, positions: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, c in enumerate(t.columns):
        null = "NULL" if c.nullable else "NOT NULL"
        where = f"#{i} " if positions else ""
        out[f"column {c.name}"] = f"{where}{c.type} {null} default={c.default}"
    if t.primary_key is not None:
        out[f"pk {t.primary_key.name}"] = ",".join(t.primary_key.columns)
    for u in t.uniques:
        out[f"unique {u.name}"] = ",".join(u.columns)
    for x in t.indexes:
        out[f"index {x.name}"] = f"{'unique ' if x.unique else ''}{x.method} ({', '.join(x.keys)})"
    for f in t.foreign_keys:
        out[f"fk {f.name}"] = (
            f"({','.join(f.columns)}) -> {f.ref_table}({','.join(f.ref_columns)}) "
            f"ON DELETE {f.on_delete} ON UPDATE {f.on_update}"
        )
    return out


def catalog_diff(
    expected: Catalog, actual: Catalog, *, skip_tables: Iterable[str] = (), positions: bool = True
) -> list[str]:
    """Every object-level difference, one line each: ``<table>: <object>: expected ... got ...``."""
    skip = set(skip_tables)
    diffs: list[str] = []
    keys = sorted(set(expected.tables) | set(actual.tables))
    for key in keys:
        if key.name in skip:
            continue
        exp, act = expected.tables.get(key), actual.tables.get(key)
        if act is None:
            diffs.append(f"{key}: table expected but missing")
            continue
        if exp is None:
            diffs.append(f"{key}: table present but not expected")
            continue
        el, al = _table_lines(exp, positions), _table_lines(_unqualified_like(exp, act), positions)
        for obj in sorted(set(el) | set(al)):
            if el.get(obj) != al.get(obj):
                diffs.append(f"{key}: {obj}: expected {el.get(obj)} got {al.get(obj)}")
    for key in sorted(set(expected.enums) | set(actual.enums)):
        e, a = expected.enums.get(key), actual.enums.get(key)
        if (e and e.values) != (a and a.values):
            diffs.append(f"enum {key}: expected {e and e.values} got {a and a.values}")
    for key in sorted(set(expected.sequences) | set(actual.sequences)):
        es, as_ = expected.sequences.get(key), actual.sequences.get(key)
        if es != as_:
            diffs.append(f"sequence {key}: expected {es} got {as_}")
    return diffs
