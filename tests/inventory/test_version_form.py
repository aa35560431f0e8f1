"""One form of pg_dump_version whatever the dump's format."""

from __future__ import annotations

from pathlib import Path

from dumpcheck.inventory import inventory
from dumpcheck.inventory.archive.reader import version_number

DUMPS = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "dumps"


def test_every_format_reports_one_version_form() -> None:
    """An archive's header holds PG_VERSION whole ("15.18 (Debian ...)"), a plain dump's
    comment its first word: both report the first word."""
    assert version_number("15.18 (Debian 15.18-1.pgdg120+1)") == "15.18"
    assert version_number("18beta1") == "18beta1"
    assert version_number("") is None and version_number(None) is None
    forms = {
        inventory(DUMPS / f"complete.{k}").facts.pg_dump_version or "?"
        for k in ("sql", "dump", "tar")
    }
    assert len(forms) == 1 and " " not in next(iter(forms)) and "?" not in forms
