"""The initdb template (scratch/template.py): made by the first start of a build, copied by the
next ones, which then run no initdb; a damaged or orphaned template is never used."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from dumpcheck.errors import DumpcheckError
from dumpcheck.scratch import open_scratch, runner, template
from dumpcheck.scratch.model import PgInstall


def _no_server(exc: DumpcheckError) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no scratch PostgreSQL under CI=true: {exc.one_line()}", pytrace=False)
    pytest.skip(f"no scratch PostgreSQL: {exc.one_line()}")


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Templates go under ``tmp_path`` for this test, never into the user's cache."""
    monkeypatch.setattr(template, "cache_root", lambda: tmp_path / "pg")
    return tmp_path / "templates"


@pytest.fixture
def initdb_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The initdb runs of the test (every other command runs as usual)."""
    seen: list[str] = []
    run = runner.run

    def spy(binary: Path, *args: object, **kwargs: object) -> object:
        if binary.name == "initdb":
            seen.append(str(binary))
        return run(binary, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "run", spy)
    return seen


def _settings(conninfo: str) -> dict[str, str]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('fsync', 'wal_level', 'unix_socket_directories', 'data_checksums')"
        ).fetchall()
    return dict(rows)


def test_the_second_start_copies_the_first_ones_initdb(
    templates: Path, initdb_runs: list[str]
) -> None:
    try:
        with open_scratch() as first:
            first_settings = _settings(first.conninfo)
        with open_scratch() as second:
            second_settings = _settings(second.conninfo)
            with psycopg.connect(second.conninfo, autocommit=True) as conn:
                conn.execute("CREATE DATABASE copied")
                conn.execute("DROP DATABASE copied")
    except DumpcheckError as exc:
        _no_server(exc)
    assert len(initdb_runs) == 1
    (made,) = templates.iterdir()
    assert (made / "data" / "PG_VERSION").is_file()
    assert json.loads((made / "source.json").read_text())["bindir"]
    # Each server has its own socket directory and the disposable settings.
    assert first_settings["unix_socket_directories"] != second_settings["unix_socket_directories"]
    assert second_settings["fsync"] == "off" and second_settings["wal_level"] == "minimal"
    assert not (made / "data" / "postmaster.pid").exists()  # the template never ran


def test_a_damaged_template_is_not_used(templates: Path, initdb_runs: list[str]) -> None:
    try:
        with open_scratch() as server:
            assert server.install is not None
            install: PgInstall = server.install
    except DumpcheckError as exc:
        _no_server(exc)
    found = template.template_dir(install)
    assert found is not None and found.is_dir()
    (found / "data" / "global" / "pg_control").unlink()  # as a disk-full copy might leave it
    with open_scratch() as server, psycopg.connect(server.conninfo) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert len(initdb_runs) == 2


def test_templates_of_binaries_that_are_gone_are_dropped(
    templates: Path, initdb_runs: list[str], tmp_path: Path
) -> None:
    orphan = templates / "99-0123456789abcdef"
    (orphan / "data").mkdir(parents=True)
    (orphan / "source.json").write_text(json.dumps({"bindir": str(tmp_path / "gone" / "bin")}))
    try:
        with open_scratch():
            pass
    except DumpcheckError as exc:
        _no_server(exc)
    assert not orphan.exists()
    assert len(list(templates.iterdir())) == 1
    shutil.rmtree(templates)
