"""``--expect-check``: ask the project's own Prisma for the DDL, and compare it with ours.

When the user's project has Prisma installed (``node_modules/.bin/prisma`` at or above the
schema), ``prisma migrate diff --from-empty --to-schema <schema> --script`` prints the DDL
Prisma would run on an empty database. Both scripts are read with the inventory's own DDL
reader and compared object by object: an object where they disagree is a bug of dumpcheck's
rules, to report (the expectation is still ours; the finding says where it may be wrong).
"""

from __future__ import annotations

import io
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dumpcheck.catalog import Catalog, Table
from dumpcheck.expect.model import Expectation
from dumpcheck.expect.render import render_sql

_TIMEOUT = 180


@dataclass(frozen=True)
class CrossCheck:
    """What the project's Prisma said: which objects disagree, or why it could not be asked."""

    prisma: Path | None
    disagreements: tuple[str, ...] = ()
    skipped: str | None = None  # one line: why no comparison was made


def find_prisma(schema: Path) -> Path | None:
    """``node_modules/.bin/prisma`` in the schema's folder or any folder above it."""
    folder = schema.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        binary = candidate / "node_modules" / ".bin" / "prisma"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    return None


def cross_check(expectation: Expectation, schema: Path) -> CrossCheck:
    """Compare our expectation with the DDL the project's own Prisma writes for ``schema``."""
    prisma = find_prisma(schema)
    if prisma is None:
        return CrossCheck(
            None,
            skipped=f"--expect-check: no Prisma installed (node_modules/.bin/prisma) at or above "
            f"{schema}; verified without the cross-check",
        )
    project = prisma.parent.parent.parent
    try:
        done = subprocess.run(
            [
                str(prisma),
                "migrate",
                "diff",
                "--from-empty",
                "--to-schema",
                str(schema),
                "--script",
            ],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
            env={**os.environ, "CHECKPOINT_DISABLE": "1", "PRISMA_HIDE_UPDATE_MESSAGE": "1"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CrossCheck(prisma, skipped=f"--expect-check: {prisma} could not run: {exc}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1][:200]
        return CrossCheck(prisma, skipped=f"--expect-check: {prisma} failed: {last}")
    return CrossCheck(prisma, disagreements(render_sql(expectation), done.stdout))


def ddl_catalog(sql: str) -> Catalog:
    """A Prisma migration script read as the inventory reads a dump's DDL."""
    from dumpcheck.inventory.ddl import DdlReader
    from dumpcheck.inventory.plain import Statement, iter_plain

    reader = DdlReader()
    for item in iter_plain(io.BytesIO(sql.encode("utf-8"))):
        if isinstance(item, Statement):
            reader.feed(item.text, f"line {item.line}")
    return reader.state.catalog()


def disagreements(ours: str, theirs: str) -> tuple[str, ...]:
    """Every object on which two migration scripts disagree, one line each."""
    a, b = ddl_catalog(ours), ddl_catalog(theirs)
    out: list[str] = []
    for key in sorted(set(a.tables) | set(b.tables)):
        mine, prisma = a.tables.get(key), b.tables.get(key)
        if mine is None or prisma is None:
            side = "only Prisma creates" if mine is None else "only dumpcheck expects"
            out.append(f"table {key}: {side} it")
            continue
        out.extend(f"table {key}: {line}" for line in _table_disagreements(mine, prisma))
    for key in sorted(set(a.enums) | set(b.enums)):
        mine_enum, prisma_enum = a.enums.get(key), b.enums.get(key)
        if mine_enum != prisma_enum:
            out.append(
                f"enum {key}: dumpcheck {mine_enum and mine_enum.values}, "
                f"Prisma {prisma_enum and prisma_enum.values}"
            )
    return tuple(out)


def _table_disagreements(mine: Table, prisma: Table) -> list[str]:
    out: list[str] = []
    columns = {c.name: c for c in prisma.columns}
    for c in mine.columns:
        other = columns.pop(c.name, None)
        if other is None:
            out.append(f"column {c.name}: only dumpcheck expects it")
        elif (c.type, c.nullable, c.default) != (other.type, other.nullable, other.default):
            out.append(
                f"column {c.name}: dumpcheck {c.type} {'NULL' if c.nullable else 'NOT NULL'} "
                f"default {c.default}; Prisma {other.type} "
                f"{'NULL' if other.nullable else 'NOT NULL'} default {other.default}"
            )
    out.extend(f"column {name}: only Prisma creates it" for name in columns)
    if mine.primary_key != prisma.primary_key:
        out.append(f"primary key: dumpcheck {mine.primary_key}, Prisma {prisma.primary_key}")
    for kind, left, right in (
        ("unique", set(mine.uniques), set(prisma.uniques)),
        ("index", set(mine.indexes), set(prisma.indexes)),
        ("foreign key", set(mine.foreign_keys), set(prisma.foreign_keys)),
    ):
        out.extend(f"{kind} {x.name}: only dumpcheck expects it" for x in left - right)
        out.extend(f"{kind} {x.name}: only Prisma creates it" for x in right - left)
    return out
