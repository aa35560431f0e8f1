"""pg_dumpall files, one database at a time, from a real ``pg_dumpall`` of three databases.

The session server gets three databases with different tables (one with a table owned by a
LOGIN role with a password, and a grant to another role), is dumped whole with the real
pg_dumpall (plain and through gzip, one file with a single user database, one cut short inside
the second database), and then loses those databases and roles again, so that every restore
must create the roles itself.
"""

from __future__ import annotations

import gzip
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jsonschema
import psycopg
import pytest
from psycopg import sql

from dumpcheck.inventory import inventory, inventory_all
from dumpcheck.inventory.model import ClusterInventory
from dumpcheck.restore import restore
from dumpcheck.scratch import drop_database
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from tests.robustness._harness import assert_contract, run_cli

SHOP_SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Order {
  id    Int @id
  total Int

  @@map("orders")
}

model Product {
  id    Int     @id
  title String?

  @@map("products")
}
"""


@dataclass(frozen=True)
class Cluster:
    """The files made from the three databases, and the names in them."""

    plain: Path
    gzipped: Path
    single: Path  # the same server with only the shop database besides template1/postgres
    cut: Path  # the plain file cut inside the second database's CREATE TABLE
    own_dumps: dict[str, Path]  # pg_dump --create of each database, for comparison
    schema: Path
    shop: str
    blog: str
    crm: str
    owner: str  # LOGIN NOINHERIT CONNECTION LIMIT 3, with a password; owns shop's orders
    reader: str  # NOLOGIN, granted SELECT on orders; the owner is a member of it
    password: str
    password_hash: str  # the SCRAM verifier pg_dumpall writes into the roles section

    @property
    def tables(self) -> dict[str, set[str]]:
        """Each database's tables, as the source had them."""
        return {
            self.shop: {"public.orders", "public.products"},
            self.blog: {"public.posts", "public.comments"},
            self.crm: {"public.contacts"},
        }


def _dumpall(server: ScratchServer, out: Path, keep: set[str]) -> None:
    """The real pg_dumpall of the server, without the databases other tests left."""
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        others = [
            str(r[0])
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname <> ALL(%s)",
                (["template0", "template1", "postgres", *keep],),
            )
        ]
    assert server.install is not None
    exclude = [f"--exclude-database={name}" for name in others]
    run(
        server.install.binary("pg_dumpall"),
        [*exclude, "-f", str(out), "-d", server.conninfo],
        major=server.major,
    )


@pytest.fixture(scope="module")
def cluster(scratch_server: ScratchServer, tmp_path_factory: pytest.TempPathFactory) -> Cluster:
    tag = secrets.token_hex(4)
    shop, blog, crm = (f"dumpall_{n}_{tag}" for n in ("shop", "blog", "crm"))
    owner, reader, password = f"dumpall_owner_{tag}", f"dumpall_reader_{tag}", f"pw-{tag}-secret"
    folder = tmp_path_factory.mktemp("dumpall")
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOINHERIT CONNECTION LIMIT 3 PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(password)
            )
        )
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(reader)))
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(reader), sql.Identifier(owner))
        )
        for name in (shop, blog, crm):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        sources: dict[str, sql.Composed | sql.SQL] = {
            shop: sql.SQL(
                "CREATE TABLE products (id int PRIMARY KEY, title text);"
                "INSERT INTO products VALUES (1, 'lamp'), (2, 'desk'), (3, NULL);"
                "CREATE TABLE orders (id int PRIMARY KEY, total int NOT NULL);"
                "INSERT INTO orders VALUES (10, 5), (11, 7);"
                "ALTER TABLE orders OWNER TO {owner}; GRANT SELECT ON orders TO {reader};"
            ).format(owner=sql.Identifier(owner), reader=sql.Identifier(reader)),
            blog: sql.SQL(
                "CREATE TABLE posts (id int PRIMARY KEY, body text);"
                "CREATE TABLE comments (id int PRIMARY KEY, post_id int REFERENCES posts);"
                "INSERT INTO posts VALUES (1, 'hello');"
            ),
            crm: sql.SQL(
                "CREATE TABLE contacts (id int PRIMARY KEY, email text);"
                "INSERT INTO contacts VALUES (1, 'a@example.org'), (2, 'b@example.org');"
            ),
        }
        own_dumps = {}
        for name, source in sources.items():
            with psycopg.connect(scratch_server.dsn(name), autocommit=True) as conn:
                conn.execute(source)
            assert scratch_server.install is not None
            own_dumps[name] = folder / f"{name}.sql"
            run(
                scratch_server.install.binary("pg_dump"),
                ["--create", "-f", str(own_dumps[name]), "-d", scratch_server.dsn(name)],
                major=scratch_server.major,
            )
        plain, single = folder / "all.sql", folder / "single.sql"
        _dumpall(scratch_server, plain, {shop, blog, crm})
        _dumpall(scratch_server, single, {shop})
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            for name in (shop, blog, crm):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            for role in (owner, reader):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    text = plain.read_text()
    found = re.search(rf"ALTER ROLE {owner} WITH .* PASSWORD '([^']+)'", text)
    assert found is not None, "pg_dumpall writes the role's password into its roles section"
    gzipped = folder / "all.sql.gz"
    gzipped.write_bytes(gzip.compress(plain.read_bytes()))
    # Cut short inside the second database's part (pg_dumpall orders them by name).
    second = text.index(f'-- Database "{crm}" dump')
    cut = folder / "cut.sql"
    cut.write_text(text[: text.index("CREATE TABLE public.contacts", second) + 40])
    schema = folder / "schema.prisma"
    schema.write_text(SHOP_SCHEMA)
    return Cluster(
        plain, gzipped, single, cut, own_dumps, schema, shop, blog, crm, owner, reader,
        password, found.group(1),
    )  # fmt: skip


def _schema() -> dict[str, object]:
    text = resources.files("dumpcheck.inventory").joinpath("inventory.schema.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


def _secret_free(cluster: Cluster, *texts: str) -> None:
    for text in texts:
        assert cluster.password not in text
        assert cluster.password_hash not in text
        assert "SCRAM-SHA-256$" not in text


@pytest.mark.parametrize("which", ["plain", "gzipped"])
def test_inventory_lists_each_database_with_its_own_tables(
    cluster: Cluster, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    path: Path = getattr(cluster, which)
    result = run_cli(capsys, "inventory", str(path), "--format", "json")
    assert_contract(result, (0,), "inventory --format json")
    data = json.loads(result.stdout)
    jsonschema.validate(data, _schema())
    listed = {d["facts"]["database"]: d for d in data["databases"]}
    assert [n for n in data["cluster"]["databases"] if n in cluster.tables] == sorted(
        cluster.tables
    )
    assert set(data["cluster"]["user_databases"]) == set(cluster.tables)
    for name, tables in cluster.tables.items():
        # Never merged: each database lists its own tables and no other's.
        assert {f"{t['schema']}.{t['name']}" for t in listed[name]["tables"]} == tables
    rows = {t["name"]: t["rows"] for t in listed[cluster.shop]["tables"]}
    assert rows == {"orders": 2, "products": 3}
    roles = {r["name"]: r["attributes"] for r in data["cluster"]["roles"]}
    assert roles[cluster.owner] == ["NOINHERIT", "LOGIN", "CONNECTION LIMIT 3"]
    assert roles[cluster.reader] == []
    assert {"role": cluster.reader, "member": cluster.owner} in [
        {k: m[k] for k in ("role", "member")} for m in data["cluster"]["memberships"]
    ]
    text = run_cli(capsys, "inventory", str(path))
    assert_contract(text, (0,), "inventory")
    for name, tables in cluster.tables.items():
        assert f"database {name}" in text.stdout
        for table in tables:
            assert table.split(".")[1] in text.stdout
    assert "pick one database with --database NAME" in text.stdout
    _secret_free(cluster, result.stdout, text.stdout, result.stderr, text.stderr)


def test_database_picks_each_one_exactly_as_its_own_pg_dump(cluster: Cluster) -> None:
    for name, tables in cluster.tables.items():
        picked = inventory(cluster.plain, database=name)
        own = inventory(cluster.own_dumps[name])
        assert {str(k) for k in picked.catalog.tables} == tables
        assert picked.catalog == own.catalog
        assert picked.fingerprints == own.fingerprints and picked.fingerprints
        assert (picked.facts.database, picked.facts.complete) == (name, True)
        assert picked.facts.roles == own.facts.roles
        assert picked.facts.cluster is not None
        assert set(cluster.tables) <= set(picked.facts.cluster.databases)
    shop = inventory(cluster.gzipped, database=cluster.shop).facts.cluster
    assert shop is not None
    assert {(d.name, d.attributes) for d in shop.roles} >= {
        (cluster.owner, ("NOINHERIT", "LOGIN", "CONNECTION LIMIT 3")),
        (cluster.reader, ()),
    }
    assert [(m.role, m.member) for m in shop.memberships] == [(cluster.reader, cluster.owner)]


def test_without_database_three_databases_are_named_and_refused(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["verify", str(cluster.plain), "--prisma", str(cluster.schema)],
        ["explain", str(cluster.gzipped), "--prisma", str(cluster.schema), "products"],
        ["verify", str(cluster.plain), "--prisma", str(cluster.schema), "--database", "nope"],
    ):
        result = run_cli(capsys, *argv)
        assert_contract(result, (2,), " ".join(argv[:1] + argv[-2:]))
        for name in cluster.tables:
            assert name in result.stderr, result.stderr
    # A pg_dump dump of one database: --database must be that one.
    result = run_cli(
        capsys, "inventory", str(cluster.own_dumps[cluster.shop]), "--database", cluster.blog
    )
    assert_contract(result, (2,), "inventory --database of another database")
    assert cluster.shop in result.stderr and cluster.blog in result.stderr


def test_verify_one_database_creates_its_roles_without_passwords(
    cluster: Cluster, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """In dumpcheck's own scratch server: the roles come from the roles section, with their
    attributes and memberships; no output holds the password or its hash."""
    report = tmp_path / "report.json"
    argv = ["verify", str(cluster.gzipped), "--prisma", str(cluster.schema)]
    result = run_cli(
        capsys, *argv, "--database", cluster.shop, "--format", "json", "-o", str(report)
    )
    assert_contract(result, (0,), "verify --database")
    data = json.loads(report.read_text())
    assert {t["name"]: t["verdict"] for t in data["tables"]} == {"orders": "ok", "products": "ok"}
    assert data["scratch"]["created_roles"] == sorted([cluster.owner, cluster.reader])
    assert data["scratch"]["created_roles_from"] == "roles_section"
    assert any("roles section" in note for note in data["notes"])
    text = run_cli(capsys, *argv, "--database", cluster.shop, "--format", "markdown")
    assert_contract(text, (0,), "verify --format markdown")
    assert "roles section" in text.stdout
    _secret_free(cluster, report.read_text(), result.stderr, text.stdout, text.stderr)


def test_restore_of_one_part_creates_roles_as_defined_and_runs_no_other_part(
    cluster: Cluster, scratch_server: ScratchServer
) -> None:
    """The session server is one dumpcheck started: there the roles get the dump's attributes
    and memberships, and no password; the other databases' parts are never run."""
    inv = inventory(cluster.plain, database=cluster.shop)
    result = restore(inv, scratch_server)
    try:
        assert result.errors == () and result.roles_source == "roles_section"
        assert set(result.created_roles) == {cluster.owner, cluster.reader}
        with psycopg.connect(scratch_server.dsn(result.database), autocommit=True) as conn:
            roles = {
                r[0]: r[1:]
                for r in conn.execute(
                    "SELECT rolname, rolcanlogin, rolinherit, rolconnlimit, rolpassword IS NULL "
                    "FROM pg_authid WHERE rolname = ANY(%s)",
                    ([cluster.owner, cluster.reader],),
                )
            }
            member = conn.execute(
                "SELECT inherit_option FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                "WHERE g.rolname = %s AND u.rolname = %s",
                (cluster.reader, cluster.owner),
            ).fetchall()
            owner = conn.execute(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'"
            ).fetchone()
            databases = {str(r[0]) for r in conn.execute("SELECT datname FROM pg_database")}
        assert roles[cluster.owner] == (True, False, 3, True)
        assert roles[cluster.reader] == (False, True, -1, True)
        assert member == [(False,)]
        assert owner == (cluster.owner,)
        assert not databases & set(cluster.tables)  # no CREATE DATABASE of any part ran
        assert {str(k) for k in result.catalog.tables} == cluster.tables[cluster.shop]
        _secret_free(cluster, result.log)
    finally:
        drop_database(scratch_server, result.database)
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            for role in result.created_roles:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_on_a_server_dumpcheck_did_not_start_roles_are_nologin_and_dropped(
    cluster: Cluster, scratch_server: ScratchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(
        capsys, "verify", str(cluster.plain), "--prisma", str(cluster.schema),
        "--database", cluster.shop, "--scratch-dsn", scratch_server.conninfo, "--format", "json",
    )  # fmt: skip
    assert_contract(result, (0,), "verify --scratch-dsn")
    data = json.loads(result.stdout)
    assert data["scratch"]["created_roles_from"] == "roles_section_nologin"
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        left = conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
            ([cluster.owner, cluster.reader],),
        ).fetchall()
    assert left == []  # dropped with the database: the server is someone else's
    _secret_free(cluster, result.stdout, result.stderr)


def test_a_single_user_database_needs_no_database_option(
    cluster: Cluster, capsys: pytest.CaptureFixture[str], scratch_server: ScratchServer
) -> None:
    listing = inventory_all(cluster.single)
    assert isinstance(listing, ClusterInventory)
    assert "template1" in listing.databases and "postgres" in listing.databases
    assert inventory(cluster.single).facts.database == cluster.shop
    result = run_cli(
        capsys, "verify", str(cluster.single), "--prisma", str(cluster.schema),
        "--scratch-dsn", scratch_server.conninfo, "--quiet",
    )  # fmt: skip
    assert_contract(result, (0,), "verify of a single-database pg_dumpall")
    assert "2 ok" in result.stdout


def test_a_file_cut_inside_the_second_database(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    first = inventory(cluster.cut, database=cluster.blog)
    assert (
        first.facts.complete
        and {str(k) for k in first.catalog.tables} == cluster.tables[cluster.blog]
    )
    second = inventory(cluster.cut, database=cluster.crm)
    assert not second.facts.complete and second.facts.stops_at is not None
    # The third database's part is not in the file at all: that dump of it is incomplete too.
    third = inventory(cluster.cut, database=cluster.shop)
    assert not third.facts.complete and third.catalog.tables == {}
    assert third.facts.stops_at is not None and "cut short" in third.facts.stops_at
    result = run_cli(capsys, "inventory", str(cluster.cut))
    assert_contract(result, (1,), "inventory of a cut pg_dumpall file")
    assert "complete: NO" in result.stdout
    result = run_cli(capsys, "inventory", str(cluster.cut), "--database", cluster.blog)
    assert_contract(result, (0,), "inventory --database of the complete first database")


def test_explain_tells_the_live_database_from_the_dumps_database(
    cluster: Cluster, scratch_server: ScratchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--database twice: a connection string is the live database, a name the database in the
    pg_dumpall file; the live one here is restored from the shop part."""
    live = restore(inventory(cluster.plain, database=cluster.shop), scratch_server)
    try:
        url = scratch_server.dsn(live.database)
        result = run_cli(
            capsys, "explain", "--database", url, "--database", cluster.shop,
            "--dump", str(cluster.plain), "--prisma", str(cluster.schema), "products",
        )  # fmt: skip
        assert_contract(result, (0,), "explain --database URL --database NAME")
        assert "public.products (model Product): ok" in result.stdout
        result = run_cli(
            capsys, "explain", str(cluster.plain), "--database", cluster.shop,
            "--prisma", str(cluster.schema), "--scratch-dsn", scratch_server.conninfo, "orders",
        )  # fmt: skip
        assert_contract(result, (0,), "explain DUMP --database NAME")
        assert "public.orders (model Order): ok" in result.stdout
        result = run_cli(
            capsys, "inspect", url, "--dump", str(cluster.plain), "--database", cluster.shop,
            "--prisma", str(cluster.schema), "--quiet",
        )  # fmt: skip
        assert_contract(result, (0,), "inspect --dump --database NAME")
    finally:
        drop_database(scratch_server, live.database)
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            for role in live.created_roles:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_the_nightly_job_verifies_one_database_and_keeps_no_password(
    cluster: Cluster, scratch_server: ScratchServer, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from tests.robustness._harness import ROOT

    runs = tmp_path / "runs"
    common = ["--prisma", str(cluster.schema), "--runs-dir", str(runs)]
    common += ["--scratch-dsn", scratch_server.conninfo, "--dump", str(cluster.gzipped)]

    def nightly(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pipeline.nightly", *common, *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )

    refused = nightly()
    assert refused.returncode == 2, refused.stderr
    assert all(name in refused.stderr for name in cluster.tables)
    done = nightly("--database", cluster.shop)
    assert done.returncode == 0, done.stderr
    history = [json.loads(line) for line in (runs / "history.jsonl").read_text().splitlines()]
    assert [h["exit_code"] for h in history] == [2, 0]
    run_dir = Path(history[1]["run_dir"])
    facts = json.loads((run_dir / "inventory.json").read_text())["facts"]
    assert facts["database"] == cluster.shop
    assert "not restored" in (run_dir / "restore.log").read_text()  # the other databases' parts
    artifacts = [p.read_text() for p in run_dir.iterdir() if p.is_file()]
    _secret_free(cluster, done.stdout, done.stderr, refused.stderr, *artifacts)


def test_refresh_promotes_one_database_of_the_file(
    cluster: Cluster, scratch_server: ScratchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """refresh restores on the target's own server (not one dumpcheck started): the roles are
    created NOLOGIN, and stay with the promoted database that they own objects in."""
    target = f"dumpall_target_{secrets.token_hex(4)}"
    with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    try:
        result = run_cli(
            capsys, "refresh", str(cluster.plain), "--database", cluster.shop,
            "--prisma", str(cluster.schema), "--target", scratch_server.dsn(target), "--quiet",
        )  # fmt: skip
        assert_contract(result, (0,), "refresh --database")
        assert "promoted" in result.stderr
        with psycopg.connect(scratch_server.dsn(target), autocommit=True) as conn:
            tables = {str(r[0]) for r in conn.execute("SELECT tablename FROM pg_tables")}
            logins: dict[str, bool] = dict(
                conn.execute(
                    "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY(%s)",
                    ([cluster.owner, cluster.reader],),
                ).fetchall()
            )
        assert {"orders", "products"} <= tables and "posts" not in tables
        assert logins == {cluster.owner: False, cluster.reader: False}
        _secret_free(cluster, result.stdout, result.stderr)
    finally:
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            names = conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (target,)
            ).fetchall()
            for (name,) in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            for role in (cluster.owner, cluster.reader):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_postgresql_15_pg_dumpall_restores_into_18_with_its_roles(
    scratch_server_for: Callable[[int], ScratchServer],
    scratch_server: ScratchServer,
    tmp_path: Path,
) -> None:
    """pg_dumpall 15 spells memberships without INHERIT/SET options (before 16's grant
    options), and the 18 server takes them as they are."""
    source = scratch_server_for(15)
    tag = secrets.token_hex(4)
    database, owner, group = f"old_{tag}", f"old_owner_{tag}", f"old_group_{tag}"
    with psycopg.connect(source.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD 'old-secret' IN ROLE {}").format(
                sql.Identifier(owner), sql.Identifier(group)
            )
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(*map(sql.Identifier, (database, owner)))
        )
    try:
        with psycopg.connect(source.dsn(database), autocommit=True) as conn:
            conn.execute("CREATE TABLE items (id int PRIMARY KEY)")
            conn.execute(sql.SQL("ALTER TABLE items OWNER TO {}").format(sql.Identifier(owner)))
            conn.execute(sql.SQL("GRANT SELECT ON items TO {}").format(sql.Identifier(group)))
        dump = tmp_path / "old.sql"
        _dumpall(source, dump, {database})
    finally:
        with psycopg.connect(source.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
            for role in (owner, group):
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    assert re.search(rf"^GRANT {group} TO {owner} GRANTED BY", dump.read_text(), re.MULTILINE)
    inv = inventory(dump)  # its only user database
    assert inv.facts.database == database and inv.facts.pg_dump_major == 15
    result = restore(inv, scratch_server)
    try:
        assert result.errors == () and set(result.created_roles) == {owner, group}
        with psycopg.connect(scratch_server.dsn(result.database), autocommit=True) as conn:
            roles = {
                str(r[0]): r[1:]
                for r in conn.execute(
                    "SELECT rolname, rolcanlogin, rolcreatedb, rolpassword IS NULL "
                    "FROM pg_authid WHERE rolname = ANY(%s)",
                    ([owner, group],),
                )
            }
            members = conn.execute(
                "SELECT pg_has_role(%s, %s, 'MEMBER')", (owner, group)
            ).fetchone()
        assert roles == {owner: (True, True, True), group: (False, False, True)}
        assert members == (True,)
    finally:
        drop_database(scratch_server, result.database)
        with psycopg.connect(scratch_server.dsn("postgres"), autocommit=True) as conn:
            for role in result.created_roles:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
