"""Verdicts for a live database (``dumpcheck inspect``) instead of a scratch restore.

The database stands where the restored catalog stands in ``verify``; the dump, when one is
given, is still the inventory. A table the database lacks is then told apart three ways:
the dump lacks it too (``never_in_dump``), the dump has it (``not_restored``: the restore that
built this database failed or skipped it), or no dump was given to ask (``missing``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dumpcheck.catalog import QualifiedName, Table
from dumpcheck.compare.findings import TableFinding, Verdict

if TYPE_CHECKING:
    from dumpcheck.compare.tables import TableContext


def judge_absent(
    key: QualifiedName,
    expected: Table | None,
    model: str | None,
    never_in_dump: list[str],
    ctx: TableContext,
) -> TableFinding:
    """The verdict for an expected table the live database does not have.

    ``never_in_dump`` is the evidence ``verify`` gives when the dump lacks the table.
    """
    assert ctx.live is not None and ctx.restore is not None
    dumped = ctx.inventory.catalog.tables.get(key) if ctx.live.has_dump else None
    where = _other_schemas(key, ctx)
    tables = len(ctx.restore.catalog.tables)
    lacks = f"The database {ctx.live.database} has {tables} table(s); {key} is not among them."
    if not ctx.live.has_dump:
        evidence = [*_migration(key, ctx), lacks, *where]
        evidence.append(
            "No dump was given: pass --dump to tell whether the dump lacks it (never_in_dump) "
            "or the restore that built this database lost it (not_restored)."
        )
        return _finding(key, expected, model, "missing", None, evidence)
    if dumped is None:
        evidence = [*never_in_dump, lacks, *where]
        return _finding(key, expected, model, "never_in_dump", None, evidence)
    rows = "no data section" if dumped.rows is None else f"{dumped.rows} rows"
    evidence = [
        f"The dump creates {key} ({rows}), but the database lacks it: the restore that built "
        "this database failed on it or skipped it (an error it went past, a missing extension "
        "or role, pg_restore -t/-T/-L, or a restore stopped early). `dumpcheck verify` on the "
        "dump shows the error.",
        lacks,
        *where,
    ]
    absent = sorted(ctx.inventory.facts.extensions - ctx.restore.catalog.extensions)
    if absent:
        # The usual cause: pg_restore goes past a failed CREATE EXTENSION, and every object
        # that uses one of its types or functions fails after it.
        evidence.append(
            f"The dump creates extension(s) {', '.join(absent)}, which the database lacks: "
            "the objects that need them fail in a restore."
        )
    return _finding(key, expected, model, "not_restored", dumped.rows, evidence, in_dump=True)


def _migration(key: QualifiedName, ctx: TableContext) -> list[str]:
    found = ctx.migration_evidence(key)
    return [found] if found else []


def _other_schemas(key: QualifiedName, ctx: TableContext) -> list[str]:
    assert ctx.restore is not None
    elsewhere = [t for t in ctx.restore.catalog.find_tables(key.name) if t.key != key]
    if not elsewhere:
        return []
    names = ", ".join(str(t.key) for t in elsewhere)
    schema = elsewhere[0].key.schema
    # Prisma resolves every model in one schema (DATABASE_URL's ?schema=, default public;
    # quaint PostgresUrl::schema): the table under another schema is the P2021 of a URL whose
    # ?schema= is not the one the application's database uses.
    return [
        f"The database has a table of that name in another schema: {names}. Prisma looks only "
        f"in {key.schema}: if that is the application's table, its DATABASE_URL needs "
        f"`?schema={schema}` (inspect again with `--schema {schema}`)."
    ]


def _finding(
    key: QualifiedName,
    expected: Table | None,
    model: str | None,
    verdict: Verdict,
    dump_rows: int | None,
    evidence: list[str],
    *,
    in_dump: bool = False,
) -> TableFinding:
    return TableFinding(
        schema=key.schema,
        name=key.name,
        model=model,
        verdict=verdict,
        in_dump=in_dump,
        restored=False,
        dump_rows=dump_rows,
        restored_rows=None,
        evidence=tuple(evidence),
        expected_columns=tuple(c.name for c in expected.columns) if expected else None,
    )
