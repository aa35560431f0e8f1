"""A quick verify in every report format: the run says it was quick with N, every sampled
table says so (never only in a footnote), and a full verify's reports stay as they were."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import jsonschema
import pytest

from dumpcheck.compare.findings import ErrorRef, Findings, TableFinding
from dumpcheck.report import FORMATS, load_schema, render
from tests.report.report_cases import DEMO_DUMP, SCRATCH, demo

SAMPLED_NOTE = (
    "Rows not compared by content: sampled (--quick loaded the first 1000 of 250000 rows), so "
    "its fingerprint would not match the dump's, which covers every row."
)


def quick() -> Findings:
    """events sampled and ok, tags loaded whole, orders' sample failed to load."""
    events = TableFinding(
        "public",
        "events",
        "Event",
        "ok",
        True,
        True,
        250000,
        1000,
        evidence=("Sampled (--quick): the restore took only the first 1000 of its 250000 rows.",),
        dump_fingerprint="00112233445566aa",
        fingerprint_note=SAMPLED_NOTE,
        sampled=True,
    )
    tags = TableFinding(
        "public",
        "tags",
        "Tag",
        "ok",
        True,
        True,
        7,
        7,
        dump_fingerprint="0123456789abcdef",
        restored_fingerprint="0123456789abcdef",
    )
    orders = TableFinding(
        "public",
        "orders",
        "Order",
        "failed_restore",
        True,
        True,
        5000,
        0,
        errors=(
            ErrorRef(
                message='invalid input syntax for type integer: "n/a"',
                statement="COPY public.orders (id, qty) FROM stdin;",
                location="TOC 3390",
                sqlstate="22P02",
            ),
        ),
        evidence=("Quick verify (--quick): its first 1000 of its 5000 rows failed to load.",),
        sampled=True,
    )
    return Findings(
        dump=DEMO_DUMP,
        scratch=SCRATCH,
        tables=(events, tags, orders),
        prisma="prisma/schema.prisma",
        sample=1000,
    )


def test_the_summary_line_says_quick_and_n() -> None:
    first = render(quick(), "text").splitlines()[0]
    assert first.startswith("dumpcheck: 1 failed_restore, 2 ok — orders failed to restore")
    assert "(quick verify: at most the first 1000 rows of each table were loaded, 2 tables " in (
        render(quick(), "text", width=400)
    )
    assert "quick" not in render(demo(), "text", quiet=True)


def test_text_marks_each_sampled_table() -> None:
    text = render(quick(), "text", width=160)
    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("public ")}
    assert "1000 (sampled)" in rows["events"]
    assert "sampled: restored and matches the schema" in rows["events"]
    assert "(sampled)" not in rows["tags"]
    assert "0 (sampled)" in rows["orders"]
    assert "sampled: invalid input syntax" in rows["orders"]
    assert "Quick verify (--sample 1000):" in text
    assert "a row after them that would fail to load is not seen" in text
    assert "public.events: sampled (--quick loaded the first 1000 of 250000 rows)" in text


def test_json_has_the_sample_and_a_sampled_flag_per_table() -> None:
    report = json.loads(render(quick(), "json"))
    jsonschema.Draft202012Validator(load_schema()).validate(report)
    assert report["sample"] == 1000
    assert {t["name"]: t["sampled"] for t in report["tables"]} == {
        "events": True,
        "orders": True,
        "tags": False,
    }
    events = next(t for t in report["tables"] if t["name"] == "events")
    assert events["fingerprint"] == {
        "dump": "00112233445566aa",
        "restored": None,
        "note": SAMPLED_NOTE,
    }


def test_the_schema_wants_sampled_on_every_table_of_a_quick_report() -> None:
    report = json.loads(render(quick(), "json"))
    del report["tables"][0]["sampled"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(load_schema()).validate(report)


def test_a_full_verify_report_has_no_sample_keys() -> None:
    report = json.loads(render(demo(), "json"))
    assert "sample" not in report
    assert all("sampled" not in t for t in report["tables"])


def test_markdown_says_quick_and_lists_the_sampled_tables() -> None:
    md = render(quick(), "markdown")
    assert "- **Mode:** Quick verify: at most the first 1000 rows of each table" in md
    assert "| public | events | Event | ok | 250000 | 1000 (sampled) | sampled: restored" in md
    assert "| public | tags | Tag | ok | 7 | 7 | restored and matches the schema |" in md
    assert "## Quick verify" in md
    assert "Sampled: `public.events`, `public.orders`." in md


def test_junit_carries_the_sample_and_each_sampled_table() -> None:
    root = ET.fromstring(render(quick(), "junit"))
    suite = root.find("testsuite")
    assert suite is not None
    assert suite[0].tag == "properties"
    prop = suite.find("properties/property")
    assert prop is not None and prop.attrib == {"name": "quick_sample", "value": "1000"}
    cases = {c.attrib["name"]: c for c in suite.findall("testcase")}
    events_out = cases["events"].findtext("system-out") or ""
    assert events_out.startswith("public.events: sampled (--quick): 1000 of 250000 rows loaded")
    failure = cases["orders"].find("failure")
    assert failure is not None and "restored rows: 0 (sampled)" in (failure.text or "")
    assert cases["tags"].find("system-out") is None
    no_print = replace(quick(), tables=(replace(quick().tables[0], fingerprint_note=None),))
    out = ET.fromstring(render(no_print, "junit")).findtext("testsuite/testcase/system-out")
    assert out is not None and "sampled (--quick)" in out  # said even without fingerprints


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_the_sampled_tables(fmt: str) -> None:
    text = render(quick(), fmt)  # type: ignore[arg-type]
    assert "sampled" in text
    assert "1000" in text


def test_a_sampled_ok_table_is_not_said_to_have_all_its_rows() -> None:
    from dumpcheck.report import wording

    events, tags, _ = quick().tables
    assert wording.meaning(events).startswith("restored with its first rows (sampled, --quick)")
    assert wording.meaning(tags).startswith("restored with all its rows")
