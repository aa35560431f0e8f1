"""verify on the demo: every format, every variant, through a real scratch server."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.scratch.model import ScratchServer
from dumpcheck.verify import VerifyOptions, verify

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
SUFFIXES = {"plain": ".sql", "custom": ".dump", "directory": ".dir", "tar": ".tar"}
EXPECTED = {
    "complete": {
        "public.products": "ok",
        "public.categories": "ok",
        "public._prisma_migrations": "ok",
        "public.terraform_vm_config": "unexpected",
    },
    "products_never_dumped": {
        "public.products": "never_in_dump",
        "public.categories": "ok",
        "public._prisma_migrations": "ok",
        "public.terraform_vm_config": "unexpected",
    },
    "products_broken": {
        "public.products": "failed_restore",
        "public.categories": "ok",
        "public._prisma_migrations": "ok",
        "public.terraform_vm_config": "unexpected",
    },
}


def run_demo(server: ScratchServer, variant: str, fmt: str) -> object:
    """Verify one demo dump on the session's server through the --scratch-dsn backend."""
    options = VerifyOptions(
        dump=DEMO / "dumps" / f"{variant}{SUFFIXES[fmt]}",
        prisma=DEMO / "schema.prisma",
        backend="dsn",
        scratch_dsn=server.conninfo,
    )
    return verify(options)


@pytest.mark.parametrize("fmt", list(SUFFIXES))
@pytest.mark.parametrize("variant", list(EXPECTED))
def test_demo_verdicts(scratch_server: ScratchServer, variant: str, fmt: str) -> None:
    outcome = run_demo(scratch_server, variant, fmt)
    findings = outcome.findings  # type: ignore[attr-defined]
    got = {t.qualified: t.verdict for t in findings.tables}
    assert got == EXPECTED[variant]
    assert findings.exit_code() == (0 if variant == "complete" else 1)
    assert findings.dump.format == fmt
    products = next(t for t in findings.tables if t.name == "products")
    categories = next(t for t in findings.tables if t.name == "categories")
    assert categories.dump_rows == categories.restored_rows == 3
    if variant == "complete":
        assert products.dump_rows == products.restored_rows == 42
    if variant == "products_never_dumped":
        assert not products.in_dump
        # The dump's own _prisma_migrations says production applied the migration.
        assert any("20250214093000_add_products" in e for e in products.evidence)
    if variant == "products_broken":
        assert products.in_dump and not products.restored
        assert products.dump_rows == 42
        assert products.errors, "the failing statement and error must be reported"
        assert any("aas_types" in e for e in products.evidence), products.evidence


def test_no_scratch_data_left_in_dsn_server(scratch_server: ScratchServer) -> None:
    import psycopg

    def ours() -> set[str]:
        # Other tests' session-scoped source databases may live on this server too: only what
        # the run adds counts.
        with psycopg.connect(scratch_server.dsn("postgres")) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'dumpcheck\\_%'"
            ).fetchall()
        return {str(r[0]) for r in rows}

    before = ours()
    run_demo(scratch_server, "complete", "custom")
    assert ours() == before


def test_dsn_server_keeps_no_roles_or_databases_of_ours(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    """Roles are cluster-wide: the NOLOGIN roles a restore made are dropped after the run."""
    import psycopg

    from dumpcheck.scratch import create_database, drop_database
    from dumpcheck.scratch.runner import run

    source = create_database(scratch_server)
    dump = tmp_path / "owned.dump"
    with psycopg.connect(scratch_server.dsn(source), autocommit=True) as conn:
        conn.execute("CREATE ROLE dumpcheck_test_owner NOLOGIN")
        conn.execute("CREATE TABLE categories (id text PRIMARY KEY, name text NOT NULL UNIQUE)")
        conn.execute("ALTER TABLE categories OWNER TO dumpcheck_test_owner")
    assert scratch_server.install is not None
    run(
        scratch_server.install.binary("pg_dump"),
        ["-Fc", "-f", str(dump), "-d", scratch_server.dsn(source)],
        major=scratch_server.major,
    )
    drop_database(scratch_server, source)
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute("DROP ROLE dumpcheck_test_owner")
    outcome = verify(
        VerifyOptions(
            dump=dump,
            prisma=DEMO / "schema.prisma",
            backend="dsn",
            scratch_dsn=scratch_server.conninfo,
        )
    )
    assert outcome.restore is not None
    assert outcome.restore.created_roles == ("dumpcheck_test_owner",)
    with psycopg.connect(scratch_server.dsn("postgres")) as conn:
        roles = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = 'dumpcheck_test_owner'"
        ).fetchall()
    assert roles == []


def test_failed_restore_leaves_no_database_behind(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    """pg_restore cannot read the archive: the database restore() made is dropped again."""
    import dataclasses

    import psycopg

    from dumpcheck.errors import BadInputError
    from dumpcheck.inventory import inventory
    from dumpcheck.restore import restore

    inv = inventory(DEMO / "dumps" / "complete.dump")
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP" + b"\xff" * 64)
    broken = dataclasses.replace(inv, facts=dataclasses.replace(inv.facts, path=str(garbage)))

    def ours() -> set[str]:
        with psycopg.connect(scratch_server.dsn("postgres")) as conn:
            rows = conn.execute("SELECT datname FROM pg_database").fetchall()
        return {r[0] for r in rows if r[0].startswith("dumpcheck_")}

    before = ours()
    with pytest.raises(BadInputError):
        restore(broken, scratch_server)
    assert ours() == before


@pytest.mark.parametrize("fmt", ["plain", "custom"])
def test_progress_reports_reading_and_restoring(scratch_server: ScratchServer, fmt: str) -> None:
    calls: list[tuple[str, int, int]] = []
    options = VerifyOptions(
        dump=DEMO / "dumps" / f"complete{SUFFIXES[fmt]}",
        prisma=DEMO / "schema.prisma",
        backend="dsn",
        scratch_dsn=scratch_server.conninfo,
    )
    verify(options, progress=lambda what, done, total: calls.append((what, done, total)))
    restoring = [c for c in calls if c[0] == "restoring"]
    assert restoring, calls
    assert all(0 < done <= total for _, done, total in restoring)
    assert [d for _, d, _ in restoring] == sorted(d for _, d, _ in restoring)
    if fmt == "plain":
        assert restoring[-1][1] == restoring[-1][2]  # the whole file was read
