"""Triage: parsing pasted Prisma errors, finding their table, and the focused explain answer."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from dumpcheck.compare.findings import Findings, TableFinding
from dumpcheck.errors import BadInputError
from dumpcheck.report.explain import ExplainFormat, column_status
from dumpcheck.report.triage import (
    PrismaErrorRef,
    find_table,
    parse_prisma_error,
    render_explain,
    resolve_table,
)
from tests.report.report_cases import CASES, SECRET_VALUES, demo, drift, failed_restore

# The error exactly as the incident report quotes it.
INCIDENT = "The table `aas_bronze_production.products` does not exist in the current database"

# The same error as a Node console prints it, wrapped by the client (Prisma 5/6 layout).
PASTED = """\
AAS database connection failed: PrismaClientKnownRequestError:
Invalid `prismaAas.product.findMany()` invocation in
/src/controllers/product/getAllProducts.ts:14:46

  11 export const getAllProducts = async (req: Request, res: Response) => {
  12   try {
→ 14     const products = await prismaAas.product.findMany(
The table `aas_bronze_production.products` does not exist in the current database.
    at $n.handleRequestError (node_modules/@prisma/client/runtime/library.js:121:7315) {
  code: 'P2021',
  clientVersion: '6.1.0',
  meta: { modelName: 'Product', table: 'aas_bronze_production.products' }
}
"""

GOLDENS = Path(__file__).parent / "goldens" / "explain"
UPDATE = os.environ.get("DUMPCHECK_UPDATE_GOLDENS") == "1"


def test_parse_the_incident_text() -> None:
    ref = parse_prisma_error(INCIDENT)
    assert ref == PrismaErrorRef("P2021", "aas_bronze_production", "products", None, raw=INCIDENT)


def test_parse_the_whole_pasted_error() -> None:
    ref = parse_prisma_error(PASTED)
    assert (ref.code, ref.qualifier, ref.table, ref.column) == (
        "P2021",
        "aas_bronze_production",
        "products",
        None,
    )
    assert ref.model == "product"
    assert ref.invocation == "prismaAas.product.findMany()"
    assert ref.raw == PASTED


def test_parse_the_short_invocation_form() -> None:
    text = (
        "Invalid `prisma.product.findMany()` invocation:\n\n\n"
        "  The table `public.products` does not exist in the current database."
    )
    ref = parse_prisma_error(text)
    assert (ref.qualifier, ref.table, ref.model) == ("public", "products", "product")


def test_parse_with_ansi_colours() -> None:
    text = (
        "\x1b[31mInvalid \x1b[1m`prisma.product.findMany()`\x1b[22m invocation:\x1b[39m\n"
        + INCIDENT
    )
    ref = parse_prisma_error(text)
    assert (ref.table, ref.model) == ("products", "product")


def test_parse_p2022_table_and_column() -> None:
    ref = parse_prisma_error("The column `products.profit` does not exist in the current database.")
    assert (ref.code, ref.qualifier, ref.table, ref.column) == ("P2022", None, "products", "profit")


def test_parse_p2022_three_part_name() -> None:
    ref = parse_prisma_error("The column `main.User.name` does not exist in the current database.")
    assert (ref.qualifier, ref.table, ref.column) == ("main", "User", "name")


def test_parse_p2022_bare_column() -> None:
    ref = parse_prisma_error("The column `profit` does not exist in the current database.")
    assert (ref.table, ref.column) == (None, "profit")


def test_parse_p2022_not_available() -> None:
    text = (
        "Invalid `prisma.product.findMany()` invocation:\n\n"
        "The column `(not available)` does not exist in the current database."
    )
    ref = parse_prisma_error(text)
    assert (ref.code, ref.table, ref.column, ref.model) == ("P2022", None, None, "product")


def test_parse_meta_only() -> None:
    ref = parse_prisma_error("{ code: 'P2021', meta: { table: 'public.products' } }")
    assert (ref.code, ref.qualifier, ref.table) == ("P2021", "public", "products")


def test_raw_query_names_no_model() -> None:
    ref = parse_prisma_error("Invalid `prisma.$queryRaw()` invocation:\n" + INCIDENT)
    assert ref.model is None and ref.invocation is None


@pytest.mark.parametrize(
    "text",
    ["", "hello", "Unique constraint failed on the fields: (`email`)", "code: 'P2021'"],
)
def test_parse_garbage_is_one_line_bad_input(text: str) -> None:
    with pytest.raises(BadInputError) as info:
        parse_prisma_error(text)
    assert "\n" not in str(info.value)
    assert "P2021" in str(info.value)


def test_resolve_incident_reads_the_qualifier_as_the_database() -> None:
    table, reading = resolve_table(parse_prisma_error(PASTED), demo())
    assert table.qualified == "public.products"
    assert table.verdict == "never_in_dump"
    assert reading == (
        "Read `aas_bronze_production.products` as database `aas_bronze_production` "
        "(the dumped database), not a schema; matched on the table name `products`: "
        "public.products. If Prisma's DATABASE_URL sets `schema=aas_bronze_production`, the "
        "client looks for tables in schema `aas_bronze_production`, not in `public`."
    )


def test_resolve_qualifier_as_schema() -> None:
    table, reading = resolve_table(
        parse_prisma_error("The table `public.categories` does not exist in the current database."),
        demo(),
    )
    assert table.name == "categories"
    assert (
        reading
        == "Read `public.categories` as schema `public`, table `categories`: public.categories."
    )


def test_resolve_unknown_qualifier() -> None:
    ref = PrismaErrorRef("P2021", "elsewhere", "products", None, raw="")
    table, reading = resolve_table(ref, demo())
    assert table.name == "products"
    assert reading.startswith("`elsewhere` is neither a schema here nor the dumped database")
    assert reading.endswith("looks for tables in schema `elsewhere`, not in `public`.")


def test_resolve_no_qualifier() -> None:
    table, reading = resolve_table(PrismaErrorRef("P2021", None, "products", None, raw=""), demo())
    assert table.name == "products"
    assert (
        reading
        == "The error names no schema; matched on the table name `products`: public.products."
    )


def _two_products(model_in_sales: str | None) -> tuple[TableFinding, ...]:
    base = demo()
    other = TableFinding("sales", "products", model_in_sales, "ok", True, True, 1, 1)
    return (*base.tables, other)


def test_resolve_prefers_the_table_prisma_expects() -> None:
    findings = replace(demo(), tables=_two_products(None))
    table, reading = resolve_table(
        PrismaErrorRef("P2021", "aas_bronze_production", "products", None, raw=""), findings
    )
    assert table.qualified == "public.products"
    assert "(of public.products, sales.products, the only one Prisma expects)" in reading


def test_resolve_then_prefers_public() -> None:
    findings = replace(demo(), tables=_two_products("SalesProduct"))
    table, reading = resolve_table(
        PrismaErrorRef("P2021", None, "products", None, raw=""), findings
    )
    assert table.qualified == "public.products"
    assert "the one in schema public" in reading


def test_resolve_ambiguous_is_bad_input() -> None:
    base = demo()
    tables = (
        TableFinding("a", "products", "A", "ok", True, True, 1, 1),
        TableFinding("b", "products", "B", "ok", True, True, 1, 1),
    )
    with pytest.raises(BadInputError, match=r"matches a\.products, b\.products"):
        resolve_table(
            PrismaErrorRef("P2021", None, "products", None, raw=""), replace(base, tables=tables)
        )


def test_resolve_unknown_table_suggests_names() -> None:
    with pytest.raises(BadInputError, match="did you mean products"):
        resolve_table(PrismaErrorRef("P2021", None, "product", None, raw=""), demo())


def test_resolve_case_insensitive_fallback() -> None:
    table, _ = resolve_table(PrismaErrorRef("P2021", None, "Products", None, raw=""), demo())
    assert table.name == "products"


def test_resolve_not_available_through_the_model() -> None:
    text = (
        "Invalid `prisma.product.findMany()` invocation:\n"
        "The column `(not available)` does not exist in the current database."
    )
    table, reading = resolve_table(parse_prisma_error(text), drift())
    assert table.name == "products"
    assert "model Product, which maps to public.products" in reading


def test_resolve_bare_column_through_the_differences() -> None:
    ref = parse_prisma_error("The column `profit` does not exist in the current database.")
    table, reading = resolve_table(ref, drift())
    assert table.name == "products"
    assert "only table that lacks a column of that name" in reading


def test_resolve_no_table_at_all_is_bad_input() -> None:
    ref = parse_prisma_error("The table `(not available)` does not exist in the current database.")
    with pytest.raises(BadInputError, match="names no table"):
        resolve_table(ref, demo())


def test_find_table_from_the_command_line() -> None:
    assert find_table(demo(), "products")[0].name == "products"
    assert find_table(demo(), "public.categories")[0].name == "categories"
    with pytest.raises(BadInputError):
        find_table(demo(), "public.")
    # The model name, as the application code spells it.
    table, reading = find_table(demo(), "Product")
    assert table.name == "products"
    assert reading == "No table is named `Product`; model Product maps to public.products."


def test_column_status_missing_column() -> None:
    status = column_status(drift().tables[0], "profit")
    assert (status.expected, status.in_dump, status.restored) == (True, False, False)
    assert "the dump's CREATE TABLE lacks it too" in status.sentence


def test_column_status_other_shapes() -> None:
    products = drift().tables[0]
    extra = column_status(products, "legacy_sku")
    assert (extra.expected, extra.in_dump, extra.restored) == (False, True, True)
    typed = column_status(products, "price")
    assert (typed.expected, typed.in_dump, typed.restored) == (True, True, True)
    assert "double precision" in typed.sentence
    fine = column_status(drift().tables[1], "name")
    assert "restored as Prisma expects" in fine.sentence
    never = column_status(demo().tables[2], "profit")
    assert (never.in_dump, never.restored) == (False, False)
    failed = column_status(failed_restore().tables[0], "email")
    assert (failed.in_dump, failed.restored) == (None, False)
    errored = column_status(replace(products, errors=failed_restore().tables[0].errors), "profit")
    assert errored.in_dump is None


def test_column_status_column_in_neither_schema_nor_table() -> None:
    categories = replace(
        drift().tables[1], expected_columns=("id", "name"), restored_columns=("id", "name")
    )
    unknown = column_status(categories, "profit2")
    assert (unknown.expected, unknown.in_dump, unknown.restored) == (False, False, False)
    assert "Neither this Prisma schema nor the restored table" in unknown.sentence
    assert "restored as Prisma expects" in column_status(categories, "name").sentence


EXPLAIN_CASES: dict[str, Callable[[], tuple[Findings, str]]] = {
    "incident": lambda: (demo(), PASTED),
    "p2022_profit": lambda: (
        drift(),
        "Invalid `prisma.product.findMany()` invocation:\n"
        "The column `products.profit` does not exist in the current database.",
    ),
    "failed_restore": lambda: (
        failed_restore(),
        "The table `public.orders` does not exist in the current database.",
    ),
}
SUFFIX: dict[ExplainFormat, str] = {"text": "txt", "markdown": "md", "json": "json"}


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", sorted(EXPLAIN_CASES))
def test_explain_golden(case: str, fmt: ExplainFormat) -> None:
    findings, pasted = EXPLAIN_CASES[case]()
    ref = parse_prisma_error(pasted)
    table, reading = resolve_table(ref, findings)
    rendered = render_explain(findings, table, reading, fmt, column=ref.column)
    path = GOLDENS / f"{case}.{SUFFIX[fmt]}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_explain_incident_answers_the_questions() -> None:
    findings = demo()
    table, reading = resolve_table(parse_prisma_error(PASTED), findings)
    text = render_explain(findings, table, reading, "text")
    assert text.startswith(
        "public.products (model Product): never_in_dump\n"
        "Reading: Read `aas_bronze_production.products`"
    )
    assert "In the dump: no; restored: no" in text
    assert "_prisma_migrations in the dump records 20250301120000_init" in text
    assert "Other tables: no other table is failing" in text
    assert "--format sql --table products" in text


def test_explain_json_carries_the_column() -> None:
    findings = drift()
    data = json.loads(render_explain(findings, findings.tables[0], None, "json", column="profit"))
    assert data["explain_version"] == 1
    assert data["reading"] is None
    assert data["column"]["name"] == "profit"
    assert (data["column"]["expected"], data["column"]["in_dump"], data["column"]["restored"]) == (
        True,
        False,
        False,
    )
    assert data["table"]["verdict"] == "drift"


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("case", sorted(CASES))
def test_explain_has_no_row_values(case: str, fmt: ExplainFormat) -> None:
    findings = CASES[case]()
    for table in findings.tables:
        rendered = render_explain(findings, table, None, fmt, column="x")
        for secret in SECRET_VALUES:
            assert secret not in rendered


def test_explain_unknown_format() -> None:
    with pytest.raises(BadInputError):
        render_explain(demo(), demo().tables[0], None, "html")  # type: ignore[arg-type]


def test_explain_ok_table_points_at_the_application_database() -> None:
    findings = demo()
    table, reading = resolve_table(
        parse_prisma_error("The table `public.categories` does not exist in the current database."),
        findings,
    )
    text = render_explain(findings, table, reading, "text")
    assert "categories (model Category): ok" in text
    assert "DATABASE_URL points at another database or schema" in text
