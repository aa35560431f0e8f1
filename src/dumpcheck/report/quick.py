"""How every report format says that a verify was quick (``--quick``) and which tables it
loaded only in part: words only, the verdicts are compare's."""

from __future__ import annotations

from dumpcheck.compare.findings import Findings, TableFinding


def restored_rows(table: TableFinding) -> str:
    """The restored row count for display, marked when quick verify loaded only the first rows."""
    if table.restored_rows is None:
        return "-"
    return f"{table.restored_rows} (sampled)" if table.sampled else str(table.restored_rows)


def quick_clause(findings: Findings) -> str | None:
    """What a quick verify loaded, for the summary; None for a full verify."""
    if findings.sample is None:
        return None
    sampled = sum(1 for t in findings.tables if t.sampled)
    return (
        f"quick verify: at most the first {findings.sample} rows of each table were loaded, "
        f"{sampled} table{'s' * (sampled != 1)} sampled"
    )


QUICK_BLIND_SPOTS = (
    "A sampled table is checked on its first rows only: a row after them that would fail to "
    "load is not seen, its rows' content (fingerprint) is not compared, and its foreign keys "
    "are created NOT VALID, so existing rows are not checked against them. Tables with no "
    "more rows than the sample are loaded and compared whole."
)
