"""Tables read back while the restore runs: when a table is ready (its data and constraints
finished), that the early read is the read afterwards, that a failed early read is read again,
and that leaving early (Ctrl-C, a failed restore) stops a read in progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import pg_dump

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint
from dumpcheck.inventory import inventory
from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore import EarlyReads, fingerprint_restored, parts, restore
from dumpcheck.restore.overlap import PlainReady, partitions, ready_watch
from dumpcheck.restore.readback import read_stdout
from dumpcheck.restore.readsession import TableRequest
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import early_reads, with_fingerprints

A, B = QualifiedName("public", "a"), QualifiedName("public", "b")
ENTRIES = [
    TocEntry(1, "TABLE", "a", "public"),
    TocEntry(10, "TABLE DATA", "a", "public", dependencies=(1,)),
    TocEntry(20, "CONSTRAINT", "a a_pkey", "public", dependencies=(1,)),
    TocEntry(21, "CONSTRAINT", "a a_code_key", "public", dependencies=(1,)),
    TocEntry(30, "INDEX", "a_idx", "public", dependencies=(1,)),
    TocEntry(40, "FK CONSTRAINT", "a a_fk", "public", dependencies=(1, 20)),
    # A data-only dump's data item: its table is not in the dump.
    TocEntry(11, "TABLE DATA", "b", "public", dependencies=(99,)),
]


def _watch() -> tuple[Callable[[str], None], list[QualifiedName]]:
    seen: list[QualifiedName] = []
    return ready_watch(ENTRIES, seen.append), seen


def test_a_table_is_ready_once_its_data_and_constraints_finished() -> None:
    on_line, seen = _watch()
    on_line("pg_restore: finished item 10 TABLE DATA a")
    on_line("pg_restore: finished item 20 CONSTRAINT a a_pkey")
    on_line("pg_restore: finished item 30 INDEX a_idx")  # an index changes no row: not waited
    assert seen == []
    on_line("pg_restore: finished item 21 CONSTRAINT a a_code_key")
    assert seen == [A]
    on_line("pg_restore: finished item 40 FK CONSTRAINT a a_fk")
    on_line("pg_restore: finished item 21 CONSTRAINT a a_code_key")  # said twice: once only
    assert seen == [A]


def test_constraints_before_the_data_and_a_data_only_item() -> None:
    on_line, seen = _watch()
    on_line("pg_restore: finished item 11 TABLE DATA b")
    on_line('pg_restore: processing data for table "public.a"')  # not a finished item
    on_line("pg_restore: finished item 20 CONSTRAINT a a_pkey")
    on_line("pg_restore: finished item 21 CONSTRAINT a a_code_key")
    assert seen == [B]
    on_line("pg_restore: finished item 10 TABLE DATA a")
    assert seen == [B, A]


def test_a_serial_restore_names_no_finished_item() -> None:
    on_line, seen = _watch()
    for line in ('pg_restore: creating TABLE "public.a"', "pg_restore: processing item 10"):
        on_line(line)
    assert seen == []


def test_a_serial_restore_is_done_with_a_table_when_it_announces_the_next_item() -> None:
    seen: list[QualifiedName] = []
    on_line = ready_watch(ENTRIES, seen.append, serial=True)
    on_line('pg_restore: creating TABLE "public.a"')
    on_line('pg_restore: processing data for table "public.a"')
    on_line('pg_restore: error: COPY failed for table "a": ERROR:  boom')  # not an item
    assert seen == []
    on_line('pg_restore: processing data for table "public.b"')
    assert seen == [A]
    on_line('pg_restore: creating CONSTRAINT "public.a a_pkey"')
    on_line('pg_restore: creating INDEX "public.a_idx"')
    assert seen == [A, B]


def test_a_serial_log_name_that_two_tables_share_is_never_announced() -> None:
    """pg_restore prints "schema.name" unquoted: "x.y"."z" and "x"."y.z" read alike."""
    entries = [
        TocEntry(1, "TABLE DATA", "z", "x.y"),
        TocEntry(2, "TABLE DATA", "y.z", "x"),
        TocEntry(3, "TABLE DATA", "a", "public"),
    ]
    seen: list[QualifiedName] = []
    on_line = ready_watch(entries, seen.append, serial=True)
    for line in (
        'pg_restore: processing data for table "x.y.z"',
        'pg_restore: processing data for table "x.y.z"',
        'pg_restore: processing data for table "public.a"',
        "pg_restore: executing SEQUENCE SET s",
    ):
        on_line(line)
    assert seen == [A]


SOURCE = """
CREATE TABLE a (id int PRIMARY KEY, code text UNIQUE, at timestamptz);
CREATE INDEX a_at ON a (at);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a, note text);
INSERT INTO a SELECT g, 'c' || g, timestamptz '2024-01-01 00:00+00' + g * interval '1 min'
  FROM generate_series(1, 20000) g;
INSERT INTO b SELECT g, 1 + g % 20000, E'x\\ty' || g FROM generate_series(1, 30000) g;
"""


def test_plain_ready_waits_for_every_block_of_a_table() -> None:
    """On one session: once the table's last COPY block ended, keys or not."""
    seen: list[QualifiedName] = []
    entries = [*ENTRIES, TocEntry(12, "TABLE DATA", "b", "public")]  # b's data in two blocks
    ready = PlainReady(entries, seen.append, keys=False)
    ready.data_done(B)
    ready.data_done(QualifiedName("public", "nowhere"))  # not a data entry of the dump: ignored
    ready.key_done("public", "a a_pkey")  # keys are not waited for
    assert seen == []
    ready.data_done(A)
    ready.data_done(B)
    ready.data_done(B)  # once only
    assert seen == [A, B]


def test_plain_ready_on_several_sessions_waits_for_the_keys_too() -> None:
    seen: list[QualifiedName] = []
    ready = PlainReady(ENTRIES, seen.append, keys=True)
    ready.data_done(A)
    ready.key_done("public", "a a_pkey")
    assert seen == []
    ready.key_done("public", "a a_code_key")
    assert seen == [A]


def test_a_constraint_name_that_hides_its_table_reads_that_schema_after_the_restore() -> None:
    """A constraint entry named "my table my_pkey": on table "my table", or on "my"?"""
    seen: list[QualifiedName] = []
    entries = [
        *ENTRIES,
        TocEntry(50, "CONSTRAINT", "my table my_pkey", "public"),
        TocEntry(60, "TABLE DATA", "c", "other"),
    ]
    ready = PlainReady(entries, seen.append, keys=True)
    for key in (A, QualifiedName("other", "c")):
        ready.data_done(key)
    ready.key_done("public", "a a_pkey")
    ready.key_done("public", "a a_code_key")
    assert seen == [QualifiedName("other", "c")]


@pytest.mark.parametrize(
    ("fmt", "jobs"),
    [("custom", 2), ("custom", 1), ("tar", 2), ("plain", 2), ("plain", 1)],
    ids=["custom-j2", "custom-j1", "tar", "plain-j2", "plain-j1"],
)
def test_a_restore_reads_tables_early_and_the_fingerprints_match(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str, jobs: int
) -> None:
    """A real archive restored in parallel, on one job, a tar archive (which pg_restore
    restores serially), a plain dump on several sessions and on one: every table is announced
    ready during the restore, and the fingerprints (early reads and the rest) are the dump's."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SOURCE)
    dump = pg_dump(scratch_server, fresh_db, tmp_path / "db.dump", fmt)
    inv = inventory(dump)
    announced: list[QualifiedName] = []
    with early_reads(inv, scratch_server) as early:
        ready = early.ready

        def spy(table: QualifiedName) -> None:
            announced.append(table)
            ready(table)

        early.ready = spy  # type: ignore[method-assign]
        uncounted = frozenset(inv.fingerprints)
        restored = restore(inv, scratch_server, jobs=jobs, uncounted=uncounted, early=early)
        restored = with_fingerprints(restored, inv, scratch_server, jobs, uncounted, early)
    assert sorted(announced) == [A, B]
    assert restored.fingerprints is not None
    assert restored.fingerprints.fingerprints == {A: inv.fingerprints[A], B: inv.fingerprints[B]}
    assert {k: restored.catalog.tables[k].rows for k in (A, B)} == {A: 20000, B: 30000}


def _requests(conninfo: str) -> list[TableRequest]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET DateStyle = 'ISO'")
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET extra_float_digits = 3")
        columns = {A: ("id", "code", "at"), B: ("id", "a_id", "note")}
        return [TableRequest(k, read_stdout(conn, k, names)) for k, names in columns.items()]


def _wait(done: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _early_thread_alive() -> bool:
    return any(t.name == "dumpcheck-early-readback" for t in threading.enumerate())


def test_early_reads_are_the_reads_afterwards(scratch_server: ScratchServer, fresh_db: str) -> None:
    dsn = scratch_server.dsn(fresh_db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SOURCE)
    requests = _requests(dsn)
    args = {"encoding": "UTF8", "source_major": 18, "pipe_dir": scratch_server.socket_dir}
    with EarlyReads(requests, **args) as early:  # type: ignore[arg-type]
        early.start(dsn)
        early.ready(A)
        early.ready(B)
        _wait(lambda: len(early.read_so_far()) == 2)
        found = fingerprint_restored(dsn, requests, early=early, **args)  # type: ignore[arg-type]
    later = fingerprint_restored(dsn, requests, **args)  # type: ignore[arg-type]
    assert found == later
    assert found.fingerprints == {r.table: r.dump for r in requests}


def test_a_failed_early_read_is_read_again(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """The early session cannot read (here: its pipe directory is gone); the table it took is
    read after the restore, and nothing is lost."""
    dsn = scratch_server.dsn(fresh_db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SOURCE)
    requests = _requests(dsn)
    early = EarlyReads(requests, encoding="UTF8", source_major=18, pipe_dir=tmp_path / "gone")
    with early:
        early.start(dsn)
        early.ready(A)
        _wait(lambda: not _early_thread_alive())
        found = fingerprint_restored(dsn, requests, encoding="UTF8", source_major=18, early=early)
    assert early.join() == frozenset()  # took a table, planned none
    assert found.fingerprints == {r.table: r.dump for r in requests}


@pytest.mark.parametrize("through_pipe", [True, False], ids=["pipe", "client"])
def test_leaving_early_stops_a_read_in_progress(
    scratch_server: ScratchServer, fresh_db: str, through_pipe: bool
) -> None:
    """Ctrl-C or a failed restore leaves the block: the statement running is cancelled at once
    (here it waits for a lock another session holds), and its session is gone."""
    dsn = scratch_server.dsn(fresh_db)
    pipe_dir = scratch_server.socket_dir if through_pipe else None
    with psycopg.connect(dsn, autocommit=True) as conn, psycopg.connect(dsn) as holder:
        conn.execute(SOURCE)
        holder.execute("LOCK TABLE a IN ACCESS EXCLUSIVE MODE")

        def waiting() -> bool:
            """The early reader waits for the lock (sizing the table's parts, or its COPY)."""
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dumpcheck'"
                " AND state = 'active' AND wait_event_type = 'Lock'"
            ).fetchone()
            return bool(row and row[0])

        request = TableRequest(A, Fingerprint(0, 0))
        with EarlyReads([request], encoding="UTF8", source_major=18, pipe_dir=pipe_dir) as early:
            early.start(dsn)
            early.ready(A)
            _wait(waiting)
            left = time.monotonic()
        assert time.monotonic() - left < 3
        assert not _early_thread_alive()
        _wait(lambda: not waiting(), 5)
        assert early.read_so_far() == {}
        holder.rollback()
    if pipe_dir is not None:
        assert not list(pipe_dir.glob("fingerprint-*.fifo"))


def test_a_scripts_own_begin_block_is_read_after_it_commits(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """A plain script in one transaction (pg_restore -1 -f writes BEGIN ... COMMIT): no other
    session sees its rows before the end, so no table is announced inside the block."""
    assert scratch_server.install is not None
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SOURCE)
    custom = pg_dump(scratch_server, fresh_db, tmp_path / "db.dump", "custom")
    script = tmp_path / "one.sql"
    run(
        scratch_server.install.binary("pg_restore"),
        ["-1", "-f", str(script), str(custom)],
        major=scratch_server.major,
    )
    assert "BEGIN;" in script.read_text()
    inv = inventory(script)
    announced: list[QualifiedName] = []
    with early_reads(inv, scratch_server) as early:
        early.ready = announced.append  # type: ignore[method-assign,assignment]
        uncounted = frozenset(inv.fingerprints)
        restored = restore(inv, scratch_server, jobs=1, uncounted=uncounted, early=early)
        restored = with_fingerprints(restored, inv, scratch_server, 1, uncounted, early)
    assert announced == []
    assert restored.fingerprints is not None
    assert restored.fingerprints.fingerprints == dict(inv.fingerprints)


PARTITIONED = """
CREATE TABLE m (id int, region text) PARTITION BY LIST (region);
CREATE TABLE m_eu PARTITION OF m FOR VALUES IN ('eu');
CREATE TABLE m_us PARTITION OF m FOR VALUES IN ('us');
CREATE TABLE flat (id int);
INSERT INTO m SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 100) g;
INSERT INTO flat SELECT generate_series(1, 10);
"""


@pytest.mark.parametrize("fmt", ["custom", "plain"])
def test_partitions_are_read_after_the_restore(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str
) -> None:
    """--load-via-partition-root loads a partition's rows through the root, into any sibling:
    a partition is final only when the restore is, so it is never read early."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(PARTITIONED)
    dump = pg_dump(scratch_server, fresh_db, tmp_path / "db.dump", fmt, "--load-via-partition-root")
    inv = inventory(dump)
    eu, us = QualifiedName("public", "m_eu"), QualifiedName("public", "m_us")
    assert partitions(inv.entries) == {eu, us}
    with early_reads(inv, scratch_server) as early:
        uncounted = frozenset(inv.fingerprints)
        restored = restore(inv, scratch_server, jobs=2, uncounted=uncounted, early=early)
        restored = with_fingerprints(restored, inv, scratch_server, 2, uncounted, early)
        assert early.join() <= {QualifiedName("public", "flat")}
    assert restored.fingerprints is not None
    assert restored.fingerprints.fingerprints == dict(inv.fingerprints)


@pytest.mark.parametrize("through_pipe", [True, False], ids=["pipe", "client"])
def test_a_table_the_early_reader_began_is_finished_by_every_reader(
    scratch_server: ScratchServer,
    fresh_db: str,
    monkeypatch: pytest.MonkeyPatch,
    through_pipe: bool,
) -> None:
    """The early reader plans a big table's parts and reads some; the readers after the
    restore take the rest from the same queue: each part is read once, the sum is the
    table's (parts of 4 pages here; really 32 MiB)."""
    monkeypatch.setattr(parts, "PART_PAGES", 4)
    dsn = scratch_server.dsn(fresh_db)
    pipe_dir = scratch_server.socket_dir if through_pipe else None
    names = ("id", "v")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE a AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 60000) g"
        )
        whole = read_stdout(conn, A, names)
    requests = [TableRequest(A, whole, names)]
    args = {"encoding": "UTF8", "source_major": 18, "pipe_dir": pipe_dir}
    with EarlyReads(requests, **args) as early:  # type: ignore[arg-type]
        early.start(dsn)
        early.ready(A)
        _wait(lambda: A in early.read_so_far())
        found = fingerprint_restored(dsn, requests, jobs=2, early=early, **args)  # type: ignore[arg-type]
        assert early.join() == {A}
    assert found.fingerprints == {A: whole}
    assert whole.rows == 60000
