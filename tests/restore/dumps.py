"""Test helpers: build dumps with real pg_dump from SQL, and read them with the inventory."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from dumpcheck.inventory.model import DumpFacts, DumpInventory
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
                conn.execute(setup)  # type: ignore[arg-type]
            conn.execute(sql)  # type: ignore[arg-type]
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
    import dumpcheck.inventory as inv

    entry = getattr(inv, "inventory", None)
    if entry is not None:
        return entry(path)  # type: ignore[no-any-return]
    # Until the inventory stage exposes one entry point: its plain and archive readers.
    from dumpcheck.inventory.archive import read_archive, sniff_archive

    fmt = sniff_archive(path)
    if fmt is None:
        from dumpcheck.inventory.plain_inventory import inventory_plain

        return inventory_plain(path)
    scan = read_archive(path)
    roles = {e.owner for e in scan.entries if e.owner}
    for e in scan.entries:
        if e.desc in ("ACL", "DEFAULT ACL"):
            roles |= set(re.findall(r"\bTO ([a-z_][a-z0-9_]*)", e.defn))
    from dumpcheck.catalog import Catalog

    facts = DumpFacts(
        path=str(path),
        format=scan.format,
        compression=scan.compression,
        archive_version=scan.version,
        pg_dump_version=scan.pg_dump_version,
        server_version=scan.server_version,
        database=scan.database,
        complete=scan.complete,
        stops_at=scan.stops_at,
        roles=frozenset(roles),
        extensions=frozenset(e.tag for e in scan.entries if e.desc == "EXTENSION"),
    )
    return DumpInventory(facts=facts, catalog=Catalog(), entries=scan.entries)
