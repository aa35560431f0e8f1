"""Dumps in object storage: a local S3-compatible server (moto's server mode on the loopback
address, started and stopped here) holds the demo dumps; verify, inventory and the nightly job
read them by ``s3://`` URL, with credentials and the endpoint from the environment as botocore
reads them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dumpcheck.scratch.model import ScratchServer
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
        for name in ("complete.dump", "complete.sql", "products_never_dumped.dump"):
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
    return set(Path("/tmp").glob("dumpcheck-*"))


def test_verify_reads_an_archive_and_a_plain_dump_from_s3(
    aws: dict[str, str], scratch_server: ScratchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _ours()
    for key in ("flat/complete.dump", "flat/complete.sql"):
        url = f"s3://{BUCKET}/{key}"
        result = run_cli(
            capsys, "verify", url, "--prisma", str(SCHEMA), "--scratch-dsn",
            scratch_server.conninfo, "--format", "json",
        )  # fmt: skip
        assert_contract(result, (0,), url)
        assert json.loads(result.stdout)["dump"]["path"] == url
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
