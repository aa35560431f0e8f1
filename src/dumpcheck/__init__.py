"""dumpcheck: verify a PostgreSQL dump against the Prisma schema that expects it."""

from __future__ import annotations

__version__ = "0.1.0"
