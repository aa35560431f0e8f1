"""A throwaway local cluster: initdb in /tmp/dumpcheck-XXXXXX, a child postmaster, then gone."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dumpcheck.errors import ScratchServerError
from dumpcheck.scratch import runner
from dumpcheck.scratch.faults import log_tail
from dumpcheck.scratch.model import PgInstall, ScratchServer
from dumpcheck.scratch.sweep import KEPT_FILE, OWNER_FILE, SCRATCH_PREFIX, sweep_stale
from dumpcheck.scratch.template import copy_template, save_template

SUPERUSER = "postgres"
PORT = 5432
START_TIMEOUT_S = 60.0
_MB = 1024 * 1024


def server_os_user() -> pwd.struct_passwd | None:
    """As root: the user the server runs as (``postgres``, else ``nobody``); otherwise None.

    PostgreSQL refuses to run as root ("root execution of the PostgreSQL server is not
    permitted", src/backend/main/main.c).
    """
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ScratchServerError("running as root, but neither user postgres nor nobody exists")


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 4096 * _MB


def disposable_settings() -> dict[str, str]:
    """postgresql.conf for a server whose data we never need after a crash."""
    ram = _memory_bytes()
    # Index and FK builds during a restore use maintenance_work_mem; a sixteenth of RAM,
    # between 64 MB and 2 GB, leaves room for pg_restore -j4 workers each using that much.
    maintenance = min(max(ram // 16, 64 * _MB), 2048 * _MB)
    shared = min(max(ram // 16, 128 * _MB), 1024 * _MB)
    return {
        "listen_addresses": "''",
        "port": str(PORT),
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        # wal_level=minimal lets COPY into a table created in the same transaction skip WAL.
        "wal_level": "minimal",
        "max_wal_senders": "0",
        "archive_mode": "off",
        "autovacuum": "off",
        "max_wal_size": "'8GB'",
        "checkpoint_timeout": "'1h'",
        "maintenance_work_mem": f"'{maintenance // _MB}MB'",
        "shared_buffers": f"'{shared // _MB}MB'",
        "huge_pages": "off",
        # The exact count(*) over every restored table would cross jit_above_cost on big
        # tables and spend more time compiling than scanning; nothing here benefits from JIT.
        "jit": "off",
        "logging_collector": "off",
        "log_min_messages": "warning",
    }


@dataclass
class LocalCluster:
    """One cluster's directory layout: <root>/data is PGDATA, <root> holds the socket and log."""

    root: Path
    install: PgInstall

    @property
    def data(self) -> Path:
        """PGDATA."""
        return self.root / "data"

    @property
    def log(self) -> Path:
        """The server log (stderr of the postmaster)."""
        return self.root / "server.log"


def can_traverse(path: Path, user: pwd.struct_passwd) -> bool:
    """True when ``user`` may search every directory from / down to ``path``."""
    for directory in (path, *path.parents):
        try:
            st = directory.stat()
        except OSError:
            return False
        if st.st_uid == user.pw_uid:
            allowed = st.st_mode & 0o100
        elif st.st_gid == user.pw_gid:
            allowed = st.st_mode & 0o010
        else:
            allowed = st.st_mode & 0o001
        if not allowed:
            return False
    return True


def _check_reachable(install: PgInstall, owner: pwd.struct_passwd | None) -> None:
    # Otherwise initdb fails obscurely: "program postgres is needed by initdb but was not found".
    if owner is not None and not can_traverse(install.bindir, owner):
        raise ScratchServerError(
            f"user {owner.pw_name}, who runs the scratch server because we are root, cannot reach"
            f" {install.bindir}: make every parent directory traversable (chmod o+x) or run"
            " `dumpcheck postgres install` to use the cache in /var/cache/dumpcheck"
        )


def _make_root(owner: pwd.struct_passwd | None) -> Path:
    # Short path on purpose: the socket path <root>/.s.PGSQL.5432 must fit 107 bytes.
    root = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir="/tmp"))
    (root / OWNER_FILE).write_text(json.dumps({"pid": os.getpid()}))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os.chown(root / OWNER_FILE, owner.pw_uid, owner.pw_gid)
    return root


def _initdb(cluster: LocalCluster, owner: pwd.struct_passwd | None) -> None:
    # initdb 18 turns data checksums on by default (release notes: "Change initdb to default to
    # enabling checksums"). They guard long-lived storage against silent corruption; a scratch
    # cluster lives for one run, and checksumming every page it writes slows a restore.
    no_checksums = ["--no-data-checksums"] if cluster.install.major >= 18 else []
    if copy_template(cluster.install, cluster.data, owner):
        _add_settings(cluster)
        return
    runner.run(
        cluster.install.binary("initdb"),
        [
            "-D",
            str(cluster.data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
            *no_checksums,
        ],
        major=cluster.install.major,
        user=owner.pw_uid if owner else None,
        group=owner.pw_gid if owner else None,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        cwd=cluster.root,
    )
    save_template(cluster.install, cluster.data)
    _add_settings(cluster)


def _add_settings(cluster: LocalCluster) -> None:
    lines = [f"{key} = {value}" for key, value in disposable_settings().items()]
    lines.append(f"unix_socket_directories = '{cluster.root}'")
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.write("\n# dumpcheck scratch server: disposable settings\n" + "\n".join(lines) + "\n")


def _start(
    cluster: LocalCluster, owner: pwd.struct_passwd | None, keep: bool
) -> subprocess.Popen[bytes]:
    log = cluster.log.open("ab")
    if owner is not None:
        os.chown(cluster.log, owner.pw_uid, owner.pw_gid)

    env = _server_environment(cluster.install)

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(cluster.install.binary("postgres")), "-D", str(cluster.data)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=cluster.root,
            # Own process group: a terminal's Ctrl-C reaches us, and we shut the server down.
            process_group=0,
            # A kept server must outlive us; any other dies with us (SIGQUIT = immediate stop).
            preexec_fn=None if keep else runner.death_signal_preexec(signal.SIGQUIT),
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
        )

    try:
        return runner.call_in_spawner_thread(spawn)
    finally:
        log.close()


def _server_environment(install: PgInstall) -> dict[str, str]:
    """The server's environment: ours, with the install's own ``lib`` first on the library path
    when it ships its own libpq.

    The programs find it through their RUNPATH ($ORIGIN/../lib), but the wheel's contrib
    modules carry its build prefix instead (/opt/postgresql/lib), so postgres_fdw and dblink
    would load the system's older libpq and fail ("undefined symbol: PQcancelStart"): every
    object of a dump that needs them would fail to restore for a reason not in the dump.
    """
    env = dict(os.environ)
    lib = install.bindir.parent / "lib"
    if (lib / "libpq.so.5").exists():
        env["LD_LIBRARY_PATH"] = os.pathsep.join(
            p for p in (str(lib), env.get("LD_LIBRARY_PATH", "")) if p
        )
    return env


def _postmaster_status(data: Path) -> str | None:
    # postmaster.pid line 8 is the status: "starting", "stopping", "ready   ", "standby "
    # (src/include/utils/pidfile.h, LOCK_FILE_LINE_PM_STATUS).
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    return lines[7].strip() if len(lines) >= 8 else None


def _wait_ready(cluster: LocalCluster, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    delay = 0.005
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ScratchServerError(
                f"scratch PostgreSQL {cluster.install.major} exited with status {proc.returncode}"
                f" while starting; server log tail: {log_tail(cluster.log)}"
            )
        if _postmaster_status(cluster.data) == "ready":
            return
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    raise ScratchServerError(
        f"scratch PostgreSQL {cluster.install.major} not ready after {START_TIMEOUT_S:.0f} s;"
        f" server log tail: {log_tail(cluster.log)}"
    )


def stop_postmaster(proc: subprocess.Popen[bytes]) -> None:
    """Immediate shutdown (SIGQUIT), then SIGKILL; always reaps the child.

    Every caller deletes the cluster next, so a fast shutdown's checkpoint (it writes every
    dirty buffer the restore left: 0.3 s after a 300 MB restore here) would be work thrown
    away; an immediate shutdown skips it (PostgreSQL docs, "Shutting Down the Server").
    """
    for sig, wait_s in ((signal.SIGQUIT, 10.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait_s)
    proc.wait()


def _server_version(conninfo: str) -> str:
    import psycopg

    try:
        with psycopg.connect(conninfo, connect_timeout=10, autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        raise ScratchServerError(f"cannot connect to the scratch server: {exc}") from exc
    assert row is not None
    return str(row[0]).split()[0]


@contextlib.contextmanager
def local_server(install: PgInstall, *, keep: bool = False) -> Iterator[ScratchServer]:
    """Run a disposable cluster of ``install`` for the duration of the ``with`` block."""
    sweep_stale()
    owner = server_os_user()
    _check_reachable(install, owner)
    root = _make_root(owner)
    cluster = LocalCluster(root, install)
    proc: subprocess.Popen[bytes] | None = None
    try:
        _initdb(cluster, owner)
        proc = _start(cluster, owner, keep)
        _wait_ready(cluster, proc)
        # options='' overrides the user's PGOPTIONS (libpq reads it only when the conninfo has
        # no options): a statement_timeout set for their own work would cut our COPYs short.
        conninfo = f"host={root} port={PORT} user={SUPERUSER} options=''"
        server = ScratchServer(
            backend="local",
            major=install.major,
            server_version=_server_version(conninfo),
            conninfo=conninfo,
            install=install,
            socket_dir=root,
            log_path=cluster.log,
            pid=proc.pid,
        )
    except BaseException:
        # A half-started server is never kept, whatever ``keep`` says.
        if proc is not None:
            stop_postmaster(proc)
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        if keep:
            (root / KEPT_FILE).touch()
        else:
            stop_postmaster(proc)
            shutil.rmtree(root, ignore_errors=True)
