"""Which leftover scratch directories the sweep removes, on fake directories."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from dumpcheck.scratch.sweep import KEPT_FILE, OWNER_FILE, is_stale, pid_alive, sweep_stale


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def scratch_dir(tmp: Path, name: str, owner: int | None, postmaster: int | None) -> Path:
    directory = tmp / f"dumpcheck-{name}"
    (directory / "data").mkdir(parents=True)
    if owner is not None:
        (directory / OWNER_FILE).write_text(json.dumps({"pid": owner}))
    if postmaster is not None:
        (directory / "data" / "postmaster.pid").write_text(f"{postmaster}\n/tmp/x\n")
    return directory


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(dead_pid())
    assert not pid_alive(0)


def test_sweep_removes_only_dirs_whose_owner_and_postmaster_are_gone(tmp_path: Path) -> None:
    me, gone = os.getpid(), dead_pid()
    stale = scratch_dir(tmp_path, "stale", owner=gone, postmaster=gone)
    never_started = scratch_dir(tmp_path, "initdb-killed", owner=gone, postmaster=None)
    running = scratch_dir(tmp_path, "running", owner=me, postmaster=me)
    starting = scratch_dir(tmp_path, "starting", owner=me, postmaster=None)
    kept_alive = scratch_dir(tmp_path, "kept", owner=gone, postmaster=me)
    kept_dead = scratch_dir(tmp_path, "kept-dead", owner=me, postmaster=gone)
    (kept_dead / KEPT_FILE).touch()
    brand_new = scratch_dir(tmp_path, "no-owner-yet", owner=None, postmaster=None)
    other = tmp_path / "unrelated"
    other.mkdir()

    removed = sweep_stale(tmp_path)

    assert sorted(removed) == sorted([stale, never_started, kept_dead])
    for survivor in (running, starting, kept_alive, brand_new, other):
        assert survivor.exists()


def test_ownerless_dir_is_stale_only_after_a_grace_period(tmp_path: Path) -> None:
    directory = scratch_dir(tmp_path, "x", owner=None, postmaster=None)
    assert not is_stale(directory)
    assert is_stale(directory, now=time.time() + 3600)
    (directory / "data").rmdir()
    assert is_stale(directory, now=time.time() + 3600)  # mkdtemp, then killed at once


def test_a_strangers_dir_with_the_same_prefix_is_never_removed(tmp_path: Path) -> None:
    stranger = tmp_path / "dumpcheck-notes"
    stranger.mkdir()
    (stranger / "todo.txt").write_text("not a scratch server")
    assert not is_stale(stranger, now=time.time() + 3600)


def test_sweep_passes_over_directories_it_cannot_look_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user's /tmp/dumpcheck-* (EACCES inside it) is left alone, never a crash: found
    when the suite first ran as a user beside root's leftovers."""
    theirs = tmp_path / "dumpcheck-theirs"
    (theirs / "data").mkdir(parents=True)

    def denied(directory: Path, now: float | None = None) -> bool:
        raise PermissionError(13, "Permission denied", str(directory / "dumpcheck-kept"))

    monkeypatch.setattr("dumpcheck.scratch.sweep.is_stale", denied)
    assert sweep_stale(tmp_path) == []
    assert theirs.exists()
