"""Truncated and unreadable dumps: what survives, and how the loss is reported."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from tests.restore.dumps import inventory_of, pg_dump, source_db

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BadInputError
from dumpcheck.restore import restore
from dumpcheck.scratch.model import ScratchServer

pytestmark = pytest.mark.postgres

SQL = """
CREATE TABLE a (id integer PRIMARY KEY, v text);
INSERT INTO a SELECT g, 'row-' || g FROM generate_series(1, 1000) g;
CREATE TABLE z (id integer PRIMARY KEY);
INSERT INTO z VALUES (1);
"""
ROW_500 = b"500\trow-500\n"


def _truncated(server: ScratchServer, tmp_path: Path, fmt: str, *, mid_row: bool) -> Path:
    """A real dump of SQL cut inside table a's COPY data: mid-row, or right after row 500."""
    with source_db(server, SQL) as src:
        # -Z0: uncompressed, so that the cut lands at a known row of the custom archive too.
        extra = ("-Z0",) if fmt == "custom" else ()
        dump = pg_dump(server, src, tmp_path / f"full.{fmt}", fmt, *extra)
    data = dump.read_bytes()
    at = data.index(ROW_500) + (5 if mid_row else len(ROW_500))
    cut = tmp_path / f"cut.{fmt}"
    cut.write_bytes(data[:at])
    return cut


@pytest.mark.parametrize("mid_row", [True, False], ids=["mid-row", "row-boundary"])
def test_plain_dump_truncated_in_copy_keeps_whole_rows(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, mid_row: bool
) -> None:
    dump = _truncated(scratch_server, tmp_path, "plain", mid_row=mid_row)
    result = restore(inventory_of(dump), scratch_server, database=fresh_db)

    (err,) = result.errors
    assert (err.severity, err.root_cause_id, err.object_type) == ("fatal", None, "TABLE DATA")
    assert err.table == QualifiedName("public", "a")
    assert err.message.startswith("the dump ends inside the COPY data of public.a")
    assert err.statement == "COPY public.a (id, v) FROM stdin;"
    assert ("partial row" in err.message) is mid_row
    a = result.catalog.table("public", "a")
    assert a is not None and a.rows == (499 if mid_row else 500)


@pytest.mark.parametrize("mid_row", [True, False], ids=["mid-row", "row-boundary"])
def test_custom_dump_truncated_in_copy_loses_the_table_and_everything_after(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, mid_row: bool
) -> None:
    dump = _truncated(scratch_server, tmp_path, "custom", mid_row=mid_row)
    result = restore(inventory_of(dump), scratch_server, database=fresh_db)

    # pg_restore reads a data block whole before sending it: the cut block never reaches the
    # server, the COPY of a gets no rows, and pg_restore gives up (every later item is lost).
    a, z = QualifiedName("public", "a"), QualifiedName("public", "z")
    # Which worker prints first is up to the scheduler: the root is the first of pg_restore's
    # own fatal errors ("could not read from input file", "could not find block ID", or just
    # "a worker process died unexpectedly"), and every lost item hangs off one of them.
    roots = [e for e in result.errors if e.root_cause_id is None and e.severity != "other"]
    assert roots and all(e.severity == "fatal" and e.sqlstate is None for e in roots)
    assert {e.table for e in roots} <= {a, z, None}
    lost_data = {e.table for e in result.errors if e.object_type == "TABLE DATA"}
    assert lost_data == {a, z}
    pk = [e for e in result.errors if e.object_type == "CONSTRAINT" and e.table == a]
    assert len(pk) == 1 and pk[0].severity == "secondary"
    assert pk[0].message == "never restored: pg_restore gave up before this CONSTRAINT"
    table_a = result.catalog.table("public", "a")
    assert table_a is not None and table_a.rows == 0 and table_a.primary_key is None


def test_unreadable_archive_is_bad_input(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "ok.dump", "custom")
    inv = inventory_of(dump)
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP" + b"\xff" * 64)  # the magic, then nothing pg_restore can read
    facts = dataclasses.replace(inv.facts, path=str(garbage))
    with pytest.raises(BadInputError, match="pg_restore cannot read"):
        restore(dataclasses.replace(inv, facts=facts), scratch_server, database=fresh_db)
    missing = dataclasses.replace(inv.facts, path=str(tmp_path / "gone.dump"))
    with pytest.raises(BadInputError, match="does not exist"):
        restore(dataclasses.replace(inv, facts=missing), scratch_server, database=fresh_db)
