"""JUnit XML: one testcase per expected table, as Jenkins and GitLab read it.

The layout follows the de-facto JUnit schema both accept: a ``<testsuites>`` root holding one
``<testsuite>`` with ``tests``/``failures``/``errors``/``skipped`` counts, and ``<failure
message=... type=...>`` children carrying the evidence as text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from dumpcheck.compare.findings import Findings, TableFinding, UnparsedStatements
from dumpcheck.report import advice, quick, wording


def evidence_text(findings: Findings, table: TableFinding) -> str:
    """Everything a CI reader needs about one failing table, as plain text."""
    lines = [f"{table.qualified}: {table.verdict}: {wording.meaning(table)}."]
    side = "in database" if findings.database is not None else "restored"
    lines.append(
        f"in dump: {'yes' if table.in_dump else 'no'}; "
        f"{side}: {'yes' if table.restored else 'no'}; "
        f"dump rows: {wording.rows(table.dump_rows)}; "
        f"{wording.restored_side(findings)} rows: {quick.restored_rows(table)}"
    )
    lines += [f"evidence: {line}" for line in wording.evidence(table)]
    if table.fingerprint_note:
        lines.append(f"content: {table.fingerprint_note}")
    for error in table.errors:
        where = f" at {error.location}" if error.location else ""
        state = f" [{error.sqlstate}]" if error.sqlstate else ""
        lines.append(f"error ({error.severity}){where}{state}: {wording.error_message(error)}")
        if error.root_cause:
            lines.append(f"  root cause: {wording.root_cause(error)}")
        statement = wording.error_statement(error)
        if statement:
            lines.append(f"  statement: {statement}")
    lines += [f"difference: {wording.describe_difference(d)}" for d in table.differences]
    lines += [f"next: {step}" for step in advice.next_steps(findings, table)]
    return "\n".join(lines) + "\n"


# Characters XML 1.0 forbids even escaped (a NUL in a pasted message would break the file).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _passing_notes(table: TableFinding) -> list[str]:
    # What CI logs say of a passing table: its sample (quick verify), why its content was not
    # compared.
    lines = []
    if table.sampled:
        loaded, held = wording.rows(table.restored_rows), wording.rows(table.dump_rows)
        lines.append(
            f"sampled (--quick): {loaded} of {held} rows loaded; the rest, their content and "
            "the foreign keys' check of existing rows were not verified"
        )
    if table.fingerprint_note:
        lines.append(table.fingerprint_note)
    return lines


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": classname, "name": name, "time": "0"})


def render_junit(findings: Findings) -> str:
    """The JUnit XML report as a string (UTF-8 declaration, trailing newline)."""
    failing = set(id(t) for t in findings.failing())
    tables = sorted(findings.tables, key=lambda t: (t.schema, t.name))
    suite = ET.Element("testsuite", {"name": "dumpcheck"})
    tests = failures = 0
    for table in tables:
        case = _case(suite, f"dumpcheck.{table.schema}", table.name)
        tests += 1
        if id(table) in failing:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "message": xml_safe(f"{table.verdict}: {wording.reason(table)}"),
                    "type": table.verdict,
                },
            )
            failure.text = xml_safe(evidence_text(findings, table))
        elif table.verdict == "unexpected":
            out = ET.SubElement(case, "system-out")
            out.text = xml_safe(
                f"{table.qualified}: {wording.meaning(table)} (not a failure).\n"
                + "".join(f"{line}\n" for line in _passing_notes(table))
            )
        elif table.fingerprint_note or table.sampled:
            out = ET.SubElement(case, "system-out")
            out.text = xml_safe(
                "".join(f"{table.qualified}: {line}\n" for line in _passing_notes(table))
            )
    # The "dump" testcase is always there, so that CI sees the same tests run after run.
    case = _case(suite, "dumpcheck", "dump")
    tests += 1
    if findings.dump_findings:
        fatal = [f for f in findings.dump_findings if wording.is_fatal(findings, f)]
        lines = []
        for finding in findings.dump_findings:
            lines.append(wording.describe_dump_finding(finding))
            if isinstance(finding, UnparsedStatements):
                lines += [f"  {example}" for example in wording.unparsed_examples(finding)]
        text = xml_safe("\n".join(lines) + "\n")
        if fatal:
            failures += 1
            kinds = ", ".join(dict.fromkeys(wording.dump_finding_type(f) for f in fatal))
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "message": xml_safe(f"{kinds}: {wording.describe_dump_finding(fatal[0])}"),
                    "type": kinds,
                },
            )
            failure.text = text
        else:
            ET.SubElement(case, "system-out").text = text
    if findings.notes:  # what text, Markdown and JSON say as notes, CI logs say too
        noted = xml_safe("\n".join(findings.notes) + "\n")
        existing = case.find("system-out")
        if existing is None:
            ET.SubElement(case, "system-out").text = noted
        else:
            existing.text = (existing.text or "") + noted
    if findings.sample is not None:
        # Properties go first in a testsuite (the JUnit schema's order).
        properties = ET.Element("properties")
        ET.SubElement(
            properties, "property", {"name": "quick_sample", "value": str(findings.sample)}
        )
        suite.insert(0, properties)
    counts = {"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": "0"}
    suite.attrib.update({**counts, "time": "0"})
    root = ET.Element("testsuites", {"name": "dumpcheck", **counts, "time": "0"})
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
