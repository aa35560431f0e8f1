"""Scratch servers dumpcheck does not run itself: an existing server (DSN) or a Docker container."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

from dumpcheck.errors import BadInputError, BinaryNotFoundError, ScratchServerError
from dumpcheck.scratch.binaries import choose_install, find_installs
from dumpcheck.scratch.model import PgInstall, ScratchServer

DOCKER_HINT = "use --scratch local (the default) or --scratch-dsn URL"


def client_install(server_major: int, min_major: int | None) -> PgInstall | None:
    """pg_restore/psql for a server we did not start: its own major if we have it.

    pg_restore must be at least the dump's pg_dump major (it rejects newer archive versions);
    past that, the server's own major avoids syntax the server does not know. None when nothing
    fits: plain dumps are restored through psycopg and need no client binaries.
    """
    installs = find_installs()
    for wanted in (max(server_major, min_major or 0), min_major):
        with contextlib.suppress(BinaryNotFoundError):
            return choose_install(installs, min_major=wanted)
    return None


def probe(conninfo: str, what: str) -> tuple[int, str]:
    """Connect once; return (major, server_version) or raise a one-line ScratchServerError."""
    import psycopg

    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            num = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
            ver = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        raise ScratchServerError(f"cannot connect to {what}: {' '.join(str(exc).split())}") from exc
    assert num is not None and ver is not None
    return int(num[0]) // 10000, str(ver[0]).split()[0]


@contextlib.contextmanager
def dsn_server(
    dsn: str, *, min_major: int | None = None, pg_version: int | None = None
) -> Iterator[ScratchServer]:
    """An existing server: we only ever create and drop ``dumpcheck_<random>`` databases on it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise BadInputError(f"--scratch-dsn is not a valid libpq DSN: {exc}") from exc
    major, version = probe(dsn, "the --scratch-dsn server")
    if pg_version is not None and pg_version != major:
        raise BadInputError(
            f"--pg-version {pg_version} asked, but the --scratch-dsn server is {version}"
        )
    yield ScratchServer(
        backend="dsn",
        major=major,
        server_version=version,
        conninfo=dsn,
        install=client_install(major, min_major),
    )


def _postgres_container_class() -> Any:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        try:
            from testcontainers.postgres import PostgresContainer
        except ImportError as exc:
            raise ScratchServerError(
                "--scratch docker needs testcontainers: pip install 'dumpcheck[docker]'; "
                + DOCKER_HINT
            ) from exc
    return PostgresContainer


@contextlib.contextmanager
def docker_server(
    *, major: int, min_major: int | None = None, keep: bool = False
) -> Iterator[ScratchServer]:
    """A ``postgres:<major>`` container (testcontainers); removed afterwards unless ``keep``."""
    container_class = _postgres_container_class()
    password = secrets.token_hex(12)
    container: Any = None
    try:
        # The constructor already talks to the engine (docker.from_env()).
        container = container_class(
            f"postgres:{major}",
            username="postgres",
            password=password,
            dbname="postgres",
            driver=None,
        )
        # Same disposable settings as the local backend (the image passes args to postgres).
        container.with_command(
            "postgres -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            " -c wal_level=minimal -c max_wal_senders=0 -c autovacuum=off -c max_wal_size=8GB"
        )
        container.start()
        host = container.get_container_host_ip()
        port = container.get_exposed_port(5432)
    except Exception as exc:  # docker-py raises many types (DockerException, requests errors)
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop()
        detail = " ".join(str(exc).split())[:300]
        raise ScratchServerError(
            f"--scratch docker: cannot start postgres:{major}, is a Docker engine running?"
            f" ({detail}); {DOCKER_HINT}"
        ) from exc
    from psycopg.conninfo import make_conninfo

    # options='' keeps the user's PGOPTIONS out of our container's sessions (see local.py).
    conninfo = make_conninfo(host=host, port=port, user="postgres", password=password, options="")
    try:
        server_major, version = probe(make_conninfo(conninfo, dbname="postgres"), "the container")
        yield ScratchServer(
            backend="docker",
            major=server_major,
            server_version=version,
            conninfo=conninfo,
            install=client_install(server_major, min_major),
        )
    finally:
        if not keep:
            with contextlib.suppress(Exception):
                container.stop()
