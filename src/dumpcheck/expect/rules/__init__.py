"""Prisma's rules: a resolved schema in, the catalog ``prisma migrate`` builds out.

One module per kind of object, each citing the prisma-engines behaviour it follows: ``types``
(scalar and native types), ``columns``, ``defaults`` (with ``literals`` for the two spellings of
a value), ``indexes`` (keys and indexes), ``relations`` (foreign keys, join tables), ``names``
(what PostgreSQL names), and ``tables``, which assembles them. A new Prisma rule goes into the
module of its kind of object.
"""

from __future__ import annotations

from dumpcheck.expect.rules.tables import build_expectation, legacy_join_table, migrations_table

__all__ = ["build_expectation", "legacy_join_table", "migrations_table"]
