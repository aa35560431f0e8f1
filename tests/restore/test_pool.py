"""RankedPool (restore/pool.py): the queued task of highest rank runs first."""

from __future__ import annotations

import threading

import pytest

from dumpcheck.restore.plaindeps import after
from dumpcheck.restore.pool import RankedPool


def test_the_highest_rank_runs_first_and_equal_ranks_in_order() -> None:
    pool = RankedPool(1, "test")
    gate = threading.Event()
    order: list[str] = []
    try:
        pool.submit(gate.wait, 5)  # holds the only thread while the others queue
        for rank, name in ((1, "small"), (9, "big"), (5, "mid"), (9, "big2"), (0, "plain")):
            pool.submit_ranked(rank, order.append, name)
        gate.set()
    finally:
        pool.shutdown(wait=True)
    assert order == ["big", "big2", "mid", "small", "plain"]


def test_after_queues_with_its_rank() -> None:
    pool = RankedPool(1, "test")
    gate = threading.Event()
    order: list[int] = []
    try:
        pool.submit(gate.wait, 5)
        done = [after(pool, [], order.append, rank, rank=rank) for rank in (2, 7, 4)]
        gate.set()
        for future in done:
            future.result(timeout=5)
    finally:
        pool.shutdown(wait=True)
    assert order == [7, 4, 2]


def test_an_exception_reaches_the_future() -> None:
    pool = RankedPool(2, "test")
    try:
        future = pool.submit_ranked(3, int, "not a number")
        with pytest.raises(ValueError, match="invalid literal"):
            future.result(timeout=5)
    finally:
        pool.shutdown(wait=True)


def test_shutdown_cancels_what_is_queued_and_refuses_more() -> None:
    pool = RankedPool(1, "test")
    gate, began = threading.Event(), threading.Event()

    def hold() -> bool:
        began.set()
        return gate.wait(5)

    running = pool.submit(hold)
    assert began.wait(5)
    queued = pool.submit_ranked(1, print, "never")
    threading.Timer(0.1, gate.set).start()
    pool.shutdown(wait=True, cancel_futures=True)
    assert running.result() is True and queued.cancelled()
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(print, "never")
