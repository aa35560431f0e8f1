"""Findings built by hand for the report tests: the demo incident and one case per verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dumpcheck.compare.findings import (
    Difference,
    DumpKindFinding,
    DumpSummary,
    DumpTruncated,
    ErrorRef,
    ExcludedTableData,
    ExpectationDisagreement,
    Findings,
    MigrationProblem,
    MissingExtension,
    MissingRole,
    ScratchInfo,
    TableFinding,
    UnparsedStatements,
    VersionMismatch,
)

# Values that stand for production row data: no report may ever contain them.
SECRET_VALUES = ("12abc", "hunter2", "alice@example.com", "4111111111111111", "-3)")

DEMO_DUMP = DumpSummary(
    path="fixtures/demo/excluded.dump",
    format="custom",
    compression="gzip",
    pg_dump_version="15.13",
    server_version="15.13",
    database="aas_bronze_production",
    complete=True,
    kind="full",
)
SCRATCH = ScratchInfo(backend="local", server_version="15.13")


def _ok(name: str, model: str | None, rows: int) -> TableFinding:
    return TableFinding("public", name, model, "ok", True, True, rows, rows)


def _unexpected(name: str, rows: int) -> TableFinding:
    return TableFinding("public", name, None, "unexpected", True, True, rows, rows)


PRODUCTS_NEVER = TableFinding(
    schema="public",
    name="products",
    model="Product",
    verdict="never_in_dump",
    in_dump=False,
    restored=False,
    dump_rows=None,
    restored_rows=None,
    evidence=(
        "the dump has no CREATE TABLE public.products and no data for it",
        "_prisma_migrations in the dump records 20250301120000_init, which creates products, "
        "as applied: production had the table",
        "nothing else in the dump refers to public.products, as when pg_dump runs with "
        "-T/--exclude-table",
    ),
)


def demo() -> Findings:
    """The incident: products never in the dump, categories fine, an unexpected table."""
    return Findings(
        dump=DEMO_DUMP,
        scratch=SCRATCH,
        tables=(
            _unexpected("terraform_vm_config", 3),
            _ok("categories", "Category", 4),
            PRODUCTS_NEVER,
            _ok("_prisma_migrations", None, 2),
        ),
        prisma="fixtures/demo/schema.prisma",
    )


def demo_strict() -> Findings:
    """The incident under --strict: the unexpected table fails too."""
    base = demo()
    return Findings(base.dump, base.scratch, base.tables, strict=True, prisma=base.prisma)


def failed_restore() -> Findings:
    """orders uses citext, which the scratch server lacks: the root cause and its echo."""
    root = 'extension "citext" is not available'
    orders = TableFinding(
        schema="public",
        name="orders",
        model="Order",
        verdict="failed_restore",
        in_dump=True,
        restored=False,
        dump_rows=120,
        restored_rows=None,
        errors=(
            ErrorRef(
                message='type "public.citext" does not exist',
                statement=(
                    "CREATE TABLE public.orders (\n"
                    "    id text NOT NULL,\n"
                    "    email public.citext NOT NULL,\n"
                    '    "createdAt" timestamp(3) with time zone DEFAULT CURRENT_TIMESTAMP\n'
                    ");"
                ),
                location="TOC 215",
                sqlstate="42704",
                severity="fatal",
                root_cause=root,
            ),
            ErrorRef(
                message='relation "public.orders" does not exist',
                statement='COPY public.orders (id, email, "createdAt") FROM stdin;\n'
                "o-1\talice@example.com\t2025-01-01 00:00:00+00\n",
                location="TOC 3390",
                sqlstate="42P01",
                severity="secondary",
                root_cause='type "public.citext" does not exist',
            ),
        ),
        evidence=("CREATE TABLE public.orders at TOC 215 failed",),
    )
    return Findings(
        dump=DumpSummary(
            path="/backups/shop.dump",
            format="custom",
            compression="zstd",
            pg_dump_version="17.5",
            server_version="16.9",
            database="shop",
            complete=True,
            kind="full",
        ),
        scratch=ScratchInfo(backend="local", server_version="17.5"),
        tables=(orders, _ok("customers", "Customer", 40)),
        dump_findings=(MissingExtension("citext"),),
        prisma="prisma/schema.prisma",
    )


def rows_lost() -> Findings:
    """line_items restored empty: its COPY hit a value that breaks a CHECK constraint."""
    items = TableFinding(
        schema="sales",
        name="line_items",
        model="LineItem",
        verdict="rows_lost",
        in_dump=True,
        restored=True,
        dump_rows=1200,
        restored_rows=0,
        errors=(
            ErrorRef(
                message='new row for relation "line_items" violates check constraint '
                '"line_items_quantity_check"\nDETAIL:  Failing row contains (42, 7, -3).\n'
                'CONTEXT:  COPY line_items, line 3: "42\t7\t-3"',
                statement="COPY sales.line_items (id, order_id, quantity) FROM stdin;",
                location="line 4411",
                sqlstate="23514",
            ),
            ErrorRef(
                message='invalid input syntax for type integer: "12abc"\n'
                'CONTEXT:  COPY line_items, line 9, column quantity: "12abc"',
                statement=None,
                location="line 4419",
                sqlstate="22P02",
                severity="other",
            ),
        ),
        evidence=("1200 rows in the dump's COPY at line 4411, 0 rows after the restore",),
    )
    return Findings(
        dump=DumpSummary(
            path="dumps/sales.sql.gz",
            format="plain",
            compression="gzip",
            pg_dump_version="16.4",
            server_version="16.4",
            database="sales",
            complete=True,
            kind="full",
        ),
        scratch=ScratchInfo(backend="dsn", server_version="16.4"),
        tables=(items, TableFinding("sales", "orders", "Order", "ok", True, True, 300, 300)),
        prisma="prisma/",
    )


def drift() -> Findings:
    """products restored but drifted in several ways from what Prisma expects."""
    products = TableFinding(
        schema="public",
        name="products",
        model="Product",
        verdict="drift",
        in_dump=True,
        restored=True,
        dump_rows=50,
        restored_rows=50,
        differences=(
            Difference("missing_column", "profit", "integer", None),
            Difference("extra_column", "legacy_sku", None, "text"),
            Difference("type", "price", "double precision", "numeric(10,2)"),
            Difference("nullability", "code", "NOT NULL", "NULL"),
            Difference("default", "unit", "1", None),
            Difference("unique", "products_code_key", "(code)", None),
            Difference(
                "foreign_key",
                "products_categoryId_fkey",
                '("categoryId") REFERENCES public.categories(id) ON UPDATE CASCADE '
                "ON DELETE RESTRICT",
                '("categoryId") REFERENCES public.categories(id) ON DELETE CASCADE',
            ),
            Difference("enum", "public.Status", "draft|active|archived", "draft|active"),
        ),
        evidence=("8 differences between the restored table and the Prisma schema",),
    )
    return Findings(
        dump=DEMO_DUMP,
        scratch=SCRATCH,
        tables=(products, _ok("categories", "Category", 4)),
        dump_findings=(MigrationProblem("20250610090000_add_profit", "not_applied"),),
        prisma="fixtures/demo/schema.prisma",
    )


def truncated() -> Findings:
    """A plain dump cut off inside a COPY: later data never arrived."""
    return Findings(
        dump=DumpSummary(
            path="dumps/nightly.sql",
            format="plain",
            compression="none",
            pg_dump_version="18.1",
            server_version="18.1",
            database="app",
            complete=False,
            kind="full",
            stops_at="line 4411 in COPY public.products",
        ),
        scratch=ScratchInfo(backend="local", server_version="18.1"),
        tables=(
            _ok("categories", "Category", 4),
            TableFinding(
                "public",
                "products",
                "Product",
                "rows_lost",
                True,
                True,
                812,
                0,
                errors=(
                    ErrorRef(
                        'missing data for column "price"',
                        "COPY public.products (id, title, price) FROM stdin;",
                        "line 3598",
                        sqlstate="22P04",
                    ),
                ),
                evidence=("the dump stops inside this table's COPY (line 4411)",),
            ),
            TableFinding(
                "public",
                "users",
                "User",
                "rows_lost",
                True,
                True,
                None,
                0,
                evidence=("the dump stops before this table's data",),
            ),
        ),
        dump_findings=(
            DumpTruncated("line 4411 in COPY public.products"),
            MissingRole("app_readonly"),
            UnparsedStatements(
                2,
                (
                    'CREATE TEXT SEARCH CONFIGURATION public.app (PARSER = pg_catalog."default");',
                    "INSERT INTO public.secrets VALUES (1, 'hunter2');",
                ),
            ),
        ),
        prisma="schema.prisma",
        notes=("restore ran with --single-transaction off so that later tables still restore",),
    )


def dump_kinds() -> Findings:
    """A schema-only dump from a newer pg_dump, with a failed migration: every table ok."""
    return Findings(
        dump=DumpSummary(
            path="dumps/schema-only.tar",
            format="tar",
            compression="none",
            pg_dump_version="17.2",
            server_version="17.2",
            database="app",
            complete=True,
            kind="schema-only",
        ),
        scratch=None,
        tables=(TableFinding("public", "users", "User", "ok", True, True, None, 0),),
        dump_findings=(
            DumpKindFinding("schema-only"),
            VersionMismatch("17.2", "15.13", "pg_restore 15.13 cannot read archive version 1.16"),
            MigrationProblem("20250101000000_users", "failed"),
            MigrationProblem("20250102000000_email", "edited"),
        ),
        prisma="schema.prisma",
    )


def excluded_data() -> Findings:
    """A full dump taken with --exclude-table-data for one table; the project's own Prisma
    disagreeing with dumpcheck's DDL (--expect-check): every table ok."""
    return Findings(
        dump=DEMO_DUMP,
        scratch=SCRATCH,
        tables=(
            _ok("categories", "Category", 3),
            replace(
                TableFinding("public", "audit_log", "AuditLog", "ok", True, True, None, 0),
                data_excluded=True,
                evidence=("The dump creates it but carries no data for it.",),
            ),
        ),
        dump_findings=(
            ExcludedTableData(("public.audit_log",)),
            ExpectationDisagreement(
                "node_modules/.bin/prisma", ('index "audit_log_at_idx": btree (at DESC)',)
            ),
        ),
        prisma="schema.prisma",
    )


CASES: dict[str, Callable[[], Findings]] = {
    "demo": demo,
    "demo_strict": demo_strict,
    "failed_restore": failed_restore,
    "rows_lost": rows_lost,
    "drift": drift,
    "truncated": truncated,
    "dump_kinds": dump_kinds,
    "excluded_data": excluded_data,
}
