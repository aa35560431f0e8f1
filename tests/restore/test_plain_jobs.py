"""The plain restore on several sessions (restore/plainjobs.py) against the one-session driver:
the same tables, rows, indexes, constraints and errors, on real pg_dump scripts.

The parts a table's data is cut into are made tiny here, so that every table of a few rows is
loaded by several sessions at once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.catalog import QualifiedName
from dumpcheck.restore import plaingroup, plainjobs, restore
from dumpcheck.restore.model import RestoreResult
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer

pytestmark = pytest.mark.postgres

SQL = """
CREATE TABLE author (id integer PRIMARY KEY, name text UNIQUE, born date);
INSERT INTO author SELECT g, 'author ' || g, date '2000-01-01' + g FROM generate_series(1, 3000) g;
CREATE TABLE post (
    id bigserial PRIMARY KEY,
    author_id integer NOT NULL REFERENCES author(id),
    title text NOT NULL,
    body text,
    CONSTRAINT title_not_blank CHECK (title <> '') NOT VALID
);
INSERT INTO post (author_id, title, body)
    SELECT 1 + g % 3000, 'title ' || g, repeat(md5(g::text), 1 + g % 5)
    FROM generate_series(1, 20000) g;
CREATE INDEX post_author ON post (author_id);
CREATE INDEX post_title ON post (lower(title));
COMMENT ON INDEX post_title IS 'case-insensitive search';
CREATE TABLE event (id integer, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO event SELECT g, date '2024-01-01' + g % 700 FROM generate_series(1, 5000) g;
CREATE INDEX event_at ON event (at);
CREATE VIEW busy_author AS SELECT author_id, count(*) AS posts FROM post GROUP BY author_id;
CREATE TABLE empty_one (id integer PRIMARY KEY);
"""


@pytest.fixture
def tiny_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut every fresh table's data of more than 4 KiB into one part per job."""
    monkeypatch.setattr(plainjobs, "cut_into", lambda size, script, jobs: 2 if size > 4096 else 1)


def test_only_a_table_bigger_than_its_share_is_cut() -> None:
    mib = 1 << 20
    assert plaingroup.cut_into(100 * mib, 300 * mib, 2) == 1  # the other job has 200 MiB
    assert plaingroup.cut_into(200 * mib, 300 * mib, 2) == 2
    assert plaingroup.cut_into(290 * mib, 300 * mib, 4) == 4
    assert plaingroup.cut_into(20 * mib, 21 * mib, 4) == 1  # parts of at least 16 MiB
    assert plaingroup.cut_into(40 * mib, 41 * mib, 4) == 2


@pytest.fixture
def second_db(scratch_server: ScratchServer) -> Iterator[str]:
    """Another fresh database, for the one-session restore of the same dump."""
    name = create_database(scratch_server)
    try:
        yield name
    finally:
        drop_database(scratch_server, name)


def _shape(server: ScratchServer, result: RestoreResult) -> dict[str, object]:
    """What a restore left: tables with rows, indexes and constraints (valid or not), errors."""
    with psycopg.connect(server.dsn(result.database)) as conn:
        indexes = conn.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid "
            "FROM pg_index JOIN pg_class c ON c.oid = indrelid "
            "WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1"
        ).fetchall()
        constraints = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        ).fetchall()
        comments = conn.execute(
            "SELECT objoid::regclass::text, description FROM pg_description "
            "WHERE classoid = 'pg_class'::regclass ORDER BY 1"
        ).fetchall()
    tables = {(q.schema, q.name): t.rows for q, t in result.catalog.tables.items()}
    errors = [(e.object_type, e.table, e.message, e.location) for e in result.errors]
    return {
        "tables": tables,
        "indexes": indexes,
        "constraints": constraints,
        "comments": comments,
        "errors": errors,
    }


def test_parallel_plain_restore_equals_the_one_session_restore(
    scratch_server: ScratchServer,
    fresh_db: str,
    second_db: str,
    tmp_path: Path,
    tiny_parts: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain")
    inv = inventory_of(dump)
    groups: dict[str, tuple[int, bool]] = {}
    group = plaingroup.Group.__init__

    def spy(self: plaingroup.Group, *args: Any) -> None:
        group(self, *args)
        groups[self.block.table.name] = (self.left, self.truncate)

    monkeypatch.setattr(plaingroup.Group, "__init__", spy)
    parallel = restore(inv, scratch_server, database=fresh_db, jobs=2)
    # Every table with data came in parts; the partitioned parent's rows are in its partitions.
    # A table in one part is truncated and loaded with FREEZE.
    assert groups == {
        "author": (2, False),
        "post": (2, False),
        "event_2024": (2, False),
        "event_2025": (2, False),
        "empty_one": (1, True),
    }
    serial = restore(inv, scratch_server, database=second_db, jobs=1)

    assert parallel.errors == () and serial.errors == ()
    assert _shape(scratch_server, parallel) == _shape(scratch_server, serial)
    assert dict(_shape(scratch_server, parallel)["tables"])[("public", "post")] == 20000  # type: ignore[call-overload]


def test_a_bad_row_in_one_part_leaves_the_whole_table_empty(
    scratch_server: ScratchServer, fresh_db: str, second_db: str, tmp_path: Path, tiny_parts: None
) -> None:
    """One COPY is atomic; a table loaded in parts must be too: the other parts roll back."""
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain")
    data = dump.read_bytes()
    # A row near the end of post's data (its last part) gets a non-integer author_id.
    at = data.index(b"\n19990\t") + 1
    bad = data[:at] + b"19990\tnot-a-number" + data[data.index(b"\t", at + 6) :]
    broken = tmp_path / "bad.sql"
    broken.write_bytes(bad)
    inv = inventory_of(broken)
    parallel = restore(inv, scratch_server, database=fresh_db, jobs=2)
    serial = restore(inv, scratch_server, database=second_db, jobs=1)

    post = QualifiedName("public", "post")
    copy_errors = [e for e in parallel.errors if e.object_type == "TABLE DATA"]
    assert [e.table for e in copy_errors] == [post]
    assert "invalid input syntax for type integer" in copy_errors[0].message
    assert parallel.catalog.table("public", "post").rows == 0  # type: ignore[union-attr]
    assert _shape(scratch_server, parallel) == _shape(scratch_server, serial)


@pytest.mark.parametrize("mid_row", [True, False], ids=["mid-row", "row-boundary"])
def test_a_script_cut_inside_copy_data_keeps_the_same_whole_rows(
    scratch_server: ScratchServer,
    fresh_db: str,
    second_db: str,
    tmp_path: Path,
    tiny_parts: None,
    mid_row: bool,
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain")
    data = dump.read_bytes()
    row = data.index(b"\n15000\t") + 1
    cut = tmp_path / "cut.sql"
    cut.write_bytes(data[: row + (5 if mid_row else 0)])
    inv = inventory_of(cut)
    parallel = restore(inv, scratch_server, database=fresh_db, jobs=2)
    serial = restore(inv, scratch_server, database=second_db, jobs=1)

    (err,) = [e for e in parallel.errors if e.object_type == "TABLE DATA"]
    assert err.message.startswith("the dump ends inside the COPY data of public.post")
    assert ("partial row" in err.message) is mid_row
    assert parallel.catalog.table("public", "post").rows == 14999  # type: ignore[union-attr]
    assert _shape(scratch_server, parallel) == _shape(scratch_server, serial)


def test_failures_of_parallel_entries_come_in_script_order(
    scratch_server: ScratchServer, fresh_db: str, second_db: str, tmp_path: Path, tiny_parts: None
) -> None:
    """A primary key and a unique constraint that the rows break, and an index on a column a
    damaged script lost: each error tied to its entry, in the order of the script."""
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain")
    text = dump.read_text()
    # Duplicate rows: the primary key and the unique constraint cannot be built.
    text = text.replace("1\tauthor 1\t", "2\tauthor 2\t", 1)
    text = text.replace(
        "CREATE INDEX post_author ON public.post USING btree (author_id)",
        "CREATE INDEX post_author ON public.post USING btree (no_such_column)",
    )
    broken = tmp_path / "dup.sql"
    broken.write_text(text)
    inv = inventory_of(broken)
    parallel = restore(inv, scratch_server, database=fresh_db, jobs=2)
    serial = restore(inv, scratch_server, database=second_db, jobs=1)

    assert [dataclasses.replace(e, id=0) for e in parallel.errors] == [
        dataclasses.replace(e, id=0) for e in serial.errors
    ]
    kinds = [e.object_type for e in parallel.errors]
    assert kinds[:3] == ["CONSTRAINT", "CONSTRAINT", "INDEX"], kinds
    assert _shape(scratch_server, parallel) == _shape(scratch_server, serial)


def test_a_data_only_dump_into_indexed_tables_loads_each_table_in_one_piece(
    scratch_server: ScratchServer, fresh_db: str, second_db: str, tmp_path: Path, tiny_parts: None
) -> None:
    """Into a table with a unique index, two parts holding the same key would wait for each
    other's transaction forever: such a table is never cut, and the duplicate fails the COPY."""
    rows = (
        "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20000) g;"
        "INSERT INTO t VALUES (1, 'again');"
    )
    with source_db(scratch_server, "CREATE TABLE t (id integer, v text);" + rows) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "data.sql", "plain", "--data-only")
    base = "CREATE TABLE public.t (id integer PRIMARY KEY, v text);"
    inv = inventory_of(dump)
    parallel = restore(inv, scratch_server, database=fresh_db, jobs=2, base_schema=base)
    serial = restore(inv, scratch_server, database=second_db, jobs=1, base_schema=base)

    (err,) = [e for e in parallel.errors if e.object_type == "TABLE DATA"]
    assert "duplicate key" in err.message
    assert parallel.catalog.table("public", "t").rows == 0  # type: ignore[union-attr]
    assert _shape(scratch_server, parallel) == _shape(scratch_server, serial)


def test_a_script_inside_its_own_transaction_runs_on_one_session(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, tiny_parts: None
) -> None:
    """Other sessions cannot see a table created in the script's open BEGIN block."""
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain")
    text = dump.read_text()
    first = text.index("CREATE TABLE")
    wrapped = tmp_path / "one-transaction.sql"
    wrapped.write_text(text[:first] + "BEGIN;\n" + text[first:] + "\nCOMMIT;\n")
    result = restore(inventory_of(wrapped), scratch_server, database=fresh_db, jobs=2)

    assert result.errors == ()
    assert result.catalog.table("public", "post").rows == 20000  # type: ignore[union-attr]


def test_a_role_that_may_not_truncate_still_loads_its_rows(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """The script loads a table as a role that may insert but not truncate: no TRUNCATE is
    tried for it (the load is the script's own COPY, nothing more)."""
    rows = "".join(f"{i}\tv{i}\n" for i in range(1, 1001))
    script = tmp_path / "role.sql"
    script.write_text(
        "SET client_encoding = 'UTF8';\n"
        "SET standard_conforming_strings = on;\n"
        "CREATE TABLE public.t (id integer, v text);\n"
        "DO $$ BEGIN CREATE ROLE loader_only NOLOGIN; EXCEPTION WHEN duplicate_object THEN "
        "NULL; END $$;\n"
        "GRANT USAGE ON SCHEMA public TO loader_only;\n"
        "GRANT SELECT, INSERT ON public.t TO loader_only;\n"
        "SET ROLE loader_only;\n"
        f"COPY public.t (id, v) FROM stdin;\n{rows}\\.\n\n"
        "RESET ROLE;\n"
    )
    result = restore(inventory_of(script), scratch_server, database=fresh_db, jobs=2)

    assert result.errors == ()
    assert result.catalog.table("public", "t").rows == 1000  # type: ignore[union-attr]


def test_the_biggest_table_loads_first(
    scratch_server: ScratchServer,
    fresh_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pg_restore -j's order (the ready entry with the most data first): pg_dump writes the
    data in name order, small ``a`` and ``b`` before big ``z``. The first COPY starts at once;
    the second session waits for the largest of the run of COPY blocks the driver reads on
    through, so ``z`` loads before ``b`` (in script order, ``b`` came first)."""
    with source_db(
        scratch_server,
        "CREATE TABLE a (id integer PRIMARY KEY); INSERT INTO a VALUES (1);"
        "CREATE TABLE b (id integer PRIMARY KEY); INSERT INTO b SELECT generate_series(1, 10);"
        "CREATE TABLE z (id integer PRIMARY KEY); INSERT INTO z SELECT generate_series(1, 9000);",
    ) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "d.sql", "plain")
    started: list[str] = []
    read_on = threading.Event()  # set once the driver has read past the COPY blocks
    load, dispatch = plaingroup.Group._load, plainjobs.PlainJobs._dispatch

    def first_waits(self: plaingroup.Group, start: int, end: int) -> object:
        started.append(self.block.table.name)
        if len(started) == 1:
            assert read_on.wait(10)
        return load(self, start, end)

    def dispatched(self: plainjobs.PlainJobs, *, everything: bool) -> None:
        dispatch(self, everything=everything)
        if everything:
            read_on.set()

    monkeypatch.setattr(plaingroup.Group, "_load", first_waits)
    monkeypatch.setattr(plainjobs.PlainJobs, "_dispatch", dispatched)
    result = restore(inventory_of(dump), scratch_server, database=fresh_db, jobs=2)
    assert result.errors == ()
    # `a` starts at once unless the machine is so busy that it is still queued when the
    # others come: then the pool, too, takes the biggest first (z, b, a).
    assert sorted(started) == ["a", "b", "z"] and started.index("z") < started.index("b")
    assert {t.name: t.rows for t in result.catalog.tables.values()} == {"a": 1, "b": 10, "z": 9000}
