"""Remove scratch directories left behind by runs that were killed (SIGKILL, power loss)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

SCRATCH_PREFIX = "dumpcheck-"
OWNER_FILE = "dumpcheck-owner.json"
# Written when a run ends with --keep-scratch: the directory then lives as long as its postmaster.
KEPT_FILE = "dumpcheck-kept"
# A directory without an owner file may be one that another process is creating right now.
_GRACE_S = 60.0


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (also when it belongs to another user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited; only its parent has not reaped it yet.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _read_pid(path: Path, key: str | None = None) -> int | None:
    try:
        text = path.read_text()
    except OSError:
        return None
    try:
        if key is not None:
            return int(json.loads(text)[key])
        return int(text.splitlines()[0])
    except (ValueError, IndexError, KeyError, TypeError):
        return None


def is_stale(directory: Path, now: float | None = None) -> bool:
    """A scratch dir is stale when neither its postmaster nor the dumpcheck that made it lives.

    A kept server (``--keep-scratch``) has a live postmaster and outlives its owner: never stale.
    """
    postmaster = _read_pid(directory / "data" / "postmaster.pid")
    if postmaster is not None and pid_alive(postmaster):
        return False
    if (directory / KEPT_FILE).exists():
        return True  # handed over by --keep-scratch, and its postmaster is gone
    owner_file = directory / OWNER_FILE
    owner = _read_pid(owner_file, "pid")
    if owner is not None:
        return not pid_alive(owner)
    try:
        ours = owner_file.exists() or (directory / "data").is_dir()
        empty = not any(directory.iterdir())
        age = (now or time.time()) - directory.stat().st_mtime
    except OSError:
        return False
    # Without an owner file it is either being created right now (give it a grace period), or
    # not ours at all (never delete a stranger's /tmp/dumpcheck-something with content in it).
    return (ours or empty) and age > _GRACE_S


def sweep_stale(tmp: Path = Path("/tmp")) -> list[Path]:  # noqa: S108
    """Delete stale ``/tmp/dumpcheck-*`` directories; return the ones removed."""
    removed = []
    for directory in tmp.glob(SCRATCH_PREFIX + "*"):
        if directory.is_symlink() or not directory.is_dir():
            continue
        try:
            stale = is_stale(directory)
        except OSError:
            # Another user's directory (EACCES on a file in it): never ours to judge or delete.
            continue
        if stale:
            shutil.rmtree(directory, ignore_errors=True)
            if not directory.exists():
                removed.append(directory)
    return removed
