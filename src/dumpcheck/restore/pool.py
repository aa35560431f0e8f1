"""A pool of threads that runs the most important queued task first.

pg_restore -j picks, of the entries whose dependencies are done, the one with the most data
(pg_backup_archiver.c: the ready list is sorted by dataLength; pg_dump gives an index or a
constraint the size of its table), so that the biggest table's load and index builds, the
longest chain of the run, start as early as they can. A ThreadPoolExecutor runs tasks in the
order they were submitted; this pool runs the queued task of highest rank first, and tasks of
equal rank in the order submitted.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

_Task = tuple[int, int, Future[Any], Callable[..., Any], tuple[Any, ...]]


class RankedPool(Executor):
    """``workers`` threads taking the queued task of highest rank (``submit``: rank 0)."""

    def __init__(self, workers: int, name: str) -> None:
        self._queue: list[_Task] = []
        self._order = itertools.count()
        self._cv = threading.Condition()
        self._closed = False
        # Daemon threads: a run that dies before shutdown() must not hang the interpreter.
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}_{k}", daemon=True)
            for k in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue ``fn(*args, **kwargs)`` with rank 0."""
        return self.submit_ranked(0, lambda: fn(*args, **kwargs))

    def submit_ranked(self, rank: int, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue ``fn(*args)``; it runs before every queued task of lower rank."""
        future: Future[Any] = Future()
        with self._cv:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            heapq.heappush(self._queue, (-rank, next(self._order), future, fn, args))
            self._cv.notify()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Take no more tasks; with ``cancel_futures`` drop the queued ones (cancelled)."""
        with self._cv:
            self._closed = True
            if cancel_futures:
                for _, _, future, _, _ in self._queue:
                    future.cancel()
                self._queue.clear()
            self._cv.notify_all()
        if wait:
            for thread in self._threads:
                if thread is not threading.current_thread():
                    thread.join()

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._closed:
                    self._cv.wait()
                if not self._queue:
                    return  # closed, and nothing left to run
                _, _, future, fn, args = heapq.heappop(self._queue)
            if not future.set_running_or_notify_cancel():
                continue
            # Any exception goes to whoever waits for the future, as in a ThreadPoolExecutor.
            try:
                result = fn(*args)
            except BaseException as exc:  # noqa: BLE001
                future.set_exception(exc)
            else:
                future.set_result(result)
