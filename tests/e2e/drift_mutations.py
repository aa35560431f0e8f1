"""Random changes to a database Prisma built, drawn from its own catalog (test_drift_fuzz.py).

Each change is one a hand-written migration or a DBA makes: a column's type, default or
nullability; a column or table renamed; identity in place of serial; a CHECK; an index renamed,
dropped, added, remade DESC, as hash or partial, or a unique index remade as a constraint; a
partial index's predicate respelled or changed; a second unique index on the same columns; a
foreign key renamed, re-created with other actions or dropped; a primary key renamed; an enum
value added, renamed or put first; an enum renamed, a table moved to another schema; an extra
column or table, a dropped column; changes Prisma never sees (a comment, a column's statistics
target, a table's fillfactor); and finer points (_finer_changes): sizes, collations, other
defaults, deferrable keys, index options and column order, objects beside a table.
"""

from __future__ import annotations

import random

from dumpcheck.catalog import Catalog, Table


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_changes(table: Table, rng: random.Random) -> list[str]:
    if not table.columns:
        return []
    column = rng.choice(table.columns)
    at = f"ALTER TABLE {_q(table.schema)}.{_q(table.name)} ALTER COLUMN {_q(column.name)}"
    kind = column.type
    out = [f"CREATE INDEX fuzz_idx ON {_q(table.schema)}.{_q(table.name)} ({_q(column.name)})"]
    widen = {"integer": "bigint", "text": "varchar(500)", "jsonb": "json"}
    if kind in widen:
        out.append(f"{at} TYPE {widen[kind]}")
    if kind.startswith("character varying("):
        out.append(f"{at} TYPE text")
    if kind.startswith("timestamp(3)"):
        out.append(f"{at} TYPE timestamp(6) without time zone")
    if column.default is not None:
        out += [f"{at} DROP DEFAULT", f"{at} SET DEFAULT ({column.default})"]
    elif kind in ("integer", "bigint", "smallint", "double precision", "numeric"):
        out.append(f"{at} SET DEFAULT 7")
    elif kind == "text" or kind.startswith("character varying"):
        out.append(f"{at} SET DEFAULT 'z'")
    key = table.primary_key.columns if table.primary_key else ()
    if column.nullable and not kind.endswith("[]"):
        out.append(f"{at} SET NOT NULL")
    elif not column.nullable and column.name not in key:
        out.append(f"{at} DROP NOT NULL")
    return out


def _key_changes(table: Table, rng: random.Random) -> list[str]:
    name = f"{_q(table.schema)}.{_q(table.name)}"
    out = []
    names = [i.name for i in table.indexes] + [u.name for u in table.uniques]
    for index_name in names:
        out.append(f"ALTER INDEX {_q(table.schema)}.{_q(index_name)} RENAME TO fuzz_renamed")
        out.append(f"DROP INDEX {_q(table.schema)}.{_q(index_name)}")
    for fk in table.foreign_keys:
        target = f"{_q(fk.ref_table.schema)}.{_q(fk.ref_table.name)}"
        columns = ", ".join(_q(c) for c in fk.columns)
        refs = ", ".join(_q(c) for c in fk.ref_columns)
        on_delete = rng.choice(("CASCADE", "RESTRICT", "NO ACTION", "SET NULL"))
        on_update = rng.choice(("CASCADE", "NO ACTION", "RESTRICT"))
        out.append(f"ALTER TABLE {name} RENAME CONSTRAINT {_q(fk.name)} TO fuzz_fk")
        out.append(f"ALTER TABLE {name} DROP CONSTRAINT {_q(fk.name)}")
        out.append(
            f"ALTER TABLE {name} DROP CONSTRAINT {_q(fk.name)}; ALTER TABLE {name} ADD CONSTRAINT "
            f"{_q(fk.name)} FOREIGN KEY ({columns}) REFERENCES {target} ({refs}) "
            f"ON DELETE {on_delete} ON UPDATE {on_update}"
        )
    if table.primary_key is not None:
        out.append(f"ALTER TABLE {name} RENAME CONSTRAINT {_q(table.primary_key.name)} TO fuzz_pk")
    return out


def random_change(catalog: Catalog, rng: random.Random) -> str:
    """One change to the database whose catalog this is, as SQL."""
    tables = [t for t in catalog.tables.values() if t.kind == "table"]
    tables = [t for t in tables if t.name != "_prisma_migrations"]
    if not tables:
        return "SELECT 1"
    table = rng.choice(tables)
    changes = _column_changes(table, rng) + _key_changes(table, rng)
    changes += _shape_changes(table, rng) + _finer_changes(table, rng)
    for enum in catalog.enums.values():
        name = f"{_q(enum.schema)}.{_q(enum.name)}"
        changes.append(f"ALTER TYPE {name} ADD VALUE 'FUZZ'")
        changes.append(f"ALTER TYPE {name} RENAME VALUE '{enum.values[0]}' TO 'FUZZ_RENAMED'")
        changes.append(f"ALTER TYPE {name} ADD VALUE 'FUZZ' BEFORE '{enum.values[0]}'")
        changes.append(f"ALTER TYPE {name} RENAME TO fuzz_enum")
    for schema in sorted(catalog.schemas - {table.schema}):
        changes.append(f"ALTER TABLE {_q(table.schema)}.{_q(table.name)} SET SCHEMA {_q(schema)}")
    changes.append(f"CREATE TABLE {_q(table.schema)}.fuzz_table (id int)")
    return rng.choice(changes)


def _shape_changes(table: Table, rng: random.Random) -> list[str]:
    """Renames, an extra column or CHECK, identity for serial, and indexes remade otherwise."""
    name = f"{_q(table.schema)}.{_q(table.name)}"
    out = [f"ALTER TABLE {name} ADD COLUMN fuzz_extra int", f"ALTER TABLE {name} RENAME TO fuzz_t"]
    if table.columns:
        column = rng.choice(table.columns)
        col = _q(column.name)
        out.append(f"ALTER TABLE {name} RENAME COLUMN {col} TO fuzz_col")
        out.append(
            f"ALTER TABLE {name} ADD CONSTRAINT fuzz_check CHECK ({col} IS NOT NULL) NOT VALID"
        )
        if column.default is not None and column.default.startswith("nextval("):
            out.append(
                f"ALTER TABLE {name} ALTER COLUMN {col} DROP DEFAULT; "
                f"ALTER TABLE {name} ALTER COLUMN {col} ADD GENERATED BY DEFAULT AS IDENTITY"
            )
    for unique in table.uniques:
        if unique.via_index:
            drop = f"DROP INDEX {_q(table.schema)}.{_q(unique.name)}"
            cols = ", ".join(_q(c) for c in unique.columns)
            out.append(
                f"{drop}; ALTER TABLE {name} ADD CONSTRAINT {_q(unique.name)} UNIQUE ({cols})"
            )
            out.append(
                f"{drop}; CREATE UNIQUE INDEX {_q(unique.name)} ON {name} ({cols}) "
                f"WHERE {_q(unique.columns[0])} IS NOT NULL"
            )
    if table.columns:
        picked = _q(rng.choice(table.columns).name)
        out.append(f"COMMENT ON TABLE {name} IS 'fuzz'")
        out.append(f"ALTER TABLE {name} ALTER COLUMN {picked} SET STATISTICS 500")
        out.append(f"ALTER TABLE {name} SET (fillfactor = 70)")
        out.append(f"ALTER TABLE {name} DROP COLUMN {picked} CASCADE")
    for rule in table.uniques:
        twin = ", ".join(_q(c) for c in rule.columns)
        out.append(f"CREATE UNIQUE INDEX fuzz_twin ON {name} ({twin})")
    for index in table.indexes:
        if index.predicate and all(" " not in k for k in index.keys):
            # The same predicate in other parentheses, and its negation.
            drop = f"DROP INDEX {_q(table.schema)}.{_q(index.name)}"
            kind = "UNIQUE " if index.unique else ""
            keys = ", ".join(_q(k) for k in index.keys)
            head = f"{drop}; CREATE {kind}INDEX {_q(index.name)} ON {name} USING {index.method}"
            out.append(f"{head} ({keys}) WHERE ((({index.predicate})))")
            out.append(f"{head} ({keys}) WHERE NOT ({index.predicate})")
        if index.method == "btree" and not index.unique and all(" " not in k for k in index.keys):
            drop = f"DROP INDEX {_q(table.schema)}.{_q(index.name)}"
            desc = ", ".join(f"{_q(k)} DESC" for k in index.keys)
            out.append(f"{drop}; CREATE INDEX {_q(index.name)} ON {name} ({desc})")
            first = _q(index.keys[0])
            out.append(f"{drop}; CREATE INDEX {_q(index.name)} ON {name} USING hash ({first})")
    return out


def _finer_changes(table: Table, rng: random.Random) -> list[str]:
    """Finer points: a type's size or time zone, a collation, an array type, identity always,
    another default, deferrable or NOT VALID foreign keys, NULLS NOT DISTINCT, INCLUDE, an
    operator class, index columns reordered, a unique index made plain, an expression index, a
    dropped primary key, and objects beside the table (a trigger, a row security policy, a
    view, a sequence, unlogged)."""
    name = f"{_q(table.schema)}.{_q(table.name)}"
    out = [
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY; "
        f"CREATE POLICY fuzz_policy ON {name} USING (true)",
        "CREATE FUNCTION fuzz_fn() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN RETURN NEW; END$$; "
        f"CREATE TRIGGER fuzz_trg BEFORE INSERT ON {name} FOR EACH ROW EXECUTE FUNCTION fuzz_fn()",
        f"CREATE VIEW {_q(table.schema)}.fuzz_view AS SELECT 1 AS x",
        f"CREATE SEQUENCE {_q(table.schema)}.fuzz_seq",
        f"ALTER TABLE {name} SET UNLOGGED",
    ]
    if table.columns:
        column = rng.choice(table.columns)
        at = f"ALTER TABLE {name} ALTER COLUMN {_q(column.name)}"
        kind = column.type
        out.append(f"CREATE INDEX fuzz_expr ON {name} (({_q(column.name)} IS NULL))")
        out.append(f"COMMENT ON COLUMN {name}.{_q(column.name)} IS 'fuzz'")
        if kind.startswith("character varying(") and kind.endswith(")"):
            out.append(f"{at} TYPE varchar({int(kind[18:-1]) + 64})")
        if kind.startswith("numeric(") and "," in kind:
            precision, scale = kind[8:-1].split(",")
            out.append(f"{at} TYPE numeric({int(precision) + 2},{scale})")
        if kind == "integer" and column.default is None:
            out.append(f"{at} TYPE smallint")
        if kind.startswith("timestamp(") and kind.endswith("without time zone"):
            out.append(f"{at} TYPE {kind.replace('without', 'with')}")
        if kind == "text" or kind.startswith("character varying"):
            out.append(f'{at} TYPE {kind} COLLATE "C"')
            out.append(f"{at} TYPE {kind}[] USING ARRAY[{_q(column.name)}]")
        if column.identity == "by default":
            out.append(f"{at} SET GENERATED ALWAYS")
        if column.default is not None and column.default[:1] in "'-0123456789":
            # Another value of the same type: the literal's text doubled ('a' -> 'aa', 7 -> 77).
            value = column.default.split("::")[0]
            other = f"'{value.strip(chr(39)) * 2}'" if value.startswith("'") else value * 2
            out.append(f"{at} SET DEFAULT {other}")
    for fk in table.foreign_keys:
        target = f"{_q(fk.ref_table.schema)}.{_q(fk.ref_table.name)}"
        columns = ", ".join(_q(c) for c in fk.columns)
        refs = ", ".join(_q(c) for c in fk.ref_columns)
        same = (
            f"ALTER TABLE {name} DROP CONSTRAINT {_q(fk.name)}; ALTER TABLE {name} ADD CONSTRAINT "
            f"{_q(fk.name)} FOREIGN KEY ({columns}) REFERENCES {target} ({refs}) "
            f"ON DELETE {fk.on_delete} ON UPDATE {fk.on_update}"
        )
        out += [f"{same} DEFERRABLE INITIALLY DEFERRED", f"{same} NOT VALID"]
    for unique in table.uniques:
        if unique.via_index:
            cols = ", ".join(_q(c) for c in unique.columns)
            out.append(
                f"DROP INDEX {_q(table.schema)}.{_q(unique.name)}; CREATE UNIQUE INDEX "
                f"{_q(unique.name)} ON {name} ({cols}) NULLS NOT DISTINCT"
            )
    others = [c.name for c in table.columns]
    for index in table.indexes:
        if index.predicate or not all(" " not in k for k in index.keys):
            continue
        drop = f"DROP INDEX {_q(table.schema)}.{_q(index.name)}"
        kind = "UNIQUE " if index.unique else ""
        keys = ", ".join(_q(k) for k in index.keys)
        head = f"{drop}; CREATE {kind}INDEX {_q(index.name)} ON {name} USING {index.method}"
        extra = [c for c in others if c not in index.keys]
        if extra and index.method == "btree":
            out.append(f"{head} ({keys}) INCLUDE ({_q(rng.choice(extra))})")
        if index.method == "btree" and len(index.keys) == 1:
            column_type = next((c.type for c in table.columns if c.name == index.keys[0]), "")
            if column_type == "text":
                out.append(f"{head} ({keys} text_pattern_ops)")
        if len(index.keys) > 1:
            flipped = ", ".join(_q(k) for k in reversed(index.keys))
            out.append(f"{head} ({flipped})")
        if index.unique:
            out.append(f"{drop}; CREATE INDEX {_q(index.name)} ON {name} ({keys})")
    if table.primary_key is not None:
        pk = _q(table.primary_key.name)
        out.append(f"ALTER TABLE {name} DROP CONSTRAINT {pk} CASCADE")
    return out
