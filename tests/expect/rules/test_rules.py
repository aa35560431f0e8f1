"""Prisma's rules, one at a time, without a database (the engine tests check them for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BadInputError
from dumpcheck.expect import expect, legacy_join_table
from dumpcheck.expect.psl.constraint_names import (
    clip_bytes,
    foreign_key_name,
    index_name,
    primary_key_name,
    unique_index_name,
)
from dumpcheck.expect.rules.literals import jsonb_output
from dumpcheck.expect.rules.names import serial_sequence_name
from tests.expect.helpers import DATASOURCE, expectation_of


def test_constraint_names_are_cut_to_fit_their_suffix_on_a_character_boundary() -> None:
    assert primary_key_name("products") == "products_pkey"
    assert unique_index_name("t", ["a", "b"]) == "t_a_b_key"
    assert index_name("t", ["a"]) == "t_a_idx"
    assert foreign_key_name("t", ["a"]) == "t_a_fkey"
    long = "x" * 70
    assert len(unique_index_name(long, ["c"]).encode()) == 63
    assert unique_index_name(long, ["c"]).endswith("x_key")
    accented = "é" * 40  # 80 bytes
    cut = index_name(accented, ["c"])
    assert len(cut.encode()) <= 63 and cut.endswith("_idx")
    assert clip_bytes("aé", 2) == "a"  # never half a character


def test_serial_sequence_name_follows_make_object_name() -> None:
    assert serial_sequence_name("products", "id") == "products_id_seq"
    name = serial_sequence_name("t" * 60, "c" * 10)
    assert len(name) == 63 and name.endswith("_" + "c" * 10 + "_seq")


def test_scalar_types_and_lists() -> None:
    e = expectation_of(
        "model T {\n  id Int @id\n  s String\n  b BigInt?\n  f Float\n  d Decimal\n"
        "  o Boolean\n  t DateTime\n  j Json\n  y Bytes\n  l String[]\n}\n"
    )
    table = e.catalog.tables[QualifiedName("public", "T")]
    assert [(c.name, c.type, c.nullable) for c in table.columns] == [
        ("id", "integer", False),
        ("s", "text", False),
        ("b", "bigint", True),
        ("f", "double precision", False),
        ("d", "numeric(65,30)", False),
        ("o", "boolean", False),
        ("t", "timestamp(3) without time zone", False),
        ("j", "jsonb", False),
        ("y", "bytea", False),
        ("l", "text[]", True),  # lists are always nullable
    ]
    assert e.models == {QualifiedName("public", "T"): "T"}


def test_defaults_in_pg_get_expr_spelling() -> None:
    e = expectation_of(
        'enum Role {\n  A @map("a")\n  B\n}\n'
        "model T {\n  id Int @id @default(autoincrement())\n"
        "  n Int @default(-1)\n  now DateTime @default(now())\n  u String @default(uuid())\n"
        '  r Role @default(A)\n  l String[] @default(["x"])\n  upd DateTime @updatedAt\n'
        '  g String @default(dbgenerated("gen_random_uuid()")) @db.Uuid\n}\n'
    )
    table = e.catalog.tables[QualifiedName("public", "T")]
    defaults = {c.name: c.default for c in table.columns}
    assert defaults == {
        "id": "nextval('public.\"T_id_seq\"'::regclass)",
        "n": "'-1'::integer",
        "now": "CURRENT_TIMESTAMP",
        "u": None,
        "r": "'a'::public.\"Role\"",
        "l": "ARRAY['x'::text]",
        "upd": None,
        "g": "gen_random_uuid()",
    }
    seq = e.catalog.sequences[QualifiedName("public", "T_id_seq")]
    assert seq.owned_by == (QualifiedName("public", "T"), "id") and seq.data_type == "integer"


def test_jsonb_output_normalises_like_postgres() -> None:
    assert jsonb_output('{"bb":1,"a":[1,2.50]}') == '{"a": [1, 2.50], "bb": 1}'
    with pytest.raises(ValueError, match="not valid JSON"):
        jsonb_output("{")


def test_float_and_decimal_defaults_keep_their_spelling() -> None:
    # Prisma 7 writes the number as the schema spells it; PostgreSQL keeps that constant.
    e = expectation_of(
        "model T {\n  id Int @id\n  f Float @default(10.0)\n  d Decimal @default(1.50)\n"
        '  s Decimal @default("2.5")\n  n Float @default(-0.5)\n}\n'
    )
    defaults = {c.name: c.default for c in e.catalog.tables[QualifiedName("public", "T")].columns}
    assert defaults == {"id": None, "f": "10.0", "d": "1.50", "s": "2.5", "n": "'-0.5'::numeric"}


def test_relations_default_actions_and_relation_mode() -> None:
    text = (
        "model A {\n  id Int @id\n  bs B[]\n}\n"
        "model B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n"
        '  oId Int?\n  o A? @relation("o", fields: [oId], references: [id])\n}\n'
    )
    text = text.replace("  bs B[]\n", '  bs B[]\n  os B[] @relation("o")\n')
    fks = {
        f.name: f
        for f in expectation_of(text).catalog.tables[QualifiedName("public", "B")].foreign_keys
    }
    assert (fks["B_aId_fkey"].on_delete, fks["B_aId_fkey"].on_update) == ("RESTRICT", "CASCADE")
    assert fks["B_oId_fkey"].on_delete == "SET NULL"
    prisma_mode = 'datasource db {\n  provider = "postgresql"\n  relationMode = "prisma"\n}\n'
    e = expectation_of(prisma_mode + text, datasource=False)
    assert e.catalog.tables[QualifiedName("public", "B")].foreign_keys == ()


def test_implicit_many_to_many_join_table() -> None:
    e = expectation_of(
        "model Post {\n  id Int @id\n  categories Category[]\n}\n"
        "model Category {\n  id String @id @db.Uuid\n  posts Post[]\n}\n"
    )
    key = QualifiedName("public", "_CategoryToPost")
    join = e.catalog.tables[key]
    assert [(c.name, c.type, c.nullable) for c in join.columns] == [
        ("A", "uuid", False),  # A is Category: it sorts first
        ("B", "integer", False),
    ]
    assert join.primary_key is not None and join.primary_key.name == "_CategoryToPost_AB_pkey"
    assert [i.name for i in join.indexes] == ["_CategoryToPost_B_index"]
    assert {(f.name, f.ref_table.name, f.on_delete, f.on_update) for f in join.foreign_keys} == {
        ("_CategoryToPost_A_fkey", "Category", "CASCADE", "CASCADE"),
        ("_CategoryToPost_B_fkey", "Post", "CASCADE", "CASCADE"),
    }
    assert e.models[key] == "_CategoryToPost"
    assert e.join_table_style == {key: "pkey"}
    legacy = legacy_join_table(join)
    assert legacy.primary_key is None
    assert [(u.name, u.columns) for u in legacy.uniques] == [
        ("_CategoryToPost_AB_unique", ("A", "B"))
    ]
    assert legacy.indexes == join.indexes and legacy.foreign_keys == join.foreign_keys


def test_views_are_not_created_but_ignored_models_are() -> None:
    e = expectation_of(
        'generator c {\n  provider = "prisma-client-js"\n  previewFeatures = ["views"]\n}\n'
        "view V {\n  id Int @unique\n}\nmodel I {\n  id Int @id\n  x Int\n  @@ignore\n}\n"
        "model J {\n  id Int @id\n  y Int @ignore\n}\n"
    )
    assert set(e.catalog.tables) == {QualifiedName("public", "I"), QualifiedName("public", "J")}
    assert [c.name for c in e.catalog.tables[QualifiedName("public", "I")].columns] == ["id", "x"]
    assert [c.name for c in e.catalog.tables[QualifiedName("public", "J")].columns] == ["id", "y"]
    # Not created, but recorded: a dump that has the view is not showing an unexpected table.
    assert e.views == {QualifiedName("public", "V"): "V"}


def test_multi_schema_requires_schema_attributes() -> None:
    ds = 'datasource db {\n  provider = "postgresql"\n  schemas = ["a", "b"]\n}\n'
    e = expectation_of(ds + 'model M {\n  id Int @id\n  @@schema("b")\n}\n', datasource=False)
    assert set(e.catalog.tables) == {QualifiedName("b", "M")}
    assert e.catalog.schemas == {"b"}  # the engine creates the schemas that hold objects


def test_default_schema_from_url_and_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("MY_URL")\n}\n'
        "model M {\n  id Int @id\n}\n"
    )
    monkeypatch.delenv("MY_URL", raising=False)
    assert expect(schema).default_schema == "public"
    (tmp_path / ".env").write_text('MY_URL="postgresql://u@h/db?schema=app&x=1"\n')
    assert set(expect(schema).catalog.tables) == {QualifiedName("app", "M")}
    monkeypatch.setenv("MY_URL", "postgresql://u@h/db?schema=env_wins")
    assert expect(schema).default_schema == "env_wins"
    assert expect(schema, default_schema="flag").default_schema == "flag"


def test_default_schema_from_prisma_config_datasource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Prisma 7 keeps the URL in prisma.config.ts; its variable wins over the schema's.
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n}\nmodel M {\n  id Int @id\n}\n'
    )
    config = tmp_path / "prisma.config.ts"
    head = 'import { defineConfig, env } from "prisma/config";\nexport default defineConfig({\n'
    head += '  schema: "prisma/schema.prisma",\n'
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("APP_DB", raising=False)
    for url in (
        'env("APP_DB")',
        "env<Env>('APP_DB')",
        "process.env.APP_DB",
        'process.env["APP_DB"]',
    ):
        config.write_text(head + f"  datasource: {{\n    url: {url},\n  }},\n}});\n")
        assert expect(tmp_path).default_schema == "public", url
        monkeypatch.setenv("APP_DB", "postgresql://u@h/db?schema=app")
        assert expect(tmp_path).default_schema == "app", url
        monkeypatch.delenv("APP_DB")
    (tmp_path / ".env").write_text("APP_DB=postgresql://u@h/db?schema=from_dotenv\n")
    assert expect(tmp_path).default_schema == "from_dotenv"
    config.write_text(head + '  datasource: { url: "postgresql://u@h/db?schema=inline" },\n});\n')
    assert expect(tmp_path).default_schema == "inline"


def test_schema_folder_and_prisma_config(tmp_path: Path) -> None:
    (tmp_path / "prisma" / "models").mkdir(parents=True)
    (tmp_path / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n}\n'
    )
    (tmp_path / "prisma" / "models" / "a.prisma").write_text("model A {\n  id Int @id\n}\n")
    (tmp_path / "prisma.config.ts").write_text(
        'import path from "node:path";\nexport default defineConfig({\n'
        '  schema: path.join(__dirname, "prisma"),\n'
        '  migrations: { path: "prisma/migrations" },\n});\n'
    )
    mig = tmp_path / "prisma" / "migrations" / "20240101000000_init"
    mig.mkdir(parents=True)
    (mig / "migration.sql").write_text('CREATE TABLE "A" ("id" INTEGER NOT NULL);\n')
    e = expect(tmp_path)
    assert QualifiedName("public", "A") in e.catalog.tables
    assert [m.name for m in e.migrations] == ["20240101000000_init"]
    assert e.migrations[0].creates == (QualifiedName("public", "A"),)
    assert QualifiedName("public", "_prisma_migrations") in e.catalog.tables


def test_missing_paths_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not found"):
        expect(tmp_path / "nope.prisma")
    with pytest.raises(BadInputError, match=r"no \.prisma files"):
        expect(tmp_path)
    (tmp_path / "s.prisma").write_text(DATASOURCE + "model A {\n  id Int @id\n}\n")
    with pytest.raises(BadInputError, match="migrations folder not found"):
        expect(tmp_path / "s.prisma", migrations=tmp_path / "missing")


def test_a_schema_without_a_datasource_is_bad_input(tmp_path: Path) -> None:
    # Prisma's engine: "There is no datasource in the schema." (oracle-checked); most often
    # one file of a multi-file schema was passed instead of its folder.
    (tmp_path / "user.prisma").write_text("model A {\n  id Int @id\n}\n")
    (tmp_path / "empty.prisma").write_text("")
    for name in ("user.prisma", "empty.prisma"):
        with pytest.raises(BadInputError, match=r"no datasource block.*pass their folder"):
            expect(tmp_path / name)
    (tmp_path / "db.prisma").write_text(DATASOURCE)
    assert QualifiedName("public", "A") in expect(tmp_path).catalog.tables


def test_one_table_sql_brings_the_enums_it_uses_and_accepts_the_model_name() -> None:
    from dumpcheck.expect import render_sql

    e = expectation_of(
        "enum Role {\n  USER\n  ADMIN\n}\nenum Unused {\n  X\n}\n"
        'model User {\n  id Int @id\n  roles Role[]\n  @@map("users")\n}\n'
        "model Post {\n  id Int @id\n}\n"
    )
    users = render_sql(e, "User")
    assert users == render_sql(e, "users")
    assert users.index("CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');") < users.index(
        'CREATE TABLE "users"'
    )
    assert "Unused" not in users
    assert "CREATE TYPE" not in render_sql(e, "Post")
