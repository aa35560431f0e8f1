"""Random mutations of real and synthetic schemas never crash: a result or a clear error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dumpcheck.errors import BadInputError, SchemaParseError
from tests.expect.helpers import expectation_of
from tests.expect.oracle import CORPUS

CASES = Path(__file__).resolve().parents[1] / "cases" / "prisma"


def _texts() -> list[str]:
    """One text per schema: every file of it, concatenated."""
    roots = [p for p in CASES.iterdir() if p.suffix == ".prisma" or p.is_dir()]
    roots += [p.parent / "schema" for p in CORPUS.glob("*/MANIFEST")] if CORPUS.is_dir() else []
    texts = []
    for root in sorted(roots):
        files = [root] if root.is_file() else sorted(root.rglob("*.prisma"))
        texts.append("\n".join(f.read_text("utf-8") for f in files))
    return texts


TEXTS = _texts()
# Fragments that look like PSL, so mutations reach past the tokenizer into the rules.
TOKENS = st.sampled_from(
    [
        "@",
        "@@",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "=",
        "?",
        "[]",
        '"',
        "\n",
        " ",
        "@id",
        "@unique",
        "@default(",
        "now()",
        "autoincrement()",
        "@relation(",
        "fields: [",
        "references: [",
        "@@index([",
        '@@map("x")',
        "@db.VarChar(",
        "-1",
        "1.5",
        "Int",
        "String",
        "model X {",
        "enum E {",
        "view V {",
        "type T {",
        '@@schema("s")',
        "@map(",
        "dbgenerated(",
        'Unsupported("x")',
        "onDelete: Cascade",
        'ops: raw("x")',
        "sort: Desc",
        "@@id([",
        "@ignore",
        "@@ignore",
        "é",
        "\\",
        "//",
        "///",
        "\t",
        "0",
        "true",
        "[]?",
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "dup_line"]))
        if kind == "insert":
            text = text[:at] + draw(TOKENS) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "replace":
            text = text[:at] + draw(st.text(max_size=3)) + text[at + 1 :]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            line = text[start : end if end >= 0 else len(text)]
            text = text[:start] + line + "\n" + text[start:]
    return text


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_schemas_never_raise_anything_but_clear_errors(text: str) -> None:
    try:
        expectation_of(text, datasource=False)
    except SchemaParseError as exc:
        loc = exc.location
        assert loc.file == "schema.prisma"
        lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
        assert 1 <= loc.line <= lines
        assert loc.column >= 1
        assert exc.with_caret()
    except BadInputError as exc:
        assert exc.one_line()
