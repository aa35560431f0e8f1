"""Prisma's schema language: files in, a resolved and validated schema out.

The grammar (``grammar``, prisma-engines ``psl/schema-ast``) turns each file into a syntax tree;
``resolve`` (``psl/parser-database`` and psl-core's validations) looks up every name, checks
every rule Prisma 7.10 checks for PostgreSQL, and hands the rules a ``ResolvedSchema``.
"""

from __future__ import annotations

from dumpcheck.expect.psl.files import SchemaSource, default_schema, load_schema, schema_files
from dumpcheck.expect.psl.grammar import parse_file
from dumpcheck.expect.psl.resolve import fk_db_name, index_db_name, resolve
from dumpcheck.expect.psl.schema import ResolvedSchema

__all__ = [
    "ResolvedSchema",
    "SchemaSource",
    "default_schema",
    "fk_db_name",
    "index_db_name",
    "load_schema",
    "parse_file",
    "resolve",
    "schema_files",
]
