"""The nightly job: artifacts, history, changes since the last run, metrics, exit codes."""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pipeline.history import RunRecord, changes

from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import VerifyOptions

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"


def nightly(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.nightly", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_two_runs_write_artifacts_history_changes_and_metrics(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    metrics = tmp_path / "dumpcheck.prom"
    common = [
        "--prisma",
        str(DEMO / "schema.prisma"),
        "--runs-dir",
        str(runs),
        "--scratch-dsn",
        scratch_server.conninfo,
        "--metrics",
        str(metrics),
    ]
    first = nightly("--dump", str(DEMO / "dumps/complete.dump"), *common)
    assert first.returncode == 0, first.stderr
    assert "first run" in first.stdout
    second = nightly("--dump-command", f"echo {DEMO / 'dumps/products_never_dumped.dump'}", *common)
    assert second.returncode == 1, second.stderr
    assert "new: public.products never_in_dump (was ok)" in second.stdout
    history = [json.loads(line) for line in (runs / "history.jsonl").read_text().splitlines()]
    assert [h["exit_code"] for h in history] == [0, 1]
    assert history[1]["counts"]["never_in_dump"] == 1
    # Row counts per table: production.sql's 42 products, then a dump without the table.
    assert history[0]["rows"]["public.products"] == {"dump": 42, "restored": 42}
    assert history[1]["rows"]["public.products"] == {"dump": None, "restored": None}
    assert history[1]["rows"]["public.categories"] == {"dump": 3, "restored": 3}
    page = (runs / "index.html").read_text()
    assert page.count('<circle class="point') == 4 + 3  # products has no count the second night
    run_dir = Path(history[1]["run_dir"])
    for name in (
        "inventory.json",
        "restore.log",
        "expected.json",
        "report.json",
        "report.md",
        "junit.xml",
    ):
        assert (run_dir / name).is_file(), name
    report = json.loads((run_dir / "report.json").read_text())
    assert report["summary"]["never_in_dump"] == 1
    prom = metrics.read_text()
    assert 'dumpcheck_tables{verdict="never_in_dump"} 1' in prom
    # The last success is the first run's, kept through the failing second run.
    assert "dumpcheck_last_success_timestamp_seconds" in prom


def test_a_quick_night_records_its_sample(scratch_server: ScratchServer, tmp_path: Path) -> None:
    """Without --promote-to, the nightly job takes --quick: its history line, report and page
    say the run was sampled."""
    runs = tmp_path / "runs"
    done = nightly(
        "--dump", str(DEMO / "dumps/complete.dump"), "--prisma", str(DEMO / "schema.prisma"),
        "--runs-dir", str(runs), "--scratch-dsn", scratch_server.conninfo,
        "--quick", "--sample", "10",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())  # the summary line wraps at 120 columns
    assert "(quick verify: at most the first 10 rows of each table were loaded" in said
    (line,) = (runs / "history.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["sample"] == 10
    assert record["rows"]["public.products"] == {"dump": 42, "restored": 10}
    report = json.loads((Path(record["run_dir"]) / "report.json").read_text())
    assert report["sample"] == 10
    page = (runs / "index.html").read_text()
    assert "42 in the dump, 10 restored (quick: sampled)" in page
    assert 'class="point lost"' not in page


def test_bad_dump_is_recorded_and_exits_2(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = nightly(
        "--dump",
        str(tmp_path / "missing.dump"),
        "--prisma",
        str(DEMO / "schema.prisma"),
        "--runs-dir",
        str(runs),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    record = json.loads((runs / "history.jsonl").read_text())
    assert record["exit_code"] == 2 and "not found" in record["error"]
    # The page is written for a failed run too: the run, its error, no table judged.
    page = (runs / "index.html").read_text()
    assert "No run has judged a table yet." in page and "missing.dump" in page


def test_changes_wording() -> None:
    prev = RunRecord("t", "d", "r", 1, 1.0, {}, {"public.a": "never_in_dump", "public.b": "ok"})
    assert changes(prev, {"public.a": "ok", "public.b": "drift", "public.c": "unexpected"}) == [
        "fixed: public.a ok (was never_in_dump)",
        "new: public.b drift (was ok)",
        "new: public.c unexpected",
    ]
    assert changes(prev, dict(prev.verdicts)) == ["no change since the last run"]


def test_failing_dump_command_is_recorded_and_next_changes_skip_failed_runs(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    metrics = tmp_path / "dumpcheck.prom"
    common = ["--prisma", str(DEMO / "schema.prisma"), "--runs-dir", str(runs)]
    common += ["--scratch-dsn", scratch_server.conninfo, "--metrics", str(metrics)]
    first = nightly("--dump", str(DEMO / "dumps/products_never_dumped.dump"), *common)
    assert first.returncode == 1, first.stderr
    failed = nightly("--dump-command", "echo no backup >&2; exit 4", *common)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    history = [json.loads(line) for line in (runs / "history.jsonl").read_text().splitlines()]
    assert history[1]["exit_code"] == 2 and "no backup" in history[1]["error"]
    assert history[1]["dump"].startswith("--dump-command ")
    assert (Path(history[1]["run_dir"]) / "error.txt").is_file()
    prom = metrics.read_text()
    assert "dumpcheck_last_run_exit_code 2" in prom
    # Nothing was judged: no per-verdict zeros that would clear a never_in_dump alert.
    assert "dumpcheck_tables" not in prom
    # The failed night judged nothing: the next run compares with the last one that did.
    third = nightly("--dump", str(DEMO / "dumps/complete.dump"), *common)
    assert third.returncode == 0, third.stderr
    assert "fixed: public.products ok (was never_in_dump)" in third.stdout
    assert "new table" not in third.stdout


def test_unwritable_metrics_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = nightly(
        "--dump",
        str(DEMO / "dumps/complete.dump"),
        "--prisma",
        str(DEMO / "schema.prisma"),
        "--runs-dir",
        str(runs),
        "--metrics",
        str(tmp_path / "missing" / "dumpcheck.prom"),
    )
    assert result.returncode == 2
    assert "--metrics" in result.stderr and "Traceback" not in result.stderr
    assert not runs.exists()


def _history(runs: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (runs / "history.jsonl").read_text().splitlines()]


def test_sigterm_and_ctrl_c_leave_a_history_line(tmp_path: Path) -> None:
    # systemd's TimeoutStopSec or a Ctrl-C while the backup is still being fetched.
    for sig, code, words in ((signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "Ctrl-C")):
        runs = tmp_path / f"runs{code}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.nightly", "--dump-command", "sleep 60",
             "--prisma", str(DEMO / "schema.prisma"), "--runs-dir", str(runs)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not (runs.is_dir() and any(runs.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == code, stderr
        assert "Traceback" not in stderr
        [record] = _history(runs)
        assert record["exit_code"] == code and words in str(record["error"])
        assert (Path(str(record["run_dir"])) / "error.txt").read_text().startswith(f"exit {code}")


def test_full_disk_while_writing_artifacts_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import nightly

    def no_space(run_dir: Path, outcome: object) -> list[Path]:
        raise OSError(errno.ENOSPC, "No space left on device", str(run_dir / "report.json"))

    monkeypatch.setattr(nightly, "verify", lambda options: object())
    monkeypatch.setattr(nightly, "write_artifacts", no_space)
    runs = tmp_path / "runs"
    options = VerifyOptions(dump=tmp_path / "x.dump", prisma=DEMO / "schema.prisma")
    with pytest.raises(OSError):
        nightly.run_job(options, runs, None, quiet=True)
    [record] = _history(runs)
    assert record["exit_code"] == 3
    assert record["error"] == f"No space left on device: {record['run_dir']}/report.json"


def test_promote_to_refreshes_the_database_and_records_it(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    """--promote-to: the night that passes swaps the database in; the one that fails does not."""
    import secrets

    import psycopg
    from psycopg import sql

    target = f"nightly_{secrets.token_hex(4)}"
    runs = tmp_path / "runs"
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    try:
        common = ["--prisma", str(DEMO / "schema.prisma"), "--runs-dir", str(runs)]
        common += ["--promote-to", scratch_server.dsn(target)]
        good = nightly("--dump", str(DEMO / "dumps/complete.dump"), *common)
        assert good.returncode == 0, good.stderr
        assert "promoted" in good.stdout
        time.sleep(1.1)  # the previous database's name has a one-second stamp
        bad = nightly("--dump", str(DEMO / "dumps/products_never_dumped.dump"), *common)
        assert bad.returncode == 1, bad.stderr
        assert "not promoted" in bad.stdout
        history = [json.loads(line) for line in (runs / "history.jsonl").read_text().splitlines()]
        assert [h["promoted"] for h in history] == [True, False]
        record = json.loads((Path(history[1]["run_dir"]) / "refresh.json").read_text())
        assert record["promoted"] is False and record["target"] == target
        with psycopg.connect(scratch_server.dsn(target)) as conn:
            row = conn.execute("SELECT count(*) FROM public.products").fetchone()
        assert row is not None and row[0] > 0  # the good night's data, kept
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (target,)
            ).fetchall()
            for (name,) in rows:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
