"""``dumpcheck expect``: formats, --table, and exit 2 with file:line:col on bad schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "cases" / "prisma"


def dumpcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dumpcheck", "expect", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_text_lists_tables_keys_and_foreign_keys() -> None:
    result = dumpcheck(str(CASES / "multi_file"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "public.products  (model Product)" in out
    assert "createdAt timestamp(3) with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP" in out
    assert "foreign key products_categoryId_fkey (categoryId) -> public.categories (id)" in out
    assert "unique index categories_name_key (name)" in out


def test_json_and_table_filter() -> None:
    result = dumpcheck(str(CASES / "multi_file"), "--format", "json", "--table", "products")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [t["name"] for t in data["tables"]] == ["products"]
    assert data["tables"][0]["model"] == "Product"
    assert data["tables"][0]["primary_key"] == {"name": "products_pkey", "columns": ["id"]}


def test_sql_is_prisma_style_ddl() -> None:
    result = dumpcheck(str(CASES / "multi_file"), "--format", "sql", "--table", "products")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        '-- CreateTable\nCREATE TABLE "products" (\n    "id" TEXT NOT NULL,'
    )
    assert 'ALTER TABLE "products" ADD CONSTRAINT "products_categoryId_fkey"' in result.stdout


def test_schema_option_qualifies_everything(tmp_path: Path) -> None:
    result = dumpcheck(str(CASES / "autoincrement.prisma"), "--schema", "app", "--format", "json")
    data = json.loads(result.stdout)
    assert {t["schema"] for t in data["tables"]} == {"app"}
    assert data["tables"][0]["columns"][0]["default"].startswith("nextval('app.")


def test_bad_schema_exits_2_with_location_and_caret(tmp_path: Path) -> None:
    bad = tmp_path / "bad.prisma"
    bad.write_text(
        'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id @foo\n}\n'
    )
    result = dumpcheck(str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f'dumpcheck: error: {bad}:5:14: Attribute not known: "@foo".'
    assert lines[1:] == ["  id Int @id @foo", " " * 13 + "^"]


def test_missing_path_and_unknown_table_exit_2(tmp_path: Path) -> None:
    missing = dumpcheck(str(tmp_path / "nope.prisma"))
    assert missing.returncode == 2 and "not found" in missing.stderr
    unknown = dumpcheck(str(CASES / "multi_file"), "--table", "nope")
    assert unknown.returncode == 2 and "no table 'nope'" in unknown.stderr


def test_help() -> None:
    result = dumpcheck("--help")
    assert result.returncode == 0 and "--migrations" in result.stdout
