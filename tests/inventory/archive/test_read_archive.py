"""read_archive on real pg_dump archives: every format x compression, pipes, pg_dump 15/17/18.

Differential: the TOC agrees with ``pg_restore -l`` and every row count with ``count(*)`` in the
source database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dumpcheck.inventory.archive import ArchiveScan, iter_table_data, read_archive, sniff_archive
from dumpcheck.scratch.model import PgInstall, ScratchServer
from tests.inventory.archive.archives import listing_line, pg_restore_list, source_counts
from tests.inventory.archive.conftest import Source

pytestmark = pytest.mark.postgres

COMPRESSIONS = {"0": "none", "gzip": "gzip", "lz4": "lz4", "zstd": "zstd"}
# Tables whose data entries the source must produce (the partitioned parent has none).
EXPECTED_TABLES = {
    ("public", "numbers"),
    ("public", "blank_lines"),
    ("public", "empty_table"),
    ("public", "no_columns"),
    ("public", "tricky"),
    ("public", "big_value"),
    ("public", "scratchpad"),
    ("public", "events_2024"),
    ("public", "events_2025"),
    ("we;ird", "a;b"),
}


def assert_matches_source(scan: ArchiveScan, source: Source) -> None:
    """Every TABLE DATA entry has a row count, and it equals count(*) in the source."""
    assert scan.complete, scan.stops_at
    assert scan.stops_at is None
    data = [e for e in scan.entries if e.desc == "TABLE DATA"]
    assert {(e.namespace, e.tag) for e in data} == EXPECTED_TABLES
    assert set(scan.row_counts) == {e.dump_id for e in data}
    expected = source_counts(source.server, source.dbname, [(e.namespace, e.tag) for e in data])
    assert [scan.row_counts[e.dump_id] for e in data] == expected
    by_name = {(e.namespace, e.tag): scan.row_counts[e.dump_id] for e in data}
    assert by_name[("public", "blank_lines")] == 5
    assert by_name[("public", "no_columns")] == 3
    assert by_name[("public", "tricky")] == 11
    assert by_name[("public", "empty_table")] == 0
    assert scan.blobs == 2
    assert scan.encoding == "UTF8"
    assert scan.database == source.dbname


def assert_matches_pg_restore(scan: ArchiveScan, install: PgInstall, archive: Path) -> None:
    """pg_restore -l lists exactly our entries, less the ones it never lists without --create."""
    listed = pg_restore_list(install, archive)
    ours = {e.dump_id: e for e in scan.entries}
    assert {dump_id for dump_id, _ in listed} <= set(ours)
    for dump_id, line in listed:
        assert listing_line(ours[dump_id]) == line
    unlisted = {e.desc for e in scan.entries} - {ours[dump_id].desc for dump_id, _ in listed}
    assert unlisted <= {"ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE", "DATABASE PROPERTIES"}
    for desc in ("TABLE", "TABLE DATA", "BLOBS"):
        assert {d for d, _ in listed if ours[d].desc == desc} == {
            e.dump_id for e in scan.entries if e.desc == desc
        }


@pytest.mark.parametrize("compression", list(COMPRESSIONS))
@pytest.mark.parametrize("kind", ["custom", "directory", "tar"])
def test_every_format_and_compression_pg_dump_18(
    kind: str,
    compression: str,
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    assert scratch_server.install is not None
    source = source_on(scratch_server)
    if kind == "tar" and compression != "0":
        # pg_dump itself refuses: "compression is not supported by tar archive format".
        with pytest.raises(Exception, match="returned non-zero"):
            make_archive(source, scratch_server.install, kind, compression)
        return
    archive = make_archive(source, scratch_server.install, kind, compression)
    assert sniff_archive(archive) == kind
    scan = read_archive(archive)
    assert scan.format == kind
    assert scan.compression == COMPRESSIONS[compression]
    assert scan.version == "1.16"
    assert scan.pg_dump_version is not None
    assert scan.pg_dump_version.startswith(f"{scratch_server.install.major}.")
    assert_matches_source(scan, source)
    assert_matches_pg_restore(scan, scratch_server.install, archive)


@pytest.mark.parametrize("kind", ["pipe", "stdout"])
@pytest.mark.parametrize("compression", ["gzip", "0", "zstd"])
def test_custom_archive_written_to_stdout(
    kind: str,
    compression: str,
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    """No data offsets (pipe), or pg_dump 18's TOC copy appended after the data (stdout file)."""
    assert scratch_server.install is not None
    source = source_on(scratch_server)
    archive = make_archive(source, scratch_server.install, kind, compression)
    scan = read_archive(archive)
    assert scan.format == "custom"
    assert_matches_source(scan, source)
    assert_matches_pg_restore(scan, scratch_server.install, archive)


@pytest.mark.parametrize("extra", [("--inserts",), ("--rows-per-insert=7",), ("--column-inserts",)])
@pytest.mark.parametrize("kind", ["custom", "directory"])
def test_insert_archives_count_rows(
    extra: tuple[str, ...],
    kind: str,
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    assert scratch_server.install is not None
    source = source_on(scratch_server)
    archive = make_archive(source, scratch_server.install, kind, "gzip", *extra)
    scan = read_archive(archive)
    assert all(stmt == "" for stmt in scan.copy_statements.values())
    assert_matches_source(scan, source)


@pytest.mark.parametrize("major", [15, 17])
@pytest.mark.parametrize(
    ("kind", "compression"),
    [("custom", "gzip"), ("custom", "0"), ("directory", "gzip"), ("tar", "0"), ("pipe", "gzip")],
)
def test_older_pg_dump_majors(
    major: int,
    kind: str,
    compression: str,
    scratch_server_for: Callable[[int], ScratchServer],
    source_on: Callable[[ScratchServer], Source],
    pg_dump_of: Callable[[int], PgInstall],
    make_archive: Callable[..., Path],
) -> None:
    """pg_dump 15 writes archive 1.14 (compression as a zlib level), pg_dump 17 writes 1.16."""
    server = scratch_server_for(15)
    install = pg_dump_of(major)
    source = source_on(server)
    archive = make_archive(source, install, kind, compression)
    scan = read_archive(archive)
    assert scan.version == {15: "1.14", 17: "1.16"}[major]
    assert scan.compression == COMPRESSIONS[compression]
    assert scan.server_version is not None
    assert scan.server_version.startswith("15.")
    assert_matches_source(scan, source)
    assert_matches_pg_restore(scan, install, archive)


@pytest.mark.parametrize(
    ("kind", "compression"),
    [("custom", "gzip"), ("pipe", "lz4"), ("directory", "zstd"), ("tar", "0")],
)
def test_iter_table_data_streams_copy_lines(
    kind: str,
    compression: str,
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    assert scratch_server.install is not None
    source = source_on(scratch_server)
    archive = make_archive(source, scratch_server.install, kind, compression)
    scan = read_archive(archive)
    ids = {e.tag: e.dump_id for e in scan.entries if e.desc == "TABLE DATA"}
    assert list(iter_table_data(archive, ids["blank_lines"])) == [b""] * 5
    tricky = list(iter_table_data(archive, ids["tricky"]))
    assert len(tricky) == 11
    assert tricky[0] == b"1\t\\\\."  # the value '\.' is escaped, never the end marker
    assert b"2\t\\\\." in tricky
    big = list(iter_table_data(archive, ids["big_value"]))
    assert len(big) == 1
    assert len(big[0]) == len("1\t") + 32 * 100000
    numbers = iter_table_data(archive, ids["numbers"])
    assert next(numbers) == b"1\tn1\tok"
    assert sum(1 for _ in numbers) == 19999
    assert (
        "COPY public.numbers (id, label, mood) FROM stdin;" in scan.copy_statements[ids["numbers"]]
    )


def test_iter_table_data_without_offsets_and_on_a_cut_archive(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
    tmp_path: Path,
) -> None:
    """pg_dump 18 to a redirected stdout: no offsets, and a TOC copy after the last block."""
    assert scratch_server.install is not None
    archive = make_archive(source_on(scratch_server), scratch_server.install, "stdout", "gzip")
    scan = read_archive(archive)
    ids = {e.tag: e.dump_id for e in scan.entries if e.desc == "TABLE DATA"}
    last = list(ids.values())[-1]  # the last TABLE DATA entry in TOC (= file) order
    assert len(list(iter_table_data(archive, last))) == scan.row_counts[last]
    cut = tmp_path / "cut.dump"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 3])
    assert list(iter_table_data(cut, last)) == []


@pytest.mark.parametrize("section", ["--schema-only", "--data-only"])
def test_schema_only_and_data_only(
    section: str,
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    assert scratch_server.install is not None
    source = source_on(scratch_server)
    archive = make_archive(source, scratch_server.install, "custom", "gzip", section)
    scan = read_archive(archive)
    assert scan.complete
    if section == "--schema-only":
        assert not [e for e in scan.entries if e.desc == "TABLE DATA"]
        assert scan.row_counts == {}
    else:
        assert not [e for e in scan.entries if e.desc == "TABLE"]
        assert_matches_source(scan, source)


@pytest.mark.parametrize("kind", ["custom", "directory", "tar", "pipe"])
def test_many_large_objects_in_several_blobs_entries(
    kind: str,
    scratch_server: ScratchServer,
    fresh_db: str,
    make_archive: Callable[..., Path],
) -> None:
    """pg_dump 17+ writes large objects in BLOBS entries of at most 1000 (archive 1.16)."""
    assert scratch_server.install is not None
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(
            "SELECT lo_from_bytea(0, convert_to(g::text, 'UTF8'))"
            " FROM generate_series(1, 2345) AS g"
        )
        conn.execute("CREATE TABLE t AS SELECT 1 AS x")
    archive = make_archive(Source(scratch_server, fresh_db), scratch_server.install, kind, "0")
    scan = read_archive(archive)
    assert scan.complete, scan.stops_at
    assert scan.blobs == 2345
    assert len([e for e in scan.entries if e.desc == "BLOBS"]) == 3
    assert_matches_pg_restore(scan, scratch_server.install, archive)
