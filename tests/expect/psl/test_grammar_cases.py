"""Every recorded case is accepted or rejected exactly as Prisma's engine decided.

grammar_cases.txt holds 899 small schemas, each with the verdict of the pinned engine
(``@prisma/schema-engine-wasm``): the grammar (comments of every kind, one-line argument lists,
legacy syntax, Unicode names, the catch-all lines) and the validations of parser-database and
psl-core. The unit test needs no engine; the oracle test re-asks the engine for every verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dumpcheck.errors import BadInputError
from tests.expect.helpers import expectation_of
from tests.expect.oracle import engine_sql

CASES_FILE = Path(__file__).with_name("grammar_cases.txt")
_HEADER = re.compile(r"^### (?P<name>\S+): (?P<verdict>[a-z-]+)(?:  # .*)?$", re.MULTILINE)


def _cases() -> list[tuple[str, str, str]]:
    text = CASES_FILE.read_text("utf-8")
    heads = list(_HEADER.finditer(text))
    out = []
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end() + 1 : nxt.start() if nxt else len(text)]
        out.append((head["name"], head["verdict"], body))
    return out


CASES = _cases()


def test_the_case_file_covers_both_verdicts() -> None:
    verdicts = [v for _, v, _ in CASES]
    assert len(CASES) > 600
    assert verdicts.count("accept") > 250 and verdicts.count("reject") > 300


@pytest.mark.parametrize(("name", "verdict", "text"), CASES, ids=[c[0] for c in CASES])
def test_dumpcheck_decides_like_prisma(name: str, verdict: str, text: str) -> None:
    if verdict.startswith("accept"):
        expectation_of(text, datasource=False)
        return
    with pytest.raises(BadInputError) as info:
        expectation_of(text, datasource=False)
    assert "\n" not in info.value.one_line() and len(info.value.one_line()) < 400


def test_the_recorded_verdicts_are_the_engines() -> None:
    """The engine, asked again: reject exactly where it was recorded to reject."""
    result = engine_sql({name: [("schema.prisma", text)] for name, _, text in CASES}, raw=True)
    wrong = []
    for name, verdict, _ in CASES:
        rejected = "error" in result[name]
        expected = verdict in ("reject", "accept-by-design")
        if rejected != expected:
            wrong.append(f"{name}: recorded {verdict}, engine {result[name]}")
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("\ufeffmodel A {\n  id Int @id\n}\n", False),  # a BOM is no whitespace to Prisma
        ("model A {\n  id Int @id\f\n}\n", False),  # nor is a form feed
        ("model A {\r\n  id Int @id\r\n}\r\n", True),
        ("model A {\r  id Int @id\r}\r", True),  # a lone CR ends a line too
    ],
)
def test_line_ends_and_odd_whitespace(text: str, accepted: bool) -> None:
    if accepted:
        expectation_of(text)
    else:
        with pytest.raises(BadInputError):
            expectation_of(text)
