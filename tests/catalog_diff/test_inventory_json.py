"""The inventory JSON carries every catalog object the dump holds, and matches its schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from dumpcheck.inventory import inventory
from dumpcheck.inventory.render import to_json_data
from dumpcheck.scratch.model import ScratchServer
from tests.restore.dumps import pg_dump, source_db

SQL = """
CREATE DOMAIN positive_int AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0);
CREATE TYPE money_pair AS (amount numeric(12,2), currency text);
CREATE UNLOGGED TABLE scratch_log (id integer, note text);
CREATE TABLE bookings (room integer, during tsrange, EXCLUDE USING gist (during WITH &&));
CREATE TABLE events (id integer, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE prices (id positive_int, price money_pair);
"""


def test_inventory_json_has_the_new_objects_and_validates(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    with source_db(scratch_server, SQL) as src:
        dump = pg_dump(scratch_server, src, tmp_path / "objects.dump", "custom")
    data = to_json_data(inventory(dump))
    schema = json.loads(
        resources.files("dumpcheck.inventory").joinpath("inventory.schema.json").read_text()
    )
    jsonschema.validate(data, schema)
    assert [d["name"] for d in data["domains"]] == ["positive_int"]
    assert data["domains"][0]["checks"] == ["CHECK ((VALUE > 0))"]
    assert data["composite_types"][0]["attributes"] == [
        {"name": "amount", "type": "numeric(12,2)"},
        {"name": "currency", "type": "text"},
    ]
    tables = {t["name"]: t for t in data["tables"]}
    assert tables["scratch_log"]["unlogged"] is True
    assert "unlogged" in tables["scratch_log"]["flags"]
    assert tables["bookings"]["excludes"][0]["definition"].startswith("EXCLUDE USING gist")
    assert tables["events"]["partition_key"] == "RANGE (at)"
    assert tables["events_2025"]["partition_of"] == {"schema": "public", "name": "events"}
