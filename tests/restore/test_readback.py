"""Both ways of reading a restored table back give one fingerprint; a failing COPY into the
named pipe raises instead of hanging, and leaves nothing behind."""

from __future__ import annotations

import threading

import psycopg
import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.restore.readback import PipeReader, read_stdout
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
