"""The dsn backend (against a real scratch server) and the docker backend's no-engine message."""

from __future__ import annotations

import sys
from typing import Any

import psycopg
import pytest
from psycopg import sql

from dumpcheck.errors import BadInputError, ScratchServerError
from dumpcheck.scratch import create_database, drop_database, open_scratch
from dumpcheck.scratch.model import ScratchServer


def enter(**options: Any) -> None:
    """Open and close a scratch server with these options."""
    with open_scratch(**options):
        pass


def databases(server: ScratchServer) -> set[str]:
    with psycopg.connect(server.dsn("postgres")) as conn:
        return {row[0] for row in conn.execute("select datname from pg_database").fetchall()}


def test_dsn_backend_creates_and_drops_only_its_own_database(scratch_server: ScratchServer) -> None:
    bystander = "app_production"
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bystander)))
    try:
        before = databases(scratch_server)
        with open_scratch(backend="dsn", dsn=scratch_server.dsn("postgres")) as server:
            assert server.backend == "dsn"
            assert server.major == scratch_server.major
            assert server.server_version == scratch_server.server_version
            assert server.install is not None and server.install.major == server.major
            name = create_database(server)
            assert name.startswith("dumpcheck_") and name in databases(scratch_server)
            with pytest.raises(ScratchServerError, match="did not create it"):
                drop_database(server, bystander)
            drop_database(server, name)
        assert databases(scratch_server) == before
        assert bystander in databases(scratch_server)
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(bystander)))


def test_unreachable_dsn_is_one_line_exit_3(tmp_path: object) -> None:
    with pytest.raises(ScratchServerError) as info:
        enter(backend="dsn", dsn=f"host={tmp_path} port=1 connect_timeout=2")
    assert info.value.exit_code == 3
    assert info.value.one_line().startswith("cannot connect to the --scratch-dsn server")


def test_bad_dsn_and_missing_dsn_are_bad_input() -> None:
    with pytest.raises(BadInputError, match="not a valid libpq DSN"):
        enter(backend="dsn", dsn="no equals sign")
    with pytest.raises(BadInputError, match="needs --scratch-dsn"):
        enter(backend="dsn")


def test_docker_without_testcontainers_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "testcontainers.community.postgres", None)
    monkeypatch.setitem(sys.modules, "testcontainers.postgres", None)
    with pytest.raises(ScratchServerError, match=r"pip install 'dumpcheck\[docker\]'") as info:
        enter(backend="docker", pg_version=16)
    assert info.value.exit_code == 3


def test_docker_without_an_engine_is_a_clear_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("testcontainers", reason="the docker extra is not installed")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(ScratchServerError) as info:
        enter(backend="docker", pg_version=16)
    assert info.value.exit_code == 3
    message = info.value.one_line()
    assert message.startswith(
        "--scratch docker: cannot start postgres:16, is a Docker engine running?"
    )
    assert message.endswith("use --scratch local (the default) or --scratch-dsn URL")
