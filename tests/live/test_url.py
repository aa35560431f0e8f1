"""Database URLs as Prisma reads them: no database needed."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict

from dumpcheck.errors import BadInputError
from dumpcheck.live import parse_database_url


def test_prisma_parameters_are_taken_out_and_schema_kept() -> None:
    url = parse_database_url(
        "postgresql://app:p%40ss@db.internal:6432/shop?schema=tenant_1&connection_limit=5"
        "&pool_timeout=10&pgbouncer=true&sslmode=require&statement_cache_size=0"
    )
    assert url.schema == "tenant_1"
    params = conninfo_to_dict(url.conninfo)
    assert params["sslmode"] == "require"
    assert params["dbname"] == "shop"
    assert "schema" not in params and "pgbouncer" not in params
    assert url.secrets == ("p@ss",)


def test_the_password_never_shows() -> None:
    url = parse_database_url("postgres://app:hunter2@db/shop?password=other&host=/run/pg")
    assert "hunter2" not in url.shown and "other" not in url.shown
    assert url.shown.startswith("postgres://app:********@db/shop")
    assert "host=/run/pg" in url.shown
    assert url.scrub("FATAL: password hunter2 rejected") == "FATAL: password ******** rejected"
    keywords = parse_database_url("host=/tmp dbname=shop user=app password='s e c'")
    assert "s e c" not in keywords.shown
    assert keywords.schema is None


def test_schema_option_wins_and_absent_schema_is_none() -> None:
    assert parse_database_url("postgresql://u@h/db?schema=a", schema="b").schema == "b"
    assert parse_database_url("postgresql://u@h/db").schema is None
    # Prisma percent-decodes ?schema= (a schema name may hold any character).
    assert parse_database_url("postgresql://u@h/db?schema=my%20schema").schema == "my schema"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no database URL"),
        ("mysql://u@h/db", "not a PostgreSQL URL"),
        ("file:./dev.db", "neither a postgresql:// URL"),
        ("postgresql://[::1/db", "not a valid database URL"),
    ],
)
def test_a_bad_url_is_bad_input(text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_database_url(text)
