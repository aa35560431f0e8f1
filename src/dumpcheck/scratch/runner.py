"""The one subprocess runner for PostgreSQL programs (initdb, pg_restore, psql, pg_dump).

stdout and stderr are drained by threads, so a chatty program (``pg_restore --verbose``) can never
block on a full pipe, and every error names the program and its PostgreSQL major.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

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


@functools.cache
def _prctl() -> Callable[..., int] | None:
    # Resolved in the parent: dlopen() in a child forked from a threaded process can deadlock.
    try:
        function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None  # not Linux: no parent-death signal; the sweep cleans up later
    return function


def death_signal_preexec(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A ``preexec_fn``: Linux sends ``sig`` to the child when the thread that forked it dies.

    preexec_fn runs after subprocess's setuid, which matters: the kernel clears the setting
    whenever credentials change (prctl(2), PR_SET_PDEATHSIG). If the parent died before the
    prctl took effect, the child signals itself.
    """
    parent = os.getpid()
    prctl = _prctl()

    def preexec() -> None:
        if prctl is None:
            return
        prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return preexec


class _Spawner:
    """A daemon thread that lives as long as the process and forks long-lived children.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process; a
    server started from a short-lived worker thread would die with that thread.
    """

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._serve, name="dumpcheck-spawner", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            function, future = self._requests.get()
            try:
                future.set_result(function())
            except Exception as exc:  # noqa: BLE001 - handed back to the caller, re-raised there
                future.set_exception(exc)

    def call[R](self, function: Callable[[], R]) -> R:
        future: Future[R] = Future()
        self._requests.put((function, future))
        return future.result()


_spawner_lock = threading.Lock()
_spawner: _Spawner | None = None


def call_in_spawner_thread[T](function: Callable[[], T]) -> T:
    """Run ``function`` (which starts a long-lived child) in the process-long spawner thread."""
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
        spawner = _spawner
    return spawner.call(function)


def _drain(
    stream: IO[bytes],
    sink: list[str],
    on_line: Callable[[str], None] | None,
    failures: list[BaseException],
) -> None:
    # Keep reading even if the callback fails: a reader that stops would block the child.
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace")
        sink.append(line)
        if on_line is not None and not failures:
            try:
                on_line(line.rstrip("\n"))
            except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
                failures.append(exc)
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
    failures: list[BaseException] = []
    threads.append(
        threading.Thread(target=_drain, args=(proc.stderr, err_lines, on_stderr_line, failures))
    )
    if proc.stdout is not None:
        threads.append(threading.Thread(target=_drain, args=(proc.stdout, out_lines, None, [])))
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
    if failures:
        raise failures[0]
    done = Completed(label, tuple(argv), returncode, "".join(out_lines), "".join(err_lines))
    if check and returncode != 0:
        raise CommandFailedError(label, returncode, done.stderr)
    return done
