"""Every demo dump, in every format and compression, cut short: a finding (exit 1) or
unreadable (exit 2), never a traceback, and nothing left on the scratch server."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import lz4.frame
import pytest
import zstandard

from dumpcheck.scratch.model import ScratchServer
from tests.robustness._harness import (
    DUMPS,
    SCHEMA,
    STEMS,
    Result,
    assert_contract,
    cut_points,
    only_padding_removed,
    our_databases,
    run_cli,
    run_subprocess,
)

KINDS = ("sql", "dump", "tar", "sql.gz", "sql.zst", "sql.lz4")
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "sql.gz": gzip.compress,
    "sql.zst": lambda b: zstandard.ZstdCompressor().compress(b),
    "sql.lz4": lz4.frame.compress,
}


def source(stem: str, kind: str) -> bytes:
    """The demo dump ``stem`` in ``kind``: as shipped, or the plain dump compressed."""
    if kind in COMPRESS:
        return COMPRESS[kind]((DUMPS / f"{stem}.sql").read_bytes())
    return (DUMPS / f"{stem}.{kind}").read_bytes()


@pytest.fixture
def no_leftovers(scratch_server: ScratchServer) -> Iterator[None]:
    """Fail when a dumpcheck_ database or a dumpcheck-tar- copy outlives the test."""
    before = our_databases(scratch_server)
    copies = set(Path("/tmp").glob("dumpcheck-tar-*"))
    yield
    assert our_databases(scratch_server) - before == set()
    assert set(Path("/tmp").glob("dumpcheck-tar-*")) - copies == set()


def _verify(capsys: pytest.CaptureFixture[str], server: ScratchServer, dump: Path) -> Result:
    return run_cli(
        capsys, "verify", str(dump), "--prisma", str(SCHEMA), "--scratch-dsn", server.conninfo
    )


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("kind", KINDS)
def test_inventory_of_every_cut(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stem: str, kind: str
) -> None:
    data = source(stem, kind)
    for cut in cut_points(f"x.{kind}", data, spaced=25):
        path = tmp_path / f"cut{cut}.{kind}"
        path.write_bytes(data[:cut])
        result = run_cli(capsys, "inventory", str(path))
        allowed = (0, 1, 2) if only_padding_removed(data, cut) else (1, 2)
        assert_contract(result, allowed, f"inventory {stem}.{kind} cut at {cut}/{len(data)}")
        if result.code == 1:
            assert "truncated" in result.stdout.lower() or "stops" in result.stdout.lower()
        path.unlink()


@pytest.mark.parametrize("kind", KINDS)
def test_verify_of_chosen_cuts(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    no_leftovers: None,
    tmp_path: Path,
    kind: str,
) -> None:
    tmp_path.chmod(0o755)
    data = source("complete", kind)
    for cut in cut_points(f"x.{kind}", data, spaced=8):
        path = tmp_path / f"cut{cut}.{kind}"
        path.write_bytes(data[:cut])
        path.chmod(0o644)
        result = _verify(capsys, scratch_server, path)
        allowed = (0, 1, 2) if only_padding_removed(data, cut) else (1, 2)
        assert_contract(result, allowed, f"verify complete.{kind} cut at {cut}/{len(data)}")


def test_verify_tar_cut_inside_each_member(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    no_leftovers: None,
    tmp_path: Path,
) -> None:
    """pg_restore 18 spins forever on a tar that ends inside a member: regression test, in a
    child process with a timeout so that a hang fails instead of blocking the suite."""
    tmp_path.chmod(0o755)
    data = source("products_broken", "tar")
    pos, cuts = 0, []
    while data[pos : pos + 512].strip(b"\0"):
        size = int(data[pos + 124 : pos + 136].rstrip(b"\0 "), 8)
        cuts.append(pos + 512 + size // 2)  # inside the member's data
        pos += 512 + -(-size // 512) * 512
    for cut in cuts:
        path = tmp_path / f"cut{cut}.tar"
        path.write_bytes(data[:cut])
        path.chmod(0o644)
        result = run_subprocess(
            "verify", str(path), "--prisma", str(SCHEMA), "--scratch-dsn", scratch_server.conninfo
        )
        assert_contract(result, (1, 2), f"verify products_broken.tar cut at {cut}")


def _directory_variants(stem: str, root: Path) -> Iterator[tuple[str, Path]]:
    """A directory dump with toc.dat cut, or its largest data file cut, emptied or deleted."""
    src = DUMPS / f"{stem}.dir"
    toc = (src / "toc.dat").read_bytes()
    biggest = max(
        (p for p in src.glob("*.dat") if p.name != "toc.dat"), key=lambda p: p.stat().st_size
    )
    variants: list[tuple[str, Callable[[Path], object]]] = [
        (f"toc.dat cut at {c}", lambda d, c=c: (d / "toc.dat").write_bytes(toc[:c]))  # type: ignore[misc]
        for c in cut_points("toc.dat", toc, spaced=6)
    ]
    data = biggest.read_bytes()
    variants += [
        (
            f"{biggest.name} cut in half",
            lambda d: (d / biggest.name).write_bytes(data[: len(data) // 2]),
        ),
        (f"{biggest.name} emptied", lambda d: (d / biggest.name).write_bytes(b"")),
        (f"{biggest.name} deleted", lambda d: (d / biggest.name).unlink()),
        ("toc.dat deleted", lambda d: (d / "toc.dat").unlink()),
    ]
    for i, (label, damage) in enumerate(variants):
        target = root / f"v{i}.dir"
        shutil.copytree(src, target)
        target.chmod(0o755)
        for p in target.iterdir():
            p.chmod(0o644)
        damage(target)
        yield label, target


@pytest.mark.parametrize("stem", STEMS)
def test_inventory_of_damaged_directories(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stem: str
) -> None:
    for label, target in _directory_variants(stem, tmp_path):
        result = run_cli(capsys, "inventory", str(target))
        assert_contract(result, (1, 2), f"inventory {stem}.dir, {label}")


def test_verify_of_damaged_directories(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    no_leftovers: None,
    tmp_path: Path,
) -> None:
    tmp_path.chmod(0o755)
    for label, target in _directory_variants("complete", tmp_path):
        result = _verify(capsys, scratch_server, target)
        assert_contract(result, (1, 2), f"verify complete.dir, {label}")
