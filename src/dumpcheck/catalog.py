"""The neutral catalog model shared by every source: the dump, the restored database and Prisma.

Every object is a frozen dataclass keyed by ``(schema, name)``, so that compare is plain set
and dict arithmetic with no I/O.

Spelling rules (every producer must follow them, so that equal things compare equal):

* Everything is spelled as PostgreSQL prints it under ``SET search_path = ''`` (which is
  what pg_dump sets, so its output already has this form): user types, sequences and casts
  are schema-qualified.
* Types are spelled as PostgreSQL's ``format_type()`` prints them: ``integer``, ``text``,
  ``timestamp(3) without time zone``, ``character varying(255)``, ``numeric(65,30)``,
  ``text[]``, ``double precision``, and user types schema-qualified with identifiers quoted
  only when needed: ``public."Role"``, ``public.citext``.
* Defaults are spelled as ``pg_get_expr()`` prints them (which is also what pg_dump writes):
  ``nextval('public.products_id_seq'::regclass)``, ``CURRENT_TIMESTAMP``,
  ``'draft'::public."Status"``.
* Identifiers inside tuples of column names are bare names (never quoted).
* Index keys are the per-key text of ``pg_get_indexdef(oid)`` (the non-pretty form, so
  ``lower((title)::text)``), except that a column name is always bare (``createdAt DESC``) and
  an operator class is its bare ``opcname`` (``gin_trgm_ops``), as Prisma spells them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

FkAction = Literal["NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"]
TableKind = Literal["table", "partitioned", "view", "matview", "foreign"]

_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")

# Words quote_ident() quotes even when lower case; the ones a schema or type name
# realistically meets (postgres src/include/parser/kwlist.h, reserved + type-func names).
_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization between bigint binary
    bit boolean both case cast char character check coalesce collate collation column concurrently
    constraint create cross current_catalog current_date current_role current_schema current_time
    current_timestamp current_user dec decimal default deferrable desc distinct do else end except
    exists extract false fetch float for foreign freeze from full grant greatest group grouping
    having ilike in initially inner inout int integer intersect interval into is isnull join
    lateral leading least left like limit localtime localtimestamp national natural nchar none
    normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay
    placing position precision primary real references returning right row select session_user
    setof similar smallint some substring symmetric system_user table tablesample then time
    timestamp to trailing treat trim true union unique user using values varchar variadic verbose
    when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces
    xmlparse xmlpi xmlroot xmlserialize xmltable""".split()  # noqa: SIM905
)


def quote_ident(name: str) -> str:
    """Quote an identifier the way PostgreSQL's quote_ident() does."""
    if _PLAIN_IDENT.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


class QualifiedName(NamedTuple):
    """A (schema, name) key."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"


@dataclass(frozen=True)
class Column:
    """A table column; ``type`` and ``default`` use the canonical spelling."""

    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: Literal["always", "by default"] | None = None
    generated: str | None = None  # expression of GENERATED ALWAYS AS (...) STORED


@dataclass(frozen=True)
class PrimaryKey:
    """A primary key constraint."""

    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class UniqueConstraint:
    """A uniqueness rule: a UNIQUE constraint, or a plain unique index on bare columns.

    Prisma creates ``@unique`` as a UNIQUE INDEX, pg_dump may carry either; ``via_index``
    records which one was seen so that reports can say so, compare treats them alike.
    """

    name: str
    columns: tuple[str, ...]
    via_index: bool = True
    nulls_not_distinct: bool = False
    include: tuple[str, ...] = ()  # INCLUDE (...): stored in the index, not part of the key


@dataclass(frozen=True)
class Index:
    """A non-constraint index (unique indexes with expressions or a predicate land here too)."""

    name: str
    keys: tuple[str, ...]
    unique: bool = False
    method: str = "btree"
    predicate: str | None = None
    include: tuple[str, ...] = ()  # INCLUDE (...): stored in the index, not part of the key


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key constraint."""

    name: str
    columns: tuple[str, ...]
    ref_table: QualifiedName
    ref_columns: tuple[str, ...]
    on_delete: FkAction = "NO ACTION"
    on_update: FkAction = "NO ACTION"


@dataclass(frozen=True)
class CheckConstraint:
    """A CHECK constraint, with its expression as pg_get_constraintdef prints it."""

    name: str
    expression: str


@dataclass(frozen=True)
class ExcludeConstraint:
    """An EXCLUDE constraint, with its definition as pg_get_constraintdef prints it."""

    name: str
    definition: str  # "EXCLUDE USING gist (room WITH =, during WITH &&)"


@dataclass(frozen=True)
class Table:
    """A table (or view) with everything that hangs off it; ``rows`` is None when unknown."""

    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    kind: TableKind = "table"
    rows: int | None = None
    excludes: tuple[ExcludeConstraint, ...] = ()
    unlogged: bool = False
    partition_key: str | None = None  # "RANGE (created_at)" for a partitioned table
    partition_of: QualifiedName | None = None  # the parent of a partition (ATTACH PARTITION)

    @property
    def key(self) -> QualifiedName:
        """The (schema, name) key."""
        return QualifiedName(self.schema, self.name)

    def column(self, name: str) -> Column | None:
        """The column called ``name``, if any."""
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Enum:
    """An enum type with its labels in order."""

    schema: str
    name: str
    values: tuple[str, ...]

    @property
    def key(self) -> QualifiedName:
        """The (schema, name) key."""
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Domain:
    """A domain: a base type with optional NOT NULL, default and CHECKs."""

    schema: str
    name: str
    base_type: str
    nullable: bool = True
    default: str | None = None
    checks: tuple[str, ...] = ()  # each as pg_get_constraintdef prints it: "CHECK ((VALUE > 0))"

    @property
    def key(self) -> QualifiedName:
        """The (schema, name) key."""
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class CompositeType:
    """A composite type (CREATE TYPE ... AS (...)), its attributes in order."""

    schema: str
    name: str
    attributes: tuple[tuple[str, str], ...]  # (name, type)

    @property
    def key(self) -> QualifiedName:
        """The (schema, name) key."""
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Sequence:
    """A sequence, with the column that owns it (OWNED BY) when there is one."""

    schema: str
    name: str
    owned_by: tuple[QualifiedName, str] | None = None
    data_type: str = "bigint"

    @property
    def key(self) -> QualifiedName:
        """The (schema, name) key."""
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Catalog:
    """Every object of one source, keyed by (schema, name)."""

    schemas: frozenset[str] = frozenset()
    tables: Mapping[QualifiedName, Table] = field(default_factory=dict)
    enums: Mapping[QualifiedName, Enum] = field(default_factory=dict)
    sequences: Mapping[QualifiedName, Sequence] = field(default_factory=dict)
    extensions: frozenset[str] = frozenset()
    domains: Mapping[QualifiedName, Domain] = field(default_factory=dict)
    composites: Mapping[QualifiedName, CompositeType] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        tables: Iterable[Table] = (),
        enums: Iterable[Enum] = (),
        sequences: Iterable[Sequence] = (),
        schemas: Iterable[str] = (),
        extensions: Iterable[str] = (),
        domains: Iterable[Domain] = (),
        composites: Iterable[CompositeType] = (),
    ) -> Catalog:
        """Build a catalog from objects, deriving the schema set from them."""
        t = {x.key: x for x in tables}
        e = {x.key: x for x in enums}
        s = {x.key: x for x in sequences}
        d = {x.key: x for x in domains}
        c = {x.key: x for x in composites}
        names = set(schemas) | {k.schema for k in (*t, *e, *s, *d, *c)}
        return cls(frozenset(names), t, e, s, frozenset(extensions), d, c)

    def with_rows(self, rows: Mapping[QualifiedName, int]) -> Catalog:
        """This catalog with the row counts of some tables set."""
        tables = {k: replace(t, rows=rows[k]) if k in rows else t for k, t in self.tables.items()}
        return replace(self, tables=tables)

    def table(self, schema: str, name: str) -> Table | None:
        """The table ``schema.name``, if any."""
        return self.tables.get(QualifiedName(schema, name))

    def find_tables(self, name: str) -> list[Table]:
        """Every table called ``name``, in any schema."""
        return [t for k, t in sorted(self.tables.items()) if k.name == name]
