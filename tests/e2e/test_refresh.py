"""``dumpcheck refresh`` against a real server: promote, a failed gate, rollback, the lock,
sessions on the target, a refresh killed mid-restore, a candidate name already taken, and a role
that may not do it.

The target is a database on the session's scratch server holding "yesterday's" data; each test
checks the target by a checksum of every table's rows, taken before and after.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from dumpcheck.refresh import names
from dumpcheck.scratch.model import ScratchServer
from tests.robustness._harness import ROOT, Result, assert_contract, run_cli

DEMO = ROOT / "fixtures" / "demo"
GOOD = DEMO / "dumps" / "complete.dump"
BROKEN = DEMO / "dumps" / "products_broken.dump"
SCHEMA = DEMO / "schema.prisma"


def _databases(server: ScratchServer, prefix: str) -> list[str]:
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY 1", (prefix,)
        ).fetchall()
    return [str(r[0]) for r in rows]


def _marked(server: ScratchServer, prefix: str) -> list[str]:
    """Databases named with ``prefix`` that carry refresh's mark."""
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) "
            "AND starts_with(shobj_description(oid, 'pg_database'), %s)",
            (prefix, names.MARK),
        ).fetchall()
    return [str(r[0]) for r in rows]


def checksum(server: ScratchServer, database: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and an md5 over its rows in a fixed order."""
    out = {}
    with psycopg.connect(server.dsn(database), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, name in tables:
            ident = sql.Identifier(schema, name)
            row = conn.execute(
                sql.SQL(
                    "SELECT count(*), "
                    "md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM {} t"
                ).format(ident)
            ).fetchone()
            assert row is not None
            out[f"{schema}.{name}"] = (int(row[0]), str(row[1]))
    return out


@pytest.fixture
def target(scratch_server: ScratchServer) -> Iterator[str]:
    """A database with yesterday's data; every database named after it is dropped afterwards."""
    name = f"shop_{secrets.token_hex(4)}"
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(scratch_server.dsn(name), autocommit=True) as conn:
        conn.execute("CREATE TABLE yesterday (id int PRIMARY KEY, note text)")
        conn.execute("INSERT INTO yesterday SELECT g, 'n' || g FROM generate_series(1, 25) g")
    try:
        yield name
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            for db in _databases(scratch_server, name):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db))
                )


def _refresh(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    return run_cli(capsys, "refresh", *argv, "--quiet")


def test_a_passing_dump_is_promoted_and_the_old_target_kept(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checksum(scratch_server, target)
    url = scratch_server.dsn(target)
    result = _refresh(capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url)
    assert_contract(result, (0,), "refresh")
    assert "promoted" in result.stderr
    after = checksum(scratch_server, target)
    assert "public.products" in after and "public.yesterday" not in after
    (previous,) = _databases(scratch_server, f"{target}__previous_")
    assert checksum(scratch_server, previous) == before
    assert _databases(scratch_server, f"{target}__dumpcheck_") == []

    # Rollback swaps the old one back; the refreshed one becomes the newest previous (in the
    # same second too: the replaced one takes the next free stamp).
    back = run_cli(capsys, "refresh", "--rollback", "--target", url)
    assert_contract(back, (0,), "rollback")
    assert checksum(scratch_server, target) == before
    (refreshed,) = _databases(scratch_server, f"{target}__previous_")
    assert checksum(scratch_server, refreshed) == after


def test_a_failed_gate_leaves_the_target_untouched(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checksum(scratch_server, target)
    url = scratch_server.dsn(target)
    result = _refresh(capsys, str(BROKEN), "--prisma", str(SCHEMA), "--target", url)
    assert_contract(result, (1,), "refresh of a broken dump")
    assert "not promoted" in result.stderr and "untouched" in result.stderr
    assert checksum(scratch_server, target) == before
    assert _databases(scratch_server, f"{target}__") == []
    # --allow cannot let a table that failed to restore through.
    allowed = _refresh(
        capsys, str(BROKEN), "--prisma", str(SCHEMA), "--target", url, "--allow", "drift",
        "--keep-failed",
    )  # fmt: skip
    assert_contract(allowed, (1,), "refresh --allow drift")
    (kept,) = _databases(scratch_server, f"{target}__dumpcheck_")
    assert kept in allowed.stderr
    assert checksum(scratch_server, target) == before


def test_keep_drops_only_older_databases_refresh_created(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = scratch_server.dsn(target)
    for _ in range(3):
        result = _refresh(
            capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url, "--keep", "1"
        )
        assert_contract(result, (0,), "refresh --keep 1")
    previous = _databases(scratch_server, f"{target}__previous_")
    # The newest previous is kept; so is the original target, which refresh did not create.
    assert len(previous) == 2
    assert any("public.yesterday" in checksum(scratch_server, p) for p in previous)


def test_one_refresh_at_a_time(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second refresh of the same target exits 3 at once, before any work."""
    url = scratch_server.dsn(target)
    first = subprocess.Popen(
        [sys.executable, "-m", "dumpcheck", "refresh", str(GOOD), "--prisma", str(SCHEMA),
         "--target", url, "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: _databases(scratch_server, f"{target}__dumpcheck_"), 60)
        second = _refresh(capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url)
        assert_contract(second, (3,), "concurrent refresh")
        assert "another dumpcheck refresh" in second.stderr
    finally:
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert "promoted" in err


def test_a_refresh_killed_mid_restore_leaves_the_target_and_the_next_cleans_up(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checksum(scratch_server, target)
    url = scratch_server.dsn(target)
    victim = subprocess.Popen(
        [sys.executable, "-m", "dumpcheck", "refresh", str(GOOD), "--prisma", str(SCHEMA),
         "--target", url, "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        # Killed once its candidate carries the mark (mid-restore), so the next run may drop it.
        _wait_for(lambda: _marked(scratch_server, f"{target}__dumpcheck_"), 60)
    finally:
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
    assert checksum(scratch_server, target) == before
    assert _databases(scratch_server, f"{target}__previous_") == []
    result = _refresh(capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url)
    assert_contract(result, (0,), "refresh after a killed one")
    assert "dropped older databases" in result.stderr
    assert _databases(scratch_server, f"{target}__dumpcheck_") == []


def test_a_candidate_name_taken_by_an_unmarked_database_is_passed_by_and_told(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run killed between CREATE DATABASE and its mark leaves an unmarked candidate, often
    with this very second's stamp: the next refresh takes a later one, drops nothing it did not
    mark, and says what it left."""
    url = scratch_server.dsn(target)
    now = datetime.now(UTC)
    squatters = [
        names.candidate_name(target, names.stamp(now + timedelta(seconds=s))) for s in range(3)
    ]
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        for name in squatters:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    result = _refresh(capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url)
    assert_contract(result, (0,), "refresh beside unmarked candidates")
    assert "promoted" in result.stderr
    for name in squatters:
        assert f"left alone: {name}" in result.stderr
    assert _databases(scratch_server, f"{target}__dumpcheck_") == squatters
    assert "public.products" in checksum(scratch_server, target)


def test_sessions_on_the_target_block_the_swap_unless_terminated(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checksum(scratch_server, target)
    url = scratch_server.dsn(target)
    with psycopg.connect(url, autocommit=True, application_name="api") as session:
        blocked = _refresh(
            capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url, "--wait", "1s"
        )
        assert_contract(blocked, (3,), "refresh with a session on the target")
        assert "still connected" in blocked.stderr and "api" in blocked.stderr
        assert checksum(scratch_server, target) == before
        assert _databases(scratch_server, f"{target}__") == []
        forced = _refresh(
            capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url,
            "--terminate-connections",
        )  # fmt: skip
        assert_contract(forced, (0,), "refresh --terminate-connections")
        with pytest.raises(psycopg.OperationalError):
            session.execute("SELECT 1")


def test_a_role_that_may_not_refresh_is_told_before_any_work(
    scratch_server: ScratchServer, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    role = f"dumpcheck_test_{secrets.token_hex(3)}"
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        url = psycopg.conninfo.make_conninfo(scratch_server.dsn(target), user=role)
        result = _refresh(capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url)
        assert_contract(result, (3,), "refresh without CREATEDB")
        assert "lacks CREATEDB" in result.stderr
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE {} CREATEDB").format(sql.Identifier(role)))
        result = _refresh(capsys, str(GOOD), "--prisma", str(SCHEMA), "--target", url)
        assert_contract(result, (3,), "refresh of a database the role does not own")
        assert "does not own" in result.stderr
        assert _databases(scratch_server, f"{target}__") == []
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _wait_for(probe: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def test_refresh_wants_a_target_database(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "refresh", str(GOOD), "--prisma", str(SCHEMA), "--target", "host=/x")
    assert_contract(result, (2,), "refresh without a database name")
