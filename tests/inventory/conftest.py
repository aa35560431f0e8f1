"""Fixtures for the inventory tests: a source database loaded from rich.sql, and its counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from tests.inventory.dumps import counts, load_sql


@dataclass(frozen=True)
class SourceDb:
    """A database loaded from an SQL source, with the exact count(*) of each table."""

    server: ScratchServer
    dbname: str
    counts: dict[tuple[str, str], int]


def _source(server: ScratchServer) -> Iterator[SourceDb]:
    name = create_database(server)
    try:
        load_sql(server, name, "rich.sql")
        yield SourceDb(server, name, counts(server, name))
    finally:
        drop_database(server, name)


@pytest.fixture(scope="module")
def rich_db(scratch_server: ScratchServer) -> Iterator[SourceDb]:
    """rich.sql loaded into a database of the default scratch server (PostgreSQL 18)."""
    yield from _source(scratch_server)


@pytest.fixture(scope="module")
def rich_db_17(scratch_server_for: Callable[[int], ScratchServer]) -> Iterator[SourceDb]:
    """rich.sql loaded into a PostgreSQL 17 scratch server (dumped with pg_dump 17)."""
    yield from _source(scratch_server_for(17))
