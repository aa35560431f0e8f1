"""Quick verify's verdicts: a table loaded in part (sampled) is judged on the rows it loaded,
min(dump rows, N); a failed sample load is failed_restore; tables loaded whole as in a full
verify."""

from __future__ import annotations

from dataclasses import replace

from dumpcheck.catalog import Catalog, Column, PrimaryKey, QualifiedName, Table
from dumpcheck.compare import compare
from dumpcheck.compare.findings import Findings, TableFinding
from dumpcheck.expect.model import Expectation
from dumpcheck.inventory.model import DumpFacts, DumpInventory
from dumpcheck.restore.model import RestoreError, RestoreResult

EVENTS = Table(
    "public",
    "events",
    columns=(Column("id", "integer", nullable=False),),
    primary_key=PrimaryKey("events_pkey", ("id",)),
    rows=5000,
)
TAGS = replace(EVENTS, name="tags", primary_key=PrimaryKey("tags_pkey", ("id",)), rows=7)
KEY = QualifiedName("public", "events")


def _quick(
    restored: list[Table],
    *,
    sample: int | None = 100,
    sampled: frozenset[QualifiedName] = frozenset({KEY}),
    errors: tuple[RestoreError, ...] = (),
) -> Findings:
    dumped = [EVENTS, TAGS]
    exp = Expectation(catalog=Catalog.build(dumped), models={t.key: t.name for t in dumped})
    inv = DumpInventory(
        facts=DumpFacts(path="x.dump", format="custom"), catalog=Catalog.build(dumped)
    )
    res = RestoreResult(
        database="db",
        catalog=Catalog.build(restored),
        errors=errors,
        sample=sample,
        sampled=sampled if sample is not None else frozenset(),
    )
    return compare(exp, inv, res)


def _table(findings: Findings, name: str) -> TableFinding:
    return next(t for t in findings.tables if t.name == name)


def test_a_sampled_table_with_its_sample_is_ok_and_says_so() -> None:
    findings = _quick([replace(EVENTS, rows=100), TAGS])
    events = _table(findings, "events")
    assert (events.verdict, events.sampled, events.restored_rows) == ("ok", True, 100)
    assert any(line.startswith("Sampled (--quick)") for line in events.evidence)
    assert findings.sample == 100
    assert findings.exit_code() == 0
    tags = _table(findings, "tags")  # 7 rows, loaded whole
    assert (tags.verdict, tags.sampled, tags.evidence) == ("ok", False, ())


def test_fewer_rows_than_the_sample_is_still_a_loss() -> None:
    events = _table(_quick([replace(EVENTS, rows=60), TAGS]), "events")
    assert events.verdict == "rows_lost"
    assert "has 60 of the first 100 it loaded" in events.evidence[0]


def test_a_table_loaded_whole_is_judged_as_in_a_full_verify() -> None:
    tags = _table(_quick([replace(EVENTS, rows=100), replace(TAGS, rows=6)]), "tags")
    assert (tags.verdict, tags.sampled) == ("rows_lost", False)


def test_a_failed_sample_load_is_failed_restore_with_its_error() -> None:
    error = RestoreError(
        id=1,
        severity="fatal",
        message='invalid input syntax for type integer: "x"',
        sqlstate="22P02",
        statement="COPY public.events (id) FROM stdin;",
        location="TOC 42",
        object_type="TABLE DATA",
        object_name="public.events",
        table=KEY,
    )
    events = _table(_quick([replace(EVENTS, rows=0), TAGS], errors=(error,)), "events")
    assert (events.verdict, events.sampled) == ("failed_restore", True)
    assert events.errors[0].message == error.message
    assert any("failed to load; a full restore fails" in line for line in events.evidence)
    # The same failure in a full verify: the COPY lost every row.
    full = _table(_quick([replace(EVENTS, rows=0), TAGS], sample=None, errors=(error,)), "events")
    assert (full.verdict, full.sampled) == ("rows_lost", False)


def test_a_full_verify_marks_nothing_sampled() -> None:
    findings = _quick([EVENTS, TAGS], sample=None)
    assert findings.sample is None
    assert [t.sampled for t in findings.tables] == [False, False]
