"""``make bench``: run every benchmark; each prints ratios against a baseline run in the same
process (``wc -l``, bare ``pg_restore``, ``psql -f``) and peak memory. Nothing is asserted.

    python -m tests.bench                # all
    python -m tests.bench inventory      # one
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHES = ("inventory", "archive", "restore", "expect")
# The sizes the issues state their targets at (a plain 1 GB dump, a ~300 MB restore); smaller
# runs are dominated by interpreter start-up. `python -m tests.bench_<name> --help` for more.
ARGS = {
    "inventory": ["--size-gb", "1"],
    "archive": [],
    "restore": ["--size-mb", "300", "--repeat", "5"],  # the restore figures vary most
    "expect": [],
}


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all) one after the other, each in its own process."""
    names = argv or list(BENCHES)
    failed = []
    for name in names:
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
            return 2
        print(f"\n=== bench {name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"tests.bench_{name}", *ARGS[name]])
        print(f"=== bench {name}: exit {code}, {time.perf_counter() - start:.1f} s ===")
        if code != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
