"""Small helpers for expect unit tests: build an Expectation from schema text."""

from __future__ import annotations

from dumpcheck.expect.model import Expectation
from dumpcheck.expect.psl import parse_file, resolve
from dumpcheck.expect.psl.ast import SchemaAst
from dumpcheck.expect.rules import build_expectation

DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n'


def ast_of(text: str, file: str = "schema.prisma") -> SchemaAst:
    """The syntax tree of one file's text."""
    return SchemaAst(tuple(parse_file(text, file)), {file: text})


def expectation_of(text: str, *, schema: str = "public", datasource: bool = True) -> Expectation:
    """The Expectation for one schema file's text (a postgresql datasource is prepended)."""
    full = (DATASOURCE if datasource else "") + text
    return build_expectation(resolve(ast_of(full), schema))
