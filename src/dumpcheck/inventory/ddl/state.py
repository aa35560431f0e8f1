"""What the DDL reader has learnt so far, and how it becomes a :class:`Catalog`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from dumpcheck.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    CompositeType,
    Domain,
    Enum,
    ExcludeConstraint,
    ForeignKey,
    Index,
    PrimaryKey,
    QualifiedName,
    Sequence,
    Table,
    TableKind,
    UniqueConstraint,
)
from dumpcheck.inventory.model import Unparsed


@dataclass
class TableDraft:
    """A table being assembled from CREATE TABLE and the ALTERs and indexes that follow it."""

    key: QualifiedName
    location: str
    created: bool = False
    kind: TableKind = "table"
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    excludes: list[ExcludeConstraint] = field(default_factory=list)
    unlogged: bool = False
    partition_key: str | None = None
    partition_of: QualifiedName | None = None

    def set_column(self, name: str, **changes: object) -> None:
        """Change one column; a column the table does not have is an error."""
        if name not in self.columns:
            raise ValueError(f"{self.key} has no column {name!r}")
        self.columns[name] = dataclasses.replace(self.columns[name], **changes)  # type: ignore[arg-type]

    def build(self, rows: int | None, inherited: frozenset[QualifiedName] = frozenset()) -> Table:
        """The frozen catalog table, without the indexes and checks it ``inherited``."""
        schema = self.key.schema

        def own(name: str) -> bool:
            return QualifiedName(schema, name) not in inherited

        pk = self.primary_key if self.primary_key and own(self.primary_key.name) else None
        return Table(
            self.key.schema,
            self.key.name,
            columns=tuple(self.columns.values()),
            primary_key=pk,
            uniques=tuple(u for u in self.uniques if own(u.name)),
            indexes=tuple(i for i in self.indexes if own(i.name)),
            foreign_keys=tuple(self.foreign_keys),
            checks=tuple(self.checks),
            kind=self.kind,
            rows=rows,
            excludes=tuple(
                sorted(
                    (x for x in self.excludes if own(x.name)),
                    key=lambda x: x.name,
                )
            ),
            unlogged=self.unlogged,
            partition_key=self.partition_key,
            partition_of=self.partition_of,
        )


@dataclass
class DomainDraft:
    """A domain being assembled from CREATE DOMAIN and its separate ALTER DOMAIN checks."""

    key: QualifiedName
    base_type: str
    nullable: bool = True
    default: str | None = None
    checks: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)

    def build(self) -> Domain:
        """The frozen domain; checks in name order, as pg_dump and pg_constraint list them."""
        checks = tuple(text for _, text in sorted(self.checks, key=lambda c: c[0]))
        return Domain(
            self.key.schema, self.key.name, self.base_type, self.nullable, self.default, checks
        )


@dataclass
class DdlState:
    """Everything read from DDL so far, keyed by (schema, name)."""

    tables: dict[QualifiedName, TableDraft] = field(default_factory=dict)
    enums: dict[QualifiedName, Enum] = field(default_factory=dict)
    sequences: dict[QualifiedName, Sequence] = field(default_factory=dict)
    types: set[QualifiedName] = field(default_factory=set)  # range and base types: names only
    domains: dict[QualifiedName, DomainDraft] = field(default_factory=dict)
    composites: dict[QualifiedName, CompositeType] = field(default_factory=dict)
    # Indexes named by ALTER INDEX ... ATTACH PARTITION: a partition's copy of its parent's.
    attached_indexes: set[QualifiedName] = field(default_factory=set)
    schemas: set[str] = field(default_factory=set)
    extensions: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    unparsed: list[Unparsed] = field(default_factory=list)
    # (referenced table, evidence): FKs and OWNED BY that name tables; checked at the end.
    references: list[tuple[QualifiedName, str]] = field(default_factory=list)
    # Also parse every statement the fast readers handle with sqlglot and require agreement
    # (slower; the tests turn it on, production reads pg_dump's regular output the fast way).
    cross_check: bool = False

    def draft(self, key: QualifiedName, location: str, *, created: bool = False) -> TableDraft:
        """The draft for ``key``, made on first sight (``created`` marks its CREATE)."""
        draft = self.tables.get(key)
        if draft is None:
            draft = self.tables[key] = TableDraft(key, location)
        if created:
            draft.created = True
            draft.location = location
        return draft

    def existing(self, key: QualifiedName) -> TableDraft:
        """The draft of a table the dump created; ALTERs on unknown tables are errors."""
        draft = self.tables.get(key)
        if draft is None or not draft.created:
            raise ValueError(f"refers to table {key} that the dump does not create")
        return draft

    def catalog(self, rows: dict[QualifiedName, int] | None = None) -> Catalog:
        """The catalog of every created table (partitions inherit their parent's columns)."""
        rows = rows or {}
        tables: list[Table] = []
        attached = frozenset(self.attached_indexes)
        for key, draft in self.tables.items():
            if not draft.created:
                continue
            parent = self.tables.get(draft.partition_of) if draft.partition_of else None
            if parent is not None and not draft.columns:
                draft.columns = dict(parent.columns)
            table = draft.build(rows.get(key), attached)
            if parent is not None:
                table = _without_inherited_checks(table, parent)
                table = _with_identity(table, self._identity(parent))
            tables.append(table)
        return Catalog.build(
            tables=tables,
            enums=self.enums.values(),
            sequences=self.sequences.values(),
            schemas=self.schemas,
            extensions=self.extensions,
            domains=(d.build() for d in self.domains.values()),
            composites=self.composites.values(),
        )

    def _identity(self, draft: TableDraft) -> dict[str, str]:
        """Identity kinds of ``draft``'s columns, including those it has from its parents."""
        own: dict[str, str] = {
            n: c.identity for n, c in draft.columns.items() if c.identity is not None
        }
        parent = self.tables.get(draft.partition_of) if draft.partition_of else None
        return own if parent is None else {**self._identity(parent), **own}

    def missing_references(self) -> tuple[tuple[QualifiedName, str], ...]:
        """References to tables the dump never creates: traces of ``--exclude-table``."""
        created = {k for k, d in self.tables.items() if d.created}
        seen: set[tuple[QualifiedName, str]] = set()
        out: list[tuple[QualifiedName, str]] = []
        for key, evidence in self.references:
            if key not in created and (key, evidence) not in seen:
                seen.add((key, evidence))
                out.append((key, evidence))
        return tuple(out)


def _without_inherited_checks(table: Table, parent: TableDraft) -> Table:
    """A partition's CHECKs that merge with its parent's are the parent's.

    pg_dump repeats the parent's CHECKs in each partition's CREATE TABLE; ATTACH PARTITION
    merges them by name and marks them conislocal = false (tablecmds.c
    MergeConstraintsIntoExisting), so the restored catalog has them on the parent only.
    """
    names = {c.name for c in parent.checks}
    if not any(c.name in names for c in table.checks):
        return table
    return dataclasses.replace(table, checks=tuple(c for c in table.checks if c.name not in names))


def _with_identity(table: Table, identity: dict[str, str]) -> Table:
    """A partition's columns are identity columns where its parent's are (PostgreSQL 17+).

    pg_dump declares the identity on the partitioned table only; ATTACH PARTITION gives the
    partition's column the same attidentity (tablecmds.c, identity columns on partitioned
    tables, PostgreSQL 17; earlier majors reject identity on partitioned tables).
    """
    if not identity or not any(c.name in identity for c in table.columns):
        return table
    columns = tuple(
        dataclasses.replace(c, identity=identity[c.name])  # type: ignore[arg-type]
        if c.name in identity and c.identity is None
        else c
        for c in table.columns
    )
    return dataclasses.replace(table, columns=columns)
