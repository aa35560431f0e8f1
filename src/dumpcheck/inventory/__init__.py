"""The inventory stage: what a dump contains, read without a database."""

from __future__ import annotations

from dumpcheck.inventory.api import inventory
from dumpcheck.inventory.plain import (
    CopyBlock,
    MetaCommand,
    ObjectHeader,
    PlainItem,
    PlainSplitter,
    Statement,
    iter_plain,
)

__all__ = [
    "CopyBlock",
    "MetaCommand",
    "ObjectHeader",
    "PlainItem",
    "PlainSplitter",
    "Statement",
    "inventory",
    "iter_plain",
]
