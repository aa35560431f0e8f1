"""pg_restore -j writes "from TOC entry" and the error as two lines; another worker's lines can
fall between them. The failed command then decides which entry the error belongs to."""

from __future__ import annotations

from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore.archive import failures_from_log
from dumpcheck.restore.pglog import parse_restore_log

ENTRIES = {
    10: TocEntry(
        10, "TABLE", "users", "public", defn="CREATE TABLE public.users (\n    id integer\n);"
    ),
    20: TocEntry(
        20, "TABLE", "orders", "public", defn="CREATE TABLE public.orders (\n    id integer\n);"
    ),
}


def test_interleaved_worker_lines_do_not_misattribute() -> None:
    log = parse_restore_log(
        "pg_restore: from TOC entry 10; 1259 16390 TABLE users postgres\n"
        "pg_restore: from TOC entry 20; 1259 16391 TABLE orders postgres\n"
        'pg_restore: error: could not execute query: ERROR:  type "public.dctext" does not exist\n'
        "Command was: CREATE TABLE public.users (\n"
        "    id integer\n"
        ");\n"
    )
    [failure] = failures_from_log(log, ENTRIES)
    assert failure.toc_id == 10


def test_a_matching_command_keeps_the_named_entry() -> None:
    log = parse_restore_log(
        "pg_restore: from TOC entry 20; 1259 16391 TABLE orders postgres\n"
        'pg_restore: error: could not execute query: ERROR:  type "x" does not exist\n'
        "Command was: CREATE TABLE public.orders (\n"
        "    id integer\n"
        ");\n"
    )
    [failure] = failures_from_log(log, ENTRIES)
    assert failure.toc_id == 20
