"""``runs/index.html``: the latest verdicts, and each table's row count over the nightly history.

A pure function of the history records: one self-contained page (inline CSS and SVG, no script,
nothing fetched: its Content-Security-Policy forbids both), every text escaped, and only names,
counts and verdicts in it, never a row value.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dumpcheck.compare.findings import VERDICTS
from pipeline.history import RunRecord

KEEP_RUNS = 60  # runs on each chart: two months of nights
_W, _H = 300, 44  # one chart, in CSS pixels
_PAD, _LABEL = 5, 64  # around the plot; room right of it for the last value
_PASSING = frozenset({"ok", "unexpected"})

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1f24; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.25em 0.8em; border-bottom: 1px solid #d8dee4; }
td.time { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failing td.verdict { color: #b42318; font-weight: 600; }
tr.shrank { background: #fff4e5; }
tr.shrank td.change { color: #b42318; font-weight: 600; }
.error { color: #b42318; }
svg.chart { display: block; }
svg.chart .axis { stroke: #d8dee4; }
svg.chart .series { fill: none; stroke: #0969da; stroke-width: 1.5; }
svg.chart .point { fill: #0969da; }
svg.chart .point.lost { fill: #b42318; }
svg.chart .error-run { stroke: #b42318; stroke-dasharray: 2 2; }
svg.chart .last { font-size: 11px; fill: #1b1f24; }
tr.shrank svg.chart .series { stroke: #b42318; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Point:
    """One run's count for one table: the dump's, else the restored one."""

    run: int  # index among the charted runs
    time: str
    dump: int | None
    restored: int | None
    verdict: str | None
    sample: int | None = None  # the run was a quick verify (--quick --sample N)

    @property
    def value(self) -> int | None:
        """The charted count."""
        return self.dump if self.dump is not None else self.restored

    @property
    def lost(self) -> bool:
        """Fewer rows restored than the dump holds (than a quick verify loads of them)."""
        if self.dump is None or self.restored is None:
            return False
        return self.restored < (self.dump if self.sample is None else min(self.dump, self.sample))


def render_page(records: Sequence[RunRecord], *, keep: int = KEEP_RUNS) -> str:
    """The whole page for ``history.jsonl``'s records, oldest first."""
    window = list(records[-keep:])
    judged = [r for r in records if r.error is None]
    latest = judged[-1] if judged else None
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>dumpcheck nightly</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>dumpcheck nightly</h1>",
        *_headline(records, latest),
    ]
    if judged:
        parts += _verdict_table(window, judged)
    parts += _runs_table(window)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _headline(records: Sequence[RunRecord], latest: RunRecord | None) -> list[str]:
    if not records:
        return ["<p>No run yet.</p>"]
    last = records[-1]
    out = [f'<p class="summary">Last run {_e(_when(last.time))}: exit {last.exit_code}, '
           f"{_e(_result(last))}.</p>"]  # fmt: skip
    if last.error is not None and latest is not None:
        out.append(
            f'<p class="error">It judged no table; the verdicts below are from the run of '
            f"{_e(_when(latest.time))}.</p>"
        )
    elif latest is None:
        out.append('<p class="error">No run has judged a table yet.</p>')
    return out


def _verdict_table(window: list[RunRecord], judged: list[RunRecord]) -> list[str]:
    latest = judged[-1]
    order: dict[str, int] = {v: i for i, v in enumerate(VERDICTS)}
    tables = sorted(latest.verdicts, key=lambda t: (order.get(latest.verdicts[t], 99), t))
    tables += sorted({t for r in window for t in (*r.verdicts, *r.rows)} - set(tables))
    out = [
        f"<h2>Tables ({len(tables)})</h2>",
        '<table id="verdicts"><thead><tr><th>table</th><th>verdict</th><th>rows</th>'
        f"<th>change since the last run</th><th>rows over the last {len(window)} runs</th>"
        "</tr></thead><tbody>",
    ]
    for table in tables:
        series = _series(window, table)
        verdict = latest.verdicts.get(table)
        change, shrank = _change(table, judged, _shrinking_streak(series))
        failing = verdict is not None and verdict not in _PASSING
        classes = [c for c, on in (("failing", failing), ("shrank", shrank)) if on]
        out.append(
            f'<tr data-table="{_e(table)}" class="{" ".join(classes)}">'
            f"<td>{_e(table)}</td>"
            f'<td class="verdict">{_e(verdict or "not in the last run")}</td>'
            f'<td class="num">{_e(_rows_text(latest, table))}</td>'
            f'<td class="change">{"▼ " if shrank else ""}{_e(change)}</td>'
            f"<td>{_chart(table, series, window)}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _series(window: list[RunRecord], table: str) -> list[Point]:
    points = []
    for i, record in enumerate(window):
        sides = record.rows.get(table, {})
        point = Point(
            i,
            record.time,
            sides.get("dump"),
            sides.get("restored"),
            record.verdicts.get(table),
            record.sample,
        )
        if point.value is not None:
            points.append(point)
    return points


def _value(record: RunRecord | None, table: str) -> int | None:
    if record is None:
        return None
    sides = record.rows.get(table, {})
    dump = sides.get("dump")
    return dump if dump is not None else sides.get("restored")


def _rows_text(record: RunRecord, table: str) -> str:
    sides = record.rows.get(table, {})
    dump, restored = sides.get("dump"), sides.get("restored")
    if dump is not None and restored is not None and dump != restored:
        sampled = " (quick: sampled)" if record.sample is not None and restored < dump else ""
        return f"{dump:,} in the dump, {restored:,} restored{sampled}"
    if dump is not None and restored is None:
        return f"{dump:,} in the dump, not restored"
    value = dump if dump is not None else restored
    return "-" if value is None else f"{value:,}"


def _change(table: str, judged: list[RunRecord], streak: int) -> tuple[str, bool]:
    """The change since the last run that judged tables, and whether the table shrank.

    The count is compared with the last run that counted the table: a night it was not in the
    dump (or a run that failed) between the two does not hide a shrink.
    """
    latest, earlier = judged[-1], judged[:-1]
    if not earlier:
        return "first run", False
    now = _value(latest, table)
    before = next(((r, v) for r in reversed(earlier) if (v := _value(r, table)) is not None), None)
    shrank = False
    if now is not None and before is not None:
        delta = now - before[1]
        shrank = delta < 0
        share = f" ({delta / before[1]:+.1%})" if before[1] else ""
        text = "no change" if delta == 0 else f"{delta:+,}{share}"
        if before[0] is not earlier[-1]:
            text += f" since {_when(before[0].time)}"
        if shrank and streak > 1:
            text += f", shrank at each of the last {streak} counts"
    elif before is not None:
        text = f"not counted (was {before[1]:,})"
    elif now is not None:
        text = f"first count: {now:,}"
    else:
        text = "-"
    was = earlier[-1].verdicts.get(table)
    if was is not None and was != latest.verdicts.get(table):
        text += f", was {was}"
    return text, shrank


def _shrinking_streak(series: list[Point]) -> int:
    """How many of the last counts in a row were each smaller than the one before."""
    streak = 0
    for newer, older in zip(reversed(series), list(reversed(series))[1:], strict=False):
        if newer.value is None or older.value is None or newer.value >= older.value:
            break
        streak += 1
    return streak


def _chart(table: str, series: list[Point], window: list[RunRecord]) -> str:
    """An inline SVG: one point per run that counted the table, a dashed line per failed run."""
    plot_w, plot_h = _W - 2 * _PAD - _LABEL, _H - 2 * _PAD
    top = max((p.value for p in series if p.value is not None), default=0) or 1

    def x(run: int) -> float:
        return _PAD + (plot_w * run / (len(window) - 1) if len(window) > 1 else plot_w / 2)

    def y(value: int) -> float:
        # From zero, not from the smallest count: a shrink looks as big as it is.
        return _PAD + plot_h * (1 - value / top)

    out = [
        f'<svg class="chart" data-table="{_e(table)}" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{_e(table)}: rows over the last {len(window)} runs">',
        f"<title>{_e(table)}: rows over the last {len(window)} runs</title>",
        f'<line class="axis" x1="{_PAD}" y1="{_H - _PAD}" x2="{_PAD + plot_w}" y2="{_H - _PAD}"/>',
    ]
    for i, record in enumerate(window):
        if record.error is not None:
            out.append(
                f'<line class="error-run" x1="{x(i):.1f}" y1="{_PAD}" x2="{x(i):.1f}" '
                f'y2="{_H - _PAD}"><title>{_e(_when(record.time))}: the run ended in an error '
                f"(exit {record.exit_code})</title></line>"
            )
    coords = [(x(p.run), y(p.value)) for p in series if p.value is not None]
    if len(coords) > 1:
        points = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        out.append(f'<polyline class="series" points="{points}"/>')
    for p, (cx, cy) in zip(series, coords, strict=True):
        out.append(
            f'<circle class="point{" lost" if p.lost else ""}" cx="{cx:.1f}" cy="{cy:.1f}" r="2">'
            f"<title>{_e(_point_text(p))}</title></circle>"
        )
    if series and series[-1].value is not None:
        cx, cy = coords[-1]
        out.append(
            f'<text class="last" x="{cx + 6:.1f}" y="{min(max(cy + 4, 12), _H - 2):.1f}">'
            f"{series[-1].value:,}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _point_text(p: Point) -> str:
    parts = [f"{p.dump:,} rows in the dump" if p.dump is not None else "not in the dump's data"]
    if p.restored is not None:
        sampled = p.sample is not None and p.dump is not None and p.restored < p.dump
        parts.append(f"{p.restored:,} restored" + (" (quick verify: sampled)" if sampled else ""))
    verdict = f" ({p.verdict})" if p.verdict else ""
    return f"{_when(p.time)}: {', '.join(parts)}{verdict}"


def _runs_table(window: list[RunRecord]) -> list[str]:
    out = [
        f"<h2>Runs ({len(window)}, newest first)</h2>",
        '<table id="runs"><thead><tr><th>time</th><th>exit</th><th>result</th><th>dump</th>'
        "</tr></thead><tbody>",
    ]
    for record in reversed(window):
        cls = ' class="error"' if record.error is not None else ""
        out.append(
            f'<tr{cls}><td class="time">{_e(_when(record.time))}</td>'
            f'<td class="num">{record.exit_code}</td>'
            f"<td>{_e(_result(record))}</td><td>{_e(record.dump)}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _result(record: RunRecord) -> str:
    if record.error is not None:
        return f"error: {record.error}"
    counts = [f"{record.counts[v]} {v}" for v in VERDICTS if record.counts.get(v)]
    return ", ".join(counts) or "no tables"


def _when(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
