"""Prisma's own drift is the oracle: on each corpus project's database, built by its own
migrations as `prisma migrate deploy` builds it, the tables dumpcheck calls drift (or finds
missing, or extra) are exactly the tables `prisma migrate diff` would change.

Prisma's side is the wasm schema engine reading the live database through @prisma/adapter-pg
(tests/oracle/diff_db.mjs); its migration script is mapped to the tables it touches.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.expect.model import differ_ignores
from dumpcheck.expect.psl import schema_files
from dumpcheck.restore import read_catalog
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify
from tests.expect.oracle import CORPUS, ensure_engine, for_engine, run_driver
from tests.prisma_deploy import deploy_migrations

PROJECTS = sorted(p.parent.name for p in CORPUS.glob("*/MANIFEST")) if CORPUS.is_dir() else []
_NAME = r'"((?:[^"]|"")+)"'
_TABLE = re.compile(rf"^(?:ALTER TABLE|CREATE TABLE|DROP TABLE)\s+(?:{_NAME}\.)?{_NAME}", re.M)
_INDEX_ON = re.compile(rf"^CREATE (?:UNIQUE )?INDEX\s+{_NAME}\s+ON\s+(?:{_NAME}\.)?{_NAME}", re.M)
_INDEX = re.compile(rf"^(?:DROP INDEX|ALTER INDEX)\s+(?:{_NAME}\.)?{_NAME}", re.M)
_ENUM = re.compile(rf"^(?:ALTER TYPE|DROP TYPE)\s+(?:{_NAME}\.)?{_NAME}", re.M)


def _url(server: ScratchServer, db: str) -> str:
    parts = conninfo_to_dict(server.conninfo)
    host = parts.get("host", "localhost")
    port = parts.get("port", "5432")
    user = parts.get("user", "postgres")
    if str(host).startswith("/"):
        return f"postgresql://{user}@localhost:{port}/{db}?host={host}"
    return f"postgresql://{user}@{host}:{port}/{db}"


def prisma_drift(server: ScratchServer, db: str, schema: Path) -> str:
    """The migration `prisma migrate diff` writes from the database to the schema."""
    ensure_engine()
    files, root = schema_files(schema)
    payload = {
        "url": _url(server, db),
        "files": [[str(f.relative_to(root)), for_engine(f.read_text("utf-8"))] for f in files],
    }
    done = run_driver("diff_db.mjs", payload)
    result = json.loads(done.stdout or "{}")
    assert "sql" in result, f"Prisma's diff failed: {result or done.stderr[-2000:]}"
    return str(result["sql"])


def _unquote(name: str) -> str:
    return name.replace('""', '"')


def tables_in_script(sql: str, actual: Catalog, default_schema: str = "public") -> set[str]:
    """Every table a Prisma migration script touches, as ``schema.table``."""
    touched: set[str] = set()
    for m in _TABLE.finditer(sql):
        touched.add(f"{_unquote(m[1] or default_schema)}.{_unquote(m[2])}")
    for m in _INDEX_ON.finditer(sql):
        touched.add(f"{_unquote(m[2] or default_schema)}.{_unquote(m[3])}")
    for m in _INDEX.finditer(sql):
        name = _unquote(m[2])
        for table in actual.tables.values():
            names = [i.name for i in table.indexes] + [u.name for u in table.uniques]
            if table.primary_key is not None:
                names.append(table.primary_key.name)
            if name in names:
                touched.add(f"{table.schema}.{table.name}")
    for m in _ENUM.finditer(sql):
        enum = QualifiedName(_unquote(m[1] or default_schema), _unquote(m[2]))
        for table in actual.tables.values():
            if any(_uses_enum(c.type, enum) for c in table.columns):
                touched.add(f"{table.schema}.{table.name}")
    return touched


def _uses_enum(column_type: str, enum: QualifiedName) -> bool:
    spelled = column_type.removesuffix("[]").replace('"', "")
    return spelled in (enum.name, f"{enum.schema}.{enum.name}")


@pytest.mark.postgres
@pytest.mark.parametrize("project", PROJECTS)
def test_drift_is_what_prisma_migrate_diff_reports(
    project: str, scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    folder = CORPUS / project / "migrations"
    schema = CORPUS / project / "schema"
    deploy_migrations(scratch_server, fresh_db, folder)
    script = prisma_drift(scratch_server, fresh_db, schema)
    deployed = read_catalog(scratch_server.dsn(fresh_db))
    prisma = tables_in_script(script, deployed)
    dump = tmp_path / f"{project}.dump"
    assert scratch_server.install is not None
    run(
        scratch_server.install.binary("pg_dump"),
        ["-Fc", "-f", str(dump), "-d", scratch_server.dsn(fresh_db)],
        major=scratch_server.major,
    )
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=schema,
            migrations=folder,
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    resolved = outcome.expectation.resolved
    assert resolved is not None
    managed = set(resolved.datasource.schemas) or {resolved.default_schema}

    def dropped_by_prisma(schema: str, name: str) -> bool:
        # An unexpected relation Prisma's differ would drop: a table (or partitioned one) in a
        # schema it manages; never a view, a foreign table, its own _prisma_migrations or
        # PostGIS's tables (dumpcheck reports those as information, not as drift).
        table = deployed.tables.get(QualifiedName(schema, name))
        kind_ok = table is not None and table.kind in ("table", "partitioned")
        return kind_ok and schema in managed and not differ_ignores(name)

    ours = {
        t.qualified
        for t in outcome.findings.tables
        if t.name != "_prisma_migrations"
        and (
            t.verdict in ("drift", "never_in_dump")
            or (t.verdict == "unexpected" and dropped_by_prisma(t.schema, t.name))
        )
    }
    width = max((len(t) for t in prisma | ours), default=10)
    print(f"\n{project}: {'Prisma migrate diff':<{width}}  dumpcheck")
    for table in sorted(prisma | ours):
        left = table if table in prisma else "-"
        right = table if table in ours else "-"
        print(f"  {left:<{width}}  {right}")
    assert ours == prisma, f"Prisma's diff:\n{script}"
