"""Benchmark: ``dumpcheck inventory`` of archives against ``pg_restore -f /dev/null``.

Run ``python -m tests.bench_archive [--rows N] [--repeat 3]``. It starts a scratch server, fills
a table with about 200 MB of COPY text, dumps it with real pg_dump as custom archives with no
compression, gzip, lz4 and zstd, as directory archives (gzip: the table, and the same rows in 4
tables) and as a tar archive, and times, for each, the whole ``dumpcheck inventory`` command
(interpreter start-up included, fingerprints on, as a user runs it) against ``pg_restore -f
/dev/null`` of the same file, alternating the two so a slow spell hits both alike. It prints
medians, the ratio and dumpcheck's peak RSS.
Speed is reported here, never asserted in tests (issue 15 §3: ratio <= 1.0).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from dumpcheck.scratch import create_database, drop_database, open_scratch

# Each row is about 85 bytes of COPY text: 2.5 million rows give about 200 MB.
DEFAULT_ROWS = 2_500_000

# (label, pg_dump format, pg_dump -Z value, tables): the same rows in one table, or in 4 tables
# of a quarter each (a directory archive's files are read side by side; pg_restore -f reads them
# one after another).
VARIANTS = (
    ("custom, none", "c", "0", "bench"),
    ("custom, gzip", "c", "gzip", "bench"),
    ("custom, lz4", "c", "lz4", "bench"),
    ("custom, zstd", "c", "zstd", "bench"),
    ("directory, gzip", "d", "gzip", "bench"),
    ("dir, gzip, 4 tables", "d", "gzip", "part_*"),
    ("tar", "t", "0", "bench"),
)
PARTS = 4

# The CLI in a child that reports its own peak RSS (VmHWM) on exit: ru_maxrss would carry the
# bench process's own over exec.
_CLI = """
import atexit, sys
def _hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("VmHWM " + line.split()[1] + "\\n")
atexit.register(_hwm)
from dumpcheck.cli import main
main(sys.argv[1:])
"""


def _timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{argv[:3]} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    return elapsed, done.stderr.decode()


def _hwm_mb(stderr: str) -> float:
    found = [line.split()[1] for line in stderr.splitlines() if line.startswith("VmHWM ")]
    return int(found[-1]) / 1024 if found else float("nan")


def measure(pg_restore: Path, dump: Path, repeat: int) -> tuple[float, float, float]:
    """Median seconds of dumpcheck inventory and of pg_restore, and dumpcheck's peak RSS."""
    ours, theirs, rss = [], [], []
    for _ in range(repeat):
        seconds, err = _timed([sys.executable, "-c", _CLI, "inventory", str(dump)])
        ours.append(seconds)
        rss.append(_hwm_mb(err))
        theirs.append(_timed([str(pg_restore), "-f", "/dev/null", str(dump)])[0])
    return statistics.median(ours), statistics.median(theirs), max(rss)


def main() -> None:
    """Build the archives, time both readers on each, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp, open_scratch() as server:
        assert server.install is not None
        pg_dump, pg_restore = server.install.binary("pg_dump"), server.install.binary("pg_restore")
        dbname = create_database(server)
        dumps: list[tuple[str, Path]] = []
        try:
            with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
                conn.execute(
                    "CREATE TABLE bench AS SELECT g AS id, md5(g::text) AS digest,"
                    " 'label ' || g AS label, timestamptz '2024-01-01' + g * interval '1 s' AS at"
                    " FROM generate_series(1, %s) AS g",
                    (args.rows,),
                )
                for part in range(PARTS):
                    conn.execute(
                        f"CREATE TABLE part_{part} AS SELECT * FROM bench WHERE id %% {PARTS} = %s",
                        (part,),
                    )
            for n, (label, fmt, level, tables) in enumerate(VARIANTS):
                dump = Path(tmp) / f"bench{n}.{fmt}"
                subprocess.run(
                    [
                        str(pg_dump),
                        "-d",
                        server.dsn(dbname),
                        f"-F{fmt}",
                        "-Z",
                        level,
                        "-t",
                        tables,
                        "-f",
                        f"{dump}",
                    ],
                    check=True,
                )
                dumps.append((label, dump))
        finally:
            drop_database(server, dbname)
        print(f"{args.rows:,} rows (about {args.rows * 85 / 1e6:.0f} MB of COPY text); medians")
        print(f"of {args.repeat} alternating runs; dumpcheck inventory with fingerprints")
        for label, dump in dumps:
            size = sum(p.stat().st_size for p in dump.rglob("*")) if dump.is_dir() else 0
            size = size or dump.stat().st_size
            ours, theirs, rss = measure(pg_restore, dump, args.repeat)
            print(
                f"{label:20} {size / 1e6:5.0f} MB: dumpcheck {ours:.2f} s ({rss:.0f} MB peak), "
                f"pg_restore -f /dev/null {theirs:.2f} s, ratio {ours / theirs:.2f}x "
                "(target <= 1.0x)",
                flush=True,
            )


if __name__ == "__main__":
    main()
