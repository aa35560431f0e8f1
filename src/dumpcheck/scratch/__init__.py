"""Scratch PostgreSQL: a throwaway server (local cluster, existing DSN, Docker) to restore into."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dumpcheck.errors import BadInputError
from dumpcheck.scratch.binaries import choose_install, default_major, find_installs
from dumpcheck.scratch.databases import create_database, drop_database
from dumpcheck.scratch.model import Backend, PgInstall, ScratchServer

__all__ = [
    "Backend",
    "PgInstall",
    "ScratchServer",
    "choose_install",
    "create_database",
    "default_major",
    "drop_database",
    "find_installs",
    "open_scratch",
]


@contextlib.contextmanager
def open_scratch(
    *,
    backend: Backend = "local",
    pg_version: int | None = None,
    min_major: int | None = None,
    dsn: str | None = None,
    keep: bool = False,
) -> Iterator[ScratchServer]:
    """A running scratch server for the ``with`` block, cleaned up afterwards unless ``keep``.

    ``min_major`` is the dump's pg_dump major: the lowest server major >= it is chosen.
    ``pg_version`` forces one major. ``dsn`` is the existing server for ``backend="dsn"``.
    """
    from dumpcheck.scratch.signals import sigterm_as_exit

    with sigterm_as_exit():
        if backend == "local":
            from dumpcheck.scratch.local import local_server

            installs = find_installs()
            if pg_version is None and min_major is None:
                pg_version = default_major(installs)
            install = choose_install(installs, min_major=min_major, pg_version=pg_version)
            with local_server(install, keep=keep) as server:
                yield server
        else:
            raise BadInputError(f"unknown scratch backend {backend!r}; use local, dsn or docker")
