"""The restore.log artifact keeps names and drops row values."""
# ruff: noqa: E501

from __future__ import annotations

from dumpcheck.report.redact import scrub_log

LOG = """pg_restore: from TOC entry 4321; 2606 16390 CONSTRAINT users users_pkey postgres
pg_restore: error: could not create unique index "users_pkey"
DETAIL:  Key (id)=(42) is duplicated.
Command was: ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
pg_restore: error: COPY failed for table "products": ERROR:  invalid input syntax for type double precision: "secret-price"
CONTEXT:  COPY products, line 8, column price: "secret-price"
pg_restore: from TOC entry 99; 0 16400 TABLE DATA secrets postgres
Command was: INSERT INTO public.secrets VALUES (1, 'hunter2');
"""


def test_values_are_gone_names_stay() -> None:
    out = scrub_log(LOG)
    for secret in ("42", "secret-price", "hunter2"):
        assert secret not in out.replace("4321", "")
    for name in ("users_pkey", "products", "public.secrets", "TOC entry 99"):
        assert name in out


def test_a_user_mappings_password_is_gone() -> None:
    """pg_restore echoes a failed user mapping with its options (pg_dump dumpUserMappings)."""
    log = """pg_restore: from TOC entry 3421; 1417 16410 USER MAPPING USER MAPPING app SERVER legacy postgres
pg_restore: error: could not execute query: ERROR:  server "legacy" does not exist
Command was: CREATE USER MAPPING FOR app SERVER legacy OPTIONS (
    password 'correct-horse',
    "user" 'app'
);
"""
    out = scrub_log(log)
    assert "correct-horse" not in out
    assert "USER MAPPING FOR app SERVER legacy" in out and "\"user\" 'app'" in out
