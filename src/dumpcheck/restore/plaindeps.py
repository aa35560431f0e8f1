"""The order the parallel plain restore keeps (restore/plainjobs.py): which tables a post-data
entry of a pg_dump script touches, and running a task once the work it depends on is done.

pg_restore orders an archive's entries by the dependencies in its TOC; a plain script has none,
so they are read from the statements pg_dump writes for them (pg_dump.c dumpIndex,
dumpConstraint): ``CREATE [UNIQUE] INDEX name ON [ONLY] schema.table``, ``ALTER TABLE [ONLY]
schema.table ADD CONSTRAINT ... [REFERENCES schema.table]``. Work on the same table runs in the
script's order; work on other tables runs beside it. A statement these patterns do not fit is
not handed over: the driver waits for everything and runs it itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from typing import Any

from dumpcheck.catalog import QualifiedName
from dumpcheck.restore.pool import RankedPool

# The entries that need only their tables: their data loaded, their earlier entries built.
PARALLEL_ENTRIES = frozenset({"INDEX", "CONSTRAINT", "FK CONSTRAINT"})

_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED = rf"({_NAME})\s*\.\s*({_NAME})"
_INDEX = re.compile(
    rf"\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:{_NAME}\s+)?ON\s+(?:ONLY\s+)?{_QUALIFIED}",
    re.IGNORECASE,
)
_ALTER = re.compile(
    rf"\s*ALTER\s+TABLE\s+(?:ONLY\s+)?{_QUALIFIED}\s+ADD\s+CONSTRAINT\s", re.IGNORECASE
)
_REFERENCES = re.compile(rf"\bREFERENCES\s+{_QUALIFIED}", re.IGNORECASE)


def entry_tables(text: str, kind: str) -> tuple[QualifiedName, ...] | None:
    """The tables the first statement of an INDEX, CONSTRAINT or FK CONSTRAINT entry touches
    (a foreign key: its table and the one it references); None if it is not pg_dump's form."""
    if kind == "INDEX":
        m = _INDEX.match(text)
        return (_qualified(m[1], m[2]),) if m else None
    m = _ALTER.match(text)
    if m is None:
        return None
    own = _qualified(m[1], m[2])
    if kind != "FK CONSTRAINT":
        return (own,)
    ref = _REFERENCES.search(text, m.end())
    return (own, _qualified(ref[1], ref[2])) if ref else None


def _qualified(schema: str, name: str) -> QualifiedName:
    return QualifiedName(_ident(schema), _ident(name))


def _ident(text: str) -> str:
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()  # an unquoted identifier folds to lower case


def after(
    pool: Executor,
    deps: Iterable[Future[Any]],
    task: Callable[..., Any],
    *args: object,
    rank: int = 0,
) -> Future[Any]:
    """``task(*args)`` on ``pool`` once every future in ``deps`` is done; its result (or the
    first failed dependency's exception, without running it) in the returned future. No
    thread ever waits for a dependency, so the pool cannot fill up with waiting tasks. On a
    RankedPool it is queued with ``rank``."""
    out: Future[Any] = Future()
    waiting = list(deps)
    left = [len(waiting) + 1]  # + 1: nothing starts before every callback is registered
    lock = threading.Lock()

    def start() -> None:
        if any(d.cancelled() for d in waiting):
            out.cancel()  # the run is stopping
            return
        failed = next((d.exception() for d in waiting if d.exception() is not None), None)
        if failed is not None:
            out.set_exception(failed)
            return
        try:
            if isinstance(pool, RankedPool):
                inner = pool.submit_ranked(rank, task, *args)
            else:
                inner = pool.submit(task, *args)
        except RuntimeError:  # the pool is shutting down (Ctrl-C, an error): not to be run
            out.cancel()
            return
        inner.add_done_callback(lambda f: _copy_outcome(f, out))

    def one_done(_: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            ready = left[0] == 0
        if ready:
            start()

    for dep in waiting:
        dep.add_done_callback(one_done)
    one_done(out)
    return out


def _copy_outcome(source: Future[Any], target: Future[Any]) -> None:
    if source.cancelled():
        target.cancel()
        return
    exc = source.exception()
    if exc is not None:
        target.set_exception(exc)
    else:
        target.set_result(source.result())
