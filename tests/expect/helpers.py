"""Small helpers for expect unit tests: build an Expectation from schema text."""

from __future__ import annotations

from dumpcheck.expect.ast import SchemaAst
from dumpcheck.expect.expectation import build_expectation
from dumpcheck.expect.model import Expectation
from dumpcheck.expect.parser import parse_text

DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n'


def expectation_of(text: str, *, schema: str = "public", datasource: bool = True) -> Expectation:
    """The Expectation for one schema file's text (a postgresql datasource is prepended)."""
    full = (DATASOURCE if datasource else "") + text
    ast = SchemaAst(tuple(parse_text(full, "schema.prisma")), {"schema.prisma": full})
    return build_expectation(ast, schema)
