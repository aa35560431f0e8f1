"""Truncated archives are findings (complete=False, stops_at); damaged ones are one-line errors."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dumpcheck.errors import DumpFormatError
from dumpcheck.inventory.archive import read_archive, sniff_archive
from dumpcheck.inventory.archive import scan as scan_module
from dumpcheck.inventory.archive.scan import open_toc
from dumpcheck.scratch.model import ScratchServer
from tests.inventory.archive.conftest import Source

pytestmark = pytest.mark.postgres


@pytest.fixture
def custom_gzip(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> Path:
    assert scratch_server.install is not None
    return make_archive(source_on(scratch_server), scratch_server.install, "custom", "gzip")


@pytest.fixture
def directory_archive(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
    tmp_path: Path,
) -> Callable[[str], Path]:
    """A private copy of a directory archive (the test may damage it)."""

    def copy(compression: str) -> Path:
        assert scratch_server.install is not None
        made = make_archive(
            source_on(scratch_server), scratch_server.install, "directory", compression
        )
        return Path(shutil.copytree(made, tmp_path / f"dir-{compression}"))

    return copy


def _offsets(archive: Path) -> dict[str, tuple[int, int]]:
    """Table name -> (dump id, offset of its data block) in a seekable custom archive."""
    with open_toc(archive, "custom") as (_, toc, _):
        return {
            raw.entry.tag: (raw.entry.dump_id, raw.offset)
            for raw in toc.entries
            if raw.entry.desc == "TABLE DATA"
        }


def _cut(source: Path, size: int, tmp_path: Path) -> Path:
    out = tmp_path / f"cut-{size}"
    with source.open("rb") as stream:
        out.write_bytes(stream.read(size))
    return out


def _numbers_id(archive: Path) -> int:
    return _offsets(archive)["numbers"][0]


def test_custom_cut_inside_table_data(custom_gzip: Path, tmp_path: Path) -> None:
    offsets = _offsets(custom_gzip)
    dump_id, start = offsets["numbers"]
    following = min(off for _, off in offsets.values() if off > start)
    scan = read_archive(_cut(custom_gzip, (start + following) // 2, tmp_path))
    assert not scan.complete
    assert scan.stops_at is not None
    assert scan.stops_at.startswith(f"TOC {dump_id} (TABLE DATA public.numbers) ends after ")
    assert 0 < scan.row_counts[dump_id] < 20000
    assert f"ends after {scan.row_counts[dump_id]} rows" in scan.stops_at


def test_custom_cut_at_a_block_boundary(custom_gzip: Path, tmp_path: Path) -> None:
    offsets = _offsets(custom_gzip)
    dump_id, start = offsets["numbers"]
    following = min(off for _, off in offsets.values() if off > start)
    next_tag = next(tag for tag, (_, off) in offsets.items() if off == following)
    next_id = offsets[next_tag][0]
    scan = read_archive(_cut(custom_gzip, following, tmp_path))
    assert not scan.complete
    assert scan.row_counts[dump_id] == 20000
    assert next_id not in scan.row_counts
    assert scan.stops_at is not None
    assert f"TOC {next_id} (TABLE DATA " in scan.stops_at
    assert "its data is missing" in scan.stops_at


def test_pipe_archive_cut_in_half(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
    tmp_path: Path,
) -> None:
    assert scratch_server.install is not None
    archive = make_archive(source_on(scratch_server), scratch_server.install, "pipe", "zstd")
    scan = read_archive(_cut(archive, archive.stat().st_size // 2, tmp_path))
    assert not scan.complete
    assert scan.stops_at is not None
    assert "ends after" in scan.stops_at or "missing" in scan.stops_at


def test_tar_cut_inside_a_member(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
    tmp_path: Path,
) -> None:
    assert scratch_server.install is not None
    archive = make_archive(source_on(scratch_server), scratch_server.install, "tar", "0")
    whole = read_archive(archive)
    scan = read_archive(_cut(archive, archive.stat().st_size // 2, tmp_path))
    assert not scan.complete
    assert scan.stops_at is not None
    assert sum(scan.row_counts.values()) < sum(whole.row_counts.values())


@pytest.mark.parametrize("compression", ["gzip", "lz4", "zstd", "0"])
def test_directory_data_file_cut(
    compression: str, directory_archive: Callable[[str], Path]
) -> None:
    archive = directory_archive(compression)
    assert read_archive(archive).row_counts
    dump_id = next(
        e.dump_id
        for e in read_archive(archive).entries
        if e.tag == "numbers" and e.desc == "TABLE DATA"
    )
    data_file = next(archive.glob(f"{dump_id}.dat*"))
    data_file.write_bytes(data_file.read_bytes()[: data_file.stat().st_size // 2])
    scan = read_archive(archive)
    assert not scan.complete
    assert scan.stops_at is not None
    assert scan.stops_at.startswith(f"TOC {dump_id} (TABLE DATA public.numbers) ends after ")
    assert scan.row_counts[dump_id] < 20000


def test_directory_data_file_missing(directory_archive: Callable[[str], Path]) -> None:
    archive = directory_archive("gzip")
    dump_id = next(
        e.dump_id
        for e in read_archive(archive).entries
        if e.tag == "numbers" and e.desc == "TABLE DATA"
    )
    next(archive.glob(f"{dump_id}.dat*")).unlink()
    scan = read_archive(archive)
    assert not scan.complete
    assert (
        scan.stops_at
        == f"TOC {dump_id} (TABLE DATA public.numbers): data file {dump_id}.dat is missing"
    )


def test_gzip_crc_error(directory_archive: Callable[[str], Path]) -> None:
    archive = directory_archive("gzip")
    dump_id = next(
        e.dump_id
        for e in read_archive(archive).entries
        if e.tag == "numbers" and e.desc == "TABLE DATA"
    )
    data_file = archive / f"{dump_id}.dat.gz"
    data = bytearray(data_file.read_bytes())
    data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    data_file.write_bytes(bytes(data))
    with pytest.raises(DumpFormatError, match="gzip CRC error") as err:
        read_archive(archive)
    assert "\n" not in str(err.value)


def test_corrupt_compressed_block(custom_gzip: Path, tmp_path: Path) -> None:
    dump_id, start = _offsets(custom_gzip)["numbers"]
    data = bytearray(custom_gzip.read_bytes())
    for position in range(start + 40, start + 60):
        data[position] ^= 0x5A
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(bytes(data))
    with pytest.raises(DumpFormatError, match=f"TOC {dump_id}") as err:
        read_archive(damaged)
    assert "\n" not in str(err.value)


def test_corrupt_and_foreign_inputs(custom_gzip: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.dump"
    empty.write_bytes(b"")
    with pytest.raises(DumpFormatError, match="empty file"):
        sniff_archive(empty)
    with pytest.raises(DumpFormatError, match="empty file"):
        read_archive(empty)

    data = custom_gzip.read_bytes()
    future = tmp_path / "future.dump"
    future.write_bytes(data[:6] + bytes([99]) + data[7:])
    with pytest.raises(DumpFormatError, match=r"unsupported pg_dump archive version 1\.99"):
        read_archive(future)

    text = tmp_path / "notes.txt"
    text.write_text("-- just some SQL\nSELECT 1;\n")
    assert sniff_archive(text) is None
    with pytest.raises(DumpFormatError, match="not a pg_dump archive"):
        read_archive(text)

    no_toc = tmp_path / "no_toc"
    no_toc.mkdir()
    assert sniff_archive(no_toc) is None
    with pytest.raises(DumpFormatError, match=r"without toc\.dat"):
        read_archive(no_toc)


def test_tar_cut_before_its_end_block(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
    tmp_path: Path,
) -> None:
    """Every data member intact, but the archive stops before tar's zero end block."""
    assert scratch_server.install is not None
    archive = make_archive(source_on(scratch_server), scratch_server.install, "tar", "0")
    data = archive.read_bytes()
    last_member_end = -(-len(data.rstrip(b"\0")) // 512) * 512
    scan = read_archive(_cut(archive, last_member_end, tmp_path))
    assert not scan.complete
    assert scan.stops_at == "the tar archive ends without its end-of-archive block"
    assert scan.row_counts == read_archive(archive).row_counts


def _data_ids(archive: Path) -> list[int]:
    """The TABLE DATA entries of a directory archive, in TOC order."""
    return [e.dump_id for e in read_archive(archive).entries if e.desc == "TABLE DATA"]


@pytest.mark.parametrize("compression", ["gzip", "lz4", "zstd", "0"])
def test_directory_files_read_side_by_side_as_one_at_a_time(
    compression: str, directory_archive: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory archive's files are read several at once: the scan is the serial one, with
    its stops in TOC order, fingerprints and kept data included, also when two files are
    damaged."""
    archive = directory_archive(compression)
    ids = _data_ids(archive)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    whole = read_archive(archive, fingerprints=True, keep=frozenset(["numbers"]))
    assert whole.complete and whole.kept_data and len(whole.fingerprints) > 3
    first, last = (next(archive.glob(f"{i}.dat*")) for i in (ids[1], ids[-1]))
    first.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    last.unlink()
    side_by_side = read_archive(archive, fingerprints=True, keep=frozenset(["numbers"]))
    monkeypatch.setattr(scan_module, "FILE_READERS", 1)
    one_at_a_time = read_archive(archive, fingerprints=True, keep=frozenset(["numbers"]))
    assert side_by_side == one_at_a_time
    assert side_by_side.stops_at is not None
    assert side_by_side.stops_at.startswith(f"TOC {ids[1]} ")
    assert side_by_side.stops_at.endswith("(and 1 more incomplete data entries)")


def test_directory_first_corrupt_file_in_toc_order_is_the_error(
    directory_archive: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two corrupt files read side by side: the error names the first in TOC order, as a read
    one file at a time would, whichever reader fails first."""
    archive = directory_archive("gzip")
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    ids = [i for i in _data_ids(archive) if (archive / f"{i}.dat.gz").stat().st_size > 40]
    for dump_id in (ids[0], ids[-1]):
        data_file = archive / f"{dump_id}.dat.gz"
        data = bytearray(data_file.read_bytes())
        data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
        data_file.write_bytes(bytes(data))
    with pytest.raises(DumpFormatError, match="gzip CRC error") as err:
        read_archive(archive)
    assert f"{ids[0]}.dat.gz" in str(err.value)
