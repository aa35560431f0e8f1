"""Run history (``runs/history.jsonl``) and what changed since the last run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dumpcheck.compare.findings import Findings


@dataclass(frozen=True)
class RunRecord:
    """One line of history.jsonl."""

    time: str
    dump: str
    run_dir: str
    exit_code: int
    duration_s: float
    counts: dict[str, int]
    verdicts: dict[str, str]  # "schema.table" -> verdict
    error: str | None = None
    # --promote-to: whether the run swapped the verified database in (None: not asked).
    promoted: bool | None = None
    # "schema.table" -> {"dump": rows in the dump, "restored": rows read back} (None: not
    # counted on that side). Lines written before this field have none: no point on a chart.
    rows: dict[str, dict[str, int | None]] = field(default_factory=dict)
    # --quick: at most this many rows of each table were loaded, so a restored count below the
    # dump's is the sample, not a loss (None: a full verify).
    sample: int | None = None

    def to_json(self) -> str:
        """One JSON line."""
        return json.dumps(self.__dict__, sort_keys=True)


def last_record(history: Path, *, with_verdicts: bool = False) -> RunRecord | None:
    """The newest readable record, skipping a torn last line (a run killed mid-write).

    ``with_verdicts`` skips runs that ended in an error (exit 2 or 3): they judged no table, so
    comparing with one would report every table as new.
    """
    for record in reversed(read_records(history)):
        if with_verdicts and record.error is not None:
            continue
        return record
    return None


def read_records(history: Path) -> list[RunRecord]:
    """Every readable record, oldest first; a torn or hand-broken line is skipped, not fatal."""
    if not history.exists():
        return []
    records = []
    for line in history.read_text(encoding="utf-8").splitlines():
        record = _parse(line)
        if record is not None:
            records.append(record)
    return records


def _parse(line: str) -> RunRecord | None:
    try:
        data: dict[str, Any] = json.loads(line)
        record = RunRecord(**data)
    except (ValueError, TypeError):
        return None
    # The page and the change lines index into these: a line of another shape is unreadable.
    shaped = (
        isinstance(record.time, str)
        and isinstance(record.dump, str)
        and isinstance(record.exit_code, int)
        and (record.error is None or isinstance(record.error, str))
        and isinstance(record.verdicts, dict)
        and isinstance(record.counts, dict)
        and isinstance(record.rows, dict)
        and (record.sample is None or (isinstance(record.sample, int) and record.sample > 0))
        and all(
            isinstance(sides, dict)
            and all(
                n is None or (isinstance(n, int) and not isinstance(n, bool))
                for n in sides.values()
            )
            for sides in record.rows.values()
        )
    )
    return record if shaped else None


def append_record(history: Path, record: RunRecord) -> None:
    """Append one line; a single write call so that concurrent readers never see half a line."""
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("a", encoding="utf-8") as fh:
        fh.write(record.to_json() + "\n")


def verdict_map(findings: Findings) -> dict[str, str]:
    """``schema.table`` -> verdict, for the history."""
    return {t.qualified: t.verdict for t in findings.tables}


def row_counts(findings: Findings) -> dict[str, dict[str, int | None]]:
    """``schema.table`` -> the dump's and the restored row counts (counts only, never rows)."""
    return {
        t.qualified: {"dump": t.dump_rows, "restored": t.restored_rows} for t in findings.tables
    }


def changes(previous: RunRecord | None, current: dict[str, str]) -> list[str]:
    """Lines such as ``new: public.products never_in_dump`` (only changes that matter)."""
    if previous is None:
        return ["first run: no history to compare with"]
    lines: list[str] = []
    for table, verdict in sorted(current.items()):
        before = previous.verdicts.get(table)
        was = f" (was {before})" if before else ""
        if before == verdict:
            continue
        if verdict == "ok":
            lines.append(f"fixed: {table} ok{was}" if before else f"new table: {table} ok")
        elif before in (None, "ok"):
            lines.append(f"new: {table} {verdict}{was}")
        else:
            lines.append(f"changed: {table} {verdict}{was}")
    for table in sorted(set(previous.verdicts) - set(current)):
        lines.append(f"gone: {table} (was {previous.verdicts[table]})")
    return lines or ["no change since the last run"]
