"""Format-level checks: JSON Schema, JUnit counts, text options, privacy, Markdown answers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import jsonschema
import pytest

from dumpcheck.compare.findings import VERDICTS, Findings
from dumpcheck.errors import BadInputError
from dumpcheck.report import FORMATS, load_schema, render
from tests.report.report_cases import CASES, SECRET_VALUES, demo, failed_restore, truncated

ALL = sorted(CASES)


@pytest.mark.parametrize("case", ALL)
def test_json_validates_against_the_shipped_schema(case: str) -> None:
    findings = CASES[case]()
    report = json.loads(render(findings, "json"))
    jsonschema.Draft202012Validator(load_schema()).validate(report)
    assert report["report_version"] == 1
    assert report["summary"] == findings.summary()
    assert report["exit_code"] == findings.exit_code()
    assert list(report) == [
        "report_version",
        "dump",
        "scratch",
        "database",
        "prisma",
        "strict",
        "tables",
        "dump_findings",
        "notes",
        "summary",
        "exit_code",
    ]


def test_json_schema_rejects_a_wrong_report() -> None:
    report = json.loads(render(demo(), "json"))
    report["tables"][0]["verdict"] = "vanished"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, load_schema())
    report = json.loads(render(truncated(), "json"))
    del report["dump_findings"][0]["stops_at"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, load_schema())


def test_json_is_indented_and_ends_with_newline() -> None:
    text = render(demo(), "json")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "report_version": 1,\n')


@pytest.mark.parametrize("case", ALL)
def test_junit_parses_with_correct_counts(case: str) -> None:
    findings = CASES[case]()
    root = ET.fromstring(render(findings, "junit").encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "dumpcheck"
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert suite.get("tests") == root.get("tests") == str(len(cases))
    assert suite.get("failures") == root.get("failures") == str(len(failures))
    assert suite.get("errors") == "0"
    table_cases = [c for c in cases if c.get("classname") != "dumpcheck"]
    assert len(table_cases) == len(findings.tables)
    assert len(cases) == len(findings.tables) + 1  # the "dump" testcase is always there
    failing_names = {(f"dumpcheck.{t.schema}", t.name) for t in findings.failing()}
    failed_tables = {
        (c.get("classname"), c.get("name")) for c in failures if c.get("classname") != "dumpcheck"
    }
    assert failed_tables == failing_names
    for case_el in failures:
        failure = case_el.find("failure")
        assert failure is not None
        assert failure.get("message", "").startswith(f"{failure.get('type')}: ")
        assert failure.text


def test_junit_unexpected_passes_unless_strict() -> None:
    def terraform(strict_case: str) -> ET.Element:
        root = ET.fromstring(render(CASES[strict_case](), "junit"))
        found = [c for c in root.iter("testcase") if c.get("name") == "terraform_vm_config"]
        return found[0]

    assert terraform("demo").find("failure") is None
    assert terraform("demo").find("system-out") is not None
    failure = terraform("demo_strict").find("failure")
    assert failure is not None and failure.get("type") == "unexpected"


def test_junit_dump_case_fails_only_for_fatal_findings() -> None:
    def dump_case(name: str) -> ET.Element:
        root = ET.fromstring(render(CASES[name](), "junit"))
        return next(c for c in root.iter("testcase") if c.get("name") == "dump")

    truncated_failure = dump_case("truncated").find("failure")
    assert truncated_failure is not None
    assert truncated_failure.get("type") == "truncated"
    assert dump_case("dump_kinds").find("failure") is None  # none of them fails the run
    demo_dump = dump_case("demo")
    assert demo_dump.find("failure") is None and demo_dump.find("system-out") is None


def test_junit_survives_control_characters() -> None:
    base = failed_restore()
    orders = base.tables[0]
    error = orders.errors[0]
    broken = replace(orders, errors=(replace(error, message="bad byte \x00 here\x1b"),))
    findings = replace(base, tables=(broken, *base.tables[1:]))
    root = ET.fromstring(render(findings, "junit"))
    assert "bad byte \ufffd here\ufffd" in ET.tostring(root, encoding="unicode")


def test_text_summary_line_and_order() -> None:
    text = render(demo(), "text")
    first = text.splitlines()[0]
    assert (
        first == "dumpcheck: 1 never_in_dump, 1 unexpected, 2 ok — products was never in the dump"
    )
    body = text.splitlines()[3:]
    names = [line.split()[1] for line in body if line.startswith("public ")]
    # Not-ok first, in VERDICTS order, then by name.
    assert names == ["products", "terraform_vm_config", "_prisma_migrations", "categories"]
    assert "\x1b[" not in text


def test_text_quiet_is_the_summary_only() -> None:
    assert render(demo(), "text", quiet=True) == (
        "dumpcheck: 1 never_in_dump, 1 unexpected, 2 ok — products was never in the dump\n"
    )


def test_text_color_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = render(demo(), "text", color=True)
    assert "\x1b[" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in render(demo(), "text", color=True)


def test_text_width_is_respected() -> None:
    for width in (80, 100, 160):
        lines = render(truncated(), "text", width=width).splitlines()
        assert max(len(line) for line in lines[1:]) <= width


def test_summary_line_names_at_most_three_problems() -> None:
    base = demo()
    many = tuple(replace(base.tables[2], name=f"t{i}") for i in range(5))
    text = render(replace(base, tables=many), "text", quiet=True)
    assert text.rstrip().endswith("t2 was never in the dump; and 2 more")


def test_all_ok_summary() -> None:
    ok = Findings(demo().dump, None, (demo().tables[1],))
    assert render(ok, "text", quiet=True).endswith("— every expected table is ok\n")
    assert "Nothing: the dump restores every table" in render(ok, "markdown")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", ALL)
def test_no_row_values_in_any_format(case: str, fmt: str) -> None:
    rendered = render(CASES[case](), fmt)  # type: ignore[arg-type]
    for secret in SECRET_VALUES:
        assert secret not in rendered


def test_markdown_answers_the_incident_questions() -> None:
    md = render(demo(), "markdown")
    for heading in (
        "### Was the table in the dump?",
        "### Did production have it?",
        "### Did it fail to restore, and why?",
        "### Are other tables missing?",
        "### What to do next",
    ):
        assert heading in md
    assert "- `public.products`: **no**" in md
    assert "- In the dump but not in the Prisma schema: `terraform_vm_config`." in md
    assert "- Restored and ok: `_prisma_migrations`, `categories`." in md
    assert "dumpcheck expect fixtures/demo/schema.prisma --format sql --table products" in md
    assert "-T`/`--exclude-table" in md


def test_markdown_failed_restore_has_statement_and_error_blocks() -> None:
    md = render(failed_restore(), "markdown")
    assert "```sql\nCREATE TABLE public.orders (\n" in md
    assert '```\ntype "public.citext" does not exist\n```' in md
    assert 'Fix the root cause: extension "citext" is not available.' in md


def test_markdown_escapes_pipes_and_backticks_in_names() -> None:
    base = demo()
    odd = replace(base.tables[2], name="we|ird`name")
    md = render(replace(base, tables=(odd,)), "markdown")
    assert "| we\\|ird`name |" in md
    assert "`` public.we|ird`name ``" in md


def test_every_verdict_renders() -> None:
    base = demo().tables[2]
    tables = tuple(replace(base, name=v, verdict=v) for v in VERDICTS)
    findings = replace(demo(), tables=tables)
    for fmt in FORMATS:
        assert render(findings, fmt)


def test_unknown_format_is_bad_input() -> None:
    with pytest.raises(BadInputError):
        render(demo(), "html")  # type: ignore[arg-type]


def test_text_prints_brackets_literally() -> None:
    # rich markup must never interpret names or messages.
    odd = replace(demo().tables[2], name="[bold]x[/bold]")
    text = render(replace(demo(), tables=(odd,)), "text", color=True, width=200)
    assert "[bold]x[/bold]" in text
