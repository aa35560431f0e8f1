"""Make real pg_dump archives of tests/inventory/archive/source.sql, and the facts to check them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from dumpcheck.inventory.model import TocEntry
from dumpcheck.scratch.model import PgInstall, ScratchServer

SOURCE_SQL = Path(__file__).parent / "source.sql"


def load_source(server: ScratchServer, dbname: str, source: Path = SOURCE_SQL) -> None:
    """Run the SQL source in ``dbname``."""
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        conn.execute(source.read_text())


def pg_dump(install: PgInstall, server: ScratchServer, dbname: str, out: Path, *args: str) -> Path:
    """Run ``install``'s pg_dump on ``dbname`` writing ``out`` (-f)."""
    subprocess.run(
        [str(install.binary("pg_dump")), "-d", server.dsn(dbname), "-f", str(out), *args],
        check=True,
        capture_output=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    return out


def pg_dump_to_stdout(
    install: PgInstall, server: ScratchServer, dbname: str, out: Path, *args: str, pipe: bool
) -> Path:
    """``pg_dump -Fc`` to stdout: a real pipe (``pipe``) or stdout redirected to the file."""
    argv = [str(install.binary("pg_dump")), "-d", server.dsn(dbname), "-Fc", *args]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if pipe:
        done = subprocess.run(argv, check=True, capture_output=True, env=env)
        out.write_bytes(done.stdout)
    else:
        with out.open("wb") as stream:
            subprocess.run(argv, check=True, stdout=stream, stderr=subprocess.PIPE, env=env)
    return out


def pg_restore_list(install: PgInstall, archive: Path) -> list[tuple[int, str]]:
    """``pg_restore -l``: (dump id, "DESC namespace tag owner") for every listed entry."""
    listing = subprocess.run(
        [str(install.binary("pg_restore")), "-l", str(archive)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    out: list[tuple[int, str]] = []
    for line in listing.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        dump_id, rest = line.split(";", 1)
        # "<tableoid> <oid> DESC namespace tag owner"
        out.append((int(dump_id), rest.strip().split(" ", 2)[2]))
    return out


def listing_line(entry: TocEntry) -> str:
    """How pg_restore -l prints an entry after its ids."""
    return f"{entry.desc} {entry.namespace or '-'} {entry.tag} {entry.owner}".strip()


def source_counts(server: ScratchServer, dbname: str, tables: list[tuple[str, str]]) -> list[int]:
    """Exact ``count(*)`` of each (schema, table), ONLY the table itself (not its partitions)."""
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        counts = []
        for schema, name in tables:
            query = sql.SQL("SELECT count(*) FROM ONLY {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            row = conn.execute(query).fetchone()
            assert row is not None
            counts.append(int(row[0]))
        return counts
