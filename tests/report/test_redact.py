"""Row values never leave the report stage, whatever PostgreSQL put in its messages."""

from __future__ import annotations

import pytest

from dumpcheck.report.redact import scrub_message, scrub_statement


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            'duplicate key value violates unique constraint "users_email_key"\n'
            "DETAIL:  Key (email)=(alice@example.com) already exists.",
            'duplicate key value violates unique constraint "users_email_key"\n'
            "DETAIL:  Key (email)=(…) already exists.",
        ),
        (
            'insert or update on table "orders" violates foreign key constraint "o_fkey"\n'
            'DETAIL:  Key (user_id)=(42) is not present in table "users".',
            'insert or update on table "orders" violates foreign key constraint "o_fkey"\n'
            'DETAIL:  Key (user_id)=(…) is not present in table "users".',
        ),
        (
            'could not create unique index "p_pkey"\nDETAIL:  Key (id)=(7) is duplicated.',
            'could not create unique index "p_pkey"\nDETAIL:  Key (id)=(…) is duplicated.',
        ),
        (
            'null value in column "title" of relation "products" violates not-null constraint\n'
            "DETAIL:  Failing row contains (1, null, 9.99).",
            'null value in column "title" of relation "products" violates not-null constraint\n'
            "DETAIL:  Failing row contains (…).",
        ),
        (
            'invalid input syntax for type integer: "12abc"',
            'invalid input syntax for type integer: "…"',
        ),
        (
            'invalid input value for enum "Status": "deleted"',
            'invalid input value for enum "Status": "…"',
        ),
        (
            'CONTEXT:  COPY products, line 3, column price: "abc"',
            'CONTEXT:  COPY products, line 3, column price: "…"',
        ),
        (
            'CONTEXT:  COPY products, line 3: "1\tsecret title\t9.99"',
            'CONTEXT:  COPY products, line 3: "…"',
        ),
        (
            'value "99999999999" is out of range for type integer',
            'value "…" is out of range for type integer',
        ),
        (
            'date/time field value out of range: "2025-13-45"',
            'date/time field value out of range: "…"',
        ),
        (
            'malformed array literal: "{a,b"',
            'malformed array literal: "…"',
        ),
        # Names only: left alone.
        ('type "public.citext" does not exist', 'type "public.citext" does not exist'),
        ('relation "public.orders" does not exist', 'relation "public.orders" does not exist'),
    ],
)
def test_scrub_message(message: str, expected: str) -> None:
    assert scrub_message(message) == expected


def test_scrub_statement_insert() -> None:
    sql = "INSERT INTO public.users (id, email) VALUES (1, 'alice@example.com');"
    assert scrub_statement(sql) == "INSERT INTO public.users (id, email) VALUES …"


def test_scrub_statement_multiline_insert() -> None:
    sql = "insert into public.users\nvalues\n  (1, 'x'),\n  (2, 'y');"
    assert scrub_statement(sql) == "insert into public.users\nvalues …"


def test_scrub_statement_copy_with_inline_data() -> None:
    sql = "COPY public.users (id, email) FROM stdin;\n1\talice@example.com\n\\.\n"
    assert scrub_statement(sql) == "COPY public.users (id, email) FROM stdin;"


def test_scrub_statement_keeps_ddl() -> None:
    sql = "CREATE TABLE public.t (\n    status text DEFAULT 'draft'::text NOT NULL\n);"
    assert scrub_statement(sql) == sql


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (  # pg_dump's user mapping (dumpUserMappings): its options, password included
            "CREATE USER MAPPING FOR bob SERVER legacy OPTIONS (\n"
            "    password 'se''cret',\n    \"user\" 'bob'\n);",
            "CREATE USER MAPPING FOR bob SERVER legacy OPTIONS (\n"
            "    password '…',\n    \"user\" 'bob'\n);",
        ),
        (
            "ALTER USER MAPPING FOR bob SERVER s OPTIONS (SET \"password\" 'x', sslpassword 'y');",
            "ALTER USER MAPPING FOR bob SERVER s OPTIONS (SET \"password\" '…', sslpassword '…');",
        ),
        (
            "CREATE SUBSCRIPTION s CONNECTION 'host=db password=hunter2 dbname=app' PUBLICATION p;",
            "CREATE SUBSCRIPTION s CONNECTION 'host=db password=… dbname=app' PUBLICATION p;",
        ),
        (
            "CREATE SUBSCRIPTION s CONNECTION 'host=db password=''a b'' dbname=app' PUBLICATION p;",
            "CREATE SUBSCRIPTION s CONNECTION 'host=db password=… dbname=app' PUBLICATION p;",
        ),
        (  # a column named password is a name, not a secret
            "CREATE TABLE users (password text NOT NULL);",
            "CREATE TABLE users (password text NOT NULL);",
        ),
    ],
)
def test_passwords_in_statements_are_withheld(statement: str, expected: str) -> None:
    assert scrub_statement(statement) == expected
