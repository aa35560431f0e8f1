"""Inventory benchmark (not a test): speed against ``wc -l``, peak RSS, 10,000-table DDL parse.

Run: ``python -m tests.bench_inventory [--size-gb 1] [--also-gb 0.1,1]``. It prints figures and
asserts nothing; ``make bench-big`` runs it at 10 GB (with 0.1 and 1 GB beside it).
Targets (issue 3): plain dump at most 4x ``wc -l``; peak RSS at most 64 MB and the same at
0.1 GB and at the full size; 10,000 tables parsed in at most 3 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HEADER = b"""--
-- PostgreSQL database dump
--

-- Dumped from database version 18.1
-- Dumped by pg_dump version 18.1

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

"""
_TRAILER = b"""
--
-- PostgreSQL database dump complete
--

"""
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from dumpcheck.inventory import inventory
t, cpu = time.perf_counter(), time.process_time()
inv = inventory(Path(sys.argv[1]), fingerprints=sys.argv[2] == "1")
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
rows = sum(x.rows or 0 for x in inv.catalog.tables.values())
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (big) forking parent.
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
rss = (int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": rss, "rows": rows,
                  "tables": len(inv.catalog.tables), "complete": inv.facts.complete}))
"""


def write_plain_dump(path: Path, size: int) -> int:
    """A plain dump of about ``size`` bytes: a few tables of COPY rows, one with a 50 MB row."""
    row = b"12345\tsome text value with spaces\t2024-01-01 00:00:00+00\t\\N\t3.14159\n"
    block = row * 20_000
    rows = 0
    with path.open("wb") as f:
        f.write(_HEADER)
        for t in range(4):
            f.write(
                f"--\n-- Name: t{t}; Type: TABLE; Schema: public; Owner: app\n--\n\n"
                f"CREATE TABLE public.t{t} (\n    id integer NOT NULL,\n    body text,\n"
                f"    at timestamp with time zone,\n    n numeric,\n    x double precision\n);\n\n"
                f"ALTER TABLE public.t{t} OWNER TO app;\n\n".encode()
            )
        for t in range(4):
            f.write(f"COPY public.t{t} (id, body, at, n, x) FROM stdin;\n".encode())
            if t == 0:
                f.write(b"1\t" + b"y" * (50 << 20) + b"\t\\N\t\\N\t\\N\n")  # one 50 MB value
                rows += 1
            while f.tell() < size * (t + 1) // 4:
                f.write(block)
                rows += 20_000
            f.write(b"\\.\n\n")
        f.write(_TRAILER)
    return rows


def write_inserts_dump(path: Path, size: int) -> int:
    """An ``--inserts`` dump of about ``size`` bytes, whose first statement holds a 50 MB value."""
    row = b"INSERT INTO public.t VALUES (%d, 'some text, (with) ''quotes''', '2024-01-01');\n"
    block = b"".join(row % i for i in range(10_000))
    with path.open("wb") as f:
        f.write(_HEADER)
        f.write(b"CREATE TABLE public.t (id integer, body text, at date);\n\n")
        f.write(b"INSERT INTO public.t VALUES (0, '" + b"it''s " * (50 << 17) + b"', NULL);\n")
        rows = 1
        while f.tell() < size:
            f.write(block)
            rows += 10_000
        f.write(_TRAILER)
    return rows


def write_schema_dump(path: Path, tables: int) -> None:
    """A schema-only plain dump of ``tables`` tables, each with a serial PK and an FK."""
    with path.open("wb") as f:
        f.write(_HEADER)
        for i in range(tables):
            ref = f"public.t{i - 1}" if i else "public.t0"
            f.write(
                f"""--
-- Name: t{i}; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.t{i} (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    created_at timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    parent_id integer,
    data jsonb
);

ALTER TABLE public.t{i} OWNER TO app;

CREATE SEQUENCE public.t{i}_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.t{i}_id_seq OWNED BY public.t{i}.id;

ALTER TABLE ONLY public.t{i} ALTER COLUMN id SET DEFAULT nextval('public.t{i}_id_seq'::regclass);

ALTER TABLE ONLY public.t{i}
    ADD CONSTRAINT t{i}_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX t{i}_name_key ON public.t{i} USING btree (name);

ALTER TABLE ONLY public.t{i}
    ADD CONSTRAINT t{i}_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES {ref}(id) \
ON UPDATE CASCADE ON DELETE SET NULL;

""".encode()
            )
        f.write(_TRAILER)


def run_child(path: Path, *, fingerprints: bool = True) -> dict[str, float]:
    """Inventory ``path`` in a fresh interpreter; its own time and peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), "1" if fingerprints else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def time_wc(path: Path) -> float:
    """Seconds ``wc -l`` takes on ``path``."""
    t = time.perf_counter()
    subprocess.run(["wc", "-l", str(path)], check=True, capture_output=True)
    return time.perf_counter() - t


def page_cache(path: Path) -> None:
    """Read the file once so both timings run from the page cache."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-gb", type=float, default=0.3, help="plain dump size (GB)")
    parser.add_argument("--inserts-gb", type=float, default=0.1, help="--inserts dump size (GB)")
    parser.add_argument("--tables", type=int, default=10_000, help="tables in the DDL bench")
    parser.add_argument(
        "--also-gb",
        default="0.1",
        help="smaller plain dumps timed too (comma-separated GB), to show time grows linearly "
        "and peak RSS stays flat",
    )
    args = parser.parse_args()
    sizes = sorted({*(float(x) for x in args.also_gb.split(",") if x), args.size_gb})
    scaling: list[tuple[float, float, float]] = []  # (MB, seconds, peak RSS MB)
    with tempfile.TemporaryDirectory(prefix="dumpcheck-bench-") as tmp:
        for gb in sizes:
            path = Path(tmp) / f"plain_{gb}.sql"
            rows = write_plain_dump(path, int(gb * (1 << 30)))
            page_cache(path)
            wcs, runs = [], []
            for _ in range(3):  # alternating, so a slow spell hits both alike
                wcs.append(time_wc(path))
                runs.append(run_child(path))
            wc = statistics.median(wcs)
            child = sorted(runs, key=lambda r: r["seconds"])[1]
            child["rss_mb"] = max(r["rss_mb"] for r in runs)
            size_mb = path.stat().st_size / (1 << 20)
            print(
                f"plain {size_mb:,.0f} MB: inventory {child['seconds']:.2f} s "
                f"({child['cpu']:.2f} s CPU) "
                f"({size_mb / child['seconds']:,.0f} MB/s), wc -l {wc:.2f} s (medians of 3), "
                f"ratio {child['seconds'] / wc:.2f}x (target <= 4x); "
                f"peak RSS {child['rss_mb']:.0f} MB (target <= 64 MB); "
                f"rows {child['rows']:,.0f} (expected {rows:,}), complete {child['complete']}"
            )
            scaling.append((size_mb, float(child["seconds"]), float(child["rss_mb"])))
            with_fp, without = [], []
            for _ in range(3):  # alternating, so a slow spell hits both alike
                with_fp.append(run_child(path)["seconds"])
                without.append(run_child(path, fingerprints=False)["seconds"])
            on, off = sorted(with_fp)[1], sorted(without)[1]
            print(
                f"plain {size_mb:,.0f} MB fingerprints: inventory {on:.2f} s with, {off:.2f} s "
                f"without (medians of 3) -> +{(on / off - 1) * 100:.0f}% (target <= 30%)"
            )
            path.unlink()
        if len(scaling) > 1:
            print(
                "plain scaling (fingerprints on): "
                + "; ".join(
                    f"{mb:,.0f} MB {sec / mb * 1024:.2f} s/GB, peak RSS {rss:.0f} MB"
                    for mb, sec, rss in scaling
                )
                + " (time linear: the same s/GB; RSS flat)"
            )
        inserts = Path(tmp) / "inserts.sql"
        rows = write_inserts_dump(inserts, int(args.inserts_gb * (1 << 30)))
        page_cache(inserts)
        wc = min(time_wc(inserts) for _ in range(3))
        child = run_child(inserts)
        size_mb = inserts.stat().st_size / (1 << 20)
        print(
            f"--inserts {size_mb:,.0f} MB (one 50 MB value): inventory {child['seconds']:.2f} s "
            f"({size_mb / child['seconds']:,.0f} MB/s), {child['seconds'] / wc:.2f}x wc -l; "
            f"peak RSS {child['rss_mb']:.0f} MB; rows {child['rows']:,.0f} (expected {rows:,})"
        )
        inserts.unlink()
        schema = Path(tmp) / "schema.sql"
        write_schema_dump(schema, args.tables)
        child = run_child(schema)
        print(
            f"DDL of {args.tables:,} tables ({schema.stat().st_size / (1 << 20):.1f} MB): "
            f"{child['seconds']:.2f} s wall, {child['cpu']:.2f} s CPU (target <= 3 s); "
            f"{child['tables']:,.0f} tables read; peak RSS {child['rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
