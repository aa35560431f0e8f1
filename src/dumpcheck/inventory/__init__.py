"""The inventory stage: what a dump contains, read without a database.

``plain`` reads psql scripts, ``archive`` reads custom, directory and tar archives, ``ddl`` turns
their DDL into the neutral catalog; :func:`inventory` (``api``) picks the reader by content.
"""

from __future__ import annotations

from dumpcheck.inventory.api import inventory, inventory_all, user_databases
from dumpcheck.inventory.plain import (
    CopyBlock,
    MetaCommand,
    ObjectHeader,
    PlainItem,
    PlainSplitter,
    Statement,
    iter_plain,
)
from dumpcheck.inventory.progress import dump_size, progress_bar
from dumpcheck.inventory.remote import local_copy
from dumpcheck.inventory.render import cluster_to_json, cluster_to_text, to_json, to_text
from dumpcheck.inventory.source import open_plain

__all__ = [
    "CopyBlock",
    "MetaCommand",
    "ObjectHeader",
    "PlainItem",
    "PlainSplitter",
    "Statement",
    "cluster_to_json",
    "cluster_to_text",
    "dump_size",
    "inventory",
    "inventory_all",
    "iter_plain",
    "local_copy",
    "open_plain",
    "progress_bar",
    "to_json",
    "to_text",
    "user_databases",
]
