"""A fresh cluster's data directory, made by initdb once per PostgreSQL build and copied for each
scratch server after that.

initdb is most of a scratch server's start (about 1.0 of 1.2 s here: it bootstraps the catalog
and runs a few hundred SQL statements in single-user mode), and its output depends only on the
build and its arguments: copying it takes a twentieth of that. The copy holds no data, only
the empty catalog. Every failure here only costs the next start its initdb.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import shutil
from pathlib import Path

from dumpcheck.scratch.binaries import cache_root
from dumpcheck.scratch.model import PgInstall

# Part of the key: bump it when scratch/local.py changes the arguments it gives initdb.
FORMAT = 1
_SOURCE = "source.json"


def template_dir(install: PgInstall) -> Path | None:
    """Where ``install``'s template lives; None if its postgres binary cannot be read."""
    try:
        st = install.binary("postgres").stat()
    except OSError:
        return None
    # The same build: the same version, binary and place (a package upgraded in place changes
    # the binary's size or mtime, and a catalog version change would not start).
    key = f"{FORMAT}\0{install.bindir}\0{install.version}\0{st.st_size}\0{st.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_root().parent / "templates" / f"{install.major}-{digest}"


def copy_template(install: PgInstall, data: Path, owner: pwd.struct_passwd | None) -> bool:
    """Copy the template into ``data`` (owned by ``owner`` when we are root); False if there is
    none yet, or it cannot be copied (``data`` is then left absent)."""
    found = template_dir(install)
    if found is None or not _complete(found / "data"):
        return False
    try:
        shutil.copytree(found / "data", data, symlinks=True)
        if owner is not None:
            for path in (data, *data.rglob("*")):
                os.lchown(path, owner.pw_uid, owner.pw_gid)
    except OSError:
        shutil.rmtree(data, ignore_errors=True)
        return False
    return True


def save_template(install: PgInstall, data: Path) -> None:
    """Keep a copy of the data directory initdb just made (before any setting is added), and
    drop the templates of builds that are gone."""
    final = template_dir(install)
    if final is None or final.exists() or not _complete(data):
        return
    tmp = final.parent / f".{final.name}.{os.getpid()}.tmp"
    try:
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _prune(final.parent)
        shutil.copytree(data, tmp / "data", symlinks=True)
        (tmp / _SOURCE).write_text(json.dumps({"bindir": str(install.bindir)}))
        tmp.rename(final)  # atomic: a concurrent start sees all of it or nothing
    except OSError:
        pass  # another process saved it first, or no room: the next start runs initdb
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _complete(data: Path) -> bool:
    return (data / "PG_VERSION").is_file() and (data / "global" / "pg_control").is_file()


def _prune(directory: Path) -> None:
    """Remove templates whose binaries no longer exist (an upgraded or removed install)."""
    for template in directory.iterdir():
        if template.name.startswith("."):
            continue
        with contextlib.suppress(OSError, ValueError, KeyError):
            bindir = Path(json.loads((template / _SOURCE).read_text())["bindir"])
            if not (bindir / "postgres").exists():
                shutil.rmtree(template, ignore_errors=True)
