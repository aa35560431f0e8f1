"""The expectation written out: Prisma's own DDL (``sql``), the SQL a data-only dump loads
into (``base``), and the listing and JSON of ``dumpcheck expect`` (``text``)."""

from __future__ import annotations

from dumpcheck.expect.render.base import base_schema_sql, needed_extensions, prisma_migrations_sql
from dumpcheck.expect.render.sql import render_sql
from dumpcheck.expect.render.text import render_text, to_json

__all__ = [
    "base_schema_sql",
    "needed_extensions",
    "prisma_migrations_sql",
    "render_sql",
    "render_text",
    "to_json",
]
