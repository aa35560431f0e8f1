"""pg_restore -j writes "from TOC entry" and the error as two lines; another worker's lines can
fall between them. The failed command then decides which entry the error belongs to."""

from __future__ import annotations

from pathlib import Path

from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore.attribution import failures_from_log
from dumpcheck.restore.pglog import parse_restore_log, repair_interleaved

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


LOGS = Path(__file__).resolve().parent / "logs"


def test_real_interleaved_log_is_repaired() -> None:
    """A real pg_restore -j 2 log of a data-only dump into an empty database (PG 18.6)."""
    text = (LOGS / "interleaved_j2_data_only.log").read_text()
    log = parse_restore_log(text)
    assert len(log.errors) == 6
    assert all(e.server_error for e in log.errors)
    assert [e.message for e in log.errors] == [
        'relation "public.b" does not exist',
        'relation "public.b" does not exist',
        'relation "public.a" does not exist',
        'relation "public.a" does not exist',
        'relation "public.b" does not exist',
        'relation "public.a" does not exist',
    ]
    assert [e.command for e in log.errors] == [
        "ALTER TABLE public.b DISABLE TRIGGER ALL;",
        "COPY public.b (id, a_id) FROM stdin;",
        "ALTER TABLE public.a DISABLE TRIGGER ALL;",
        "COPY public.a (id, v) FROM stdin;",
        "ALTER TABLE public.b ENABLE TRIGGER ALL;",
        "ALTER TABLE public.a ENABLE TRIGGER ALL;",
    ]


def test_repair_leaves_a_clean_log_alone() -> None:
    clean = (
        "pg_restore: from TOC entry 20; 1259 16391 TABLE orders postgres\n"
        "pg_restore: error: could not execute query: ERROR:  boom\n"
        "Command was: CREATE TABLE public.orders (\n    id integer\n);\n"
    )
    assert repair_interleaved(clean) == clean.rstrip("\n")


def test_headerless_data_errors_go_to_their_tables_data_entry() -> None:
    """Another real -j 2 log, where a "from TOC entry" line lost its prefix to another worker."""
    entries = {
        2572: TocEntry(2572, "TABLE DATA", "a", "public"),
        2573: TocEntry(2573, "TABLE DATA", "b", "public"),
    }
    log = parse_restore_log((LOGS / "interleaved_j2_data_only_2.log").read_text())
    failures = failures_from_log(log, entries)
    assert [f.toc_id for f in failures] == [2572, 2572, 2573, 2572, 2573, 2573]


def test_orphan_progress_line_with_its_space_is_not_part_of_a_command() -> None:
    """The tail of a real -j 2 log (PG 18.6, data-only into the Prisma tables): the second
    worker's "pg_restore:" landed inside an error line, and its " finished item ..." came after
    the failed command, with the space that follows the colon."""
    log = parse_restore_log((LOGS / "interleaved_j2_data_only_3.log").read_text())
    assert [e.command for e in log.errors] == [
        'COPY public.products (id, title, "categoryId", legacy_sku) FROM stdin;',
        "ALTER TABLE public.audit_log DISABLE TRIGGER ALL;",
        "COPY public.audit_log (id, action) FROM stdin;",
        "ALTER TABLE public.audit_log ENABLE TRIGGER ALL;",
    ]
    assert {2588, 2590, 2591, 2598} <= log.finished


def test_a_level_whose_message_came_after_another_workers_lines() -> None:
    """A real -j 2 log (pg_dump 18 into PostgreSQL 15, under load): worker A printed
    "pg_restore: error: ", worker B its whole error, then A's "could not execute query" line
    came without a prefix, after B's failed command."""
    log = parse_restore_log((LOGS / "interleaved_j2_initializing.log").read_text())
    assert [(e.message, e.command) for e in log.errors] == [
        (
            'unrecognized configuration parameter "transaction_timeout"',
            "SET transaction_timeout = 0;",
        )
    ] * 4
    assert all(e.server_error for e in log.errors)


def test_levels_and_prefixes_split_every_way_still_give_each_error_its_command() -> None:
    """Two real -j 2 logs (data-only into the Prisma tables, machine under load): an "error:"
    line that lost its prefix and space, "pg_restore:  finished item" with the space of another
    worker, and an "error:  executing SEQUENCE SET" whose text is progress, not an error."""
    for name in ("interleaved_j2_data_only_4.log", "interleaved_j2_data_only_5.log"):
        log = parse_restore_log((LOGS / name).read_text())
        assert [e.command for e in log.errors] == [
            'COPY public.products (id, title, "categoryId", legacy_sku) FROM stdin;',
            "ALTER TABLE public.audit_log DISABLE TRIGGER ALL;",
            "COPY public.audit_log (id, action) FROM stdin;",
            "ALTER TABLE public.audit_log ENABLE TRIGGER ALL;",
        ], name
        assert all(e.server_error for e in log.errors), name
        assert 2587 in log.finished, name


def test_heavily_interleaved_log_attributes_every_error_to_the_entry_its_command_names() -> None:
    """A real -j 2 log under load (data-only into an empty database): prefixes split from
    their text ("pg_restore:pg_restore:  from TOC entry", " pg_restore:error:  error: ...", a
    bare "could not execute query" line). Every error still pairs its message with its command,
    and the command decides the entry even where a wrong "from TOC entry" line came first."""
    entries = {
        2587: TocEntry(2587, "TABLE DATA", "categories", "public"),
        2588: TocEntry(2588, "TABLE DATA", "products", "public"),
        2590: TocEntry(2590, "TABLE DATA", "tags", "public"),
        2591: TocEntry(2591, "TABLE DATA", "audit_log", "public"),
        2598: TocEntry(2598, "SEQUENCE SET", "tags_id_seq", "public"),
    }
    log = parse_restore_log((LOGS / "interleaved_j2_data_only_6.log").read_text())
    assert len(log.errors) == 13
    failures = failures_from_log(log, entries)
    for f in failures:
        entry = entries[f.toc_id or 0]
        relation = f.message.split('"')[1]  # relation "public.x" does not exist
        assert relation == f"public.{entry.tag}", (f.statement, f.toc_id)
        assert f"public.{entry.tag}" in (f.statement or ""), (f.statement, f.toc_id)
