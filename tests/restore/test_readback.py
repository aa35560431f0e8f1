"""Both ways of reading a restored table back give one fingerprint; a failing COPY into the
named pipe raises instead of hanging, and leaves nothing behind."""

from __future__ import annotations

import fcntl
import os
import threading

import psycopg
import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint, RowHasher
from dumpcheck.restore import fingerprints, parts, readback
from dumpcheck.restore.readback import PipeReader, read_stdout
from dumpcheck.restore.readsession import TableRequest
from dumpcheck.scratch.model import ScratchServer

DATA = r"""
CREATE TABLE t (id int, v text, b bytea);
INSERT INTO t SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE E'a\tb\nc\\' || g END,
    decode(md5(g::text), 'hex') FROM generate_series(1, 30000) g;
"""


def test_pipe_and_client_reads_agree(scratch_server: ScratchServer, fresh_db: str) -> None:
    assert scratch_server.socket_dir is not None
    key = QualifiedName("public", "t")
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(DATA)
        direct = read_stdout(conn, key, ("id", "v", "b"))
        pipe = PipeReader(scratch_server.socket_dir)
        try:
            assert pipe.read(conn, key, ("id", "v", "b")) == direct
            assert pipe.read(conn, key, ("id", "v", "b")) == direct  # the pipe is reusable
        finally:
            pipe.close()
        assert not pipe.path.exists()
    assert direct.rows == 30000


def test_a_failing_copy_into_the_pipe_raises(scratch_server: ScratchServer, fresh_db: str) -> None:
    assert scratch_server.socket_dir is not None
    before = threading.active_count()
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(DATA)
        pipe = PipeReader(scratch_server.socket_dir)
        try:
            with pytest.raises(psycopg.errors.UndefinedColumn):
                pipe.read(conn, QualifiedName("public", "t"), ("nope",))
            assert pipe.read(conn, QualifiedName("public", "t"), ("id",)).rows == 30000
        finally:
            pipe.close()
    assert threading.active_count() == before


def test_a_table_read_in_parts_gives_the_whole_tables_fingerprint(
    scratch_server: ScratchServer, fresh_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts of a few heap pages each (the real size is 32 MiB): their sum is the table's,
    with rows on every page, deleted rows left behind, and a short tail joined."""
    assert scratch_server.socket_dir is not None
    key = QualifiedName("public", "t")
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(DATA)
        conn.execute("DELETE FROM t WHERE id % 7 = 0")  # dead tuples: parts skip them alike
        pages = conn.execute("SELECT pg_relation_size('t') / 8192").fetchone()[0]  # type: ignore[index]
        whole = read_stdout(conn, key, ("id", "v", "b"))
    assert pages > 40
    dump = Fingerprint(whole.rows, whole.sum)
    monkeypatch.setattr(parts, "PART_PAGES", 4)
    cut = parts.parts(pages)
    assert len(cut) > 10 and cut[-1][0] is not None and cut[-1][0][1] is None
    for pipe_dir in (scratch_server.socket_dir, None):
        for jobs in (1, 2, 3):
            found = fingerprints.fingerprint_restored(
                scratch_server.dsn(fresh_db),
                [TableRequest(key, dump, ("id", "v", "b"))],
                encoding="UTF8",
                source_major=18,
                jobs=jobs,
                pipe_dir=pipe_dir,
            )
            assert found.fingerprints == {key: whole}, (pipe_dir, jobs)
    assert whole.rows == 30000 - 30000 // 7


def test_parts_cover_every_page_once() -> None:
    size = parts.PART_PAGES
    assert parts.parts(None) == [(None, 0)]
    assert parts.parts(2 * size - 1) == [(None, 2 * size - 1)]
    for pages in (2 * size, 2 * size + 1, 3 * size - 1, 3 * size + size // 2, 10 * size + 7):
        cut = [p for p, _ in parts.parts(pages)]
        assert all(p is not None for p in cut)
        starts = [p[0] for p in cut if p is not None]
        stops = [p[1] for p in cut if p is not None]
        assert starts[0] == 0 and stops[-1] is None and stops[:-1] == starts[1:]
        assert pages - starts[-1] >= size // 2  # a short tail joins the part before it


@pytest.mark.parametrize("grows", [True, False])
def test_the_pipe_is_drained_whole_in_page_sized_writes(
    grows: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the server writes (one 4 KiB stdio page at a time, rows cut anywhere), with the pipe
    enlarged and pausing on short reads, or left at 64 KiB (pipe-max-size too low) and not."""
    rows = b"".join(b"%d\tvalue %d\\n\\\\\n" % (i, i * 7) for i in range(40000))
    if not grows:
        real = fcntl.fcntl

        def refuse(fd: int, cmd: int, arg: int = 0) -> int:
            if cmd == fcntl.F_SETPIPE_SZ:
                raise PermissionError("pipe-max-size")
            return real(fd, cmd, arg)

        monkeypatch.setattr(fcntl, "fcntl", refuse)
    read_end, write_end = os.pipe()

    def write() -> None:
        with os.fdopen(write_end, "wb", buffering=0) as out:
            for at in range(0, len(rows), 4096):
                out.write(rows[at : at + 4096])

    writer = threading.Thread(target=write)
    writer.start()
    hasher = RowHasher()
    try:
        readback._drain(read_end, hasher)
    finally:
        writer.join()
        os.close(read_end)
    whole = RowHasher()
    whole.feed(rows)
    assert hasher.result() == whole.result()
    assert hasher.rows == 40000
