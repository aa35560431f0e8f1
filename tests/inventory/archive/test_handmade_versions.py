"""Archive versions 1.12 to 1.16 on hand-built archives (no PostgreSQL 11 binaries exist here).

Each version changes the layout: 1.14 adds the table access method to TOC entries, 1.15 turns
the compression level integer into an algorithm byte, 1.16 adds relkind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import iter_table_data, read_archive, sniff_archive
from tests.inventory.archive.handmade import custom_archive, sample_entries

VERSIONS = [(1, 12), (1, 13), (1, 14), (1, 15), (1, 16)]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("version", VERSIONS)
def test_every_supported_version_reads(
    version: tuple[int, int], compress: bool, tmp_path: Path
) -> None:
    path = tmp_path / "handmade.dump"
    path.write_bytes(custom_archive(version, sample_entries(), compress=compress))
    assert sniff_archive(path) == "custom"
    scan = read_archive(path)
    assert scan.version == f"{version[0]}.{version[1]}"
    assert scan.compression == ("gzip" if compress else "none")
    assert (scan.database, scan.server_version, scan.pg_dump_version) == ("db", "11.22", "11.22")
    assert scan.encoding == "LATIN1"
    assert [(e.dump_id, e.desc, e.tag) for e in scan.entries] == [
        (1, "ENCODING", "ENCODING"),
        (10, "TABLE", "t"),
        (20, "TABLE DATA", "t"),
    ]
    assert scan.entries[2].dependencies == (10,)
    assert scan.entries[2].had_data
    assert scan.row_counts == {20: 3}
    assert scan.complete
    assert list(iter_table_data(path, 20)) == [b"a", b"", b"c\\\\."]


@pytest.mark.parametrize("version", [(1, 11), (1, 17), (2, 0)])
def test_unknown_versions_are_one_line_errors(version: tuple[int, int], tmp_path: Path) -> None:
    path = tmp_path / "future.dump"
    path.write_bytes(custom_archive(version, sample_entries(), compress=False))
    with pytest.raises(DumpFormatError, match=r"unsupported pg_dump archive version") as err:
        read_archive(path)
    assert "\n" not in str(err.value)
    with pytest.raises(DumpFormatError):
        sniff_archive(path)


def test_handmade_truncation_inside_a_chunk(tmp_path: Path) -> None:
    whole = custom_archive((1, 13), sample_entries(), compress=False)
    path = tmp_path / "cut.dump"
    path.write_bytes(whole[: whole.index(b"\nc") + 1])  # after "a\n" and "\n"
    scan = read_archive(path)
    assert not scan.complete
    assert scan.row_counts == {20: 2}
    assert scan.stops_at == "TOC 20 (TABLE DATA public.t) ends after 2 rows"


def test_corrupt_header_fields(tmp_path: Path) -> None:
    whole = custom_archive((1, 16), sample_entries(), compress=True)
    cases = {
        "integer size": whole[:8] + bytes([9]) + whole[9:],
        "format code": whole[:10] + bytes([7]) + whole[11:],
        "compression algorithm": whole[:11] + bytes([9]) + whole[12:],
        "cut short": whole[:30],
    }
    for expected, data in cases.items():
        path = tmp_path / "bad.dump"
        path.write_bytes(data)
        with pytest.raises(DumpFormatError, match=expected) as err:
            read_archive(path)
        assert "\n" not in str(err.value)
