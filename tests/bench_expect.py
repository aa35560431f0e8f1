"""Benchmark (not a test): the expectation of a generated 200-model schema; target <= 0.3 s.

python -m tests.bench_expect
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path

from dumpcheck.expect import expect

TARGET_S = 0.3


def generate_schema(models: int = 200) -> str:
    """A realistic schema: enums, scalars of every kind, 1:n relations, indexes, some m2m."""
    parts = ['datasource db {\n  provider = "postgresql"\n}\n']
    for e in range(10):
        parts.append(f"enum Kind{e} {{\n" + "".join(f"  V{v}\n" for v in range(6)) + "}\n")
    for m in range(models):
        fields = [
            "  id        String   @id @default(cuid())",
            "  name      String   @db.VarChar(200)",
            "  slug      String   @unique",
            "  count     Int      @default(0)",
            "  big       BigInt?",
            "  price     Decimal  @default(1.5) @db.Decimal(10, 2)",
            "  ratio     Float    @default(-2)",
            "  active    Boolean  @default(true)",
            f"  kind      Kind{m % 10} @default(V1)",
            "  tags      String[] @default([])",
            '  data      Json     @default("{}")',
            "  createdAt DateTime @default(now()) @db.Timestamptz(3)",
            "  updatedAt DateTime @updatedAt",
        ]
        if m > 0:
            parent = f"M{m - 1}"
            fields += [
                "  parentId  String",
                f"  parent    {parent} @relation(fields: [parentId], references: [id], "
                "onDelete: Cascade)",
            ]
        if m + 1 < models:
            fields.append(f"  children  M{m + 1}[]")
        if m % 20 == 0 and m + 10 < models:
            fields.append(f'  peers     M{m + 10}[] @relation("peers{m}")')
        if m % 20 == 10:
            fields.append(f'  peerOf    M{m - 10}[] @relation("peers{m - 10}")')
        block = [f"model M{m} {{", *fields, ""]
        block += ["  @@index([name, createdAt(sort: Desc)])", "  @@unique([name, kind])"]
        if m > 0:
            block.append("  @@index([parentId])")
        block += [f'  @@map("table_{m}")', "}"]
        parts.append("\n".join(block) + "\n")
    return "\n".join(parts)


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Time expect() on the generated schema (best and median of several runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "schema.prisma"
        text = generate_schema()
        path.write_text(text)
        expect(path)  # warm-up: imports and regex compilation
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            expectation = expect(path)
            runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(7):
            path.read_text().split()
        baseline = (time.perf_counter() - start) / 7
    best, median = min(runs), statistics.median(runs)
    tables = len(expectation.catalog.tables)
    print(f"schema: 200 models, {len(text.splitlines())} lines, {tables} tables expected")
    print(f"expect(): best {best * 1000:.1f} ms, median {median * 1000:.1f} ms")
    print(f"ratio to the 0.3 s target: {median / TARGET_S:.2f} (<= 1.0 meets it)")
    print(f"ratio to reading + splitting the file: {median / baseline:.0f}x")
    print(f"peak RSS: {peak_rss_mb():.1f} MiB")


if __name__ == "__main__":
    main()
