"""``inventory(source)``: detect the dump's format from its content and read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from dumpcheck.catalog import Catalog
from dumpcheck.errors import BadInputError, DumpFormatError
from dumpcheck.inventory.model import ClusterInventory, ClusterSection, DumpFacts, DumpInventory
from dumpcheck.inventory.remote import RemoteDump, local_copy
from dumpcheck.inventory.source import DumpSource, check_readable

Progress = Callable[[int], None]

# pg_dumpall dumps these two as well; initdb made them, so they count only with a table.
_SYSTEM_DATABASES = ("template1", "postgres")


def inventory(
    source: DumpSource,
    progress: Progress | None = None,
    *,
    fingerprints: bool = True,
    database: str | None = None,
) -> DumpInventory:
    """Everything ``source`` (plain, custom, directory or tar dump) holds, read without a database.

    ``source`` is a local path or a located ``s3://`` dump (``dump_source``): a single object is
    read as a stream, never written to disk; a directory archive is fetched first.
    ``progress`` is called now and then with the number of bytes of the dump read so far.
    A truncated dump is not an error: ``facts.complete`` is False and ``facts.stops_at`` says where.
    ``fingerprints`` also hashes every COPY row (dumpcheck.fingerprint); off, it costs nothing.
    ``database`` picks one database of a pg_dumpall file (default: its only user database);
    for any other dump it must be the dump's own database, when the dump records it.
    """
    found = _checked(source, progress, fingerprints, database)
    if isinstance(found, ClusterInventory):
        return pick_database(found, database)
    named = found.facts.database
    if database is not None and named is not None and named != database:
        raise BadInputError(
            f"{source}: --database {database}, but the dump holds database {named} "
            "(one database, not a pg_dumpall file)"
        )
    return found


def inventory_all(
    source: DumpSource, progress: Progress | None = None, *, fingerprints: bool = True
) -> DumpInventory | ClusterInventory:
    """Like :func:`inventory`, but a pg_dumpall file gives every database's inventory."""
    return _checked(source, progress, fingerprints, None)


def user_databases(cluster: ClusterInventory) -> tuple[str, ...]:
    """The databases of a pg_dumpall file that count: template1 and postgres only with a table."""
    return tuple(
        name
        for name in cluster.databases
        if name not in _SYSTEM_DATABASES
        or ((inv := cluster.inventories.get(name)) is not None and bool(inv.catalog.tables))
    )


def pick_database(cluster: ClusterInventory, database: str | None) -> DumpInventory:
    """The inventory of ``database`` in a pg_dumpall file, or of its only user database."""
    names = ", ".join(cluster.databases) or "none"
    if database is not None:
        found = cluster.inventories.get(database)
        if found is not None:
            return found
        if not cluster.complete:
            return _not_reached(cluster, database)
        raise BadInputError(
            f"{cluster.path}: no database {database} in this pg_dumpall file; it holds {names}"
        )
    users = user_databases(cluster)
    if len(users) == 1:
        return cluster.inventories[users[0]]
    if not users:
        cut = f" (it is cut short: {cluster.stops_at})" if not cluster.complete else ""
        raise BadInputError(
            f"{cluster.path}: a pg_dumpall file with no user database (databases: {names})"
            f"{cut}; nothing to verify"
        )
    raise BadInputError(
        f"{cluster.path}: a pg_dumpall file of {len(users)} databases ({', '.join(users)}): "
        "pick one with --database NAME"
    )


def _not_reached(cluster: ClusterInventory, database: str) -> DumpInventory:
    """A database the cut-short file may have held after where it stops: nothing of it was
    read, so the dump of it is incomplete (never an error: verify says what is missing)."""
    so_far = ", ".join(cluster.databases) or "none"
    facts = DumpFacts(
        path=cluster.path,
        format="plain",
        compression=cluster.compression,
        database=database,
        complete=False,
        stops_at=(
            f"{cluster.stops_at}, before any part of database {database} (the pg_dumpall "
            f"file is cut short; its databases so far: {so_far})"
        ),
        cluster=ClusterSection(cluster.databases),
    )
    return DumpInventory(facts=facts, catalog=Catalog())


def _checked(
    source: DumpSource, progress: Progress | None, fingerprints: bool, database: str | None
) -> DumpInventory | ClusterInventory:
    if isinstance(source, RemoteDump):
        if source.directory:
            with local_copy(source) as path:
                inv = _read(path, progress, fingerprints, database)
            if isinstance(inv, ClusterInventory):
                return replace(inv, path=source.url)
            return replace(inv, facts=replace(inv.facts, path=source.url))
        return _read(source, progress, fingerprints, database)
    path = Path(source)
    check_readable(path)
    try:
        return _read(path, progress, fingerprints, database)
    except PermissionError as exc:
        # A member of a directory archive (or toc.dat) that this user cannot read: bad input,
        # exit 2, not an environment failure.
        where = exc.filename or path
        raise BadInputError(f"{where}: permission denied (dumpcheck cannot read it)") from exc


def is_archive(source: DumpSource) -> bool:
    """True for a custom, directory or tar archive (what pg_restore reads), judged by content."""
    if isinstance(source, RemoteDump) and source.directory:
        return True
    from dumpcheck.inventory.archive import sniff_archive

    return sniff_archive(source) is not None


def _read(
    source: DumpSource, progress: Progress | None, fingerprints: bool, database: str | None
) -> DumpInventory | ClusterInventory:
    from dumpcheck.inventory.archive import sniff_archive
    from dumpcheck.inventory.plain.copydata import native_module

    if (native := native_module()) is not None:
        native.reuse_freed_memory()  # rowhash.c says why
    fmt = sniff_archive(source)
    if fmt is not None:
        from dumpcheck.inventory.archive.reader import inventory_archive

        return inventory_archive(source, progress, fingerprints=fingerprints)
    if isinstance(source, Path) and source.is_dir():
        raise DumpFormatError(f"{source}: a directory without toc.dat, not a directory-format dump")
    from dumpcheck.inventory.plain.reader import inventory_plain

    return inventory_plain(source, progress, fingerprints=fingerprints, database=database)
