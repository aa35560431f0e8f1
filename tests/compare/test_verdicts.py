from __future__ import annotations

from dataclasses import replace

from dumpcheck.catalog import (
    Catalog,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    QualifiedName,
    Table,
)
from dumpcheck.report.wording import reason
from dumpcheck.restore.model import RestoreError
from tests.compare.helpers import run, verdicts

CATEGORIES = Table(
    "public",
    "categories",
    columns=(Column("id", "text", nullable=False), Column("name", "text", nullable=False)),
    primary_key=PrimaryKey("categories_pkey", ("id",)),
    rows=3,
)
PRODUCTS = Table(
    "public",
    "products",
    columns=(
        Column("id", "text", nullable=False),
        Column("categoryId", "text", nullable=False),
        Column("createdAt", "timestamp(3) with time zone", False, "CURRENT_TIMESTAMP"),
    ),
    primary_key=PrimaryKey("products_pkey", ("id",)),
    foreign_keys=(
        ForeignKey(
            "products_categoryId_fkey",
            ("categoryId",),
            QualifiedName("public", "categories"),
            ("id",),
            "RESTRICT",
            "CASCADE",
        ),
    ),
    rows=5,
)


def test_identical_is_ok() -> None:
    f = run([CATEGORIES, PRODUCTS], [CATEGORIES, PRODUCTS])
    assert verdicts(f) == {"categories": "ok", "products": "ok"}
    assert f.exit_code() == 0


def test_missing_from_dump_is_never_in_dump() -> None:
    f = run([CATEGORIES, PRODUCTS], [CATEGORIES])
    assert verdicts(f)["products"] == "never_in_dump"
    assert f.exit_code() == 1
    products = next(t for t in f.tables if t.name == "products")
    assert "not among them" in products.evidence[0]


def test_in_dump_but_not_restored_is_failed_restore_with_root_cause() -> None:
    root = RestoreError(
        1,
        "fatal",
        'extension "vector" is not available',
        "0A000",
        object_type="EXTENSION",
        object_name="vector",
        location="TOC 5",
    )
    create = RestoreError(
        2,
        "secondary",
        'type "public.vector" does not exist',
        "42704",
        statement="CREATE TABLE public.products (...)",
        location="TOC 210",
        object_type="TABLE",
        object_name="public.products",
        table=QualifiedName("public", "products"),
        root_cause_id=1,
    )
    f = run([CATEGORIES, PRODUCTS], [CATEGORIES, PRODUCTS], [CATEGORIES], (root, create))
    products = next(t for t in f.tables if t.name == "products")
    assert products.verdict == "failed_restore"
    assert (
        products.errors[0].root_cause
        == 'EXTENSION vector failed: extension "vector" is not available'
    )
    assert any("Root cause: EXTENSION vector" in e for e in products.evidence)


def test_fewer_rows_is_rows_lost() -> None:
    f = run([PRODUCTS], [PRODUCTS], [replace(PRODUCTS, rows=0)])
    assert verdicts(f) == {"products": "rows_lost"}


def test_default_spellings_do_not_drift() -> None:
    restored = replace(
        PRODUCTS,
        columns=(
            PRODUCTS.columns[0],
            PRODUCTS.columns[1],
            Column("createdAt", "timestamp(3) with time zone", False, "now()"),
        ),
    )
    assert verdicts(run([PRODUCTS], [restored])) == {"products": "ok"}


def test_type_change_is_drift_with_difference() -> None:
    restored = replace(
        PRODUCTS, columns=(Column("id", "integer", nullable=False), *PRODUCTS.columns[1:])
    )
    f = run([PRODUCTS], [restored])
    products = f.tables[0]
    assert products.verdict == "drift"
    assert [(d.kind, d.object, d.expected, d.actual) for d in products.differences] == [
        ("type", "id", "text", "integer")
    ]


def test_fk_action_difference_is_drift() -> None:
    fk = replace(PRODUCTS.foreign_keys[0], on_delete="CASCADE")
    f = run([PRODUCTS], [replace(PRODUCTS, foreign_keys=(fk,))])
    assert [d.kind for d in f.tables[0].differences] == ["foreign_key"]


def test_missing_index_is_drift() -> None:
    expected = replace(PRODUCTS, indexes=(Index("products_categoryId_idx", ("categoryId",)),))
    f = run([expected], [PRODUCTS])
    assert [(d.kind, d.expected, d.actual) for d in f.tables[0].differences] == [
        ("index", "btree (categoryId)", None)
    ]


def test_table_only_in_dump_is_unexpected_and_not_a_failure() -> None:
    extra = Table("public", "terraform_vm_config", columns=(Column("id", "integer"),), rows=2)
    f = run([CATEGORIES], [CATEGORIES, extra])
    assert verdicts(f) == {"categories": "ok", "terraform_vm_config": "unexpected"}
    assert f.exit_code() == 0
    assert replace(f, strict=True).exit_code() == 1


def test_m2m_unique_index_equals_primary_key() -> None:
    from dumpcheck.catalog import UniqueConstraint

    cols = (Column("A", "text", nullable=False), Column("B", "text", nullable=False))
    new_style = Table(
        "public",
        "_CategoryToPost",
        columns=cols,
        primary_key=PrimaryKey("_CategoryToPost_AB_pkey", ("A", "B")),
    )
    old_style = Table(
        "public",
        "_CategoryToPost",
        columns=cols,
        uniques=(UniqueConstraint("_CategoryToPost_AB_unique", ("A", "B")),),
    )
    # Prisma 6 changed the join table; its differ reports the old form (drop the unique index,
    # add the primary key), so the table is drift, and the evidence says which form it has.
    f = run([new_style], [old_style])
    assert verdicts(f) == {"_CategoryToPost": "drift"}
    assert {d.kind for d in f.tables[0].differences} == {"primary_key", "unique"}
    assert verdicts(run([new_style], [new_style])) == {"_CategoryToPost": "ok"}


def test_failed_foreign_key_in_the_dump_is_failed_restore_not_drift() -> None:
    fk_error = RestoreError(
        7,
        "other",
        'insert or update on table "products" violates foreign key constraint',
        "23503",
        statement="ALTER TABLE ONLY public.products ADD CONSTRAINT products_categoryId_fkey ...",
        location="line 300",
        object_type="FK CONSTRAINT",
        object_name="public.products products_categoryId_fkey",
        table=QualifiedName("public", "products"),
    )
    without_fk = replace(PRODUCTS, foreign_keys=())
    f = run([CATEGORIES, PRODUCTS], [CATEGORIES, PRODUCTS], [CATEGORIES, without_fk], (fk_error,))
    products = next(t for t in f.tables if t.name == "products")
    assert products.verdict == "failed_restore"
    assert [d.kind for d in products.differences] == ["foreign_key"]
    assert products.errors[0].sqlstate == "23503"
    # A real difference with no failed statement behind it stays drift.
    assert verdicts(run([PRODUCTS], [PRODUCTS], [without_fk])) == {"products": "drift"}


def test_failed_primary_key_lists_the_secondary_errors_it_caused() -> None:
    pk_error = RestoreError(
        3,
        "fatal",
        'could not create unique index "categories_pkey"',
        "23505",
        location="line 200",
        object_type="CONSTRAINT",
        object_name="public.categories categories_pkey",
        table=QualifiedName("public", "categories"),
    )
    fk_error = RestoreError(
        4,
        "secondary",
        'there is no unique constraint matching given keys for referenced table "categories"',
        "42830",
        location="line 300",
        object_type="FK CONSTRAINT",
        object_name="public.products products_categoryId_fkey",
        table=QualifiedName("public", "products"),
        root_cause_id=3,
    )
    f = run([CATEGORIES], [CATEGORIES], errors=(pk_error, fk_error))
    categories = f.tables[0]
    assert categories.verdict == "failed_restore"
    assert any(
        e.startswith("Secondary error on public.products: FK CONSTRAINT") and "line 300" in e
        for e in categories.evidence
    )


def test_data_only_dump_says_why_its_tables_failed_to_restore() -> None:
    from dumpcheck.inventory.model import DumpFacts

    facts = DumpFacts(path="x.dump", format="plain", kind="data-only")
    products = run([PRODUCTS], [PRODUCTS], [], facts=facts).tables[0]
    assert products.verdict == "failed_restore"
    assert any(e.startswith("The dump is data-only") for e in products.evidence)


def test_m2m_evidence_says_which_prisma_generation_made_it() -> None:
    from dumpcheck.catalog import UniqueConstraint
    from dumpcheck.compare import compare
    from dumpcheck.expect.model import Expectation
    from dumpcheck.inventory.model import DumpFacts, DumpInventory

    cols = (Column("A", "text", nullable=False), Column("B", "text", nullable=False))
    key = QualifiedName("public", "_CategoryToPost")
    expected = Table(
        "public", key.name, columns=cols, primary_key=PrimaryKey(f"{key.name}_AB_pkey", ("A", "B"))
    )
    old_style = Table(
        "public",
        key.name,
        columns=cols,
        uniques=(UniqueConstraint(f"{key.name}_AB_unique", ("A", "B")),),
    )
    exp = Expectation(
        catalog=Catalog.build([expected]),
        models={key: key.name},
        join_table_style={key: "pkey"},
    )
    inv = DumpInventory(
        facts=DumpFacts(path="x", format="plain"), catalog=Catalog.build([old_style])
    )
    (finding,) = compare(exp, inv, None).tables
    assert finding.verdict == "drift"
    assert finding.evidence[-1] == (
        "Implicit many-to-many table, Prisma < 6 style: unique index _CategoryToPost_AB_unique "
        "on (A, B); Prisma 6 and later build a primary key `_AB_pkey` instead, and "
        "`prisma migrate dev` writes the migration that converts it."
    )


def test_a_view_prisma_declares_is_not_unexpected() -> None:
    from dumpcheck.compare import compare
    from dumpcheck.expect.model import Expectation
    from dumpcheck.inventory.model import DumpFacts, DumpInventory

    view = Table("public", "product_stats", columns=(Column("id", "text"),), kind="view")
    other_view = replace(view, name="ad_hoc_view")
    exp = Expectation(
        catalog=Catalog.build([CATEGORIES]),
        models={CATEGORIES.key: "Category"},
        views={view.key: "ProductStats"},
    )
    inv = DumpInventory(
        facts=DumpFacts(path="x", format="plain"),
        catalog=Catalog.build([CATEGORIES, view, other_view]),
    )
    tables = compare(exp, inv, None).tables
    found = {t.name: (t.model, t.verdict) for t in tables}
    assert found == {
        "categories": ("Category", "ok"),
        "product_stats": ("ProductStats", "ok"),
        "ad_hoc_view": (None, "unexpected"),
    }
    # The report's one line says what the view is, not that it matched a table of the schema.
    reasons = {t.name: reason(t) for t in tables}
    assert (
        reasons["product_stats"] == "declared as view ProductStats, which migrate does not create"
    )
    assert reasons["categories"] == "restored and matches the schema"


def test_table_in_another_schema_names_the_schema_option() -> None:
    in_app = replace(CATEGORIES, schema="app")
    (categories, app_categories) = run([CATEGORIES], [in_app]).tables
    assert (categories.verdict, app_categories.verdict) == ("never_in_dump", "unexpected")
    assert any("exists in another schema: app.categories" in e for e in categories.evidence)
    assert any("verify again with `--schema app`" in e for e in categories.evidence)


def test_enum_of_the_same_name_in_another_schema_is_not_compared() -> None:
    from dumpcheck.catalog import Enum
    from dumpcheck.compare import compare
    from dumpcheck.expect.model import Expectation
    from dumpcheck.inventory.model import DumpFacts, DumpInventory

    role = Enum("public", "Role", ("USER", "ADMIN"))
    users = Table(
        "public",
        "users",
        columns=(Column("id", "integer", False), Column("role", 'public."Role"', False)),
        primary_key=PrimaryKey("users_pkey", ("id",)),
    )
    exp = Expectation(catalog=Catalog.build([users], enums=[role]), models={users.key: "User"})
    other = Enum("audit", "Role", ("X",))
    for enums in ([role, other], [other, role]):
        inv = DumpInventory(
            facts=DumpFacts(path="x", format="plain"), catalog=Catalog.build([users], enums=enums)
        )
        assert verdicts(compare(exp, inv, None)) == {"users": "ok"}
    changed = Enum("public", "Role", ("USER",))
    inv = DumpInventory(
        facts=DumpFacts(path="x", format="plain"), catalog=Catalog.build([users], enums=[changed])
    )
    (finding,) = compare(exp, inv, None).tables
    assert [(d.kind, d.expected, d.actual) for d in finding.differences] == [
        ("enum", "USER, ADMIN", "USER")
    ]


def test_beta_scratch_server_version_does_not_crash_the_version_check() -> None:
    from dumpcheck.compare import compare
    from dumpcheck.compare.findings import ScratchInfo, VersionMismatch
    from dumpcheck.expect.model import Expectation
    from dumpcheck.inventory.model import DumpFacts, DumpInventory

    facts = DumpFacts(path="x", format="plain", pg_dump_version="18.1")
    inv = DumpInventory(facts=facts, catalog=Catalog.build([CATEGORIES]))
    exp = Expectation(catalog=Catalog.build([CATEGORIES]), models={CATEGORIES.key: "Category"})
    for version, mismatch in (("19beta1", False), ("17devel", True), ("18.1 (Debian)", False)):
        found = compare(exp, inv, None, scratch=ScratchInfo("dsn", version)).dump_findings
        assert any(isinstance(f, VersionMismatch) for f in found) is mismatch, version


def test_fk_failure_after_the_referenced_table_lost_rows_points_at_that_loss() -> None:
    copy_error = RestoreError(
        1,
        "fatal",
        'invalid input syntax for type integer: "…"',
        "22P02",
        statement="INSERT INTO public.categories VALUES …",
        object_type="TABLE DATA",
        table=CATEGORIES.key,
    )
    fk_error = RestoreError(
        2,
        "other",
        'insert or update on table "products" violates foreign key constraint '
        '"products_categoryId_fkey"',
        "23503",
        object_type="FK CONSTRAINT",
        table=PRODUCTS.key,
    )
    restored = [replace(CATEGORIES, rows=2), replace(PRODUCTS, foreign_keys=())]
    f = run([CATEGORIES, PRODUCTS], [CATEGORIES, PRODUCTS], restored, (copy_error, fk_error))
    categories, products = f.tables
    assert (categories.verdict, products.verdict) == ("rows_lost", "failed_restore")
    assert categories.evidence[1] == 'INSERT error: invalid input syntax for type integer: "…"'
    assert any(
        e.startswith("products_categoryId_fkey refers to public.categories, which lost rows")
        and "(3 in the dump, 2 restored)" in e
        for e in products.evidence
    )


def test_never_in_dump_names_the_dump_kind() -> None:
    from dumpcheck.inventory.model import DumpFacts

    full = run([CATEGORIES, PRODUCTS], [CATEGORIES]).tables[1]
    assert "The dump is a full dump (schema and data)" in " ".join(full.evidence)
    facts = DumpFacts(path="x.dump", format="plain", kind="schema-only")
    schema_only = run([CATEGORIES, PRODUCTS], [CATEGORIES], facts=facts).tables[1]
    assert schema_only.verdict == "never_in_dump"
    assert any(e.startswith("The dump is schema-only") for e in schema_only.evidence)


def test_an_unrelated_failed_statement_does_not_turn_drift_into_failed_restore() -> None:
    policy_error = RestoreError(
        9,
        "other",
        'role "reporting" does not exist',
        "42704",
        statement="CREATE POLICY p ON public.products TO reporting USING (true);",
        object_type="POLICY",
        object_name="public.products p",
        table=PRODUCTS.key,
    )
    without_fk = replace(PRODUCTS, foreign_keys=())
    f = run([PRODUCTS], [PRODUCTS], [without_fk], (policy_error,))
    assert verdicts(f) == {"products": "drift"}


def test_history_in_the_dump_without_a_migrations_folder_is_not_called_absent() -> None:
    from dumpcheck.compare import compare
    from dumpcheck.expect.model import Expectation
    from dumpcheck.inventory.model import DumpFacts, DumpInventory, MigrationRow

    rows = (
        MigrationRow("20240101_init", "c1", "2024-01-01", None),
        MigrationRow("20240102_add_products", "c2", "2024-01-02", None),
    )
    inv = DumpInventory(
        facts=DumpFacts(path="x", format="plain"),
        catalog=Catalog.build([CATEGORIES]),
        prisma_migrations=rows,
    )
    exp = Expectation(
        catalog=Catalog.build([CATEGORIES, PRODUCTS]),
        models={CATEGORIES.key: "Category", PRODUCTS.key: "Product"},
    )
    products = next(t for t in compare(exp, inv, None).tables if t.name == "products")
    assert products.verdict == "never_in_dump"
    assert products.evidence[0] == (
        "The dump's `_prisma_migrations` records 2 applied migration(s), but no migrations "
        "folder was found (give --migrations DIR), so which one creates `products` is not "
        "known; by its name, `20240102_add_products` may be the one."
    )


def test_a_missing_column_is_drift_even_when_a_failed_statement_names_it() -> None:
    index_error = RestoreError(
        5,
        "other",
        'column "createdAt" does not exist',
        "42703",
        statement='CREATE INDEX products_created_idx ON public.products USING btree ("createdAt");',
        object_type="INDEX",
        object_name="public.products products_created_idx",
        table=PRODUCTS.key,
    )
    without_column = replace(PRODUCTS, columns=PRODUCTS.columns[:2])
    f = run([PRODUCTS], [PRODUCTS], [without_column], (index_error,))
    assert verdicts(f) == {"products": "drift"}


def test_errors_are_listed_in_dump_order_whatever_order_pg_restore_reported_them() -> None:
    def err(i: int, location: str) -> RestoreError:
        return RestoreError(
            i,
            "secondary",
            "relation does not exist",
            "42P01",
            location=location,
            object_type="TABLE DATA",
            table=PRODUCTS.key,
        )

    shuffled = (err(1, "TOC 2580"), err(2, "TOC 221"), err(3, "TOC 2430"))
    f = run([PRODUCTS], [PRODUCTS], [], shuffled)
    assert [e.location for e in f.tables[0].errors] == ["TOC 221", "TOC 2430", "TOC 2580"]


def test_foreign_key_to_a_same_named_table_in_another_schema_is_a_note() -> None:
    # Prisma's multiSchema: products -> public.categories expected, the dump has the FK point
    # at audit.categories. Prisma's differ matches a foreign key by the referenced table's name
    # only (checked with `prisma migrate diff`), so it is a note, and drift under --strict.
    elsewhere = replace(PRODUCTS.foreign_keys[0], ref_table=QualifiedName("audit", "categories"))
    dumped = replace(PRODUCTS, foreign_keys=(elsewhere,))
    f = run([CATEGORIES, PRODUCTS], [CATEGORIES, dumped])
    assert verdicts(f)["products"] == "ok"
    products = next(t for t in f.tables if t.name == "products")
    assert [(n.expected, n.actual) for n in products.notes] == [
        ("public.categories", "audit.categories")
    ]
    assert products.notes[0].reason is not None and "name" in products.notes[0].reason


def test_unexpected_evidence_says_what_the_table_is_to_prisma() -> None:
    """A view, a foreign table, and a table in a schema the datasource does not manage, are
    nothing Prisma migrate creates or drops; a table in a managed schema is one no model maps to."""
    from dumpcheck.compare import compare
    from dumpcheck.inventory.model import DumpFacts, DumpInventory
    from tests.expect.helpers import expectation_of

    exp = expectation_of("model Category {\n  id Int @id\n}\n")
    ident = (Column("id", "integer", nullable=False),)
    dumped = [
        *exp.catalog.tables.values(),
        Table("public", "extra", columns=ident),
        Table("audit", "events", columns=ident),
        Table("public", "stats", columns=ident, kind="view"),
        Table("public", "totals", columns=ident, kind="matview"),
        Table("public", "remote", columns=ident, kind="foreign"),
    ]
    inv = DumpInventory(facts=DumpFacts(path="x", format="plain"), catalog=Catalog.build(dumped))
    found = {t.qualified: (t.verdict, t.evidence) for t in compare(exp, inv, None).tables}
    assert found["public.extra"] == (
        "unexpected",
        ("public.extra is in the dump but no Prisma model maps to it.",),
    )
    assert found["audit.events"][1] == (
        "audit.events is in the dump, in schema audit, which the Prisma datasource does not "
        "manage (public): Prisma leaves it alone.",
    )
    assert "is a view in the dump" in found["public.stats"][1][0]
    assert "is a materialized view in the dump" in found["public.totals"][1][0]
    assert "is a foreign table in the dump" in found["public.remote"][1][0]
    assert {v for v, _ in found.values()} == {"ok", "unexpected"}


def test_a_partition_of_a_models_table_is_that_table() -> None:
    """Prisma's describer reads no plain partition (tables_query.sql): one, at any depth, of a
    model's table is ok and named after the model, and its data is still checked. A partition
    that is itself partitioned is a table to Prisma (it would drop it), and a partition of a
    table no model maps to stays unexpected."""
    logs = Table("public", "audit_logs", columns=(Column("id", "integer"),), kind="partitioned")
    month = Table(
        "public",
        "audit_logs_2026_12",
        columns=logs.columns,
        rows=5,
        partition_of=logs.key,
    )
    month = replace(month, kind="partitioned")  # itself partitioned: a table to Prisma
    day = replace(month, name="audit_logs_2026_12_01", partition_of=month.key, rows=2)
    day = replace(day, kind="table")
    other = Table("public", "events", columns=logs.columns, kind="partitioned")
    stray = replace(month, name="events_1", partition_of=other.key)
    f = run([logs], [logs, month, day, other, stray])
    found = {t.name: (t.model, t.verdict) for t in f.tables}
    assert found == {
        "audit_logs": ("Audit_Logs", "ok"),
        "audit_logs_2026_12": (None, "unexpected"),
        "audit_logs_2026_12_01": ("Audit_Logs", "ok"),
        "events": (None, "unexpected"),
        "events_1": (None, "unexpected"),
    }
    assert reason({t.name: t for t in f.tables}["audit_logs_2026_12_01"]) == (
        "a partition of public.audit_logs, which Prisma reads as that table"
    )
    month = replace(month, kind="table")
    lost = run([logs], [logs, month], [logs, replace(month, rows=3)])
    assert {t.name: t.verdict for t in lost.tables}["audit_logs_2026_12"] == "rows_lost"
