"""Read a restored table's rows back as COPY text and hash them (dumpcheck.fingerprint).

Two ways, one answer. ``COPY ... TO STDOUT`` works on any server but hands Python one row per
message (about 0.7 us a row here). On a scratch server dumpcheck runs itself, the server writes
the rows with ``COPY ... TO '<fifo>'`` into a named pipe in its private socket directory, and
they are read in large blocks and hashed in bulk (measured 3x faster). Writing a server file
needs superuser, which dumpcheck is on its own cluster; COPY to a file uses the session's
client_encoding like COPY to the client does (copyto.c), so both ways give the same bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dumpcheck.catalog import QualifiedName
from dumpcheck.fingerprint import Fingerprint, RowHasher

_BATCH = 4096  # rows per hashing step on the STDOUT path
_BLOCK = 1 << 20
# The server writes COPY TO a file through stdio, whose buffer for a pipe is one page (4 KiB):
# a reader that waits in read() wakes, and wakes the writer, once per page. With the pipe
# enlarged to _BLOCK (Linux F_SETPIPE_SZ; 1 MiB is the unprivileged pipe-max-size default),
# a short read means the writer is behind: the reader pauses for _PAUSE, about the time one
# backend needs to render half a megabyte, and reads the rest in one go. Measured on the bench
# tables: the reader's CPU 0.5 s -> 0.15 s, the read-back's time -20% to -30%.
_PAUSE = 0.001


# Heap pages [first, stop) of a table (stop None: to its end), read as one part of it.
Pages = tuple[int, int | None]


def copy_statement(
    key: QualifiedName, names: tuple[str, ...], target: sql.Composable, pages: Pages | None = None
) -> sql.SQL:
    """``COPY s.t (a, b) TO <target>``; COPY of a plain table copies no child rows (like
    pg_dump's per-table data). With ``pages``, only the rows on those heap pages, through a
    query that PostgreSQL 14+ runs as a TID range scan: the same text, one part of the sum."""
    table = sql.Identifier(key.schema, key.name)
    columns = sql.SQL(", ").join(map(sql.Identifier, names))
    if pages is None:
        return sql.SQL("COPY {} ({}) TO {}").format(  # type: ignore[return-value]
            table, columns, target
        )
    first, stop = pages
    bounds = [sql.SQL("ctid >= {}::tid").format(sql.Literal(f"({first},0)"))]
    if stop is not None:
        bounds.append(sql.SQL("ctid < {}::tid").format(sql.Literal(f"({stop},0)")))
    return sql.SQL("COPY (SELECT {} FROM ONLY {} WHERE {}) TO {}").format(  # type: ignore[return-value]
        columns, table, sql.SQL(" AND ").join(bounds), target
    )


def read_stdout(
    conn: psycopg.Connection[Any],
    key: QualifiedName,
    names: tuple[str, ...],
    pages: Pages | None = None,
) -> Fingerprint:
    """The rows through the client connection."""
    hasher = RowHasher()
    batch: list[Any] = []
    with conn.cursor().copy(copy_statement(key, names, sql.SQL("STDOUT"), pages)) as copy:
        for row in copy:  # one row per message, its newline included (CopyOneRowTo)
            batch.append(row)
            if len(batch) >= _BATCH:
                hasher.feed(b"".join(batch))
                batch.clear()
    if batch:
        hasher.feed(b"".join(batch))
    return hasher.result()


class PipeReader:
    """Reads tables through a named pipe the server writes into; one per connection."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / f"fingerprint-{secrets.token_hex(6)}.fifo"
        os.mkfifo(self.path, 0o600)
        owner = directory.stat().st_uid
        if os.geteuid() == 0 and owner != 0:
            # The server runs as an unprivileged user when we are root (scratch/local.py).
            os.chown(self.path, owner, -1)

    def close(self) -> None:
        """Remove the pipe."""
        self.path.unlink(missing_ok=True)

    def read(
        self,
        conn: psycopg.Connection[Any],
        key: QualifiedName,
        names: tuple[str, ...],
        pages: Pages | None = None,
    ) -> Fingerprint:
        """The rows through the pipe; the same fingerprint ``read_stdout`` gives."""
        hasher = RowHasher()
        failed: list[BaseException] = []

        def drain() -> None:
            try:
                with self.path.open("rb", buffering=0) as pipe:  # waits for the writer
                    _drain(pipe.fileno(), hasher)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                failed.append(exc)

        reader = threading.Thread(target=drain, name="dumpcheck-readback", daemon=True)
        reader.start()
        try:
            conn.execute(copy_statement(key, names, sql.Literal(str(self.path)), pages))
        except BaseException:
            self._release(reader)
            raise
        reader.join()
        if failed:
            raise failed[0]
        return hasher.result()

    def _release(self, reader: threading.Thread) -> None:
        """COPY failed, maybe before the server opened the pipe: the reader may still wait in
        open(), so open the write end (non-blocking: it fails while no reader waits) until the
        reader has seen end-of-file."""
        while reader.is_alive():
            with contextlib.suppress(OSError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=0.01)


def _drain(fd: int, hasher: RowHasher) -> None:
    """Hash what the pipe ``fd`` carries until the writer closes it, in blocks (_PAUSE)."""
    # It fails with pipe-max-size lowered, or the user's pipe-user-pages-soft quota used up.
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _BLOCK)
    # Pausing only pays when the pipe holds more than the writer adds in one pause; with the
    # default 64 KiB pipe it would stall the writer, so read as it comes.
    pause = fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) >= _BLOCK
    buffer = bytearray(_BLOCK)
    with memoryview(buffer) as view:
        while n := os.readv(fd, [buffer]):
            hasher.feed(view, 0, n)
            if pause and n < _BLOCK // 4:
                time.sleep(_PAUSE)
