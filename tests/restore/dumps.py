"""Test helpers: build dumps with real pg_dump from SQL, and read them with the inventory."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from dumpcheck.inventory import inventory
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer

FORMAT_FLAGS = {"plain": "-Fp", "custom": "-Fc", "directory": "-Fd", "tar": "-Ft"}


@contextmanager
def source_db(server: ScratchServer, sql: str, *, setup: str = "") -> Iterator[str]:
    """A database on ``server`` loaded from ``sql`` (``setup`` runs first, in the same session)."""
    name = create_database(server)
    try:
        with psycopg.connect(server.dsn(name), autocommit=True) as conn:
            if setup:
                conn.execute(setup)
            conn.execute(sql)
        yield name
    finally:
        drop_database(server, name)


def pg_dump(
    server: ScratchServer,
    database: str,
    out: Path,
    fmt: str,
    *extra: str,
    pg_dump: Path | None = None,
) -> Path:
    """Run the real pg_dump (the server's own unless ``pg_dump`` is given) into ``out``."""
    assert server.install is not None
    binary = pg_dump or server.install.binary("pg_dump")
    subprocess.run(
        [
            str(binary),
            FORMAT_FLAGS[fmt],
            "-f",
            str(out),
            *extra,
            f"--dbname={server.dsn(database)}",
        ],
        check=True,
        capture_output=True,
    )
    return out


def inventory_of(path: Path) -> DumpInventory:
    """The inventory stage's view of ``path``."""
    return inventory(path)
