"""Turn what a failing server says into the right DumpcheckError (disk full, server died)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from dumpcheck.errors import DiskFullError, EnvironmentFailure, ScratchServerError
from dumpcheck.scratch.model import ScratchServer

LOG_TAIL_LINES = 15
# SQLSTATE class 53 is "insufficient resources"; 53100 is disk_full (errcodes.txt).
DISK_FULL_SQLSTATE = "53100"
_DISK_FULL_RE = re.compile(r"No space left on device|could not extend file|disk_full", re.I)


def log_tail(log_path: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a server log, joined with `` | `` so they fit one error line."""
    if log_path is None:
        return "(no server log)"
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return f"(server log {log_path} unreadable)"
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(tail) if tail else "(server log empty)"


def is_disk_full(message: str, sqlstate: str | None = None) -> bool:
    """True for ``could not extend file ...: No space left on device`` and SQLSTATE 53100."""
    return sqlstate == DISK_FULL_SQLSTATE or bool(_DISK_FULL_RE.search(message))


def disk_full_error(message: str, sqlstate: str | None = None) -> DiskFullError | None:
    """A DiskFullError when the server's message says the disk is full, else None."""
    if not is_disk_full(message, sqlstate):
        return None
    first = message.strip().splitlines()[0] if message.strip() else "No space left on device"
    return DiskFullError(f"the scratch server ran out of disk space: {first}")


def classify_db_error(exc: BaseException) -> EnvironmentFailure | None:
    """Map a psycopg error to DiskFullError if it is one (else None): SQLSTATE or message."""
    sqlstate = getattr(exc, "sqlstate", None)
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return disk_full_error(str(primary or exc), sqlstate)


def server_died_error(server: ScratchServer, grace: float = 0.0) -> ScratchServerError | None:
    """A ScratchServerError with the server log tail if the server is gone, else None.

    Local backend: the postmaster's pid is no longer alive. Other backends: a fresh connection
    fails. Call it when a restore loses its connection, to tell "server died" from a SQL error.
    ``grace``: how long to keep asking while the server still looks alive. A session breaks
    a moment before the postmaster is gone for good: backends see its exit before the kernel
    has torn it down (exit_mm of its shared memory comes first), longer on a loaded machine.
    """
    deadline = time.monotonic() + grace
    while True:
        died = _died(server)
        if died is not None or time.monotonic() >= deadline:
            return died
        time.sleep(0.05)


def _died(server: ScratchServer) -> ScratchServerError | None:
    if server.backend == "local" and server.pid is not None:
        from dumpcheck.scratch.sweep import pid_alive

        if pid_alive(server.pid):
            return None
        return ScratchServerError(
            f"the scratch PostgreSQL {server.major} server (pid {server.pid}) died;"
            f" server log tail: {log_tail(server.log_path)}"
        )
    import psycopg

    try:
        with psycopg.connect(server.conninfo, connect_timeout=5):
            return None
    except psycopg.OperationalError as exc:
        return ScratchServerError(
            f"the {server.backend} scratch server is unreachable: {' '.join(str(exc).split())}"
        )


def check_server_alive(server: ScratchServer) -> None:
    """Raise ScratchServerError (with the server log tail) if the scratch server died."""
    error = server_died_error(server)
    if error is not None:
        raise error


def server_failure(server: ScratchServer, exc: BaseException) -> EnvironmentFailure:
    """The environment error behind a lost connection: disk full, or the server died."""
    mapped = classify_db_error(exc)
    if mapped is not None:
        return mapped
    died = server_died_error(server, grace=3)
    if died is not None:
        return died
    return ScratchServerError(
        f"the scratch server stopped answering during the restore "
        f"({' '.join(str(exc).split())}); server log tail: {log_tail(server.log_path)}"
    )
