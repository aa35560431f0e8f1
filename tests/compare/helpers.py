"""Build small catalogs and inventories so that each compare test is a few lines."""

from __future__ import annotations

from dumpcheck.catalog import Catalog, Table
from dumpcheck.compare import compare
from dumpcheck.compare.findings import Findings
from dumpcheck.expect.model import Expectation
from dumpcheck.inventory.model import DumpFacts, DumpInventory
from dumpcheck.restore.model import RestoreError, RestoreResult


def run(
    expected: list[Table],
    dumped: list[Table],
    restored: list[Table] | None = None,
    errors: tuple[RestoreError, ...] = (),
    facts: DumpFacts | None = None,
) -> Findings:
    """Compare an expected catalog with a dump and (by default, the same) restored tables."""
    exp = Expectation(
        catalog=Catalog.build(expected), models={t.key: t.name.title() for t in expected}
    )
    inv = DumpInventory(
        facts=facts or DumpFacts(path="x.dump", format="custom"), catalog=Catalog.build(dumped)
    )
    res = RestoreResult(
        database="db",
        catalog=Catalog.build(dumped if restored is None else restored),
        errors=errors,
    )
    return compare(exp, inv, res)


def verdicts(findings: Findings) -> dict[str, str]:
    """Table name -> verdict."""
    return {t.name: t.verdict for t in findings.tables}
