"""The JSON report, ``report_version`` 1 (issue 2 §7), described by ``report.schema.json``."""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources
from typing import Any

from dumpcheck.compare.findings import (
    DumpFinding,
    ErrorRef,
    Findings,
    TableFinding,
    UnparsedStatements,
    VersionMismatch,
)
from dumpcheck.report import wording
from dumpcheck.report.redact import scrub_message

REPORT_VERSION = 1
SCHEMA_RESOURCE = "report.schema.json"


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) shipped in the package."""
    text = resources.files("dumpcheck.report").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def error_dict(error: ErrorRef) -> dict[str, Any]:
    """One restore error, without row values."""
    return {
        "message": wording.error_message(error),
        "statement": wording.error_statement(error),
        "location": error.location,
        "sqlstate": error.sqlstate,
        "severity": error.severity,
        "root_cause": scrub_message(error.root_cause) if error.root_cause else None,
    }


def table_dict(table: TableFinding, *, quick: bool = False) -> dict[str, Any]:
    """One table's verdict and evidence (``sampled`` in a quick verify's report only)."""
    return {
        "schema": table.schema,
        "name": table.name,
        "model": table.model,
        "verdict": table.verdict,
        "in_dump": table.in_dump,
        "restored": table.restored,
        "dump_rows": table.dump_rows,
        "restored_rows": table.restored_rows,
        "errors": [error_dict(e) for e in table.errors],
        "evidence": wording.evidence(table),
        "differences": [
            {"kind": d.kind, "object": d.object, "expected": d.expected, "actual": d.actual}
            for d in table.differences
        ],
        "notes": [
            {
                "kind": d.kind,
                "object": d.object,
                "expected": d.expected,
                "actual": d.actual,
                "reason": d.reason,
            }
            for d in table.notes
        ],
        # Keyed hashes of the rows (dumpcheck.fingerprint), never values; null when a side has
        # none, with the reason in ``note`` when the content could not be compared.
        "fingerprint": {
            "dump": table.dump_fingerprint,
            "restored": table.restored_fingerprint,
            "note": table.fingerprint_note,
        },
        **({"data_excluded": True} if table.data_excluded else {}),
        **({"sampled": table.sampled} if quick else {}),
    }


def dump_finding_dict(findings: Findings, finding: DumpFinding) -> dict[str, Any]:
    """One dump-level finding: its ``type``, its fields, and whether it fails the run."""
    fields = asdict(finding)
    if isinstance(finding, UnparsedStatements):
        fields["examples"] = wording.unparsed_examples(finding)
    elif isinstance(finding, VersionMismatch):
        fields["message"] = scrub_message(finding.message)
    return {
        "type": wording.dump_finding_type(finding),
        **fields,
        "fatal": wording.is_fatal(findings, finding),
    }


def report_dict(findings: Findings) -> dict[str, Any]:
    """The whole report as plain data, keys in their documented order."""
    dump = findings.dump
    tables = sorted(findings.tables, key=lambda t: (t.schema, t.name))
    return {
        "report_version": REPORT_VERSION,
        "dump": (
            {
                "path": dump.path,
                "format": dump.format,
                "compression": dump.compression,
                "pg_dump_version": dump.pg_dump_version,
                "server_version": dump.server_version,
                "database": dump.database,
                "complete": dump.complete,
                "kind": dump.kind,
                "stops_at": dump.stops_at,
            }
            if dump is not None
            else None
        ),
        "scratch": (
            {
                "backend": findings.scratch.backend,
                "server_version": findings.scratch.server_version,
                "created_roles": list(findings.scratch.created_roles),
                # Said only when roles were created: older reports stay as they were.
                **(
                    {"created_roles_from": findings.scratch.roles_source}
                    if findings.scratch.created_roles
                    else {}
                ),
            }
            if findings.scratch
            else None
        ),
        "database": _database(findings),
        "prisma": findings.prisma,
        "strict": findings.strict,
        # Sorted by name, not by verdict, so that two nightly reports diff line by line.
        "tables": [table_dict(t, quick=findings.sample is not None) for t in tables],
        "dump_findings": [dump_finding_dict(findings, f) for f in findings.dump_findings],
        "notes": list(findings.notes),
        "summary": findings.summary(),
        "exit_code": findings.exit_code(),
        # Said only by a quick verify: a full verify's report stays as it was.
        **({"sample": findings.sample} if findings.sample is not None else {}),
    }


def _database(findings: Findings) -> dict[str, Any] | None:
    info = findings.database
    if info is None:
        return None
    return {
        "url": info.url,
        "database": info.database,
        "server_version": info.server_version,
        "schema": info.schema,
        "estimated_rows": info.estimated_rows,
    }


def render_json(findings: Findings) -> str:
    """The JSON report: stable key order, indent 2, trailing newline."""
    return json.dumps(report_dict(findings), indent=2, ensure_ascii=False) + "\n"
