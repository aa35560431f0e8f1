"""inventory() over dumps written by real pg_dump (17 and 18), every format and compression."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory import inventory
from dumpcheck.inventory.model import DumpInventory
from dumpcheck.inventory.peek import pg_dump_major
from dumpcheck.scratch.model import ScratchServer
from tests.inventory.conftest import SourceDb
from tests.inventory.dumps import pg_dump

pytestmark = pytest.mark.postgres

FORMATS = [
    ("plain.sql", ("-Fp",)),
    ("plain.sql.gz", ("-Fp", "-Z", "gzip")),
    ("plain.sql.lz4", ("-Fp", "-Z", "lz4")),
    ("plain.sql.zst", ("-Fp", "-Z", "zstd")),
    ("inserts.sql", ("-Fp", "--inserts")),
    ("rows3.sql", ("-Fp", "--rows-per-insert=3", "--column-inserts")),
    ("custom.dump", ("-Fc",)),
    ("custom0.dump", ("-Fc", "-Z", "0")),
    ("custom_lz4.dump", ("-Fc", "-Z", "lz4")),
    ("custom_zstd.dump", ("-Fc", "-Z", "zstd")),
    ("dir_gzip", ("-Fd",)),
    ("dir_none", ("-Fd", "-Z", "0")),
    ("dir_zstd", ("-Fd", "-Z", "zstd")),
    ("dump.tar", ("-Ft",)),
]
EXPECTED_FORMAT = {"plain": "plain", "inser": "plain", "rows3": "plain", "custo": "custom"}


def _check_matches_source(inv: DumpInventory, source: SourceDb) -> None:
    assert inv.unparsed == ()
    assert inv.facts.complete, inv.facts.stops_at
    assert inv.facts.kind == "full"
    assert inv.facts.excluded_table_data == ()
    assert inv.facts.excluded_traces == ()
    assert "citext" in inv.facts.extensions
    rows = {
        (k.schema, k.name): t.rows
        for k, t in inv.catalog.tables.items()
        if t.kind in ("table", "foreign")
    }
    assert rows == source.counts
    users = inv.catalog.table("public", "users")
    assert users is not None
    assert users.column("created_at") is not None
    assert users.column("created_at").type == "timestamp(3) without time zone"  # type: ignore[union-attr]
    weird = inv.catalog.table("we;ird", "a;b")
    assert weird is not None
    assert [c.name for c in weird.columns] == ['quo"te', "dol$lar", "new\nline", "tab\there", "id"]
    assert inv.catalog.table("public", "events") is not None
    assert inv.catalog.table("public", "events").kind == "partitioned"  # type: ignore[union-attr]
    assert inv.catalog.enums[QualifiedName("public", "Status")].values == ("draft", "it's", "a;b")
    migrations = inv.prisma_migrations
    assert migrations is not None
    assert [m.migration_name for m in migrations] == ["20240101_init", "20240202_add_posts"]
    assert migrations[1].rolled_back_at == "2024-02-02 00:00:00+00"


@pytest.mark.parametrize(("name", "args"), FORMATS, ids=[f[0] for f in FORMATS])
def test_every_format_pg_dump_18(
    rich_db: SourceDb, tmp_path: Path, name: str, args: tuple[str, ...]
) -> None:
    dump = pg_dump(rich_db.server, rich_db.dbname, tmp_path / name, *args)
    inv = inventory(dump)
    _check_matches_source(inv, rich_db)
    assert inv.facts.pg_dump_major == rich_db.server.major
    # verify chooses its server from the header before the inventory has run.
    assert pg_dump_major(dump) == rich_db.server.major


@pytest.mark.parametrize("args", [("-Fp",), ("-Fc",), ("-Fd",)], ids=["plain", "custom", "dir"])
def test_pg_dump_17(rich_db_17: SourceDb, tmp_path: Path, args: tuple[str, ...]) -> None:
    dump = pg_dump(rich_db_17.server, rich_db_17.dbname, tmp_path / "d17", *args)
    inv = inventory(dump)
    _check_matches_source(inv, rich_db_17)
    assert inv.facts.pg_dump_major == 17
    assert pg_dump_major(dump) == 17


def test_schema_only_data_only(rich_db: SourceDb, tmp_path: Path) -> None:
    for flag, kind in (("-s", "schema-only"), ("-a", "data-only")):
        for fmt in ("-Fp", "-Fc"):
            dump = pg_dump(rich_db.server, rich_db.dbname, tmp_path / f"k{flag}{fmt}", fmt, flag)
            inv = inventory(dump)
            assert inv.facts.kind == kind, (flag, fmt)
            if kind == "data-only":
                users = inv.catalog.table("public", "users")
                assert users is not None and users.rows == rich_db.counts[("public", "users")]
                # The COPY column list: every column but the generated one, in table order.
                columns = inv.data_columns[QualifiedName("public", "users")]
                assert columns[:3] == ("id", "email", "status"), fmt
                assert "doubled" not in columns


def test_statistics_only_is_its_own_kind_and_never_passes(
    rich_db: SourceDb, tmp_path: Path
) -> None:
    """pg_dump 18 --statistics-only restores planner statistics and no table: its own kind,
    in every format, and a fatal dump finding (exit 1) whatever the tables say."""
    from dumpcheck.compare.findings import DumpKindFinding, DumpSummary, Findings

    with psycopg.connect(rich_db.server.dsn(rich_db.dbname), autocommit=True) as conn:
        conn.execute("ANALYZE")
    for fmt in ("-Fp", "-Fc", "-Ft"):
        dump = pg_dump(
            rich_db.server, rich_db.dbname, tmp_path / f"stats{fmt}", fmt, "--statistics-only"
        )
        inv = inventory(dump)
        assert (inv.facts.kind, inv.catalog.tables) == ("statistics-only", {}), fmt
        assert any(e.desc == "STATISTICS DATA" for e in inv.entries), fmt
    summary = DumpSummary(str(dump), "tar", "none", "18", "18", None, True, "statistics-only")
    findings = Findings(summary, None, (), (DumpKindFinding("statistics-only"),))
    assert findings.exit_code() == 1


def test_insert_dumps_name_their_data_columns(rich_db: SourceDb, tmp_path: Path) -> None:
    """--inserts and --column-inserts data, plain and archive: the columns each table's rows
    fill, as for COPY (the only trace of the source table's columns in a data-only dump)."""
    users = QualifiedName("public", "users")
    with psycopg.connect(rich_db.server.dsn(rich_db.dbname)) as conn:
        expected = tuple(
            r[0]
            for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass "
                "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum"
            )
        )
    copy = inventory(pg_dump(rich_db.server, rich_db.dbname, tmp_path / "copy.sql"))
    assert copy.data_columns[users] == expected
    for flag in ("--inserts", "--column-inserts"):
        for fmt in ("-Fp", "-Fc"):
            dump = pg_dump(rich_db.server, rich_db.dbname, tmp_path / f"i{flag}{fmt}", fmt, flag)
            inv = inventory(dump)
            assert inv.data_columns.get(users) == expected, (flag, fmt)
            with_rows = {k for k in copy.data_columns if copy.catalog.tables[k].rows}
            assert with_rows <= set(inv.data_columns), (flag, fmt)


def test_exclusions_leave_traces(rich_db: SourceDb, tmp_path: Path) -> None:
    dump = pg_dump(
        rich_db.server,
        rich_db.dbname,
        tmp_path / "ex.sql",
        "--exclude-table-data=public.scratchpad",
        "--exclude-table=public.users",
    )
    inv = inventory(dump)
    assert inv.facts.excluded_table_data == (QualifiedName("public", "scratchpad"),)
    assert QualifiedName("public", "users") in {k for k, _ in inv.facts.excluded_traces}
    assert inv.catalog.table("public", "users") is None


def test_truncated_plain_dump(rich_db: SourceDb, tmp_path: Path) -> None:
    full = pg_dump(rich_db.server, rich_db.dbname, tmp_path / "full.sql").read_bytes()
    mid_copy = full.index(b"COPY public.posts")
    row_end = full.index(b"\n", full.index(b"\n", mid_copy) + 1) + 1  # after the first row
    for cut, expected_rows in ((row_end, 1), (row_end - 3, 0)):
        part = tmp_path / f"cut{cut}.sql"
        part.write_bytes(full[:cut])
        inv = inventory(part)
        assert not inv.facts.complete
        assert "public.posts" in (inv.facts.stops_at or "")
        posts = inv.catalog.table("public", "posts")
        assert posts is not None and posts.rows == expected_rows
    no_trailer = tmp_path / "no_trailer.sql"
    no_trailer.write_bytes(full[: full.index(b"--\n-- PostgreSQL database dump complete")])
    inv = inventory(no_trailer)
    assert not inv.facts.complete
    assert "trailer" in (inv.facts.stops_at or "")


def test_roles_and_database_name(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    role = f"inv_role_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} NOLOGIN")
        try:
            conn.execute(
                f"CREATE TABLE public.t (a integer); GRANT SELECT ON public.t TO {role};"
                f" CREATE TABLE public.o (b integer); ALTER TABLE public.o OWNER TO {role};"
                f" ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO {role};"
            )
            for fmt in ("-Fp", "-Fc", "-Ft"):
                dump = pg_dump(scratch_server, fresh_db, tmp_path / f"r{fmt}", fmt, "-C")
                facts = inventory(dump).facts
                assert role in facts.roles, fmt
                assert facts.database == fresh_db, fmt
            bare = pg_dump(scratch_server, fresh_db, tmp_path / "bare", "--no-owner", "-x")
            assert inventory(bare).facts.roles == frozenset()
        finally:
            conn.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
