"""runs/index.html in a real browser: the nightly job run five nights over dumps that real pg_dump
made of a shrinking database (one night failing, one dumped without a table), and the page it
wrote rendered by headless Chromium: its DOM and a screenshot.

Chromium is Debian's (``make test`` installs it as root). Without it the test fails under
CI=true and skips elsewhere, as the Prisma oracle does without node.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dumpcheck.scratch.model import ScratchServer
from tests.inventory.dumps import pg_dump
from tests.pipeline.dom import Element, parse
from tests.pipeline.png import decode

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"

# Headless, and quiet on the network: without the background flags Chromium dials out (updates,
# sync, QUIC probes), and this machine's closed network refuses those connections.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
)  # fmt: skip
WINDOW = (1000, 700)
SHRANK_BACKGROUND = (0xFF, 0xF4, 0xE5)  # tr.shrank in pipeline/page.py's CSS
SERIES_BLUE = (0x09, 0x69, 0xDA)


def nightly(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.nightly", *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip


def _chromium() -> str:
    path = "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")
    if path is None:
        reason = "no Chromium (/usr/bin/chromium); `make test` installs it as root (apt chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}, and CI=true", pytrace=False)
        pytest.skip(reason)
    return path


def _run_chromium(binary: str, home: Path, profile: str, *args: str) -> str:
    """Chromium's stdout; its HOME and profile in a fresh directory the running user owns (the
    suite also runs as an unprivileged user, whose HOME may not be where Chromium expects)."""
    home.mkdir(mode=0o700, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
    }
    cmd = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={home / profile}", *args]
    # Its own process group: on a timeout the renderer and GPU helpers go too.
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    assert proc.returncode == 0, err[-2000:]
    return out


def _delete_products(server: ScratchServer, dbname: str, count: int) -> None:
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        conn.execute(
            "DELETE FROM products WHERE id IN (SELECT id FROM products ORDER BY id LIMIT %s)",
            (count,),
        )


def _nights(server: ScratchServer, source: str, work: Path) -> Path:
    """Five nightly runs; returns the runs directory. Products: 42, 30, (a failed run), (a dump
    without it), 20; the other three tables keep their counts."""
    runs = work / "runs"
    common = ["--prisma", str(DEMO / "schema.prisma"), "--runs-dir", str(runs)]
    common += ["--scratch-dsn", server.conninfo, "--quiet"]

    def night(dump: Path, expected_code: int) -> None:
        done = nightly("--dump", str(dump), *common)
        assert done.returncode == expected_code, done.stdout + done.stderr

    night(pg_dump(server, source, work / "night1.dump", "-Fc"), 0)
    _delete_products(server, source, 12)
    night(pg_dump(server, source, work / "night2.dump", "-Fc"), 0)
    failed = nightly("--dump-command", "echo no backup >&2; exit 4", *common)
    assert failed.returncode == 2, failed.stderr
    night(pg_dump(server, source, work / "night4.dump", "-Fc", "-T", "public.products"), 1)
    _delete_products(server, source, 10)
    night(pg_dump(server, source, work / "night5.dump", "-Fc"), 0)
    return runs


@pytest.fixture
def source_db(scratch_server: ScratchServer, fresh_db: str) -> str:
    """ "Production": the demo's complete dump restored into a fresh database."""
    assert scratch_server.install is not None
    subprocess.run(
        [str(scratch_server.install.binary("pg_restore")), "--no-owner", "--no-privileges",
         "-d", scratch_server.dsn(fresh_db), str(DEMO / "dumps" / "complete.dump")],
        check=True, capture_output=True,
    )  # fmt: skip
    return fresh_db


def test_the_nightly_page_renders_in_chromium(
    scratch_server: ScratchServer, source_db: str, tmp_path: Path
) -> None:
    chromium = _chromium()
    runs = _nights(scratch_server, source_db, tmp_path)
    lines = (runs / "history.jsonl").read_text().splitlines()
    history: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert [h["exit_code"] for h in history] == [0, 0, 2, 1, 0]
    page = (runs / "index.html").resolve()

    doc = parse(_run_chromium(chromium, tmp_path / "home", "dom", "--dump-dom", page.as_uri()))
    latest = history[-1]
    rows = doc.one("table", id="verdicts").one("tbody").find_all("tr")
    assert {r.attrs["data-table"]: r.one("td", "verdict").text() for r in rows} == latest[
        "verdicts"
    ]
    assert len(rows) == 4
    charts = {svg.attrs["data-table"]: svg for svg in doc.find_all("svg", "chart")}
    assert set(charts) == set(latest["verdicts"])
    for table, svg in charts.items():
        sides = [h.get("rows", {}).get(table) for h in history]
        counted = [s for s in sides if s is not None and s["dump"] is not None]
        assert len(svg.find_all("circle", "point")) == len(counted), table
        assert len(svg.find_all("line", "error-run")) == 1, table
    assert len(charts["public.categories"].find_all("circle", "point")) == 4
    products = charts["public.products"]
    titles = [p.one("title").text() for p in products.find_all("circle", "point")]
    assert [t.split(": ", 1)[1] for t in titles] == [
        "42 rows in the dump, 42 restored (ok)",
        "30 rows in the dump, 30 restored (ok)",
        "20 rows in the dump, 20 restored (ok)",
    ]
    assert products.one("text", "last").text() == "20"
    shrank = [r.attrs["data-table"] for r in rows if "shrank" in r.classes]
    assert shrank == ["public.products"]
    change = doc.one("tr", **{"data-table": "public.products"}).one("td", "change").text()
    assert change.startswith("▼ -10 (-33.3%) since ") and change.endswith(
        ", shrank at each of the last 2 counts, was never_in_dump"
    )
    _check_runs_table(doc, history)

    shot = tmp_path / "page.png"
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    _run_chromium(chromium, tmp_path / "home", "shot", size, f"--screenshot={shot}", page.as_uri())
    image = decode(shot.read_bytes())
    assert (image.width, image.height) == WINDOW
    pixels = [p for line in image.rows for p in line]
    assert len(set(pixels)) > 50  # text, rules and charts: far from a blank page
    # The shrunk table's row is drawn in its marking colour, and the charts in theirs.
    assert pixels.count(SHRANK_BACKGROUND) > 2000
    near_blue = sum(1 for p in pixels if sum(map(abs, map(int.__sub__, p, SERIES_BLUE))) < 60)
    assert near_blue > 30


def _check_runs_table(doc: Element, history: list[dict[str, Any]]) -> None:
    runs = doc.one("table", id="runs").one("tbody").find_all("tr")
    assert [int(r.one("td", "num").text()) for r in runs] == [
        h["exit_code"] for h in reversed(history)
    ]
    [error_row] = [r for r in runs if "error" in r.classes]
    assert "no backup" in error_row.text()
