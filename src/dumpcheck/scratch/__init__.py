"""Scratch PostgreSQL: a throwaway server (local cluster, existing DSN, Docker) to restore into."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dumpcheck.errors import BadInputError
from dumpcheck.scratch.binaries import choose_install, default_major, find_installs
from dumpcheck.scratch.databases import (
    connect_maintenance,
    create_database,
    drop_database,
    drop_roles,
)
from dumpcheck.scratch.faults import (
    check_server_alive,
    classify_db_error,
    disk_full_error,
    log_tail,
    server_died_error,
    server_failure,
)
from dumpcheck.scratch.install import install_major
from dumpcheck.scratch.model import Backend, PgInstall, ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.scratch.signals import SIGTERM_EXIT_CODE, sigterm_as_exit
from dumpcheck.scratch.sweep import OWNER_FILE, SCRATCH_PREFIX

__all__ = [
    "OWNER_FILE",
    "SCRATCH_PREFIX",
    "SIGTERM_EXIT_CODE",
    "Backend",
    "PgInstall",
    "ScratchServer",
    "check_server_alive",
    "choose_install",
    "classify_db_error",
    "connect_maintenance",
    "create_database",
    "default_major",
    "disk_full_error",
    "drop_database",
    "drop_roles",
    "find_installs",
    "install_major",
    "log_tail",
    "open_scratch",
    "run",
    "server_died_error",
    "server_failure",
    "sigterm_as_exit",
]

# When nothing says which major to use and no binaries exist yet (docker backend).
FALLBACK_MAJOR = 18


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

    ``min_major`` is the dump's pg_dump major: the lowest server major >= it is chosen, else
    BinaryNotFoundError naming ``dumpcheck postgres install N``. ``pg_version`` forces a major.
    ``dsn`` is the existing server for ``backend="dsn"``; only databases made by
    :func:`create_database` are ever written to or dropped there.
    """
    from dumpcheck.scratch.signals import sigterm_as_exit

    if backend == "dsn" and not dsn:
        raise BadInputError("--scratch dsn needs --scratch-dsn URL")
    if dsn and backend != "dsn":
        raise BadInputError(f"--scratch-dsn given with --scratch {backend}; use --scratch dsn")
    with sigterm_as_exit():
        if backend == "local":
            from dumpcheck.scratch.local import local_server

            installs = find_installs()
            if pg_version is None and min_major is None:
                pg_version = default_major(installs)
            install = choose_install(installs, min_major=min_major, pg_version=pg_version)
            with local_server(install, keep=keep) as server:
                yield server
        elif backend == "dsn":
            from dumpcheck.scratch.remote import dsn_server

            assert dsn is not None
            with dsn_server(dsn, min_major=min_major, pg_version=pg_version) as server:
                yield server
        elif backend == "docker":
            from dumpcheck.scratch.remote import docker_server

            major = pg_version or min_major or FALLBACK_MAJOR
            with docker_server(major=major, min_major=min_major, keep=keep) as server:
                yield server
        else:
            raise BadInputError(f"unknown scratch backend {backend!r}; use local, dsn or docker")
