"""The renderers on real findings: the demo dumps verified through a real scratch server."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from dumpcheck.report import FORMATS, load_schema, render
from dumpcheck.report.explain import ExplainFormat
from dumpcheck.report.triage import parse_prisma_error, render_explain, resolve_table
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import VerifyOptions, verify

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
# Row values of fixtures/demo/production.sql: none may reach a report.
ROW_VALUES = ("daas-prod-1", "16384", "SKU-00001", "5b0f6a0e-6f0e", "a7e3c1d2-0000", "Storage")

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("dump", ["products_never_dumped.dump", "products_broken.sql"])
def test_real_findings_render_in_every_format(scratch_server: ScratchServer, dump: str) -> None:
    options = VerifyOptions(
        dump=DEMO / "dumps" / dump,
        prisma=DEMO / "schema.prisma",
        backend="dsn",
        scratch_dsn=scratch_server.conninfo,
    )
    findings = verify(options).findings
    outputs: dict[str, str] = {fmt: render(findings, fmt) for fmt in FORMATS}
    jsonschema.Draft202012Validator(load_schema()).validate(json.loads(outputs["json"]))
    verdict = "never_in_dump" if "never" in dump else "failed_restore"
    suite = ET.fromstring(outputs["junit"]).find("testsuite")
    assert suite is not None
    # The broken variant also fails the "dump" testcase: the extension is missing.
    assert suite.get("failures") == ("1" if verdict == "never_in_dump" else "2")
    headline = {"never_in_dump": "was never in the dump", "failed_restore": "failed to restore"}
    assert f"products {headline[verdict]}" in outputs["text"].splitlines()[0]
    assert f"### `public.products` (model Product): {verdict}" in outputs["markdown"]
    pasted = (
        "Invalid `prisma.product.findMany()` invocation:\n"
        "The table `aas_bronze_production.products` does not exist in the current database."
    )
    table, reading = resolve_table(parse_prisma_error(pasted), findings)
    assert table.verdict == verdict
    explain_formats: tuple[ExplainFormat, ...] = ("text", "markdown", "json")
    for fmt in explain_formats:
        outputs[f"explain-{fmt}"] = render_explain(findings, table, reading, fmt)
    for name, text in outputs.items():
        for value in ROW_VALUES:
            assert value not in text, f"row value {value!r} in the {name} output"
