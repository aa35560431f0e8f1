"""The differential that protects both catalog readers.

A dump built by the real pg_dump from an SQL source is read twice: by the inventory, from the
file alone, and by ``read_catalog`` after the restore stage has restored it into a fresh
database. Both must produce the same catalog, object by object. The few places where the two
legitimately differ are normalised in :func:`expected_restored` with the reason; any other
difference is a bug in one of the two readers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dumpcheck.catalog import Catalog, QualifiedName, Table
from dumpcheck.inventory import inventory
from dumpcheck.restore import restore
from dumpcheck.scratch import drop_database
from dumpcheck.scratch.model import ScratchServer
from tests.catalog_diff.diff import catalog_differences
from tests.restore.dumps import pg_dump, source_db

pytestmark = pytest.mark.postgres

SOURCES = {
    "objects": Path(__file__).parent / "sql" / "objects.sql",
    "pg18": Path(__file__).parent / "sql" / "pg18.sql",
    "hostile": Path(__file__).parent / "sql" / "hostile.sql",
    "rich": Path(__file__).parents[1] / "inventory" / "sql" / "rich.sql",
}
# The oldest major each source runs on (pg18.sql has VIRTUAL columns and NOT NULL NOT VALID;
# objects.sql has identity and EXCLUDE on partitioned tables, new in PostgreSQL 17).
MIN_MAJOR = {"pg18": 18, "objects": 17}


# The bundled major, 17 (whose pg_dump writes NOT NULL constraints differently) and 15.
MAJORS = (18, 17, 15)


@dataclass(frozen=True)
class Source:
    """A database loaded from one SQL source, on the server of one major."""

    server: ScratchServer
    database: str


@pytest.fixture(
    scope="module",
    params=[
        (major, name)
        for major in MAJORS
        for name in sorted(SOURCES)
        if major >= MIN_MAJOR.get(name, 0)
    ],
    ids=lambda p: f"pg{p[0]}-{p[1]}",
)
def source(
    request: pytest.FixtureRequest, scratch_server_for: Callable[[int], ScratchServer]
) -> Iterator[Source]:
    """A database loaded from one SQL source (module-scoped: both formats dump it)."""
    major, name = request.param
    server = scratch_server_for(major)
    with source_db(server, SOURCES[name].read_text()) as database:
        yield Source(server, database)


def _leaf_rows(dump: Catalog, key: QualifiedName) -> int:
    """The rows of a partitioned table: the sum over its partitions, recursively."""
    total = 0
    for t in dump.tables.values():
        if t.partition_of == key:
            total += _leaf_rows(dump, t.key) if t.kind == "partitioned" else (t.rows or 0)
    return total


def expected_restored(dump: Catalog, restored: Catalog, *, unlogged_data: bool = True) -> Catalog:
    """The restored catalog with its legitimate differences from the dump's undone.

    ``unlogged_data=False`` for a dump made with ``--no-unlogged-table-data``.
    """
    tables: list[Table] = []
    for key, t in restored.tables.items():
        d = dump.tables.get(key)
        if d is not None and t.kind == "partitioned":
            # A partitioned table holds no rows and has no TABLE DATA in the dump (its rows
            # are in its partitions' entries, even with --load-via-partition-root); read_catalog
            # counts it as the sum of its partitions, which must equal the dump's counts.
            assert d.rows is None, key
            assert t.rows == _leaf_rows(dump, key), key
            t = dataclasses.replace(t, rows=None)
        if d is not None and d.unlogged and not unlogged_data:
            # --no-unlogged-table-data leaves the data of UNLOGGED tables out of the dump;
            # they are restored empty.
            assert d.rows is None and t.rows == 0, key
            t = dataclasses.replace(t, rows=None)
        if d is not None and t.kind == "matview" and d.rows is None:
            # A materialized view has no row data in a dump, only REFRESH MATERIALIZED VIEW,
            # which computes its rows during the restore.
            t = dataclasses.replace(t, rows=None)
        if d is not None and t.kind in ("view", "matview") and d.columns == ():
            # pg_dump writes a view as its SELECT; its columns' names and types are what the
            # parser derives from that query at restore time, which the inventory (no
            # database, no parse analysis) cannot know.
            t = dataclasses.replace(t, columns=())
        tables.append(t)
    schemas = restored.schemas
    if "public" not in dump.schemas:
        # CREATE DATABASE copies public from template1 and pg_dump never writes CREATE SCHEMA
        # public, so a dump with nothing in public does not name it.
        schemas = schemas - {"public"}
    return dataclasses.replace(restored, schemas=schemas, tables={t.key: t for t in tables})


@pytest.mark.parametrize("fmt", ["plain", "custom", "directory", "tar"])
def test_dump_catalog_equals_restored_catalog(source: Source, fmt: str, tmp_path: Path) -> None:
    server = source.server
    dump_path = pg_dump(server, source.database, tmp_path / f"dump.{fmt}", fmt)
    inv = inventory(dump_path)
    assert inv.unparsed == ()
    result = restore(inv, server)
    try:
        assert [e.message for e in result.errors if e.severity == "fatal"] == []
        restored = expected_restored(inv.catalog, result.catalog)
        assert catalog_differences(inv.catalog, restored) == []
    finally:
        drop_database(server, result.database)


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_schema_only_then_data_only(source: Source, fmt: str, tmp_path: Path) -> None:
    """A --schema-only dump and a --data-only dump restored one after the other."""
    server = source.server
    schema = inventory(
        pg_dump(server, source.database, tmp_path / f"schema.{fmt}", fmt, "--schema-only")
    )
    # --disable-triggers: pg_dump orders data by dependency but cannot order rows into an
    # FK that references a partitioned table; the restore runs as a superuser.
    data = inventory(
        pg_dump(
            server,
            source.database,
            tmp_path / f"data.{fmt}",
            fmt,
            "--data-only",
            "--disable-triggers",
        )
    )
    assert schema.unparsed == () and data.unparsed == ()
    assert (schema.facts.kind, data.facts.kind) == ("schema-only", "data-only")
    first = restore(schema, server)
    try:
        assert [e.message for e in first.errors if e.severity == "fatal"] == []
        # A schema-only dump carries no rows (every Table.rows is None), and the restored
        # tables are empty: count(*) is 0 there, None for views.
        restored = expected_restored(schema.catalog, first.catalog)
        assert {t.rows for t in restored.tables.values()} <= {0, None}
        no_rows = {k: dataclasses.replace(t, rows=None) for k, t in restored.tables.items()}
        assert (
            catalog_differences(schema.catalog, dataclasses.replace(restored, tables=no_rows)) == []
        )

        second = restore(data, server, database=first.database)
        assert [e.message for e in second.errors if e.severity == "fatal"] == []
        # A data-only dump creates nothing, so its catalog knows only the tables it has data
        # for and their row counts (columns, keys and kinds are not in it); those must be the
        # restored counts.
        full = second.catalog
        for key, table in data.catalog.tables.items():
            assert table.columns == () and key in full.tables
            assert table.rows == full.tables[key].rows, key
        with_rows = {k for k, t in full.tables.items() if t.kind == "table"}
        assert set(data.catalog.tables) == with_rows
    finally:
        drop_database(server, first.database)


@pytest.fixture(scope="module")
def objects_db(scratch_server: ScratchServer) -> Iterator[str]:
    """objects.sql loaded on the default server, for the pg_dump option variants."""
    with source_db(scratch_server, SOURCES["objects"].read_text()) as database:
        yield database


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("plain", ("--inserts",)),
        ("plain", ("--column-inserts", "--rows-per-insert=3")),
        ("custom", ("--load-via-partition-root",)),
        ("plain", ("--load-via-partition-root",)),
        ("plain", ("--no-unlogged-table-data",)),
        ("directory", ("--no-owner", "--no-privileges")),
    ],
    ids=lambda v: v if isinstance(v, str) else "_".join(o.strip("-") for o in v),
)
def test_pg_dump_options_keep_the_catalogs_equal(
    scratch_server: ScratchServer,
    objects_db: str,
    fmt: str,
    options: tuple[str, ...],
    tmp_path: Path,
) -> None:
    inv = inventory(pg_dump(scratch_server, objects_db, tmp_path / f"dump.{fmt}", fmt, *options))
    assert inv.unparsed == ()
    result = restore(inv, scratch_server)
    try:
        assert [e.message for e in result.errors if e.severity == "fatal"] == []
        unlogged_data = "--no-unlogged-table-data" not in options
        restored = expected_restored(inv.catalog, result.catalog, unlogged_data=unlogged_data)
        assert catalog_differences(inv.catalog, restored) == []
    finally:
        drop_database(scratch_server, result.database)


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_upgrade_dump_from_15_restored_on_18(
    scratch_server_for: Callable[[int], ScratchServer], fmt: str, tmp_path: Path
) -> None:
    """The usual upgrade path: a PostgreSQL 15 database dumped by pg_dump 18, restored on 18."""
    old, new = scratch_server_for(15), scratch_server_for(18)
    assert new.install is not None
    with source_db(old, SOURCES["rich"].read_text()) as database:
        dump = pg_dump(
            old, database, tmp_path / f"dump.{fmt}", fmt, pg_dump=new.install.binary("pg_dump")
        )
    inv = inventory(dump)
    assert inv.unparsed == () and inv.facts.pg_dump_major == 18
    result = restore(inv, new)
    try:
        assert [e.message for e in result.errors if e.severity == "fatal"] == []
        restored = expected_restored(inv.catalog, result.catalog)
        assert catalog_differences(inv.catalog, restored) == []
    finally:
        drop_database(new, result.database)
