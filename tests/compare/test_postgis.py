"""PostGIS's own tables, which Prisma's differ leaves out (checked against the engine: it
neither creates, alters nor drops spatial_ref_sys, geometry_columns, ... in any case)."""

from __future__ import annotations

import pytest

from dumpcheck.catalog import Catalog, Column, Table
from dumpcheck.compare import compare
from dumpcheck.errors import BadInputError
from dumpcheck.expect import render_sql
from dumpcheck.expect.model import differ_ignores
from dumpcheck.inventory.model import DumpFacts, DumpInventory
from dumpcheck.restore.model import RestoreResult
from tests.expect.helpers import expectation_of

# What `prisma db pull` writes for PostGIS's table, beside an application's model.
SCHEMA = """
model Place {
  id Int @id
}

model spatial_ref_sys {
  srid      Int     @id
  auth_name String? @db.VarChar(256)
  auth_srid Int?
  srtext    String? @db.VarChar(2048)
  proj4text String? @db.VarChar(2048)
}
"""
ID = (Column("id", "integer", nullable=False),)
# As PostGIS creates it (no primary key name Prisma would choose, another column set).
POSTGIS = Table("public", "spatial_ref_sys", columns=(Column("srid", "integer", nullable=False),))


def _verdicts(
    extensions: tuple[str, ...], restored: list[Table] | None
) -> dict[str, tuple[str, tuple[str, ...]]]:
    exp = expectation_of(SCHEMA)
    place = exp.catalog.tables[next(k for k in exp.catalog.tables if k.name == "Place")]
    dumped = Catalog.build([place], extensions=extensions)
    inv = DumpInventory(facts=DumpFacts(path="x", format="plain"), catalog=dumped)
    res = None
    if restored is not None:
        res = RestoreResult(database="d", catalog=Catalog.build([place, *restored]))
    found = compare(exp, inv, res).tables
    return {t.name: (t.verdict, t.evidence) for t in found}


def test_prisma_leaves_these_tables_out_whatever_their_case() -> None:
    assert differ_ignores("spatial_ref_sys") and differ_ignores("Geometry_Columns")
    assert differ_ignores("raster_overviews") and not differ_ignores("topology")
    assert "spatial_ref_sys" not in render_sql(expectation_of(SCHEMA))
    with pytest.raises(BadInputError, match="a PostGIS table"):
        render_sql(expectation_of(SCHEMA), "spatial_ref_sys")


def test_the_extension_made_it_in_the_restore_and_its_columns_are_not_compared() -> None:
    verdict, evidence = _verdicts(("postgis",), [POSTGIS])["spatial_ref_sys"]
    assert verdict == "ok"
    assert "CREATE EXTENSION postgis" in evidence[0]


def test_an_extension_that_failed_in_the_restore_is_said() -> None:
    verdict, evidence = _verdicts(("postgis",), [])["spatial_ref_sys"]
    assert verdict == "failed_restore"
    assert "did not create it" in evidence[0]


def test_a_dump_without_postgis_never_had_it() -> None:
    verdict, evidence = _verdicts((), [])["spatial_ref_sys"]
    assert verdict == "never_in_dump"
    assert "does not create the postgis extension" in evidence[0]


def test_inventory_alone_takes_the_extension_s_word() -> None:
    assert _verdicts(("postgis",), None)["spatial_ref_sys"][0] == "ok"


def test_one_without_a_model_is_nothing_prisma_would_drop() -> None:
    exp = expectation_of("model Place {\n  id Int @id\n}\n")
    extra = Table("public", "geometry_columns", columns=ID, kind="view")
    other = Table("public", "Spatial_Ref_Sys", columns=ID)
    dumped = Catalog.build([*exp.catalog.tables.values(), extra, other])
    inv = DumpInventory(facts=DumpFacts(path="x", format="plain"), catalog=dumped)
    found = {t.name: t for t in compare(exp, inv, None).tables}
    assert found["Spatial_Ref_Sys"].verdict == "unexpected"
    assert "a PostGIS table" in found["Spatial_Ref_Sys"].evidence[0]
