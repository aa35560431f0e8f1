"""pg_restore's workers skip parallel index builds only when the jobs already fill the cores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from dumpcheck.restore.archive import _worker_conninfo
from dumpcheck.scratch.model import Backend, ScratchServer

CORES = os.cpu_count() or 1


def _server(backend: Backend = "local", major: int = 18) -> ScratchServer:
    return ScratchServer(
        backend, major, f"{major}.1", "host=/tmp/x port=5432", None, Path("/tmp/x")
    )


def test_jobs_filling_every_core_turn_parallel_index_builds_off() -> None:
    dsn = _worker_conninfo(_server(), "host=/tmp/x dbname=d", CORES)
    assert conninfo_to_dict(dsn)["options"] == "-c max_parallel_maintenance_workers=0"
    assert conninfo_to_dict(dsn)["dbname"] == "d"


def test_existing_options_are_kept() -> None:
    dsn = _worker_conninfo(_server("docker"), "dbname=d options='-c work_mem=64MB'", CORES + 1)
    assert conninfo_to_dict(dsn)["options"] == (
        "-c work_mem=64MB -c max_parallel_maintenance_workers=0"
    )


@pytest.mark.parametrize(
    ("backend", "major", "jobs"),
    [
        ("dsn", 18, CORES),  # someone else's server: its cores are unknown to us
        ("local", 10, CORES),  # no such setting before PostgreSQL 11: the connection would fail
        ("local", 18, CORES - 1),  # a core is free for parallel builds
    ],
)
def test_other_cases_leave_the_conninfo_alone(backend: Backend, major: int, jobs: int) -> None:
    assert _worker_conninfo(_server(backend, major), "dbname=d", jobs) == "dbname=d"
