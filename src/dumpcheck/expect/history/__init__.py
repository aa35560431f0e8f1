"""The migration history: the ``migrations/`` folder (``folder``), and what the dump's
``_prisma_migrations`` says about each migration and each table (``status``)."""

from __future__ import annotations

from dumpcheck.expect.history.folder import extensions_created, list_migrations, table_changes
from dumpcheck.expect.history.status import (
    classify_migrations,
    migration_evidence,
    recorded_history_evidence,
)

__all__ = [
    "classify_migrations",
    "extensions_created",
    "list_migrations",
    "migration_evidence",
    "recorded_history_evidence",
    "table_changes",
]
