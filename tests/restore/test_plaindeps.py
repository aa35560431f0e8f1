"""The parallel plain restore's ordering (restore/plaindeps.py): no database needed."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.restore.plaindeps import after, entry_tables


def q(schema: str, name: str) -> QualifiedName:
    return QualifiedName(schema, name)


@pytest.mark.parametrize(
    ("text", "kind", "tables"),
    [
        # pg_dump 15-18 write these forms (dumpIndex, dumpConstraint).
        (
            "CREATE INDEX post_author ON public.post USING btree (author_id)",
            "INDEX",
            (q("public", "post"),),
        ),
        (
            'CREATE UNIQUE INDEX "User_email_key" ON ONLY "My Schema"."User" USING btree (email)',
            "INDEX",
            (q("My Schema", "User"),),
        ),
        (
            "ALTER TABLE ONLY public.author\n    ADD CONSTRAINT author_pkey PRIMARY KEY (id)",
            "CONSTRAINT",
            (q("public", "author"),),
        ),
        (
            'ALTER TABLE ONLY public."Post"\n    ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY '
            '("authorId") REFERENCES public."User"(id) ON UPDATE CASCADE ON DELETE RESTRICT',
            "FK CONSTRAINT",
            (q("public", "Post"), q("public", "User")),
        ),
        (
            'ALTER TABLE ONLY "a""b".t ADD CONSTRAINT t_fk FOREIGN KEY (x) REFERENCES "a""b".t(id)',
            "FK CONSTRAINT",
            (q('a"b', "t"), q('a"b', "t")),
        ),
    ],
)
def test_the_tables_an_entry_touches(
    text: str, kind: str, tables: tuple[QualifiedName, ...]
) -> None:
    assert entry_tables(text, kind) == tables


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("CREATE INDEX i ON t (a)", "INDEX"),  # not schema-qualified: depends on search_path
        ("ALTER TABLE public.t ALTER COLUMN a SET NOT NULL", "CONSTRAINT"),
        (
            "ALTER TABLE ONLY public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES t(a)",
            "FK CONSTRAINT",
        ),
        ("SELECT 1", "INDEX"),
    ],
)
def test_a_statement_not_in_pg_dumps_form_is_not_handed_over(text: str, kind: str) -> None:
    assert entry_tables(text, kind) is None


def test_a_task_runs_after_its_dependencies_without_holding_a_thread() -> None:
    order: list[str] = []
    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        first: Future[None] = Future()
        # With one thread, a task that waited inside the pool for `first` would block the pool.
        second = after(pool, [first], order.append, "second")
        third = after(pool, [second], order.append, "third")

        def other() -> None:
            order.append("other")
            gate.set()

        after(pool, [], other)
        assert gate.wait(5)
        first.set_result(None)
        third.result(timeout=5)
    assert order == ["other", "second", "third"]


def test_a_failed_dependency_fails_its_dependents_without_running_them() -> None:
    ran: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        broken: Future[None] = Future()
        broken.set_exception(RuntimeError("disk full"))
        dependent = after(pool, [broken], ran.append, "never")
        with pytest.raises(RuntimeError, match="disk full"):
            dependent.result(timeout=5)
    assert ran == []


def test_a_task_whose_dependencies_end_after_shutdown_is_cancelled_quietly() -> None:
    pool = ThreadPoolExecutor(max_workers=1)
    first: Future[None] = Future()
    dependent = after(pool, [first], print, "never")
    pool.shutdown(wait=True)
    first.set_result(None)  # its callback cannot submit any more: no error escapes
    assert dependent.cancelled()
