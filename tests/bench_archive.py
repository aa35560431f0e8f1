"""Benchmark: read_archive vs ``pg_restore -f - DUMP > /dev/null`` on a custom gzip archive.

Run ``python -m tests.bench_archive [--rows N]``. It starts a scratch server, fills a table with
about 200 MB of COPY text, dumps it with ``pg_dump -Fc -Z gzip``, then times both readers in
child processes (best of three each) and prints the ratio and the reader's peak RSS.
Speed is reported here, never asserted in tests (issue 3, section 6: target ratio <= 1.0).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from dumpcheck.scratch import create_database, drop_database, open_scratch

# Each row is about 85 bytes of COPY text: 2.5 million rows give about 200 MB.
DEFAULT_ROWS = 2_500_000

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from dumpcheck.inventory.archive import read_archive
start = time.perf_counter()
scan = read_archive(Path(sys.argv[1]))
elapsed = time.perf_counter() - start
print(json.dumps({
    "seconds": elapsed,
    "rows": sum(scan.row_counts.values()),
    "complete": scan.complete,
    "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def _best_of(runs: int, argv: list[str]) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, check=True, stdout=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, out = elapsed, done.stdout.decode()
    return best, out


def _restore_to_devnull(pg_restore: Path, dump: Path) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [str(pg_restore), "-f", "-", str(dump)], check=True, stdout=subprocess.DEVNULL
        )
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Build the archive, time both readers, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument(
        "--compression", default="gzip", help="pg_dump -Z value; the target is set for gzip"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp, open_scratch() as server:
        assert server.install is not None
        dump = Path(tmp) / "bench.dump"
        dbname = create_database(server)
        try:
            with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
                conn.execute(
                    "CREATE TABLE bench AS SELECT g AS id, md5(g::text) AS digest,"
                    " 'label ' || g AS label, timestamptz '2024-01-01' + g * interval '1 s' AS at"
                    " FROM generate_series(1, %s) AS g",
                    (args.rows,),
                )
            subprocess.run(
                [
                    str(server.install.binary("pg_dump")),
                    *("-d", server.dsn(dbname), "-Fc", "-Z", args.compression, "-f", str(dump)),
                ],
                check=True,
            )
        finally:
            drop_database(server, dbname)
        pg_restore = server.install.binary("pg_restore")
        data_bytes = _restored_bytes(pg_restore, dump)
        restore_s = _restore_to_devnull(pg_restore, dump)
        ours_wall, out = _best_of(3, [sys.executable, "-c", _CHILD, str(dump)])
        ours = json.loads(out)
        print(
            f"archive: {dump.stat().st_size / 1e6:.0f} MB custom -Z {args.compression}, "
            f"{data_bytes / 1e6:.0f} MB of COPY data, {args.rows} rows"
        )
    print(f"pg_restore -f - > /dev/null : {restore_s:.2f} s (best of 3)")
    print(
        f"read_archive, child process : {ours_wall:.2f} s (best of 3; {ours['seconds']:.2f} s "
        "inside read_archive)"
    )
    print(f"ratio read_archive / pg_restore: {ours_wall / restore_s:.2f} (target <= 1.0)")
    print(
        f"ratio of the time inside read_archive: {ours['seconds'] / restore_s:.2f} "
        "(no interpreter start-up or module imports, but numpy's lazy import; these fixed "
        "costs weigh less on a larger archive)"
    )
    print(f"read_archive peak RSS: {ours['peak_rss_kb'] / 1024:.0f} MB")
    print(f"rows counted: {ours['rows']} (expected {args.rows}), complete={ours['complete']}")
    if ours["rows"] != args.rows or not ours["complete"]:
        sys.exit("row count mismatch")


def _restored_bytes(pg_restore: Path, dump: Path) -> int:
    """How many bytes of SQL and COPY data the archive restores to (streamed, not kept)."""
    proc = subprocess.Popen([str(pg_restore), "-f", "-", str(dump)], stdout=subprocess.PIPE)
    stdout = proc.stdout
    assert stdout is not None
    total = sum(len(piece) for piece in iter(lambda: stdout.read(1 << 20), b""))
    proc.wait()
    return total


if __name__ == "__main__":
    main()
