"""Every real schema in ../shared/prisma-schemas, end to end against Prisma's own engine.

For each schema: where Prisma rejects it (PRISMA_REJECTS), dumpcheck rejects it too, exit 2
and one line. Otherwise the engine's migration SQL builds a database; the catalog `expect()`
derives equals it object by object; `pg_dump -Fc` of it verifies with exit 0 and every table
ok; and a dump without one of its tables (pg_dump -T) gives that table never_in_dump, exit 1.
Schemas that need an extension outside PostgreSQL itself (pgvector, PostGIS) are skipped,
each with its reason; contrib ones (citext, pg_trgm, uuid-ossp) are installed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dumpcheck.errors import BadInputError
from dumpcheck.expect import expect
from dumpcheck.expect.psl import schema_files
from dumpcheck.restore import read_catalog
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify
from tests.expect.oracle import catalog_diff, engine_sql, run_script, server_spelled

_REPO = Path(__file__).resolve().parents[2]
SCHEMAS = Path(
    os.environ.get("DUMPCHECK_PRISMA_SCHEMAS", _REPO.parent / "shared" / "prisma-schemas")
)
NAMES = sorted(p.name for p in SCHEMAS.iterdir() if p.is_dir()) if SCHEMAS.is_dir() else []
# Extensions that are not part of PostgreSQL (the scratch server cannot have them).
_FOREIGN_EXTENSIONS = {"vector": "pgvector", "postgis": "PostGIS", "geometry": "PostGIS"}


def test_the_schema_corpus_is_present() -> None:
    assert len(NAMES) >= 70, f"no schema corpus at {SCHEMAS}"


@pytest.fixture(scope="module")
def engine() -> dict[str, dict[str, str]]:
    """The engine's SQL (or its error) for every schema, from one node process."""
    inputs = {}
    for name in NAMES:
        files, root = schema_files(SCHEMAS / name)
        inputs[name] = [(str(f.relative_to(root)), f.read_text("utf-8")) for f in files]
    return engine_sql(inputs)


def _needs_foreign_extension(sql: str) -> str | None:
    for word, what in _FOREIGN_EXTENSIONS.items():
        if re.search(rf"\b{word}\b", sql, re.IGNORECASE):
            return what
    return None


# Contrib types and operator classes a project's own migrations bring in beside Prisma's DDL.
_CONTRIB_USE = {
    "citext": r"\bcitext\b",
    "pg_trgm": r"_trgm_ops\b",
    "ltree": r"\bltree\b",
    "hstore": r"\bhstore\b",
    "cube": r"\bcube\b",
    "pgcrypto": r"\bgen_salt\(|\bcrypt\(",
}


def _extensions(sql: str) -> str:
    wanted = [e for e, use in _CONTRIB_USE.items() if re.search(use, sql, re.IGNORECASE)]
    return "".join(f'CREATE EXTENSION IF NOT EXISTS "{e}";\n' for e in wanted)


def _first_error(exc: AssertionError) -> str:
    found = re.search(r"ERROR:\s+(.*)", str(exc))
    return found.group(1) if found else str(exc)[:200]


def _dump(server: ScratchServer, db: str, out: Path, *extra: str) -> Path:
    assert server.install is not None
    run(
        server.install.binary("pg_dump"),
        ["-Fc", "-f", str(out), *extra, "-d", server.dsn(db)],
        major=server.major,
    )
    return out


def _verify(server: ScratchServer, dump: Path, schema: Path) -> tuple[int, dict[str, str]]:
    outcome = verify(
        VerifyOptions(dump=dump, prisma=schema, backend="dsn", scratch_dsn=server.conninfo)
    )
    findings = outcome.findings
    return findings.exit_code(), {t.qualified: t.verdict for t in findings.tables}


@pytest.mark.postgres
@pytest.mark.parametrize("name", NAMES)
def test_real_schema_end_to_end(
    name: str,
    engine: dict[str, dict[str, str]],
    scratch_server: ScratchServer,
    tmp_path: Path,
) -> None:
    schema = SCHEMAS / name
    rejects = schema / "PRISMA_REJECTS"
    result = engine[name]
    if rejects.exists():
        assert "error" in result, "the recorded rejection no longer holds"
        with pytest.raises(BadInputError) as info:
            expect(schema)
        assert "\n" not in info.value.one_line()
        return
    assert "error" not in result, result.get("error")
    sql = result["sql"]
    foreign = _needs_foreign_extension(sql)
    if foreign is not None:
        pytest.skip(f"{name} needs {foreign}, an extension outside PostgreSQL")
    tmp_path.chmod(0o755)
    db = create_database(scratch_server)
    try:
        try:
            run_script(scratch_server, db, _extensions(sql) + sql, tmp_path)
        except AssertionError as exc:
            if "could not load library" in str(exc) and os.environ.get("CI") == "true":
                raise  # a contrib extension whose system library is missing (make test adds it)
            # Prisma's own DDL that PostgreSQL refuses (a dbgenerated() default copied from a
            # generated column, say): no database can be built from this schema by migrate.
            pytest.skip(
                f"{name}: PostgreSQL rejects Prisma's own migration SQL: {_first_error(exc)}"
            )
        expectation = expect(schema)
        expected = server_spelled(expectation, scratch_server, db)
        assert catalog_diff(expected, read_catalog(scratch_server.dsn(db))) == []
        full = _dump(scratch_server, db, tmp_path / "full.dump")
        code, verdicts = _verify(scratch_server, full, schema)
        bad = {t: v for t, v in verdicts.items() if v != "ok"}
        assert (code, bad) == (0, {})
        # The negative control: one model's table left out of the dump.
        victim = sorted(t for t in expectation.catalog.tables if not t.name.startswith("_"))[0]
        partial = _dump(
            scratch_server,
            db,
            tmp_path / "partial.dump",
            "-T",
            f'"{victim.schema}"."{victim.name}"',
        )
        code, verdicts = _verify(scratch_server, partial, schema)
        assert code == 1
        assert verdicts[f"{victim.schema}.{victim.name}"] == "never_in_dump"
    finally:
        drop_database(scratch_server, db)
