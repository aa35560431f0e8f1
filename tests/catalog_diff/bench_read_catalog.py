"""read_catalog benchmark (not a test): 1,000 tables read back, budget 2 s (issue 4).

Run: ``python -m tests.catalog_diff.bench_read_catalog [--tables 1000] [--repeat 3]``. It prints
JSON figures and asserts nothing. Every table has a PK, an FK, a CHECK, an index and a domain
column; one in ten is partitioned (with two partitions), one in ten UNLOGGED, one in ten has an
EXCLUDE constraint, and there are 100 domains and 100 composite types.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import psycopg

from dumpcheck.restore import read_catalog
from dumpcheck.scratch import create_database, drop_database, open_scratch


def schema_sql(tables: int) -> str:
    """DDL and a few rows for ``tables`` tables of mixed kinds."""
    out = ["CREATE TABLE root (id integer PRIMARY KEY);", "INSERT INTO root VALUES (1);"]
    for i in range(100):
        out.append(f"CREATE DOMAIN d{i} AS integer DEFAULT {i} CHECK (VALUE >= 0);")
        out.append(f"CREATE TYPE c{i} AS (a integer, b text, d d{i});")
    for i in range(tables):
        d = i % 100
        if i % 10 == 0:
            out.append(
                f"CREATE TABLE t{i} (id integer, k integer CHECK (k >= 0), v d{d},"
                f" PRIMARY KEY (id, k)) PARTITION BY RANGE (k);"
                f"CREATE TABLE t{i}_a PARTITION OF t{i} FOR VALUES FROM (0) TO (10);"
                f"CREATE TABLE t{i}_b PARTITION OF t{i} FOR VALUES FROM (10) TO (20);"
                f"CREATE INDEX t{i}_v_idx ON t{i} (v);"
                f"INSERT INTO t{i} VALUES (1, 1, 1), (2, 12, 2);"
            )
            continue
        unlogged = "UNLOGGED " if i % 10 == 1 else ""
        exclude = ", EXCLUDE USING gist (r WITH &&)" if i % 10 == 2 else ""
        out.append(
            f"CREATE {unlogged}TABLE t{i} (id integer PRIMARY KEY, root_id integer"
            f" REFERENCES root, v d{d}, r int4range, n text DEFAULT 'x' CHECK (n <> ''){exclude});"
            f"CREATE INDEX t{i}_n_idx ON t{i} (lower(n));"
            f"INSERT INTO t{i} VALUES (1, 1, 1, '[1,2)', 'a');"
        )
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Build the schema once, then time read_catalog ``--repeat`` times."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with open_scratch() as server:
        db = create_database(server)
        try:
            with psycopg.connect(server.dsn(db), autocommit=True) as conn:
                conn.execute(schema_sql(args.tables))
            times = []
            for _ in range(args.repeat):
                started = time.monotonic()
                cat = read_catalog(server.dsn(db))
                times.append(time.monotonic() - started)
            figures = {
                "relations": len(cat.tables),
                "domains": len(cat.domains),
                "composites": len(cat.composites),
                "seconds": [round(t, 3) for t in times],
                "budget_s": 2.0 * args.tables / 1000,
            }
            sys.stdout.write(json.dumps(figures) + "\n")
        finally:
            drop_database(server, db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
