"""iter_tables_data, quick verify's reader: the first lines of many TABLE DATA entries in one
opening of the archive, each entry left unfinished, in every format and without data offsets;
and the TOC's section of each entry, which quick verify's pg_restore runs are split by."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dumpcheck.inventory.archive import iter_table_data, iter_tables_data, read_archive
from dumpcheck.scratch.model import ScratchServer
from tests.inventory.archive.conftest import Source

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize(
    ("kind", "compression"),
    [
        ("custom", "gzip"),
        ("custom", "0"),
        ("pipe", "lz4"),
        ("stdout", "gzip"),
        ("directory", "zstd"),
        ("tar", "0"),
    ],
)
def test_first_lines_of_every_entry_in_one_pass(
    kind: str,
    compression: str,
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    assert scratch_server.install is not None
    archive = make_archive(source_on(scratch_server), scratch_server.install, kind, compression)
    scan = read_archive(archive)
    ids = [e.dump_id for e in scan.entries if e.desc == "TABLE DATA"]
    seen: dict[int, list[bytes]] = {}
    for data in iter_tables_data(archive, set(ids)):
        assert data.copy_statement == scan.copy_statements[data.entry.dump_id]
        # Read two lines and leave the rest: the next entry must still be found whole.
        seen[data.entry.dump_id] = [line for _, line in zip(range(2), data.lines, strict=False)]
    assert set(seen) == set(ids)
    for dump_id in ids:
        assert seen[dump_id] == list(iter_table_data(archive, dump_id))[:2]
    # Read to the end, every entry gives every row the inventory counted.
    counted = {d.entry.dump_id: sum(1 for _ in d.lines) for d in iter_tables_data(archive, ids)}
    assert counted == {i: scan.row_counts[i] for i in ids}
    # Only the entries asked for.
    numbers = next(e.dump_id for e in scan.entries if e.tag == "numbers" and e.desc == "TABLE DATA")
    assert [d.entry.tag for d in iter_tables_data(archive, {numbers})] == ["numbers"]


def test_every_entry_knows_its_section(
    scratch_server: ScratchServer,
    source_on: Callable[[ScratchServer], Source],
    make_archive: Callable[..., Path],
) -> None:
    assert scratch_server.install is not None
    archive = make_archive(source_on(scratch_server), scratch_server.install, "custom", "gzip")
    sections = {(e.desc, e.section) for e in read_archive(archive).entries}
    assert ("TABLE", "pre-data") in sections
    assert ("TABLE DATA", "data") in sections
    assert {s for d, s in sections if d in ("CONSTRAINT", "INDEX")} == {"post-data"}
