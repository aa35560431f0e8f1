"""pg_dumpall's roles section read without keeping a password, and each database's part told
apart in both shapes pg_dumpall has written (``-- Database "x" dump`` since 11, ``\\connect``
alone before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.inventory import inventory, inventory_all
from dumpcheck.inventory.model import ClusterInventory, RoleMembership
from dumpcheck.inventory.plain.cluster import RolesSection, connect_target


def _roles(*statements: str) -> RolesSection:
    section = RolesSection()
    for text in statements:
        section.feed(text)
    return section


def test_attributes_are_kept_and_passwords_never() -> None:
    section = _roles(
        "CREATE ROLE app;",
        "ALTER ROLE app WITH NOSUPERUSER NOINHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION "
        "NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD 'SCRAM-SHA-256$4096:abc=$def=:ghi=' "
        "VALID UNTIL 'infinity';",
        'CREATE ROLE "Odd Name";',
        # A password that reads like attributes must stay one skipped literal.
        "ALTER ROLE \"Odd Name\" WITH NOLOGIN PASSWORD 'x SUPERUSER LOGIN '' CREATEDB';",
        "CREATE USER legacy ENCRYPTED PASSWORD 'md5deadbeef';",
        "ALTER ROLE legacy WITH PASSWORD NULL;",
        "ALTER ROLE app SET search_path TO 'public';",
        "ALTER ROLE app IN DATABASE shop SET work_mem TO '4MB';",
        "COMMENT ON ROLE app IS 'LOGIN SUPERUSER';",
    )
    found = {d.name: d.attributes for d in section.definitions({"app", "Odd Name", "legacy"})}
    assert found == {
        "app": ("NOINHERIT", "LOGIN", "CONNECTION LIMIT 5"),
        "Odd Name": (),
        "legacy": ("LOGIN",),  # CREATE USER logs in unless told otherwise
    }
    kept = repr(section)
    for secret in ("SCRAM", "md5deadbeef", "infinity", "x SUPERUSER"):
        assert secret not in kept


def test_memberships_in_both_spellings() -> None:
    section = _roles(
        "GRANT reader TO app WITH INHERIT FALSE GRANTED BY postgres;",
        "GRANT admins, reader TO ops WITH ADMIN OPTION, SET FALSE GRANTED BY postgres;",
        "GRANT writer TO app GRANTED BY postgres;",  # before 16: no INHERIT / SET
        "GRANT SET ON PARAMETER work_mem TO app;",  # a privilege, not a membership
    )
    assert section.memberships == [
        RoleMembership("reader", "app", False, False, None),
        RoleMembership("admins", "ops", True, None, False),
        RoleMembership("reader", "ops", True, None, False),
        RoleMembership("writer", "app", False, None, None),
    ]
    assert section.memberships_among({"reader", "app"}) == (
        RoleMembership("reader", "app", False, False, None),
    )


# pg_dumpall before PostgreSQL 11: every database created up front, each part after its
# \connect, with no "-- Database" comment.
_OLD_CLUSTER = """\
--
-- PostgreSQL database cluster dump
--

SET default_transaction_read_only = off;

CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN PASSWORD 'md5aa';

CREATE DATABASE shop WITH TEMPLATE = template0 OWNER = app;

\\connect postgres

SET default_transaction_read_only = off;

--
-- PostgreSQL database dump
--

-- Dumped from database version 10.23
-- Dumped by pg_dump version 10.23

SET client_encoding = 'UTF8';

--
-- PostgreSQL database dump complete
--

\\connect shop

SET default_transaction_read_only = off;

--
-- PostgreSQL database dump
--

-- Dumped from database version 10.23
-- Dumped by pg_dump version 10.23

SET client_encoding = 'UTF8';

CREATE TABLE public.products (
    id integer NOT NULL
);

ALTER TABLE public.products OWNER TO app;

COPY public.products (id) FROM stdin;
1
2
\\.

--
-- PostgreSQL database dump complete
--

--
-- PostgreSQL database cluster dump complete
--
"""


def test_a_cluster_dump_from_before_11_is_split_at_its_connects(tmp_path: Path) -> None:
    dump = tmp_path / "old.sql"
    dump.write_text(_OLD_CLUSTER)
    listing = inventory_all(dump)
    assert isinstance(listing, ClusterInventory)
    assert listing.databases == ("postgres", "shop") and listing.complete
    assert listing.inventories["postgres"].catalog.tables == {}
    shop = inventory(dump)  # the only user database
    assert shop.facts.database == "shop" and shop.facts.complete
    table = shop.catalog.table("public", "products")
    assert table is not None and table.rows == 2
    assert shop.facts.pg_dump_version == "10.23"
    assert shop.facts.cluster is not None
    assert [(d.name, d.attributes) for d in shop.facts.cluster.roles] == [("app", ("LOGIN",))]


def test_a_script_switching_databases_without_the_cluster_header_is_refused(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "two.sql"
    body = _OLD_CLUSTER.split("\\connect postgres\n", 1)[1]
    dump.write_text("--\n-- PostgreSQL database dump\n--\n\\connect postgres\n" + body)
    from dumpcheck.errors import BadInputError

    with pytest.raises(BadInputError, match="no pg_dumpall file"):
        inventory(dump)


@pytest.mark.parametrize(
    ("argument", "database"),
    [
        ("aas_bronze_production", "aas_bronze_production"),
        ('"My DB"', "My DB"),
        ("-reuse-previous=on \"dbname='aas'\"", "aas"),
        ("-", None),
    ],
)
def test_connect_target_reads_every_pg_dump_spelling(argument: str, database: str | None) -> None:
    assert connect_target(argument) == database
