"""Dumps where backups live: ``s3://`` objects, located once and then streamed or fetched.

:func:`locate` turns the URL into one object (its key, size and ETag; for a prefix, the newest
object under it) or a directory archive (a prefix holding ``toc.dat``). A single object is read
as a stream (:mod:`objectstream`): the inventory of any format, and the restore of a plain dump,
read it without writing it anywhere. What pg_restore reads must be a file it can seek in (a
custom or tar archive; ``-j`` needs the data offsets), and a directory archive is many files:
those, and only those, are fetched by :func:`local_copy` into ``/tmp/dumpcheck-<random>`` after
a free-space check, with an owner file so that the stale-scratch sweep removes the directory
after a run that was killed; a normal run, an error or Ctrl-C removes it on the way out. Every
read is pinned to the ETag seen by :func:`locate`, so the inventory and the restore read the
same bytes. Credentials and the endpoint come from where botocore looks for them (the ``AWS_*``
environment, ``~/.aws/config`` and ``~/.aws/credentials``, instance roles).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from dumpcheck.errors import BadInputError, DumpcheckError, DumpFormatError, EnvironmentFailure
from dumpcheck.inventory.objectstream import MAX_BLOCK, ObjectStream, read_error

S3 = "s3://"
# Room left free beside the download: the restore and the server need the disk too.
_MARGIN = 64 * 1024 * 1024
# The sweep's marks (dumpcheck.scratch.sweep); not imported, so that reading a dump does not
# import the scratch stage.
_PREFIX = "dumpcheck-"
_OWNER_FILE = "dumpcheck-owner.json"


@dataclass(frozen=True)
class RemoteDump:
    """An ``s3://`` dump, located: one object, or the prefix of a directory archive."""

    url: str  # as the user gave it: reports name the dump by it
    bucket: str
    key: str  # the object's key; for a directory archive, its prefix
    size: int  # bytes (a directory archive: its files together)
    etag: str | None = None  # every read of the object is pinned to it
    directory: bool = False
    fs: Any = field(default=None, compare=False, repr=False)  # the s3fs filesystem that found it

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        """The object's (or directory's) own name, for progress bars."""
        return PurePosixPath(self.key.rstrip("/")).name or self.bucket


def is_remote(location: str) -> bool:
    """True for an object-storage URL dumpcheck can read."""
    return location.startswith(S3)


def dump_source(location: Path | str) -> Path | RemoteDump:
    """What the DUMP argument names: a local path, or the located ``s3://`` dump."""
    if isinstance(location, str) and is_remote(location):
        return locate(location)
    return Path(location)


def _filesystem() -> Any:
    try:
        import s3fs
    except ImportError as exc:  # pragma: no cover - installed with dumpcheck
        raise EnvironmentFailure("s3:// dumps need s3fs: pip install s3fs") from exc
    # A fresh instance each run: s3fs caches listings per instance, and the newest object
    # under a prefix must be looked up anew every time.
    return s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)


def _split(url: str) -> tuple[str, str]:
    rest = url[len(S3) :]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise BadInputError(f"{url}: no bucket; give s3://BUCKET/KEY or s3://BUCKET/PREFIX/")
    return bucket, key


def _errors(url: str, exc: BaseException) -> DumpcheckError:
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:200]
    if isinstance(exc, FileNotFoundError):
        if "bucket does not exist" in text:  # S3's NoSuchBucket message
            return BadInputError(f"{url}: no such bucket")
        return BadInputError(f"{url}: no such object")
    if isinstance(exc, PermissionError) or "Credentials" in name or "AccessDenied" in text:
        return EnvironmentFailure(f"{url}: access denied or no credentials ({text or name})")
    return EnvironmentFailure(f"{url}: cannot read: {text or name}")


def locate(url: str) -> RemoteDump:
    """The dump ``url`` names: the object, the newest object under a prefix, or the directory
    archive a prefix holds. Missing objects and unreachable stores are one-line errors."""
    bucket, key = _split(url)
    fs = _filesystem()
    try:
        found = _locate(fs, url, bucket, key)
    except DumpcheckError:
        raise
    except Exception as exc:  # botocore and aiohttp raise many kinds; one line each
        raise _errors(url, exc) from exc
    if found.size == 0 and not found.directory:
        raise DumpFormatError(f"{url}: empty object (zero bytes), not a dump")
    return found


def _locate(fs: Any, url: str, bucket: str, key: str) -> RemoteDump:
    if key == "" or key.endswith("/"):
        if key and _is_directory_archive(fs, bucket, key):
            size = sum(size for _, size in _directory_files(fs, bucket, key).values())
            return RemoteDump(url, bucket, key, size, directory=True, fs=fs)
        key = _newest(fs, bucket, key, url)
    info = fs.info(f"{bucket}/{key}")
    if info.get("type") == "directory":
        raise BadInputError(f"{url}: a prefix, not an object; end it with / for its newest object")
    etag = info.get("ETag")
    return RemoteDump(url, bucket, key, int(info.get("size") or 0), etag, fs=fs)


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


def _directory_files(fs: Any, bucket: str, prefix: str) -> dict[str, tuple[str, int]]:
    """The members of a directory archive, by file name: (object name, size). The archive is
    flat (toc.dat and <dumpId>.dat[.gz|.lz4|.zst]): anything deeper is not part of it."""
    entries = fs.find(f"{bucket}/{prefix}", detail=True)
    out = {}
    for name, info in entries.items():
        relative = str(name)[len(f"{bucket}/{prefix}") :].lstrip("/")
        if relative and "/" not in relative:
            out[relative] = (str(name), int(info.get("size") or 0))
    return out


def open_object(remote: RemoteDump, *, first_block: int | None = None) -> ObjectStream:
    """The object as a stream, pinned to the ETag it was located with."""
    if remote.directory:
        raise BadInputError(f"{remote.url}: a directory archive is read from a local copy")
    fs = remote.fs if remote.fs is not None else _filesystem()
    try:
        # No s3fs cache: ObjectStream asks for whole blocks and keeps them itself.
        file = fs.open(
            f"{remote.bucket}/{remote.key}", "rb", block_size=MAX_BLOCK, cache_type="none"
        )
    except Exception as exc:  # botocore and aiohttp raise many kinds; one line each
        raise read_error(remote.url, exc, 0, remote.size) from exc
    etag = file.details.get("ETag")
    if remote.etag is not None and etag != remote.etag:
        file.close()
        raise EnvironmentFailure(
            f"{remote.url}: the object was replaced since dumpcheck first read it; run again"
        )
    return ObjectStream(file, remote.size, remote.url, first_block=first_block)


def read_head(remote: RemoteDump, size: int) -> bytes:
    """The first ``size`` bytes of the object, in one small ranged GET."""
    with open_object(remote, first_block=size) as stream:
        return stream.read(size)


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
def local_copy(remote: RemoteDump) -> Iterator[Path]:
    """The dump as a local path, for as long as the block runs: for pg_restore, which seeks in
    an archive (and needs a directory archive's files), never for what can be streamed."""
    root = _private_dir()
    try:
        _check_space(root, remote.size, remote.url)
        try:
            path = _fetch_directory(remote, root) if remote.directory else _fetch(remote, root)
        except DumpcheckError:
            raise
        except Exception as exc:  # botocore and aiohttp raise many kinds; one line each
            raise _errors(remote.url, exc) from exc
        yield path
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _fetch(remote: RemoteDump, root: Path) -> Path:
    target = root / (remote.name or "dump")
    with open_object(remote) as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, MAX_BLOCK)
    return target


def _fetch_directory(remote: RemoteDump, root: Path) -> Path:
    fs = remote.fs if remote.fs is not None else _filesystem()
    target = root / remote.name
    target.mkdir()
    for relative, (name, _) in _directory_files(fs, remote.bucket, remote.key).items():
        fs.get_file(name, str(target / relative))
    return target
