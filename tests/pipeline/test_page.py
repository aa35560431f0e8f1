"""runs/index.html without a browser: the renderer on hand-made history records, and the history
lines it reads (old ones without row counts, torn ones)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from pipeline.history import RunRecord, last_record, read_records, row_counts
from pipeline.page import render_page

from dumpcheck.compare.findings import Findings, TableFinding
from tests.pipeline.dom import Element, parse

Rows = dict[str, int | tuple[int | None, int | None] | None]


def run(day: int, rows: Rows, verdicts: dict[str, str] | None = None) -> RunRecord:
    """A judged run on 2026-12-<day>: ``rows`` gives each table's count (or dump, restored)."""
    sides = {
        t: {"dump": n[0], "restored": n[1]} if isinstance(n, tuple) else {"dump": n, "restored": n}
        for t, n in rows.items()
    }
    verdicts = verdicts or {t: "ok" for t in rows}
    counts = {v: list(verdicts.values()).count(v) for v in set(verdicts.values())}
    return RunRecord(
        f"2026-12-{day:02d}T02:00:00+00:00", "prod.dump", f"runs/{day}", 0, 1.0, counts, verdicts,
        rows=sides,
    )  # fmt: skip


def failed(day: int, message: str = "dump not found: /backups/prod.dump") -> RunRecord:
    return RunRecord(
        f"2026-12-{day:02d}T02:00:00+00:00", "prod.dump", f"runs/{day}", 2, 0.1, {}, {}, message
    )


def page(records: list[RunRecord]) -> Element:
    return parse(render_page(records))


def row(doc: Element, table: str) -> Element:
    return doc.one("tr", **{"data-table": table})


def chart(doc: Element, table: str) -> Element:
    return doc.one("svg", "chart", **{"data-table": table})


def test_a_verdict_row_and_a_chart_per_table_with_a_point_per_run() -> None:
    doc = page([run(1, {"public.a": 5, "public.b": 7}), run(2, {"public.a": 6, "public.b": 7})])
    rows = doc.one("table", id="verdicts").one("tbody").find_all("tr")
    assert [r.attrs["data-table"] for r in rows] == ["public.a", "public.b"]
    cells = [c.text() for c in rows[0].find_all("td")[:4]]
    assert cells == ["public.a", "ok", "6", "+1 (+20.0%)"]
    assert len(doc.find_all("svg", "chart")) == 2
    points = chart(doc, "public.a").find_all("circle", "point")
    assert [p.one("title").text() for p in points] == [
        "2026-12-01 02:00 UTC: 5 rows in the dump, 5 restored (ok)",
        "2026-12-02 02:00 UTC: 6 rows in the dump, 6 restored (ok)",
    ]
    assert chart(doc, "public.a").one("text", "last").text() == "6"
    assert chart(doc, "public.a").one("polyline", "series")
    # The first night has nothing to compare with.
    assert page([run(1, {"public.a": 5})]).one("td", "change").text() == "first run"


def test_a_shrinking_table_is_marked_and_a_steady_one_is_not() -> None:
    doc = page([run(d, {"public.a": n, "public.b": 9}) for d, n in ((1, 42), (2, 30), (3, 20))])
    shrinking = row(doc, "public.a")
    assert "shrank" in shrinking.classes
    assert shrinking.one("td", "change").text() == (
        "▼ -10 (-33.3%), shrank at each of the last 2 counts"
    )
    assert "shrank" not in row(doc, "public.b").classes
    assert row(doc, "public.b").one("td", "change").text() == "no change"
    # The points go down: SVG's y grows downwards.
    ys = [float(p.attrs["cy"]) for p in chart(doc, "public.a").find_all("circle", "point")]
    assert ys == sorted(ys)


def test_a_shrink_across_a_night_without_a_count_is_still_marked() -> None:
    never = {"public.a": "never_in_dump"}
    doc = page([run(1, {"public.a": 30}), run(2, {"public.a": None}, never), failed(3),
                run(4, {"public.a": 20})])  # fmt: skip
    assert "shrank" in row(doc, "public.a").classes
    assert row(doc, "public.a").one("td", "change").text() == (
        "▼ -10 (-33.3%) since 2026-12-01 02:00 UTC, was never_in_dump"
    )
    assert len(chart(doc, "public.a").find_all("circle", "point")) == 2


def test_runs_that_ended_in_an_error_show_as_runs_without_points() -> None:
    records = [run(1, {"public.a": 3}), failed(2), run(3, {"public.a": 3}), failed(4, "disk full")]
    doc = page(records)
    svg = chart(doc, "public.a")
    assert len(svg.find_all("circle", "point")) == 2
    errors = svg.find_all("line", "error-run")
    assert [e.one("title").text() for e in errors] == [
        "2026-12-02 02:00 UTC: the run ended in an error (exit 2)",
        "2026-12-04 02:00 UTC: the run ended in an error (exit 2)",
    ]
    # The error runs sit between the points on the same x axis.
    xs = sorted(float(p.attrs["cx"]) for p in svg.find_all("circle", "point"))
    assert xs[0] < float(errors[0].attrs["x1"]) < xs[1] < float(errors[1].attrs["x1"])
    summary = doc.one("p", "summary").text()
    assert summary == "Last run 2026-12-04 02:00 UTC: exit 2, error: disk full."
    assert "verdicts below are from the run of 2026-12-03 02:00 UTC" in doc.one("p", "error").text()
    runs = doc.one("table", id="runs").one("tbody").find_all("tr")
    assert len(runs) == 4 and "error" in runs[0].classes


def test_only_failed_runs_give_no_verdict_table() -> None:
    doc = page([failed(1)])
    assert doc.find_all("table", id="verdicts") == []
    assert doc.one("p", "error").text() == "No run has judged a table yet."
    assert page([]).one("p").text() == "No run yet."


def test_rows_lost_shows_both_counts_and_marks_the_point() -> None:
    doc = page([run(1, {"public.a": (10, 7)}, {"public.a": "rows_lost"})])
    assert row(doc, "public.a").one("td", "num").text() == "10 in the dump, 7 restored"
    assert "failing" in row(doc, "public.a").classes
    assert "lost" in chart(doc, "public.a").one("circle", "point").classes
    broken = page([run(1, {"public.a": (10, None)}, {"public.a": "failed_restore"})])
    assert row(broken, "public.a").one("td", "num").text() == "10 in the dump, not restored"


def test_the_chart_keeps_the_last_60_runs() -> None:
    records = [
        RunRecord(f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}T02:00:00+00:00", "d", "r", 0, 1.0,
                  {"ok": 1}, {"public.a": "ok"}, rows={"public.a": {"dump": i, "restored": i}})
        for i in range(75)
    ]  # fmt: skip
    doc = page(records)
    points = chart(doc, "public.a").find_all("circle", "point")
    assert len(points) == 60
    assert points[0].one("title").text().startswith("2026-01-16 02:00 UTC: 15 rows")
    assert len(doc.one("table", id="runs").one("tbody").find_all("tr")) == 60


def test_everything_is_escaped_and_nothing_is_fetched_or_run() -> None:
    name = 'public."<img src=x onerror=alert(1)>"'
    error = "dump not found: /backups/<script>alert('x')</script> & more"
    text = render_page([run(1, {name: 3}), failed(2, error)])
    doc = parse(text)
    assert doc.one("tr", **{"data-table": name}).find_all("td")[0].text() == name
    assert error in doc.one("table", id="runs").text()
    # No element but the page's own, no external reference, no script.
    tags = {e.tag for e in doc.iter()}
    assert tags <= {"#document", "html", "head", "meta", "title", "style", "body", "h1", "h2", "p",
                    "table", "thead", "tbody", "tr", "th", "td", "svg", "line", "polyline",
                    "circle", "text"}  # fmt: skip
    assert not any({"src", "href", "xlink:href"} & e.attrs.keys() for e in doc.iter())
    assert not re.search(r"<script|<img|url\(|@import", text, re.IGNORECASE)
    csp = doc.one("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    assert "default-src 'none'" in csp


def test_older_history_lines_without_row_counts_read_and_add_no_point(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    old = failed(1).__dict__ | {"error": None, "exit_code": 0, "verdicts": {"public.a": "ok"}}
    old.pop("rows")  # as the nightly job wrote it before row counts
    lines = [
        json.dumps(old),
        run(2, {"public.a": 4}).to_json(),
        json.dumps(run(3, {"public.a": 5}).__dict__ | {"rows": {"public.a": {"dump": "5"}}}),
        '{"time": "2026-12-04T02:00:00+00:00", "dump": "prod.du',  # a run killed mid-write
    ]
    history.write_text("\n".join(lines) + "\n")
    records = read_records(history)
    assert [r.time[:10] for r in records] == ["2026-12-01", "2026-12-02"]
    assert records[0].rows == {}
    last = last_record(history)
    assert last is not None and last.rows == {"public.a": {"dump": 4, "restored": 4}}
    doc = page(records)
    assert len(chart(doc, "public.a").find_all("circle", "point")) == 1
    assert row(doc, "public.a").one("td", "change").text() == "first count: 4"


def test_row_counts_are_the_findings_counts() -> None:
    def table(name: str, dump: int | None, restored: int | None) -> TableFinding:
        return TableFinding("public", name, None, "ok", dump is not None, restored is not None,
                            dump, restored)  # fmt: skip

    findings = Findings(None, None, (table("a", 3, 3), table("b", 5, None), table("c", None, None)))
    assert row_counts(findings) == {
        "public.a": {"dump": 3, "restored": 3},
        "public.b": {"dump": 5, "restored": None},
        "public.c": {"dump": None, "restored": None},
    }


def test_a_quick_run_s_sample_is_not_a_loss(tmp_path: Path) -> None:
    quick = replace(run(2, {"public.a": (3000, 1000), "public.b": (3000, 900)}), sample=1000)
    history = tmp_path / "history.jsonl"
    history.write_text(run(1, {"public.a": 3000, "public.b": 3000}).to_json() + "\n")
    history.write_text(history.read_text() + quick.to_json() + "\n")
    records = read_records(history)
    assert records[-1].sample == 1000
    doc = page(records)
    assert row(doc, "public.a").find_all("td")[2].text() == (
        "3,000 in the dump, 1,000 restored (quick: sampled)"
    )
    a_points = chart(doc, "public.a").find_all("circle", "point")
    assert [("lost" in p.attrs["class"]) for p in a_points] == [False, False]
    assert a_points[1].one("title").text() == (
        "2026-12-02 02:00 UTC: 3,000 rows in the dump, 1,000 restored (quick verify: sampled) (ok)"
    )
    # Fewer rows than the sample is still a loss.
    b_points = chart(doc, "public.b").find_all("circle", "point")
    assert [("lost" in p.attrs["class"]) for p in b_points] == [False, True]
