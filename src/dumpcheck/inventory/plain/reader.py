"""Inventory of a plain-format dump: one streaming pass through the splitter.

A pg_dump script is one database. A pg_dumpall file holds one part per database: each part is
read into its own scan (cluster.SectionRouter says which item is whose) and never merged; its
global part gives only the roles section's names, attributes and memberships.
"""

from __future__ import annotations

from collections.abc import Callable

from dumpcheck.errors import BadInputError
from dumpcheck.inventory.model import ClusterInventory, ClusterSection, DumpInventory
from dumpcheck.inventory.plain.cluster import CLUSTER_TRAILER, RolesSection, SectionRouter
from dumpcheck.inventory.plain.database import DatabaseScan, database_inventory, feed
from dumpcheck.inventory.plain.items import (
    DatabaseSection,
    InsertRows,
    MetaCommand,
    PlainItem,
    Statement,
)
from dumpcheck.inventory.plain.sniff import check_is_dump
from dumpcheck.inventory.plain.splitter import CLUSTER_HEADER, PlainSplitter
from dumpcheck.inventory.source import DumpSource, open_plain

Progress = Callable[[int], None]


def inventory_plain(
    path: DumpSource,
    progress: Progress | None = None,
    *,
    fingerprints: bool = True,
    database: str | None = None,
) -> DumpInventory | ClusterInventory:
    """Read a plain (maybe compressed) dump in one streaming pass; ``fingerprints`` hashes
    every COPY row as well (dumpcheck.fingerprint).

    A pg_dumpall file gives a ClusterInventory: the inventory of every database's part, or with
    ``database`` of that one only (the other parts are split, not read).
    """
    check_is_dump(path)
    stream = open_plain(path)
    try:
        splitter = PlainSplitter(stream, fingerprints=fingerprints)  # type: ignore[arg-type]
        scan = _FileScan(splitter, fingerprints, database)
        for item in splitter.counting_items():
            if progress is not None:
                progress(stream.compressed_position())
            scan.take(item)
    finally:
        stream.close()
    if splitter.cluster:
        return scan.cluster(path, stream.compression, stream.truncated)
    return scan.single(path, stream.compression, stream.truncated)


class _FileScan:
    """The whole file: one DatabaseScan, or in a pg_dumpall file one per database's part."""

    def __init__(self, splitter: PlainSplitter, fingerprints: bool, wanted: str | None) -> None:
        self.splitter = splitter
        self.fingerprints = fingerprints
        self.wanted = wanted  # read only this database's part of a pg_dumpall file
        self.router = SectionRouter()
        self.roles = RolesSection()
        self.scans: dict[str, DatabaseScan] = {}
        self.whole = DatabaseScan(splitter=splitter)  # a pg_dump script: the file is one part
        self.open: DatabaseScan | None = None  # the part items go to now (None: skipped)
        self.comments_from = 0

    def take(self, item: PlainItem | InsertRows) -> None:
        """Route one item to the scan of the part it is in."""
        if not self.splitter.cluster:
            feed(self.whole, item)
            return
        section, started = self.router.route(item)
        if started:
            # A part starts at a DatabaseSection or a \connect (MetaCommand): both have a line.
            assert section is not None and isinstance(item, DatabaseSection | MetaCommand)
            self._end_part(item.line - 1)
            self.open = None
            if self.wanted is None or section == self.wanted:
                self.open = self.scans.setdefault(
                    section, DatabaseScan(database=section, splitter=self.splitter)
                )
            # Rows of a part that is not read are counted by the splitter, never hashed.
            self.splitter.fingerprints = self.fingerprints and self.open is not None
        if section is None:
            # The global part: only its role statements are read, and never kept as text.
            if isinstance(item, Statement) and item.terminated:
                self.roles.feed(item.text)
        elif self.open is not None and not isinstance(item, DatabaseSection):
            feed(self.open, item)

    def _end_part(self, last_line: int, truncated: bool = False) -> None:
        """The part open until now ends at ``last_line``: give it what the splitter saw."""
        splitter = self.splitter
        if self.open is not None:
            self.open.comments = splitter.comments[self.comments_from :]
            self.open.data_headers |= splitter.data_headers
            self.open.encoding = splitter.client_encoding
            self.open.last_line = last_line
            self.open.truncated = truncated
        self.comments_from = len(splitter.comments)
        splitter.data_headers = set()

    def single(self, path: DumpSource, compression: str, truncated: bool) -> DumpInventory:
        """The inventory of a pg_dump script (one database)."""
        scan = self.whole
        if len(scan.databases) > 1:
            # A script that switches databases without pg_dumpall's header: merging their
            # tables would answer for no database at all.
            raise BadInputError(
                f"{path}: a script that switches between {len(scan.databases)} databases "
                f"({', '.join(scan.databases)}) but is no pg_dumpall file (no '{CLUSTER_HEADER}' "
                "header); dumpcheck reads one database: dump it with pg_dump -d NAME"
            )
        self.open = scan
        self.comments_from = 0
        self._end_part(self.splitter.last_line, truncated)
        return database_inventory(path, scan, compression, fingerprinted=self.fingerprints)

    def cluster(self, path: DumpSource, compression: str, truncated: bool) -> ClusterInventory:
        """Every database's part read (or the one asked for), each on its own."""
        self._end_part(self.splitter.last_line, truncated)
        databases = tuple(self.router.databases)
        inventories = {}
        for name, scan in self.scans.items():
            named = frozenset(scan.ddl.state.roles)
            section = ClusterSection(
                databases,
                self.roles.definitions(named),
                self.roles.memberships_among(named),
            )
            inventories[name] = database_inventory(
                path, scan, compression, fingerprinted=self.fingerprints, cluster=section
            )
        stops_at = next(
            (
                f"database {n}: {i.facts.stops_at}"
                for n, i in inventories.items()
                if i.facts.stops_at
            ),
            None,
        )
        if stops_at is None and truncated:
            stops_at = f"line {self.splitter.last_line}: the {compression} stream ends early"
        if stops_at is None and CLUSTER_TRAILER not in self.splitter.comments:
            stops_at = f"line {self.splitter.last_line}: no '{CLUSTER_TRAILER}' trailer"
        return ClusterInventory(
            path=str(path),
            compression=compression,  # type: ignore[arg-type]
            databases=databases,
            inventories=inventories,
            roles=self.roles.definitions(frozenset(self.roles.attributes)),
            memberships=tuple(self.roles.memberships),
            complete=stops_at is None,
            stops_at=stops_at,
        )
