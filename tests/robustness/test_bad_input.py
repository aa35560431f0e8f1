"""Corrupt dumps, odd paths, broken Prisma schemas and bad options: each gets its documented
exit code and one line on stderr, never a traceback."""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import shutil
from pathlib import Path

import pytest

from dumpcheck.inventory.archive._binary import ByteReader, read_header, read_toc
from dumpcheck.scratch.model import ScratchServer
from tests.robustness._harness import (
    DUMPS,
    SCHEMA,
    Result,
    assert_contract,
    our_databases,
    run_cli,
    run_subprocess,
)


def _regions(name: str, data: bytes) -> dict[str, tuple[int, int]]:
    """[start, end) of the archive header, the TOC and the data, for a custom or tar dump."""
    base = 512 if name.endswith(".tar") else 0  # toc.dat's bytes start after its tar header
    stream = io.BytesIO(data[base:])
    reader = ByteReader(stream)
    header = read_header(reader, name)
    h = base + stream.tell()
    read_toc(reader, header, name)
    t = base + stream.tell()
    return {"header": (5 + base, h), "toc": (h, t), "data": (t, len(data))}


def _damaged(data: bytes, start: int, end: int, rng: random.Random, flip: bool) -> bytes:
    out = bytearray(data)
    if flip:
        pos = rng.randrange(start, end)
        out[pos] ^= 1 << rng.randrange(8)
    else:
        pos = rng.randrange(start, max(start + 1, end - 16))
        out[pos : pos + 16] = rng.randbytes(16)
    return bytes(out)


@pytest.mark.parametrize("name", ["complete.dump", "products_broken.tar"])
@pytest.mark.parametrize("region", ["header", "toc", "data"])
def test_bit_flips_and_random_bytes(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    tmp_path: Path,
    name: str,
    region: str,
) -> None:
    tmp_path.chmod(0o755)
    data = (DUMPS / name).read_bytes()
    start, end = _regions(name, data)[region]
    rng = random.Random(f"{name}/{region}")
    before = our_databases(scratch_server)
    for i in range(16):
        path = tmp_path / f"{i}{Path(name).suffix}"
        path.write_bytes(_damaged(data, start, end, rng, flip=i % 2 == 0))
        path.chmod(0o644)
        what = f"{name} damaged in its {region} (case {i})"
        assert_contract(run_cli(capsys, "inventory", str(path)), (0, 1, 2), what)
        if i < 2:  # a child with a timeout: a corrupt archive must not hang pg_restore either
            result = run_subprocess(
                "verify",
                str(path),
                "--prisma",
                str(SCHEMA),
                "--scratch-dsn",
                scratch_server.conninfo,
            )
            assert_contract(result, (0, 1, 2), f"verify {what}")
    assert our_databases(scratch_server) - before == set()


def _odd_paths(tmp: Path) -> dict[str, Path]:
    (tmp / "garbage.gz").write_bytes(gzip.compress(random.Random(1).randbytes(4000)))
    (tmp / "empty").mkdir()
    (tmp / "no_toc").mkdir()
    (tmp / "no_toc" / "2595.dat").write_bytes((DUMPS / "complete.dir" / "2595.dat").read_bytes())
    (tmp / "loop_a").symlink_to(tmp / "loop_b")
    (tmp / "loop_b").symlink_to(tmp / "loop_a")
    os.mkfifo(tmp / "fifo")
    return {
        "garbage.gz": tmp / "garbage.gz",
        "empty directory": tmp / "empty",
        "directory without toc.dat": tmp / "no_toc",
        "symlink loop": tmp / "loop_a",
        "FIFO": tmp / "fifo",
    }


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("garbage.gz", "not a PostgreSQL dump"),
        ("empty directory", "without toc.dat"),
        ("directory without toc.dat", "without toc.dat"),
        ("symlink loop", ""),
        ("FIFO", ""),
    ],
)
def test_odd_dump_paths(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    tmp_path: Path,
    case: str,
    needle: str,
) -> None:
    path = _odd_paths(tmp_path)[case]
    for argv in (
        ["inventory", str(path)],
        ["verify", str(path), "--prisma", str(SCHEMA), "--scratch-dsn", scratch_server.conninfo],
    ):
        # In a child with a timeout: a FIFO opened for reading would block forever.
        result = run_subprocess(*argv, timeout=30)
        assert_contract(result, (2,), f"{argv[0]} {case}")
        assert needle in result.stderr


def test_fifo_and_loop_are_named_by_inventory(tmp_path: Path) -> None:
    paths = _odd_paths(tmp_path)
    assert "FIFO" in run_subprocess("inventory", str(paths["FIFO"]), timeout=30).stderr
    assert "loop" in run_subprocess("inventory", str(paths["symlink loop"]), timeout=30).stderr


def _schema_variant(tmp: Path, name: str, old: str, new: str) -> Path:
    text = SCHEMA.read_text()
    assert re.search(old, text), old
    path = tmp / name
    path.write_text(re.sub(old, new, text, count=1))
    return path


@pytest.mark.parametrize(
    ("name", "old", "new", "needle"),
    [
        # Prisma ignores the rest of a block's opening line ("{{" passes): take the brace away.
        ("syntax.prisma", r"model Product \{", "model Product", "line is invalid"),
        ("attribute.prisma", r"@id", "@id @frobnicate", "@frobnicate"),
        ("relation.prisma", r"(\s)Category(\s+@relation)", r"\1Nowhere\2", "Nowhere"),
        ("mysql.prisma", r'provider\s*=\s*"postgresql"', 'provider = "mysql"', "mysql"),
    ],
)
def test_broken_prisma_schema(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    tmp_path: Path,
    name: str,
    old: str,
    new: str,
    needle: str,
) -> None:
    schema = _schema_variant(tmp_path, name, old, new)
    before = our_databases(scratch_server)
    result = run_cli(
        capsys,
        "verify",
        str(DUMPS / "complete.sql"),
        "--prisma",
        str(schema),
        "--scratch-dsn",
        scratch_server.conninfo,
    )
    assert "Traceback" not in result.stderr
    assert result.code == 2, result.stderr
    # The CLI prints a SchemaParseError as one error line plus the offending line and a caret
    # (cli/__init__.py, run_command): the error itself is still one line, with file:line:col.
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"dumpcheck: error: {schema}:"), lines
    assert needle in lines[0]
    assert len(lines) in (1, 3), lines
    if len(lines) == 3:
        assert lines[2].strip() == "^"
    assert our_databases(scratch_server) == before  # a bad schema costs no restore


def _verify_args(server: ScratchServer, *extra: str) -> list[str]:
    return [
        "verify",
        str(DUMPS / "complete.sql"),
        "--prisma",
        str(SCHEMA),
        "--scratch-dsn",
        server.conninfo,
        *extra,
    ]


def test_prisma_directory_without_prisma_files(
    capsys: pytest.CaptureFixture[str], scratch_server: ScratchServer, tmp_path: Path
) -> None:
    (tmp_path / "README.txt").write_text("no schema here\n")
    args = _verify_args(scratch_server)
    args[3] = str(tmp_path)
    result = run_cli(capsys, *args)
    assert_contract(result, (2,), "--prisma a directory without .prisma files")
    assert ".prisma" in result.stderr


def test_pg_version_99_with_dsn_is_bad_input(
    capsys: pytest.CaptureFixture[str], scratch_server: ScratchServer
) -> None:
    result = run_cli(capsys, *_verify_args(scratch_server, "--pg-version", "99"))
    assert_contract(result, (2,), "--pg-version 99 with --scratch-dsn")
    assert "99" in result.stderr


def test_scratch_dsn_without_url(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", str(DUMPS / "complete.sql"), "--prisma", str(SCHEMA), "--scratch", "dsn"]
    result = run_cli(capsys, *args)
    assert_contract(result, (2,), "--scratch dsn without --scratch-dsn")
    assert "--scratch-dsn" in result.stderr
    result = run_cli(capsys, *args, "--scratch-dsn")  # the option given without its value
    assert_contract(result, (2,), "--scratch-dsn without a value")


def test_pg_version_99_locally_is_an_environment_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["verify", str(DUMPS / "complete.sql"), "--prisma", str(SCHEMA), "--pg-version", "99"]
    result = run_cli(capsys, *args)
    assert_contract(result, (3,), "--pg-version 99 with the local backend")
    assert "dumpcheck postgres install 99" in result.stderr


@pytest.mark.parametrize(
    "dsn", ["host=/nonexistent/dumpcheck port=1 user=x", "postgresql://u@127.0.0.1:1/db"]
)
def test_unreachable_scratch_dsn(capsys: pytest.CaptureFixture[str], dsn: str) -> None:
    args = ["verify", str(DUMPS / "complete.sql"), "--prisma", str(SCHEMA), "--scratch-dsn", dsn]
    result = run_cli(capsys, *args)
    assert_contract(result, (3,), f"--scratch-dsn {dsn}")
    assert "cannot connect" in result.stderr


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--prisma-error", "Something went wrong, sorry"], "P2021"),
        (["no_such_table"], "no_such_table"),
        ([], "exactly one"),
    ],
)
def test_explain_bad_input(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    extra: list[str],
    needle: str,
) -> None:
    before = our_databases(scratch_server)
    args = _verify_args(scratch_server, *extra)
    args[0] = "explain"
    result = run_cli(capsys, *args)
    assert_contract(result, (2,), f"explain {extra}")
    assert needle in result.stderr
    assert our_databases(scratch_server) == before


def test_explain_known_table_still_answers(
    capsys: pytest.CaptureFixture[str], scratch_server: ScratchServer
) -> None:
    """The control case for the ones above: the same command line works for a real table."""
    args = _verify_args(scratch_server, "categories")
    args[0] = "explain"
    result: Result = run_cli(capsys, *args)
    assert result.code == 0, result.stderr
    assert "categories" in result.stdout


@pytest.mark.parametrize("name", ["complete.dump", "complete.dir"])
def test_garbage_pg_dump_version_in_archive_header(
    capsys: pytest.CaptureFixture[str],
    scratch_server: ScratchServer,
    tmp_path: Path,
    name: str,
) -> None:
    """A corrupt version string in the header ("18.6" -> 4 random bytes): found by a random
    byte sweep of directory dumps, it crashed verify in pg_dump_major."""
    tmp_path.chmod(0o755)
    src = DUMPS / name
    if src.is_dir():
        target = tmp_path / name
        shutil.copytree(src, target)
        target.chmod(0o755)
        for p in target.iterdir():
            p.chmod(0o644)
        file = target / "toc.dat"
    else:
        target = file = tmp_path / name
        shutil.copyfile(src, file)
        file.chmod(0o644)
    data = file.read_bytes()
    stream = io.BytesIO(data)
    header = read_header(ByteReader(stream), name)
    assert header.pg_dump_version == "18.6"
    at = data.rindex(b"18.6", 0, stream.tell())  # the last string of the header
    file.write_bytes(data[:at] + b"\x8d\x9as\xff" + data[at + 4 :])
    before = our_databases(scratch_server)
    for argv in (
        ["inventory", str(target)],
        ["verify", str(target), "--prisma", str(SCHEMA), "--scratch-dsn", scratch_server.conninfo],
    ):
        assert_contract(run_cli(capsys, *argv), (0, 1, 2), f"{argv[0]} {name}")
    assert our_databases(scratch_server) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file; make test runs this as a user")
def test_unreadable_inputs_are_one_line_and_exit_2(tmp_path: Path) -> None:
    """A dump file, a directory archive's toc.dat or one of its data files, or the Prisma
    schema that this user cannot read: one line naming it, exit 2, in every command."""
    plain = tmp_path / "dump.sql"
    shutil.copy(DUMPS / "complete.sql", plain)
    plain.chmod(0)
    toc = tmp_path / "toc.dir"
    shutil.copytree(DUMPS / "complete.dir", toc)
    (toc / "toc.dat").chmod(0)
    member = tmp_path / "member.dir"
    shutil.copytree(DUMPS / "complete.dir", member)
    data_file = sorted(p for p in member.iterdir() if p.name != "toc.dat")[0]
    data_file.chmod(0)
    schema = tmp_path / "schema.prisma"
    shutil.copy(SCHEMA, schema)
    schema.chmod(0)
    cases = [
        (["inventory", str(plain)], plain.name),
        (["inventory", str(toc)], "toc.dat"),
        (["inventory", str(member)], data_file.name),
        (["verify", str(member), "--prisma", str(SCHEMA), "--format", "json"], data_file.name),
        (["explain", str(plain), "--prisma", str(SCHEMA), "products"], plain.name),
        (["verify", str(DUMPS / "complete.sql"), "--prisma", str(schema)], schema.name),
        (["expect", str(schema)], schema.name),
    ]
    for argv, needle in cases:
        result = run_subprocess(*argv, timeout=60)
        assert_contract(result, (2,), " ".join(argv[:1]))
        assert needle in result.stderr and "Usage:" not in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
