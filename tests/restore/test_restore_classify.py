"""Log parsing, classification and environment mapping, on real pg_restore / server text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.catalog import Catalog, QualifiedName
from dumpcheck.errors import DiskFullError
from dumpcheck.inventory.model import TocEntry
from dumpcheck.restore.attribution import failures_from_log
from dumpcheck.restore.classify import Failure, classify, shorten
from dumpcheck.restore.pglog import parse_restore_log
from dumpcheck.restore.stage import _raise_for_environment
from dumpcheck.scratch.model import ScratchServer

# Captured from pg_restore 18.6 --verbose -j2 (progress lines trimmed): the extension is missing,
# so the table using its domain fails, and so does everything hanging off the table. The OWNER TO
# error has no "from TOC entry" line: pg_restore prints it once per entry.
LOG = (Path(__file__).parent / "data" / "pg_restore_18_missing_extension.log").read_text()

ENTRIES = {
    e.dump_id: e
    for e in (
        TocEntry(2, "EXTENSION", "dctest", ""),
        TocEntry(2591, "COMMENT", "EXTENSION dctest", "", dependencies=(2,)),
        TocEntry(220, "TABLE", "users", "public", "appowner"),
        TocEntry(2582, "TABLE DATA", "users", "public", "appowner", dependencies=(220,)),
        TocEntry(2598, "TABLE DATA", "nn", "public", "postgres"),
        TocEntry(221, "TABLE", "orders", "public", "postgres"),
        TocEntry(
            2434, "FK CONSTRAINT", "orders orders_user_id_fkey", "public", dependencies=(221,)
        ),
    )
}


def test_parse_restore_log_reads_every_error_with_its_fields() -> None:
    errors = parse_restore_log(LOG).errors
    assert [e.toc_id for e in errors] == [2, 2591, 220, None, 2582, 2598, 2434]
    ext = errors[0]
    assert ext.message == 'extension "dctest" is not available'
    assert (
        ext.hint
        == "The extension must first be installed on the system where PostgreSQL is running."
    )
    assert ext.command == "CREATE EXTENSION IF NOT EXISTS dctest WITH SCHEMA public;"
    assert errors[2].command is not None and errors[2].command.endswith("email public.dctext\n);")
    copy = errors[5]
    assert copy.copy_table == "nn" and copy.detail == "Failing row contains (2, null)."
    assert copy.context == 'COPY nn, line 2: "2\t\\N"'
    assert errors[6].command is not None and "REFERENCES public.users(id);" in errors[6].command


def test_classify_ties_each_error_to_its_root_cause() -> None:
    failures = failures_from_log(parse_restore_log(LOG), dict(ENTRIES))
    errors = classify(failures, ENTRIES)
    by_id = {e.id: e for e in errors}
    ext, comment, create, owner, copy_users, copy_nn, fk = (by_id[i] for i in range(1, 8))

    assert (ext.severity, ext.sqlstate, ext.location, ext.object_type) == (
        "fatal", "0A000", "TOC 2", "EXTENSION",
    )  # fmt: skip
    assert ext.root_cause_id is None and ext.object_name == "dctest"
    assert comment.severity == "harmless"
    # The table fails because its extension failed; the headerless OWNER TO joins its entry.
    assert (create.severity, create.root_cause_id, create.table) == (
        "secondary", 1, QualifiedName("public", "users"),
    )  # fmt: skip
    assert (owner.severity, owner.root_cause_id, owner.location) == ("secondary", 1, "TOC 220")
    assert (copy_users.severity, copy_users.root_cause_id) == ("secondary", 1)
    assert copy_users.statement == "COPY public.users (id, email) FROM stdin;"
    # A COPY rejected on its own data is the root of its table's loss.
    assert (copy_nn.severity, copy_nn.sqlstate, copy_nn.root_cause_id) == ("fatal", "23502", None)
    assert copy_nn.table == QualifiedName("public", "nn")
    assert copy_nn.statement == "COPY public.nn FROM stdin"
    # The FK names the missing table: secondary to the same root.
    assert (fk.severity, fk.root_cause_id, fk.table) == (
        "secondary", 1, QualifiedName("public", "orders"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (
            Failure('role "ghost" does not exist', "ALTER TABLE public.t OWNER TO ghost;"),
            "owner",
        ),
        (
            Failure('role "ghost" does not exist', "GRANT SELECT ON TABLE public.t TO ghost;"),
            "grant",
        ),
        (
            Failure(
                'unrecognized configuration parameter "transaction_timeout"',
                "SET transaction_timeout = 0;",
            ),
            "transaction_timeout",
        ),
        (Failure('schema "public" already exists', "CREATE SCHEMA public;"), "public"),
        (Failure('extension "plpgsql" already exists', "CREATE EXTENSION plpgsql;"), "plpgsql"),
        (
            Failure(
                'extension "vector" does not exist', "COMMENT ON EXTENSION vector IS 'vectors';"
            ),
            "comment on extension",
        ),
    ],
)
def test_harmless_errors(failure: Failure, reason: str) -> None:
    (error,) = classify([failure], {})
    assert error.severity == "harmless", reason


def test_plain_errors_find_their_root_by_name() -> None:
    # Plain dumps carry no dependency graph: the message names the failed object.
    failures = [
        Failure(
            'unacceptable schema name "pg_x"',
            "CREATE SCHEMA pg_x;",
            sqlstate="42939",
            location="line 20",
            desc="SCHEMA",
            tag="abcd",
        ),
        Failure(
            'schema "abcd" does not exist',
            "ALTER SCHEMA abcd OWNER TO postgres;",
            location="line 23",
            desc="SCHEMA",
            tag="abcd",
        ),
        Failure(
            'schema "abcd" does not exist',
            "CREATE TABLE abcd.t (id integer);",
            location="line 30",
            desc="TABLE",
            tag="t",
            namespace="abcd",
        ),
        Failure(
            'relation "abcd.t" does not exist',
            "COPY abcd.t (id) FROM stdin;",
            location="line 40",
            desc="TABLE DATA",
            tag="t",
            namespace="abcd",
            copy_table=QualifiedName("abcd", "t"),
        ),
        Failure(
            'insert or update on table "c" violates foreign key constraint "c_p_fkey"',
            "ALTER TABLE ONLY public.c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p) REFERENCES t(id);",
            location="line 50",
            desc="FK CONSTRAINT",
            tag="c c_p_fkey",
            namespace="public",
        ),
    ]
    schema, owner, table, copy, fk = classify(failures, {})
    assert (schema.severity, schema.root_cause_id) == ("fatal", None)
    assert (owner.severity, owner.root_cause_id) == ("secondary", 1)
    assert (table.severity, table.root_cause_id, table.table) == (
        "secondary", 1, QualifiedName("abcd", "t"),
    )  # fmt: skip
    assert (copy.severity, copy.root_cause_id) == ("secondary", 1)
    assert (fk.severity, fk.root_cause_id, fk.table) == (
        "other",
        None,
        QualifiedName("public", "c"),
    )


def test_shorten_keeps_short_statements_and_cuts_long_ones() -> None:
    assert shorten("  SELECT 1;\n") == "SELECT 1;"
    long = "INSERT INTO t VALUES " + ", ".join(f"({i})" for i in range(500)) + ";"
    cut = shorten(long)
    assert cut is not None and len(cut) <= 400 and cut.endswith("...")


def test_disk_full_message_maps_to_disk_full_error() -> None:
    # The server's exact text when a table file cannot grow (md.c, mdextend).
    message = 'could not extend file "base/16384/16397": No space left on device'
    failures = [Failure(message, "COPY public.big (id) FROM stdin;", hint="Check free disk space.")]
    server = ScratchServer("dsn", 18, "18.6", "host=/nonexistent", None)
    with pytest.raises(DiskFullError, match="ran out of disk space: could not extend file"):
        _raise_for_environment(failures, server, "")
    # ...and by SQLSTATE 53100 alone (as psycopg reports it for plain dumps).
    with pytest.raises(DiskFullError):
        _raise_for_environment([Failure("disk quota", sqlstate="53100")], server, "")


def test_archive_newer_than_pg_restore_is_environment_failure_with_advice() -> None:
    import dataclasses

    from dumpcheck.errors import BadInputError, BinaryNotFoundError
    from dumpcheck.inventory.model import DumpFacts, DumpInventory
    from dumpcheck.restore.stage import _raise_for_input

    dump = DumpInventory(DumpFacts(path="x.dump", format="custom"), catalog=Catalog())
    too_new = Failure("unsupported version (1.99) in file header")
    with pytest.raises(BinaryNotFoundError, match="dumpcheck postgres install"):
        _raise_for_input([too_new], dump)
    garbage = dataclasses.replace(too_new, message="unsupported version (-1.-1) in file header")
    with pytest.raises(BadInputError, match=r"pg_restore cannot read x\.dump"):
        _raise_for_input([garbage], dump)


def test_harmless_failures_are_never_a_root_cause() -> None:
    failures = [
        # An old dump's plpgsql, owned by someone else here: harmless, and no missing object.
        Failure(
            "must be owner of extension plpgsql",
            "COMMENT ON EXTENSION plpgsql IS 'x';",
            desc="EXTENSION",
            tag="plpgsql",
        ),
        Failure(
            'role "ghost" does not exist',
            "ALTER TABLE public.t OWNER TO ghost;",
            desc="TABLE",
            tag="t",
            namespace="public",
        ),
        Failure(
            'type "public.thing" does not exist',
            "GRANT ALL ON TABLE public.t TO app;",
            desc="TABLE",
            tag="t",
            namespace="public",
        ),
    ]
    ext, owner, other = classify(failures, {})
    assert (ext.severity, owner.severity) == ("harmless", "harmless")
    assert (other.severity, other.root_cause_id) == ("other", None)
