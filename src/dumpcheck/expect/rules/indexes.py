"""Primary keys, unique indexes and indexes, as the catalog reads them back.

sql_schema_calculator.rs (push_model_indexes): ``@id``/``@@id`` become the PRIMARY KEY inside
CREATE TABLE, ``@unique``/``@@unique`` a CREATE UNIQUE INDEX, ``@@index`` a CREATE INDEX.
A unique index on bare columns reads back as a uniqueness rule; with DESC, an operator class
or a predicate it is an index (restore/catalog_reader.py draws the same line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dumpcheck.catalog import Index, PrimaryKey, UniqueConstraint
from dumpcheck.expect.psl import index_db_name
from dumpcheck.expect.psl.opclasses import OPCLASSES, RAW_PREFIX, pg_opclass
from dumpcheck.expect.psl.schema import IndexDef, Model
from dumpcheck.expect.rules.names import pg_ident

METHODS = {"BTree": "btree", "Hash": "hash", "Gist": "gist", "Gin": "gin", "SpGist": "spgist"}
METHODS["Brin"] = "brin"


@dataclass(frozen=True)
class ModelKeys:
    """A table's keys and indexes, with Prisma's order and DDL spelling for render_sql."""

    primary_key: PrimaryKey | None
    uniques: tuple[UniqueConstraint, ...]
    indexes: tuple[Index, ...]
    # Prisma's migration order: field @unique, then @@index, then @@unique, each as declared
    # (the schema engine's diff output).
    order: tuple[str, ...]
    ddl: dict[str, tuple[str, ...]]  # index -> each key as Prisma writes it ("a" DESC)
    predicates: dict[str, str]  # index -> WHERE as Prisma writes it


def model_keys(model: Model) -> ModelKeys:
    """The primary key, unique rules and indexes of one model's table."""
    primary = None
    if model.primary_key is not None:
        primary = PrimaryKey(
            pg_ident(index_db_name(model, model.primary_key)),
            tuple(pg_ident(f.column) for f in model.primary_key.fields),
        )
    uniques: list[UniqueConstraint] = []
    indexes: list[Index] = []
    ddl: dict[str, tuple[str, ...]] = {}
    predicates: dict[str, str] = {}
    field_level: list[str] = []
    block_index: list[str] = []
    block_unique: list[str] = []
    for index in model.indexes:
        name = pg_ident(index_db_name(model, index))
        method = METHODS[index.algorithm or "BTree"]
        keys = tuple(_key(f.column, f.sort, f.ops, method) for f in index.fields)
        ddl[name] = tuple(_ddl_key(f.column, f.sort, f.ops) for f in index.fields)
        predicate = _catalog_predicate(index)
        if index.where is not None:
            predicates[name] = index.where
        if index.kind == "unique" and predicate is None and all(" " not in k for k in keys):
            uniques.append(UniqueConstraint(name, keys, via_index=True))
        else:
            indexes.append(Index(name, keys, index.kind == "unique", method, predicate))
        if index.field_level:
            field_level.append(name)
        elif index.kind == "index":
            block_index.append(name)
        else:
            block_unique.append(name)
    return ModelKeys(
        primary,
        tuple(sorted(uniques, key=lambda u: u.name)),
        tuple(sorted(indexes, key=lambda i: i.name)),
        (*field_level, *block_index, *block_unique),
        ddl,
        predicates,
    )


def _key(column: str, sort: str | None, ops: str | None, method: str) -> str:
    # pg_get_indexdef's spelling: a bare column, a non-default operator class, then DESC.
    text = pg_ident(column)
    opclass = pg_opclass(ops, method)
    if opclass is not None:
        text += f" {opclass}"
    if sort == "Desc":
        text += " DESC"
    return text


def _ddl_key(column: str, sort: str | None, ops: str | None) -> str:
    # postgres_renderer.rs render_index_column: "col" [opclass] [ASC|DESC]; an opclass from
    # raw() verbatim, a named one in snake case.
    text = '"' + column.replace('"', '""') + '"'
    if ops is not None:
        text += " " + (ops[len(RAW_PREFIX) :] if ops.startswith(RAW_PREFIX) else OPCLASSES[ops][0])
    if sort is not None:
        text += f" {sort.upper()}"
    return text


def _catalog_predicate(index: IndexDef) -> str | None:
    # pg_get_expr prints identifiers bare when they need no quotes; the outer parentheses stay.
    if index.where is None:
        return None
    return re.sub(r'"([a-z_][a-z0-9_$]*)"', r"\1", index.where)
