"""PostGIS's own tables (spatial_ref_sys, ...) with a model for them, as `prisma db pull` writes.

A dump never creates such a table: `CREATE EXTENSION postgis` does, in the restore, and pg_dump
writes no CREATE TABLE for an extension's member. Prisma's differ leaves these tables out
(expect/model.py differ_ignores), so their columns are never compared; what is judged is
whether the extension brought the table.
"""

from __future__ import annotations

from dumpcheck.catalog import QualifiedName, Table
from dumpcheck.compare.findings import TableFinding, Verdict

_EXTENSIONS = ("postgis", "postgis_raster")


def extension_table(
    key: QualifiedName,
    expected: Table,
    model: str | None,
    restored: Table | None,
    dump_extensions: frozenset[str],
    restored_run: bool,
) -> TableFinding:
    """The verdict for a PostGIS table a model maps to and the dump does not create."""
    created = next((e for e in _EXTENSIONS if e in dump_extensions), None)
    verdict: Verdict
    if restored is not None:
        verdict, what = "ok", f"the restore has it, from CREATE EXTENSION {created or 'postgis'}"
    elif created is None:
        verdict, what = "never_in_dump", "the dump does not create the postgis extension"
    elif restored_run:
        verdict = "failed_restore"
        what = f"the dump's CREATE EXTENSION {created} did not create it in the restore"
    else:
        verdict, what = "ok", f"the dump's CREATE EXTENSION {created} creates it"
    evidence = (
        f"{key} is a PostGIS table, made by the extension, not by a CREATE TABLE of the dump: "
        f"{what}. Prisma migrate neither creates, changes nor drops it.",
    )
    return TableFinding(
        schema=key.schema,
        name=key.name,
        model=model,
        verdict=verdict,
        in_dump=created is not None,
        restored=restored is not None,
        dump_rows=None,
        restored_rows=restored.rows if restored is not None else None,
        evidence=evidence,
        expected_columns=tuple(c.name for c in expected.columns),
        restored_columns=tuple(c.name for c in restored.columns) if restored else None,
    )
