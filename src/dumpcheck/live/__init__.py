"""A database that already exists, read-only: its URL as Prisma reads it, its catalog and counts."""

from __future__ import annotations

from dumpcheck.live.read import LiveDatabase, read_database
from dumpcheck.live.url import DatabaseUrl, parse_database_url

__all__ = ["DatabaseUrl", "LiveDatabase", "parse_database_url", "read_database"]
