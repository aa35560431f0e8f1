"""The scratch server dies in the middle of a restore: exit 3 with the log tail, then cleanup."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psycopg
import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.errors import EXIT_ENVIRONMENT, ScratchServerError
from dumpcheck.restore import restore
from dumpcheck.scratch import create_database, open_scratch
from dumpcheck.scratch.model import ScratchServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BIG = """
CREATE TABLE big (id integer, payload text);
INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 400000) g;
"""


def _kill_when_copy_runs(server: ScratchServer, db: str, done: threading.Event) -> None:
    """SIGKILL the postmaster as soon as a COPY into ``db`` is running."""
    deadline = time.monotonic() + 60
    with psycopg.connect(server.conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline and not done.is_set():
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND query LIKE 'COPY%%'",
                (db,),
            ).fetchone()
            if row and row[0]:
                assert server.pid is not None
                os.kill(server.pid, signal.SIGKILL)
                return
            time.sleep(0.01)


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_server_killed_mid_restore_is_environment_failure(tmp_path: Path, fmt: str) -> None:
    with open_scratch() as server:
        with source_db(server, BIG) as src:
            dump = pg_dump(server, src, tmp_path / f"big.{fmt}", fmt)
        inv = inventory_of(dump)
        db = create_database(server)
        done = threading.Event()
        killer = threading.Thread(target=_kill_when_copy_runs, args=(server, db, done))
        killer.start()
        try:
            with pytest.raises(ScratchServerError) as info:
                restore(inv, server, database=db)
        finally:
            done.set()
            killer.join()
        assert info.value.exit_code == EXIT_ENVIRONMENT
        assert "died" in str(info.value) and "log tail" in str(info.value)
        socket_dir = server.socket_dir
    # Leaving the block cleaned the dead server's directory up without a second error.
    assert socket_dir is not None and not socket_dir.exists()


def test_a_session_lost_while_it_forks_is_environment_failure(
    scratch_server: ScratchServer, fresh_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A parallel plain restore forks a session per worker and replays the dump's settings on
    # it; the server going away between the connect and the settings raised psycopg's own
    # OperationalError (a traceback, not exit 3). Here the new backend is ended at that moment.
    from dumpcheck.restore.plainsession import Session

    session = Session(scratch_server, scratch_server.dsn(fresh_db))
    session.reconnect()
    session.settings = [b"SET statement_timeout = 0"]
    connect = Session.reconnect

    def connect_then_lose(self: Session) -> None:
        connect(self)
        assert self.conn is not None
        pid = self.conn.info.backend_pid
        with psycopg.connect(scratch_server.conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    monkeypatch.setattr(Session, "reconnect", connect_then_lose)
    with pytest.raises(ScratchServerError) as info:
        session.fork()
    session.close()
    assert info.value.exit_code == EXIT_ENVIRONMENT
