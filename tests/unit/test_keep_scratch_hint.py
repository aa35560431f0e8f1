"""The --keep-scratch hint is a psql command line that works when pasted into a shell."""

from __future__ import annotations

import shlex

from psycopg.conninfo import conninfo_to_dict

from dumpcheck.cli.verify_cmd import psql_conninfo


def test_hint_is_one_shell_word_without_the_pgoptions_shield() -> None:
    dsn = "host=/tmp/dumpcheck-ab12cd34 port=5432 user=postgres options='' dbname=dumpcheck_x"
    [word] = shlex.split(psql_conninfo(dsn))
    assert conninfo_to_dict(word) == {
        "host": "/tmp/dumpcheck-ab12cd34",
        "port": "5432",
        "user": "postgres",
        "dbname": "dumpcheck_x",
    }


def test_a_password_with_quotes_survives_the_shell() -> None:
    dsn = r"host=localhost port=5433 user=postgres password='it\'s' options='' dbname=d"
    [word] = shlex.split(psql_conninfo(dsn))
    assert conninfo_to_dict(word)["password"] == "it's"
