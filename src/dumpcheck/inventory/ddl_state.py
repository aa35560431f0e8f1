"""What the DDL reader has learnt so far, and how it becomes a :class:`Catalog`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from dumpcheck.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    Enum,
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
    partition_of: QualifiedName | None = None

    def set_column(self, name: str, **changes: object) -> None:
        """Change one column; a column the table does not have is an error."""
        if name not in self.columns:
            raise ValueError(f"{self.key} has no column {name!r}")
        self.columns[name] = dataclasses.replace(self.columns[name], **changes)  # type: ignore[arg-type]

    def build(self, rows: int | None) -> Table:
        """The frozen catalog table."""
        return Table(
            self.key.schema,
            self.key.name,
            columns=tuple(self.columns.values()),
            primary_key=self.primary_key,
            uniques=tuple(self.uniques),
            indexes=tuple(self.indexes),
            foreign_keys=tuple(self.foreign_keys),
            checks=tuple(self.checks),
            kind=self.kind,
            rows=rows,
        )


@dataclass
class DdlState:
    """Everything read from DDL so far, keyed by (schema, name)."""

    tables: dict[QualifiedName, TableDraft] = field(default_factory=dict)
    enums: dict[QualifiedName, Enum] = field(default_factory=dict)
    sequences: dict[QualifiedName, Sequence] = field(default_factory=dict)
    types: set[QualifiedName] = field(default_factory=set)  # composite/range/base/domain types
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
        for key, draft in self.tables.items():
            if not draft.created:
                continue
            parent = self.tables.get(draft.partition_of) if draft.partition_of else None
            if parent is not None and not draft.columns:
                draft.columns = dict(parent.columns)
            tables.append(draft.build(rows.get(key)))
        return Catalog.build(
            tables=tables,
            enums=self.enums.values(),
            sequences=self.sequences.values(),
            schemas=self.schemas,
            extensions=self.extensions,
        )

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
