"""Names PostgreSQL itself gives objects Prisma creates: cut identifiers and serial sequences.

The constraint names Prisma chooses live with its grammar's rules, as in prisma-engines
(psl/constraint_names.py); these are the ones PostgreSQL picks when the DDL runs.
"""

from __future__ import annotations

from dumpcheck.catalog import quote_ident
from dumpcheck.expect.psl.constraint_names import MAX_IDENT, clip_bytes, pg_ident

__all__ = ["pg_ident", "qualified", "serial_sequence_name"]


def serial_sequence_name(table: str, column: str) -> str:
    """The sequence PostgreSQL creates for a serial column (makeObjectName in indexcmds.c).

    ChooseRelationName -> makeObjectName(table, column, "seq"): while the two names do not
    fit in 63 - len("_seq") - 1 bytes, the longer one loses a byte; then each is clipped on
    a character boundary (pg_mbcliplen).
    """
    label = "seq"
    avail = MAX_IDENT - len(label) - 2
    n1, n2 = len(table.encode()), len(column.encode())
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    return f"{clip_bytes(table, n1)}_{clip_bytes(column, n2)}_{label}"


def qualified(schema: str, name: str) -> str:
    """``schema.name`` with each part quoted as quote_ident() would."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"
