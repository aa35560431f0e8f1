"""Reading a plain-format dump (a psql script) as a stream: buffer, lexer, statements, COPY and
INSERT row counting. :func:`iter_plain` is the one entry; the restore stage replays its items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dumpcheck.lazy import exports, homes

# Imported on first use (dumpcheck.lazy): the archive reader needs only ``copydata``.
if TYPE_CHECKING:
    from dumpcheck.inventory.plain.cluster import SectionRouter, connect_target
    from dumpcheck.inventory.plain.database import data_target
    from dumpcheck.inventory.plain.inserts import count_insert_rows
    from dumpcheck.inventory.plain.splitter import (
        CopyBlock,
        DatabaseSection,
        InsertRows,
        MetaCommand,
        ObjectHeader,
        PlainItem,
        PlainSplitter,
        Statement,
        iter_plain,
        parse_copy_target,
    )

_HOME = homes(
    cluster=("SectionRouter", "connect_target"),
    database=("data_target",),
    inserts=("count_insert_rows",),
    splitter=(
        "CopyBlock",
        "DatabaseSection",
        "InsertRows",
        "MetaCommand",
        "ObjectHeader",
        "PlainItem",
        "PlainSplitter",
        "Statement",
        "iter_plain",
        "parse_copy_target",
    ),
)
__all__ = [
    "CopyBlock",
    "DatabaseSection",
    "InsertRows",
    "MetaCommand",
    "ObjectHeader",
    "PlainItem",
    "PlainSplitter",
    "SectionRouter",
    "Statement",
    "connect_target",
    "count_insert_rows",
    "data_target",
    "iter_plain",
    "parse_copy_target",
]
__getattr__ = exports(globals(), _HOME)
