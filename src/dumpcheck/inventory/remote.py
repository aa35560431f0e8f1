"""Dumps where backups live: an ``s3://`` object fetched into a private temporary directory.

The whole object is fetched once, before anything reads it: the inventory reads the dump and
the restore reads it again (pg_restore seeks in a custom archive), so one download serves both
and the network is read exactly once. The free space is checked against the object's size
first. The directory is ``/tmp/dumpcheck-<random>`` with an owner file, so the stale-scratch
sweep removes it after a run that was killed; a normal run, an error or Ctrl-C removes it on
the way out. Credentials and the endpoint come from where botocore looks for them (the
``AWS_*`` environment, ``~/.aws/config`` and ``~/.aws/credentials``, instance roles).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dumpcheck.errors import BadInputError, EnvironmentFailure

S3 = "s3://"
# Room left free beside the download: the restore and the server need the disk too.
_MARGIN = 64 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024
# The sweep's marks (dumpcheck.scratch.sweep); not imported, so that reading a dump does not
# import the scratch stage.
_PREFIX = "dumpcheck-"
_OWNER_FILE = "dumpcheck-owner.json"


def is_remote(location: str) -> bool:
    """True for an object-storage URL dumpcheck can fetch."""
    return location.startswith(S3)


def _filesystem() -> Any:
    try:
        import s3fs
    except ImportError as exc:  # pragma: no cover - installed with dumpcheck
        raise EnvironmentFailure("s3:// dumps need s3fs: pip install s3fs") from exc
    # A fresh instance each time: s3fs caches listings per instance, and the newest object
    # under a prefix must be looked up anew on every run.
    return s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)


def _split(url: str) -> tuple[str, str]:
    rest = url[len(S3) :]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise BadInputError(f"{url}: no bucket; give s3://BUCKET/KEY or s3://BUCKET/PREFIX/")
    return bucket, key


def _errors(url: str, exc: BaseException) -> BaseException:
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:200]
    if isinstance(exc, FileNotFoundError):
        return BadInputError(f"{url}: no such object")
    if isinstance(exc, PermissionError) or "Credentials" in name or "AccessDenied" in text:
        return EnvironmentFailure(f"{url}: access denied or no credentials ({text or name})")
    return EnvironmentFailure(f"{url}: cannot read: {text or name}")


def _newest(fs: Any, bucket: str, prefix: str, url: str) -> str:
    """The key of the newest object under ``prefix`` (``s3://bucket/prefix/``)."""
    entries = fs.find(f"{bucket}/{prefix}", detail=True)
    files = [
        (info.get("LastModified"), name)
        for name, info in entries.items()
        if info.get("type") == "file" and not name.endswith("/")
    ]
    if not files:
        raise BadInputError(f"{url}: no objects under this prefix")
    newest = max(files, key=lambda f: (f[0] is not None, f[0], f[1]))[1]
    return str(newest).removeprefix(f"{bucket}/")


def _is_directory_archive(fs: Any, bucket: str, prefix: str) -> bool:
    # pg_dump -Fd writes toc.dat beside one file per table: the prefix is the dump.
    return bool(fs.exists(f"{bucket}/{prefix.rstrip('/')}/toc.dat"))


def _private_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix=_PREFIX, dir="/tmp"))
    (root / _OWNER_FILE).write_text(json.dumps({"pid": os.getpid()}))
    return root


def _check_space(root: Path, size: int, url: str) -> None:
    free = shutil.disk_usage(root).free
    if size + _MARGIN > free:
        raise EnvironmentFailure(
            f"{url} is {size / 1e9:.1f} GB but {root.parent} has {free / 1e9:.1f} GB free: "
            "fetch it elsewhere (TMPDIR is not used), or free space"
        )


@contextlib.contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """The dump at ``url`` as a local path, for as long as the block runs."""
    bucket, key = _split(url)
    fs = _filesystem()
    root = _private_dir()
    try:
        try:
            path = _fetch(fs, bucket, key, root, url)
        except (BadInputError, EnvironmentFailure):
            raise
        except Exception as exc:  # botocore and aiohttp raise many kinds; one line each
            raise _errors(url, exc) from exc
        yield path
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _fetch(fs: Any, bucket: str, key: str, root: Path, url: str) -> Path:
    if key == "" or key.endswith("/"):
        if key and _is_directory_archive(fs, bucket, key):
            return _fetch_directory(fs, bucket, key, root, url)
        key = _newest(fs, bucket, key, url)
    size = int(fs.info(f"{bucket}/{key}").get("size") or 0)
    _check_space(root, size, url)
    target = root / (Path(key).name or "dump")
    with fs.open(f"{bucket}/{key}", "rb", block_size=_CHUNK) as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, _CHUNK)
    return target


def _fetch_directory(fs: Any, bucket: str, prefix: str, root: Path, url: str) -> Path:
    entries = fs.find(f"{bucket}/{prefix}", detail=True)
    _check_space(root, sum(int(i.get("size") or 0) for i in entries.values()), url)
    target = root / (Path(prefix.rstrip("/")).name or "dump")
    target.mkdir()
    for name in entries:
        relative = str(name)[len(f"{bucket}/{prefix}") :].lstrip("/")
        if not relative or "/" in relative:
            continue  # a directory archive is flat: toc.dat and <dumpId>.dat[.gz|.lz4|.zst]
        fs.get_file(name, str(target / relative))
    return target
