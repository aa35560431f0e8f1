"""The resolved schema: every name, type, attribute and relation looked up once.

What prisma-engines ``psl/parser-database`` hands its walkers, as frozen dataclasses: the rules
(``expect/rules``) read only this, never the syntax tree. Every value here passed Prisma's
validations (``expect/psl/validate``); database names are the mapped names, not yet cut to
PostgreSQL's 63 bytes (the rules do that, as the schema engine does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dumpcheck.expect.psl.ast import Array, Ident, Num, Pos, Str

Arity = Literal["required", "optional", "list"]
Sort = Literal["Asc", "Desc"]
Action = Literal["Cascade", "Restrict", "NoAction", "SetNull", "SetDefault"]
IndexKind = Literal["id", "unique", "index"]
Literal_ = Str | Num | Ident | Array  # a default value as written


@dataclass(frozen=True)
class Extension:
    """One entry of the datasource's ``extensions = [...]`` (postgresqlExtensions)."""

    name: str  # the database name (``map:``), e.g. uuid-ossp
    schema: str | None = None
    version: str | None = None
    prisma_name: str = ""  # as written in the list (uuid_ossp); "" when it is ``name``


@dataclass(frozen=True)
class Datasource:
    """The one datasource block: provider and the schema-wide settings it carries."""

    name: str  # the block name: native types are written @<name>.VarChar
    provider: str
    schemas: tuple[str, ...] = ()  # multiSchema: every schema the datasource lists
    extensions: tuple[Extension, ...] = ()
    relation_mode_prisma: bool = False
    url_env: str | None = None  # env("X") of a Prisma <= 6 `url`, for ?schema=


@dataclass(frozen=True)
class NativeType:
    """``@db.VarChar(255)``: the native type name and its arguments."""

    name: str
    args: tuple[int, ...] = ()


@dataclass(frozen=True)
class Default:
    """``@default(...)``: a literal, or one of the functions Prisma knows."""

    kind: Literal["value", "now", "autoincrement", "dbgenerated", "client"]
    value: Literal_ | None = None  # kind "value": the literal as written
    expression: str | None = None  # kind "dbgenerated": the SQL text (None: bare dbgenerated())
    pos: Pos | None = None


@dataclass(frozen=True)
class ScalarField:
    """A field that is a column: a scalar, an enum or ``Unsupported(...)``."""

    name: str
    column: str  # @map or the field name
    type: str  # Prisma scalar (String, Int, ...), the enum's Prisma name, or "Unsupported"
    arity: Arity
    pos: Pos
    is_enum: bool = False
    unsupported: str | None = None
    native: NativeType | None = None
    default: Default | None = None
    updated_at: bool = False
    ignored: bool = False


@dataclass(frozen=True)
class IndexField:
    """One field of an index, id or unique, with its per-field arguments."""

    field: str
    column: str
    sort: Sort | None = None
    length: int | None = None
    ops: str | None = None  # the operator class as PostgreSQL names it (raw or snake_case)


@dataclass(frozen=True)
class IndexDef:
    """``@id``/``@@id``, ``@unique``/``@@unique`` or ``@@index``, in declaration order."""

    kind: IndexKind
    fields: tuple[IndexField, ...]
    db_name: str | None  # map:, or (on @@index) the legacy name:
    algorithm: str | None  # type: BTree, Hash, Gist, Gin, SpGist, Brin
    field_level: bool  # written on a field (@id, @unique) rather than on the block
    pos: Pos
    where: str | None = None  # partialIndexes: the predicate, as written


@dataclass(frozen=True)
class RelationField:
    """A field whose type is another model."""

    name: str
    target: str  # the model's Prisma name
    arity: Arity
    pos: Pos
    relation_name: str | None = None
    fields: tuple[str, ...] = ()  # the scalar fields that hold the key (defining side)
    references: tuple[str, ...] = ()
    on_delete: Action | None = None
    on_update: Action | None = None
    fk_name: str | None = None  # map:
    ignored: bool = False


@dataclass(frozen=True)
class Model:
    """A model or view with its fields, keys and indexes."""

    name: str
    db_name: str
    schema: str
    is_view: bool
    pos: Pos
    scalars: tuple[ScalarField, ...]
    relations: tuple[RelationField, ...]
    primary_key: IndexDef | None
    indexes: tuple[IndexDef, ...]  # @unique, @@unique and @@index, in declaration order
    ignored: bool = False

    def scalar(self, name: str) -> ScalarField | None:
        """The scalar field called ``name``."""
        return next((f for f in self.scalars if f.name == name), None)


@dataclass(frozen=True)
class EnumDef:
    """An enum with its database name, schema and each value's database label."""

    name: str
    db_name: str
    schema: str
    values: tuple[tuple[str, str], ...]  # (Prisma name, database label)


@dataclass(frozen=True)
class InlineRelation:
    """A one-to-one or one-to-many relation: a foreign key on the referencing table."""

    model: str  # the model that holds the key
    field: str
    target: str
    fields: tuple[str, ...]
    references: tuple[str, ...]
    on_delete: Action
    on_update: Action
    fk_name: str | None


@dataclass(frozen=True)
class ManyToMany:
    """An implicit many-to-many relation: the join table ``_<name>`` (model A sorts first)."""

    name: str
    model_a: str
    model_b: str
    field_a: str = ""  # model A's relation field (the engine orders join tables by it)


@dataclass(frozen=True)
class ResolvedSchema:
    """A whole schema, resolved and validated: what the rules turn into tables."""

    datasource: Datasource
    default_schema: str
    models: tuple[Model, ...]
    enums: tuple[EnumDef, ...]
    inline_relations: tuple[InlineRelation, ...]
    many_to_many: tuple[ManyToMany, ...]
    files: tuple[str, ...] = ()
    preview_features: frozenset[str] = frozenset()  # lower-cased, as Prisma compares them

    def model(self, name: str) -> Model:
        """The model called ``name`` (it exists: resolution checked every reference)."""
        return next(m for m in self.models if m.name == name)

    def enum(self, name: str) -> EnumDef:
        """The enum called ``name``."""
        return next(e for e in self.enums if e.name == name)
