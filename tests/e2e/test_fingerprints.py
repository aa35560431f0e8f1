"""Row content, proven on real dumps made by real pg_dump: equal counts with other values are
``rows_changed``; equal values are ``ok`` with equal fingerprints; what cannot be compared as
text is said per table, never passed over in silence."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dumpcheck.compare.findings import Findings, TableFinding
from dumpcheck.report import ReportFormat, render
from dumpcheck.scratch.model import ScratchServer
from dumpcheck.scratch.runner import run
from dumpcheck.verify import VerifyOptions, verify

SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model Event {
  id        Int      @id
  createdAt DateTime

  @@map("events")
}

model Note {
  id   Int    @id
  body String

  @@map("notes")
}
"""
# Production's own table keeps microseconds; Prisma's DateTime is timestamp(3).
SOURCE = """\
CREATE TABLE events (id int PRIMARY KEY, "createdAt" timestamp(6) NOT NULL);
CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
INSERT INTO notes SELECT g, 'note ' || g || E'\\twith a tab' FROM generate_series(1, 50) g;
"""
MICROSECONDS = (
    "INSERT INTO events SELECT g, timestamp '2024-03-01 10:00:00.123456' + g * interval '1 hour' "
    "FROM generate_series(1, 20) g"
)
MILLISECONDS = (
    "INSERT INTO events SELECT g, timestamp '2024-03-01 10:00:00.123' + g * interval '1 hour' "
    "FROM generate_series(1, 20) g"
)


def _dump(server: ScratchServer, db: str, out: Path, *args: str) -> Path:
    assert server.install is not None
    run(
        server.install.binary("pg_dump"),
        [*args, "-f", str(out), "-d", server.dsn(db)],
        major=server.major,
    )
    return out


def _verify(
    server: ScratchServer, dump: Path, schema: Path, *, fingerprints: bool = True
) -> Findings:
    options = VerifyOptions(
        dump=dump,
        prisma=schema,
        backend="dsn",
        scratch_dsn=server.conninfo,
        fingerprints=fingerprints,
    )
    return verify(options).findings


def _table(findings: Findings, name: str) -> TableFinding:
    return next(t for t in findings.tables if t.name == name)


@pytest.mark.parametrize("fmt", ["-Fp", "-Fc"])
@pytest.mark.parametrize("values", ["microseconds", "milliseconds"])
def test_data_only_dump_into_prismas_timestamp3_changes_rows(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, fmt: str, values: str
) -> None:
    """The issue's case and its no-false-positive twin: the same dump with values that
    timestamp(3) holds exactly is ok on every table."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SOURCE)
        conn.execute(MICROSECONDS if values == "microseconds" else MILLISECONDS)
    dump = _dump(scratch_server, fresh_db, tmp_path / "data", fmt, "--data-only")
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    findings = _verify(scratch_server, dump, schema)
    events, notes = _table(findings, "events"), _table(findings, "notes")
    assert (notes.verdict, notes.dump_rows, notes.restored_rows) == ("ok", 50, 50)
    assert notes.dump_fingerprint and notes.dump_fingerprint == notes.restored_fingerprint
    assert events.dump_rows == events.restored_rows == 20
    report = json.loads(render(findings, "json"))
    by_name = {t["name"]: t for t in report["tables"]}
    assert by_name["notes"]["fingerprint"]["dump"] == by_name["notes"]["fingerprint"]["restored"]
    if values == "milliseconds":
        assert events.verdict == "ok"
        assert events.dump_fingerprint == events.restored_fingerprint
        assert findings.exit_code() == 0
        return
    assert events.verdict == "rows_changed"
    assert events.dump_fingerprint != events.restored_fingerprint
    assert any("createdAt timestamp(3)" in line for line in events.evidence), events.evidence
    assert findings.exit_code() == 1
    assert report["summary"]["rows_changed"] == 1
    fp = by_name["events"]["fingerprint"]
    assert fp["dump"] != fp["restored"] and fp["note"] is None
    formats: tuple[ReportFormat, ...] = ("text", "markdown", "junit")
    for report_format in formats:
        text = render(findings, report_format)
        assert "rows_changed" in text, report_format
        assert "10:00:00.123456" not in text and "2024-03-01" not in text  # no row values


def test_no_fingerprints_compares_counts_only(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SOURCE)
        conn.execute(MICROSECONDS)
    dump = _dump(scratch_server, fresh_db, tmp_path / "data.sql", "--data-only")
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    findings = _verify(scratch_server, dump, schema, fingerprints=False)
    events = _table(findings, "events")
    assert events.verdict == "ok"
    assert events.dump_fingerprint is None and events.restored_fingerprint is None


ZONED = """\
CREATE TABLE events (id int PRIMARY KEY, "createdAt" timestamp(3) NOT NULL);
CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL);
INSERT INTO events VALUES (1, '2024-01-01 10:00:00.5');
INSERT INTO notes SELECT g, 'n', timestamptz '2024-01-01 00:00:00+00' + g * interval '40 days'
FROM generate_series(1, 12) g;
"""


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_timestamptz_in_the_dumps_zone_is_compared_or_said_not_comparable(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path, zone: str
) -> None:
    """pg_dump prints timestamptz in its session's TimeZone and records it nowhere: a dump
    taken in UTC is compared; one taken in a zone dumpcheck cannot guess is named as not
    compared, with the reason, and stays ok (never a false rows_changed)."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(ZONED)
        conn.execute(f"ALTER DATABASE {fresh_db} SET TimeZone = '{zone}'")
    dump = _dump(scratch_server, fresh_db, tmp_path / "full.dump", "-Fc")
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        SCHEMA.replace("body String\n", "body String\n  at   DateTime @db.Timestamptz(6)\n")
    )
    findings = _verify(scratch_server, dump, schema)
    notes = _table(findings, "notes")
    assert notes.verdict == "ok"
    if zone == "UTC":
        assert notes.dump_fingerprint == notes.restored_fingerprint
        assert notes.fingerprint_note is None
    else:
        assert notes.restored_fingerprint is None
        assert notes.fingerprint_note is not None and "TimeZone" in notes.fingerprint_note
        every: tuple[ReportFormat, ...] = ("text", "markdown", "junit", "json")
        for report_format in every:
            assert "print in the dump's TimeZone" in render(findings, report_format)


def test_money_is_named_not_comparable(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SOURCE)
        conn.execute(MILLISECONDS)
        conn.execute("CREATE TABLE prices (id int PRIMARY KEY, amount money)")
        conn.execute("INSERT INTO prices VALUES (1, 12.5)")
    dump = _dump(scratch_server, fresh_db, tmp_path / "full.sql")
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    findings = _verify(scratch_server, dump, schema)
    prices = _table(findings, "prices")
    assert prices.verdict == "unexpected"
    assert prices.fingerprint_note is not None and "lc_monetary" in prices.fingerprint_note
    # Its rows are not read back, so they are counted on their own; the others' come from
    # the read-back (read_catalog's uncounted).
    assert (prices.dump_rows, prices.restored_rows) == (1, 1)
    events = _table(findings, "events")
    assert events.dump_fingerprint == events.restored_fingerprint
    assert (events.dump_rows, events.restored_rows) == (20, 20)


AWKWARD = r"""
CREATE TABLE awkward (id int PRIMARY KEY, t text, b bytea, j jsonb, f float8, a int[]);
INSERT INTO awkward SELECT g,
    CASE g % 5 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN E'tab\there\nnewline\\back'
        WHEN 3 THEN 'héllo ✓ ' || g ELSE repeat('x', g % 300) END,
    CASE WHEN g % 7 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
    jsonb_build_object('k', g, 's', 'v' || g),
    g / 7.0,
    ARRAY[g, g + 1]
FROM generate_series(1, 5000) g;
CREATE TABLE one_col (v text);
INSERT INTO one_col VALUES (''), (''), ('a');
CREATE TABLE empty_one (id int);
"""


def test_every_format_gives_the_same_fingerprints(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """Plain, custom (none, gzip, lz4, zstd), directory and tar of one database: the same
    fingerprint for each table, and the restored tables give it back."""
    from dumpcheck.inventory import inventory

    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(AWKWARD)
    variants = {
        "plain": ["-Fp"],
        "custom-none": ["-Fc", "-Z0"],
        "custom-gzip": ["-Fc"],
        "custom-lz4": ["-Fc", "--compress=lz4"],
        "custom-zstd": ["-Fc", "--compress=zstd"],
        "directory": ["-Fd", "--compress=gzip"],
        "tar": ["-Ft"],
    }
    prints = {}
    for name, args in variants.items():
        inv = inventory(_dump(scratch_server, fresh_db, tmp_path / name, *args))
        prints[name] = {str(k): v for k, v in inv.fingerprints.items()}
        assert inv.unfingerprinted == {}, name
    first = prints["plain"]
    assert set(first) == {"public.awkward", "public.one_col", "public.empty_one"}
    assert first["public.awkward"].rows == 5000 and first["public.one_col"].rows == 3
    for name, found in prints.items():
        assert found == first, name
    schema = tmp_path / "schema.prisma"
    schema.write_text('datasource db {\n  provider = "postgresql"\n}\n')
    findings = _verify(scratch_server, tmp_path / "custom-none", schema)
    for t in findings.tables:
        assert t.verdict == "unexpected" and t.fingerprint_note is None, t
        assert t.dump_fingerprint == t.restored_fingerprint, t


def test_insert_dumps_are_fingerprinted_and_damaged_data_named_not_compared(
    scratch_server: ScratchServer, fresh_db: str, tmp_path: Path
) -> None:
    """--inserts, --column-inserts and --rows-per-insert data, plain and custom, hash as the
    COPY text of their rows (quoted names, NULLs, booleans, quotes, backslashes, tabs,
    newlines, generated columns, bit strings); so do the E'' strings pg_dump writes when the
    server has standard_conforming_strings off."""
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(SOURCE)
        conn.execute(MILLISECONDS)
        conn.execute(
            'CREATE TABLE "Mixed" (id int PRIMARY KEY, "Label" text, ok boolean, n numeric, '
            "f float8, twice int GENERATED ALWAYS AS (id * 2) STORED)"
        )
        conn.execute(
            """INSERT INTO "Mixed" (id, "Label", ok, n, f) VALUES """
            """(1, E'it''s a\\back\tslash\nline', true, 'NaN', 1.5e300), """
            "(2, NULL, false, -12.340, 'Infinity'), (3, '', NULL, 0, -0.1), "
            "(4, 'C:\\dir\\file', NULL, 1, 2)"
        )
        conn.execute("CREATE TABLE flags (id int PRIMARY KEY, bits bit(4), more varbit)")
        conn.execute("INSERT INTO flags VALUES (1, B'1010', B''), (2, B'0001', NULL)")
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    variants = {
        "inserts.sql": ["--inserts"],
        "columns.sql": ["--column-inserts"],
        "batched.sql": ["--inserts", "--rows-per-insert=2"],
        "inserts.dump": ["-Fc", "--inserts"],
    }
    dumps = {
        name: _dump(scratch_server, fresh_db, tmp_path / name, *args)
        for name, args in variants.items()
    }
    # string_utils.c appendStringLiteral: with standard_conforming_strings off, a backslash in
    # a value is written doubled.
    with psycopg.connect(scratch_server.dsn(fresh_db), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{fresh_db}" SET standard_conforming_strings = off')
    for name in ("escape.sql", "escape.dump"):
        fmt = ["-Fc"] if name.endswith(".dump") else []
        dumps[name] = _dump(scratch_server, fresh_db, tmp_path / name, *fmt, "--inserts")
    assert b"'C:\\\\dir\\\\file'" in dumps["escape.sql"].read_bytes()
    for name, dump in dumps.items():
        findings = _verify(scratch_server, dump, schema)
        for t in findings.tables:  # events drifts: timestamp(6) where Prisma has timestamp(3)
            assert t.verdict in ("ok", "drift", "unexpected"), (name, t)
            assert t.fingerprint_note is None, (name, t.name, t.fingerprint_note)
            assert t.dump_fingerprint and t.dump_fingerprint == t.restored_fingerprint, (name, t)
    plain = _dump(scratch_server, fresh_db, tmp_path / "plain.sql")
    text = plain.read_bytes()
    at = text.index(b"\\.\n", text.index(b"COPY public.notes"))
    damaged = tmp_path / "damaged.sql"
    damaged.write_bytes(text[: at - 20] + b"\x00" + text[at - 19 :])
    findings = _verify(scratch_server, damaged, schema)
    notes = _table(findings, "notes")
    assert notes.verdict == "rows_lost" and notes.dump_fingerprint is None
    assert notes.fingerprint_note is not None and "damaged" in notes.fingerprint_note
