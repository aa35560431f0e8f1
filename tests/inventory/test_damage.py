"""A damaged dump is reported damaged where it is damaged, and the tables it touches are
named, in the real demo dumps made by pg_dump (fixtures/demo/dumps) with one defect each.

COPY text cannot hold a NUL byte; a data section holds COPY or INSERT; ``\\.`` ends COPY data
only. Each defect below must make the inventory incomplete (exit 1), name the damaged table,
count every other table as the undamaged dump does, and never quote the rows it could not read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.inventory import inventory, to_json, to_text

DUMPS = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "dumps"
PRODUCTS = QualifiedName("public", "products")
CATEGORIES = QualifiedName("public", "categories")


def _counts(path: Path) -> dict[QualifiedName, int | None]:
    return {k: t.rows for k, t in inventory(path).catalog.tables.items()}


def _damage(tmp_path: Path, name: str, change: bytes, into: bytes) -> Path:
    data = (DUMPS / name).read_bytes()
    assert data.count(change) == 1, change
    out = tmp_path / name
    out.write_bytes(data.replace(change, into))
    return out


def _products_row() -> bytes:
    plain = (DUMPS / "complete.sql").read_bytes()
    start = plain.index(b"\n", plain.index(b"\nCOPY public.products ") + 1) + 1
    return plain[start : plain.index(b"\n", start)]


def _check(path: Path, damaged: QualifiedName, where: str) -> None:
    inv = inventory(path)
    baseline = _counts(DUMPS / "complete.sql")
    assert not inv.facts.complete
    assert where in (inv.facts.stops_at or "")
    assert [k for k, _ in inv.facts.damaged] == [damaged]
    for key, table in inv.catalog.tables.items():
        if key != damaged:
            assert table.rows == baseline[key], key
    # The rows it could not read as rows are never quoted: not in JSON, not in text.
    secret = _products_row().split(b"\t")[1].decode()
    assert secret not in to_json(inv) and secret not in to_text(inv)


def test_a_nul_byte_in_plain_copy_data(tmp_path: Path) -> None:
    row = _products_row()
    path = _damage(tmp_path, "complete.sql", row, row[:5] + b"\x00" + row[6:])
    _check(path, PRODUCTS, "a NUL byte in the COPY data of public.products")


def test_a_broken_copy_keyword(tmp_path: Path) -> None:
    path = _damage(tmp_path, "complete.sql", b"\nCOPY public.products ", b"\nCOPX public.products ")
    _check(path, PRODUCTS, "is not a COPY ... FROM stdin or an INSERT")


def test_a_broken_copy_tail_leaves_an_orphaned_end_marker(tmp_path: Path) -> None:
    """``FROM stdn``: not a COPY from the script, so its rows are read as SQL until ``\\.``,
    which psql reads as a meta-command: the splitter stops there and finds the next COPY."""
    plain = (DUMPS / "complete.sql").read_bytes()
    head = plain[
        plain.index(b"\nCOPY public.products ") : plain.index(
            b"FROM stdin;\n", plain.index(b"\nCOPY public.products ")
        )
    ]
    path = _damage(tmp_path, "complete.sql", head + b"FROM stdin;", head + b"FROM stdn;")
    inv = inventory(path)
    assert not inv.facts.complete
    assert "backslash outside quotes" in (inv.facts.stops_at or "") or "is not a COPY" in (
        inv.facts.stops_at or ""
    )
    assert PRODUCTS in dict(inv.facts.damaged)
    baseline = _counts(DUMPS / "complete.sql")
    assert inv.catalog.tables[CATEGORIES].rows == baseline[CATEGORIES]
    secret = _products_row().split(b"\t")[1].decode()
    assert secret not in to_json(inv) and secret not in to_text(inv)


@pytest.mark.parametrize("name", ["complete.tar", "complete.dir"])
def test_a_zeroed_block_of_archive_data(tmp_path: Path, name: str) -> None:
    """A tar or directory member with 512 bytes of its products data zeroed (what a bad disk
    block leaves): the archive reader finds the NUL bytes."""
    import shutil

    src = DUMPS / name
    if src.is_dir():
        path = tmp_path / name
        shutil.copytree(src, path)
        member = max(
            (p for p in path.glob("*.dat") if p.name != "toc.dat"), key=lambda p: p.stat().st_size
        )
        data = bytearray(member.read_bytes())
        data[100:612] = bytes(512)
        member.write_bytes(bytes(data))
    else:
        data = bytearray(src.read_bytes())
        row = _products_row()
        at = bytes(data).index(row)
        data[at : at + 512] = bytes(512)
        path = tmp_path / name
        path.write_bytes(bytes(data))
    inv = inventory(path)
    assert not inv.facts.complete
    assert "NUL byte" in (inv.facts.stops_at or "")
    assert [k for k, _ in inv.facts.damaged] == [PRODUCTS]
