"""The one subprocess runner for PostgreSQL programs (initdb, pg_restore, psql, pg_dump).

stdout and stderr are drained by threads, so a chatty program (``pg_restore --verbose``) can never
block on a full pipe, and every error names the program and its PostgreSQL major.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dumpcheck.errors import BinaryNotFoundError, EnvironmentFailure

_PR_SET_PDEATHSIG = 1
STDERR_TAIL_LINES = 20


class CommandFailedError(EnvironmentFailure):
    """A PostgreSQL program exited non-zero where that means the environment is broken."""

    def __init__(self, label: str, returncode: int, stderr: str) -> None:
        self.label = label
        self.returncode = returncode
        self.stderr = stderr
        tail = " | ".join(stderr.strip().splitlines()[-3:])
        super().__init__(f"{label} exited with status {returncode}: {tail or '(no output)'}")


@dataclass(frozen=True)
class Completed:
    """What a finished program left behind."""

    label: str  # "pg_restore (PostgreSQL 18)"
    args: tuple[str, ...]
    returncode: int
    stdout: str  # empty unless stdout was captured
    stderr: str

    def stderr_tail(self, lines: int = STDERR_TAIL_LINES) -> str:
        """The last ``lines`` lines of stderr."""
        return "\n".join(self.stderr.splitlines()[-lines:])


def program_label(program: Path | str, major: int | None) -> str:
    """``pg_restore (PostgreSQL 18)``, the name every error uses."""
    name = Path(program).name
    return f"{name} (PostgreSQL {major})" if major is not None else name


def set_parent_death_signal(sig: int = signal.SIGKILL, parent_pid: int | None = None) -> None:
    """In a forked child: ask Linux to send ``sig`` when the parent thread dies (prctl(2)).

    Must run after any setuid: the kernel clears the setting whenever credentials change.
    If the parent already died before the prctl, deliver the signal ourselves.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: no parent-death signal; the sweep cleans up later
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)


def death_signal_preexec(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A ``preexec_fn`` that sets the parent-death signal for the child."""
    parent = os.getpid()

    def preexec() -> None:
        set_parent_death_signal(sig, parent)

    return preexec


def _drain(stream: IO[bytes], sink: list[str], on_line: Callable[[str], None] | None) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace")
        sink.append(line)
        if on_line is not None:
            on_line(line.rstrip("\n"))
    stream.close()


def _feed(stream: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError):
        stream.write(data)
    with contextlib.suppress(BrokenPipeError):
        stream.close()


def run(
    program: Path | str,
    args: Sequence[str] = (),
    *,
    major: int | None = None,
    check: bool = True,
    input: bytes | None = None,
    stdout: IO[bytes] | int | None = subprocess.PIPE,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | int | None = None,
    group: str | int | None = None,
    on_stderr_line: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> Completed:
    """Run ``program args``; capture stderr (and stdout unless redirected); never block on pipes.

    ``check`` raises CommandFailedError on a non-zero exit. ``on_stderr_line`` sees each stderr
    line as it arrives (pg_restore --verbose progress). ``user``/``group`` drop privileges (root
    only). The child dies with us (parent-death signal SIGKILL).
    """
    label = program_label(program, major)
    argv = [str(program), *args]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            preexec_fn=death_signal_preexec(),
            user=user,
            group=group if user is not None else None,
            # setgroups([]) drops root's supplementary groups; only root may call it.
            extra_groups=[] if user is not None else None,
        )
    except FileNotFoundError as exc:
        raise BinaryNotFoundError(f"{label} not found at {program}") from exc
    except PermissionError as exc:
        raise BinaryNotFoundError(f"{label} at {program} is not executable") from exc
    out_lines: list[str] = []
    err_lines: list[str] = []
    threads = []
    assert proc.stderr is not None
    threads.append(threading.Thread(target=_drain, args=(proc.stderr, err_lines, on_stderr_line)))
    if proc.stdout is not None:
        threads.append(threading.Thread(target=_drain, args=(proc.stdout, out_lines, None)))
    if input is not None:
        assert proc.stdin is not None
        threads.append(threading.Thread(target=_feed, args=(proc.stdin, input)))
    for thread in threads:
        thread.daemon = True
        thread.start()
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.wait()
        raise CommandFailedError(label, -9, f"timed out after {timeout} s") from exc
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    for thread in threads:
        thread.join()
    done = Completed(label, tuple(argv), returncode, "".join(out_lines), "".join(err_lines))
    if check and returncode != 0:
        raise CommandFailedError(label, returncode, done.stderr)
    return done
