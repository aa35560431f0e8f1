"""pg_dump's DDL statements into the neutral catalog: tables and columns, ALTER, types and
domains, indexes, with sqlglot as the second reader. :class:`DdlReader` takes one statement at a
time, so plain scripts and archive TOC entries share it."""

from __future__ import annotations

from dumpcheck.inventory.ddl.reader import DdlReader, qualified, shorten, strip_leading_comments

__all__ = ["DdlReader", "qualified", "shorten", "strip_leading_comments"]
