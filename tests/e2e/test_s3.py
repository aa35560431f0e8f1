"""Dumps in object storage: a local S3-compatible server (moto's server mode on the loopback
address, started and stopped here) holds the demo dumps and real pg_dump output of the archive
reader's source database in every format; verify, inventory, inspect and the nightly job read
them by ``s3://`` URL, with credentials and the endpoint from the environment as botocore reads
them. What only reads a dump streams it (nothing is written under /tmp, and the object is
fetched about once); only what pg_restore must seek in goes to a private temporary copy."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import lz4.frame
import psycopg
import pytest
import zstandard

from dumpcheck.expect import prisma_migrations_sql
from dumpcheck.inventory import objectstream, remote
from dumpcheck.scratch import create_database, drop_database
from dumpcheck.scratch.model import ScratchServer
from tests.inventory.archive.archives import load_source, pg_dump, pg_dump_to_stdout
from tests.robustness._harness import ROOT, assert_contract, run_cli

DEMO = ROOT / "fixtures" / "demo"
SCHEMA = DEMO / "schema.prisma"
BUCKET = "backups"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    """moto's S3 on 127.0.0.1 with the demo dumps; yields the environment a client needs."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
    }
    try:
        client = _client(env)
        client.create_bucket(Bucket=BUCKET)
        for name in (
            "complete.dump",
            "complete.sql",
            "products_never_dumped.dump",
            "products_broken.sql",
        ):
            client.upload_file(str(DEMO / "dumps" / name), BUCKET, f"flat/{name}")
        client.upload_file(str(DEMO / "dumps" / "complete.dump"), BUCKET, "nightly/a.dump")
        time.sleep(1.1)  # LastModified has a resolution of one second
        client.upload_file(
            str(DEMO / "dumps" / "products_never_dumped.dump"), BUCKET, "nightly/b.dump"
        )
        for member in (DEMO / "dumps" / "complete.dir").iterdir():
            client.upload_file(str(member), BUCKET, f"dir/complete.dir/{member.name}")
        yield env
    finally:
        server.stop()


def _client(env: dict[str, str]) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )


@pytest.fixture
def aws(s3: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in s3.items():
        monkeypatch.setenv(key, value)
    return s3


def _ours() -> set[Path]:
    """This process's private directories under /tmp (their owner file names our pid): other
    dumpcheck runs on the machine make their own, which are none of this test's business."""
    found = set()
    for directory in Path("/tmp").glob("dumpcheck-*"):
        try:
            owner = json.loads((directory / "dumpcheck-owner.json").read_text())
        except (OSError, ValueError):
            continue
        if isinstance(owner, dict) and owner.get("pid") == os.getpid():
            found.add(directory)
    return found


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every private temporary directory a local copy of a dump is made in, as it is made."""
    made: list[Path] = []
    real = remote._private_dir

    def recorded() -> Path:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(remote, "_private_dir", recorded)
    return made


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Every ranged GET an object stream makes: (url, start, bytes)."""
    gets: list[tuple[str, int, int]] = []
    real = objectstream.ObjectStream._fetch

    def counted(self: objectstream.ObjectStream, start: int, length: int) -> bytes:
        data = real(self, start, length)
        gets.append((self.url, start, len(data)))
        return data

    monkeypatch.setattr(objectstream.ObjectStream, "_fetch", counted)
    return gets


def _verify_json(capsys: pytest.CaptureFixture[str], dump: str, server: ScratchServer) -> Any:
    result = run_cli(
        capsys, "verify", dump, "--prisma", str(SCHEMA), "--scratch-dsn", server.conninfo,
        "--format", "json",
    )  # fmt: skip
    assert_contract(result, (0, 1), dump)
    return json.loads(result.stdout)


def _verdicts(report: Any) -> dict[str, Any]:
    return {
        f"{t['schema']}.{t['name']}": (
            t["verdict"],
            t["dump_rows"],
            t["restored_rows"],
            t["fingerprint"],
        )
        for t in report["tables"]
    }


@pytest.mark.parametrize(
    ("name", "streamed"),
    [("complete.dump", False), ("complete.sql", True), ("products_broken.sql", True)],
)
def test_verify_streams_a_plain_dump_and_fetches_an_archive_for_pg_restore(
    aws: dict[str, str],
    scratch_server: ScratchServer,
    capsys: pytest.CaptureFixture[str],
    copies: list[Path],
    fetched: list[tuple[str, int, int]],
    name: str,
    streamed: bool,
) -> None:
    before = _ours()
    url = f"s3://{BUCKET}/flat/{name}"
    report = _verify_json(capsys, url, scratch_server)
    assert report["dump"]["path"] == url
    local = _verify_json(capsys, str(DEMO / "dumps" / name), scratch_server)
    assert _verdicts(report) == _verdicts(local)
    size = (DEMO / "dumps" / name).stat().st_size
    if streamed:
        assert copies == []  # never written to disk: read once for the inventory, once replayed
        assert sum(n for _, start, n in fetched if start == 0) >= 2 * size
    else:
        assert len(copies) == 1  # pg_restore seeks: one private copy, read by both stages
    assert not any(c.exists() for c in copies)
    assert _ours() <= before  # the fetched copies are gone


def test_a_prefix_means_its_newest_object_and_a_directory_archive_is_read_whole(
    aws: dict[str, str], scratch_server: ScratchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = run_cli(
        capsys, "verify", f"s3://{BUCKET}/nightly/", "--prisma", str(SCHEMA), "--scratch-dsn",
        scratch_server.conninfo, "--quiet",
    )  # fmt: skip
    assert_contract(newest, (1,), "newest under a prefix")
    assert "products was never in the dump" in newest.stdout  # b.dump, the newer one
    directory = run_cli(capsys, "inventory", f"s3://{BUCKET}/dir/complete.dir/", "--format", "json")
    assert_contract(directory, (0,), "directory archive")
    inv = json.loads(directory.stdout)
    assert inv["facts"]["format"] == "directory"
    assert inv["facts"]["path"] == f"s3://{BUCKET}/dir/complete.dir/"


@pytest.mark.parametrize(
    ("url", "code", "needle"),
    [
        (f"s3://{BUCKET}/flat/nothing.dump", 2, "no such object"),
        ("s3://no-such-bucket/flat/complete.sql", 2, "no such bucket"),
        (f"s3://{BUCKET}/flat", 2, "a prefix, not an object"),
        (f"s3://{BUCKET}/empty-prefix/", 2, "no objects under this prefix"),
        ("s3:///key", 2, "no bucket"),
    ],
)
def test_a_missing_object_is_one_line(
    aws: dict[str, str], url: str, code: int, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "inventory", url)
    assert_contract(result, (code,), url)
    assert needle in result.stderr


def test_wrong_credentials_are_one_line_exit_3(
    aws: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # moto accepts any key; an endpoint nobody listens on stands for an unreachable store.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    result = run_cli(capsys, "inventory", f"s3://{BUCKET}/flat/complete.dump")
    assert_contract(result, (2, 3), "unreachable store")
    assert f"s3://{BUCKET}/flat/complete.dump" in result.stderr


def test_the_nightly_job_takes_the_newest_dump_from_a_bucket(
    aws: dict[str, str], scratch_server: ScratchServer, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.nightly", "--dump-command",
         f"echo s3://{BUCKET}/nightly/", "--prisma", str(SCHEMA), "--runs-dir", str(runs),
         "--scratch-dsn", scratch_server.conninfo, "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    (record,) = [json.loads(line) for line in (runs / "history.jsonl").read_text().splitlines()]
    assert record["dump"] == f"s3://{BUCKET}/nightly/"
    assert record["verdicts"]["public.products"] == "never_in_dump"


PLAIN_CODECS: dict[str, Callable[[bytes], bytes]] = {
    "none": lambda data: data,
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
    "lz4": lz4.frame.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


@pytest.fixture(scope="module")
def dumps(
    s3: dict[str, str], scratch_server: ScratchServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    """Local dumps, each also uploaded as streamed/<name>: the demo's plain dump in every
    compression dumpcheck reads (and a gzip one cut short), and real pg_dump output of the
    archive reader's source database (20 000 rows, a 3 MB value, large objects, hostile names)
    with a _prisma_migrations table: plain, custom in each codec (one written to a pipe, without
    data offsets; one of --inserts), and tar."""
    tmp = tmp_path_factory.mktemp("s3-dumps")
    out: dict[str, Path] = {}
    text = (DEMO / "dumps" / "complete.sql").read_bytes()
    for codec, compress in PLAIN_CODECS.items():
        out[f"complete.sql.{codec}"] = tmp / f"complete.sql.{codec}"
        out[f"complete.sql.{codec}"].write_bytes(compress(text))
    whole = gzip.compress(text)
    out["cut.sql.gz"] = tmp / "cut.sql.gz"
    out["cut.sql.gz"].write_bytes(whole[: len(whole) // 2])
    assert scratch_server.install is not None
    install = scratch_server.install
    dbname = create_database(scratch_server)
    try:
        load_source(scratch_server, dbname)
        with psycopg.connect(scratch_server.dsn(dbname), autocommit=True) as conn:
            conn.execute(prisma_migrations_sql())
            conn.execute(
                "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at,"
                " finished_at, applied_steps_count) VALUES"
                " ('1', 'aa', '20240101000000_init', now(), now(), 1),"
                " ('2', 'bb', '20240201000000_more', now(), now(), 1)"
            )
        for name, args in {
            "source.sql": ("-Fp",),
            "source-gzip.dump": ("-Fc",),
            "source-none.dump": ("-Fc", "-Z", "0"),
            "source-lz4-inserts.dump": ("-Fc", "-Z", "lz4", "--inserts"),
            "source.tar": ("-Ft",),
        }.items():
            out[name] = pg_dump(install, scratch_server, dbname, tmp / name, *args)
        out["source-zstd-pipe.dump"] = pg_dump_to_stdout(
            install, scratch_server, dbname, tmp / "source-zstd-pipe.dump", "-Z", "zstd", pipe=True
        )
        out["source.sql.zst"] = tmp / "source.sql.zst"
        out["source.sql.zst"].write_bytes(PLAIN_CODECS["zstd"](out["source.sql"].read_bytes()))
        client = _client(s3)
        for name, path in out.items():
            client.upload_file(str(path), BUCKET, f"streamed/{name}")
        yield out
    finally:
        drop_database(scratch_server, dbname)


def _inventory(capsys: pytest.CaptureFixture[str], dump: str) -> tuple[int, Any]:
    result = run_cli(capsys, "inventory", dump, "--format", "json")
    assert_contract(result, (0, 1), dump)
    found = json.loads(result.stdout)
    assert found["facts"].pop("path") == dump
    return result.code, found


INVENTORIED = [
    *(f"complete.sql.{codec}" for codec in PLAIN_CODECS),
    "cut.sql.gz",
    "source.sql",
    "source.sql.zst",
    "source-gzip.dump",
    "source-none.dump",
    "source-lz4-inserts.dump",
    "source-zstd-pipe.dump",
    "source.tar",
]


@pytest.mark.parametrize("name", INVENTORIED)
def test_inventory_streams_the_object_and_gives_the_local_answer(
    aws: dict[str, str],
    dumps: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    copies: list[Path],
    fetched: list[tuple[str, int, int]],
    name: str,
) -> None:
    before = _ours()
    url = f"s3://{BUCKET}/streamed/{name}"
    streamed = _inventory(capsys, url)
    assert copies == []  # nothing written to disk
    assert _ours() <= before
    assert streamed == _inventory(capsys, str(dumps[name]))
    # Read once: the content check of a plain dump reads its first block again, and the
    # format sniff a few hundred bytes; no second pass for _prisma_migrations or INSERT columns.
    size = dumps[name].stat().st_size
    assert (
        size <= sum(n for _, _, n in fetched) <= size + min(size, objectstream.FIRST_BLOCK) + 4096
    )
    if name.startswith("source") and name.endswith(".dump"):
        assert streamed[1]["prisma_migrations"] is not None
        assert len(streamed[1]["prisma_migrations"]) == 2


@pytest.mark.parametrize("name", ["source.sql.zst", "source-none.dump", "source-zstd-pipe.dump"])
def test_inventory_in_tiny_blocks_gives_the_same_answer(
    aws: dict[str, str],
    dumps: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fetched: list[tuple[str, int, int]],
    name: str,
) -> None:
    """Blocks far smaller than the custom reader's megabyte reads: its seeks back then fall
    outside the kept blocks too, and are served by ranged GETs from where they land."""
    monkeypatch.setattr(objectstream, "FIRST_BLOCK", 4096)
    monkeypatch.setattr(objectstream, "MAX_BLOCK", 16384)
    url = f"s3://{BUCKET}/streamed/{name}"
    assert _inventory(capsys, url) == _inventory(capsys, str(dumps[name]))
    assert len(fetched) > dumps[name].stat().st_size // (1 << 20)


def test_verify_streams_a_compressed_plain_dump(
    aws: dict[str, str],
    dumps: dict[str, Path],
    scratch_server: ScratchServer,
    capsys: pytest.CaptureFixture[str],
    copies: list[Path],
) -> None:
    url = f"s3://{BUCKET}/streamed/complete.sql.zstd"
    assert _verdicts(_verify_json(capsys, url, scratch_server)) == _verdicts(
        _verify_json(capsys, str(DEMO / "dumps" / "complete.sql"), scratch_server)
    )
    assert copies == []


@pytest.mark.parametrize("change", ["deleted", "replaced"])
def test_an_object_that_changes_mid_read_is_one_line_never_a_report(
    aws: dict[str, str],
    dumps: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    client = _client(aws)
    key = f"victim/{change}.dump"
    client.upload_file(str(dumps["source-none.dump"]), BUCKET, key)
    real = objectstream.ObjectStream._fetch

    def under_the_reader(self: objectstream.ObjectStream, start: int, length: int) -> bytes:
        if start > 0:  # the second block of the pass: the object changes before it is read
            if change == "deleted":
                client.delete_object(Bucket=BUCKET, Key=key)
            else:
                client.put_object(Bucket=BUCKET, Key=key, Body=b"PGDMP" + b"\0" * start)
        return real(self, start, length)

    monkeypatch.setattr(objectstream.ObjectStream, "_fetch", under_the_reader)
    result = run_cli(capsys, "inventory", f"s3://{BUCKET}/{key}")
    assert_contract(result, (3,), change)
    said = "vanished" if change == "deleted" else "was replaced"
    assert f"the object {said} while being read (at byte 1048576 of " in result.stderr
    assert result.stdout == ""


def test_the_restore_reads_the_object_the_inventory_read(
    aws: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every read is pinned to the ETag seen when the URL was located: an object replaced
    between the inventory's pass and the restore's is refused, not restored in its new form."""
    from dumpcheck.errors import EnvironmentFailure
    from dumpcheck.inventory import inventory, locate, open_plain

    client = _client(aws)
    key = "victim/replaced-between.sql"
    client.upload_file(str(DEMO / "dumps" / "complete.sql"), BUCKET, key)
    located = locate(f"s3://{BUCKET}/{key}")
    assert inventory(located, fingerprints=False).facts.complete
    client.upload_file(str(DEMO / "dumps" / "products_never_dumped.sql"), BUCKET, key)
    with pytest.raises(EnvironmentFailure, match="replaced since dumpcheck first read it"):
        open_plain(located)


def test_no_credentials_is_one_line_exit_3(
    aws: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for variable in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role to ask
    result = run_cli(capsys, "inventory", f"s3://{BUCKET}/flat/complete.sql")
    assert_contract(result, (3,), "no credentials")
    assert "no credentials" in result.stderr


def test_inspect_reads_its_dump_from_s3(
    aws: dict[str, str],
    dumps: dict[str, Path],
    scratch_server: ScratchServer,
    capsys: pytest.CaptureFixture[str],
    copies: list[Path],
) -> None:
    database = create_database(scratch_server)
    try:
        assert scratch_server.install is not None
        pg_restore = scratch_server.install.binary("pg_restore")
        subprocess.run(
            [str(pg_restore), "--no-owner", "--no-privileges", "-d",
             scratch_server.dsn(database), str(DEMO / "dumps" / "products_never_dumped.dump")],
            check=True, capture_output=True,
        )  # fmt: skip
        answers = []
        for dump in (
            f"s3://{BUCKET}/flat/products_never_dumped.dump",
            str(DEMO / "dumps" / "products_never_dumped.dump"),
        ):
            result = run_cli(
                capsys, "inspect", scratch_server.dsn(database), "--prisma", str(SCHEMA),
                "--dump", dump, "--format", "json",
            )  # fmt: skip
            assert_contract(result, (1,), dump)
            answers.append(_verdicts(json.loads(result.stdout)))
        assert answers[0] == answers[1]
        assert answers[0]["public.products"][0] == "never_in_dump"
        assert copies == []
    finally:
        drop_database(scratch_server, database)
