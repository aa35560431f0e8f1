"""The inventory stage: what a dump contains, read without a database.

``plain`` reads psql scripts, ``archive`` reads custom, directory and tar archives, ``ddl`` turns
their DDL into the neutral catalog; :func:`inventory` (``api``) picks the reader by content.
A dump is a local path or an ``s3://`` object (``remote``), which the readers stream
(``objectstream``).

The names below are imported on first use (PEP 562): an archive's inventory never needs the
plain-script reader, nor a JSON one the text renderer, and each import is start-up the user
waits for (issue 15: archive inventory at pg_restore's speed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dumpcheck.lazy import exports, homes

if TYPE_CHECKING:
    from dumpcheck.inventory.api import inventory, inventory_all, is_archive, user_databases
    from dumpcheck.inventory.peek import pg_dump_major
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
    from dumpcheck.inventory.remote import RemoteDump, dump_source, local_copy, locate
    from dumpcheck.inventory.render import cluster_to_json, cluster_to_text, to_json, to_text
    from dumpcheck.inventory.source import DecompressedStream, DumpSource, open_plain

_HOME = homes(
    api=("inventory", "inventory_all", "is_archive", "user_databases"),
    peek=("pg_dump_major",),
    plain=(
        "CopyBlock",
        "MetaCommand",
        "ObjectHeader",
        "PlainItem",
        "PlainSplitter",
        "Statement",
        "iter_plain",
    ),
    progress=("dump_size", "progress_bar"),
    remote=("RemoteDump", "dump_source", "local_copy", "locate"),
    render=("cluster_to_json", "cluster_to_text", "to_json", "to_text"),
    source=("DecompressedStream", "DumpSource", "open_plain"),
)
__all__ = [
    "CopyBlock",
    "DecompressedStream",
    "DumpSource",
    "MetaCommand",
    "ObjectHeader",
    "PlainItem",
    "PlainSplitter",
    "RemoteDump",
    "Statement",
    "cluster_to_json",
    "cluster_to_text",
    "dump_size",
    "dump_source",
    "inventory",
    "inventory_all",
    "is_archive",
    "iter_plain",
    "local_copy",
    "locate",
    "open_plain",
    "pg_dump_major",
    "progress_bar",
    "to_json",
    "to_text",
    "user_databases",
]
__getattr__ = exports(globals(), _HOME)
