"""The neutral catalog model: keys, quoting, lookups."""

from __future__ import annotations

import dataclasses

import pytest

from dumpcheck.catalog import (
    Catalog,
    Column,
    Enum,
    QualifiedName,
    Sequence,
    Table,
    quote_ident,
)


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("products", "products"),
        ("Role", '"Role"'),
        ("user", '"user"'),  # reserved word: quote_ident() quotes it
        ("a;b", '"a;b"'),
        ('say "hi"', '"say ""hi"""'),
        ("_prisma_migrations", "_prisma_migrations"),
        ("9lives", '"9lives"'),
    ],
)
def test_quote_ident_matches_postgres(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_qualified_name_is_a_key_and_prints_like_format_type() -> None:
    key = QualifiedName("public", "Role")
    assert str(key) == 'public."Role"'
    assert {key: 1}[QualifiedName("public", "Role")] == 1
    assert key.schema == "public" and key.name == "Role"


def test_objects_are_frozen() -> None:
    column = Column("id", "integer", nullable=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        column.name = "other"  # type: ignore[misc]


def test_build_keys_every_object_and_derives_schemas() -> None:
    products = Table("public", "products", columns=(Column("id", "text", False),))
    audit = Table("audit", "log")
    role = Enum("public", "Role", ("USER", "ADMIN"))
    seq = Sequence("public", "products_id_seq", (products.key, "id"))
    catalog = Catalog.build([products, audit], [role], [seq], extensions=["citext"])
    assert catalog.schemas == frozenset({"public", "audit"})
    assert catalog.table("public", "products") is products
    assert catalog.table("public", "missing") is None
    assert catalog.enums[QualifiedName("public", "Role")].values == ("USER", "ADMIN")
    assert catalog.sequences[seq.key].owned_by == (products.key, "id")
    assert catalog.extensions == frozenset({"citext"})
    assert products.column("id") == Column("id", "text", False)
    assert products.column("nope") is None


def test_find_tables_searches_every_schema_in_order() -> None:
    catalog = Catalog.build([Table("b", "t"), Table("a", "t"), Table("a", "u")])
    assert [t.schema for t in catalog.find_tables("t")] == ["a", "b"]
