"""Migration history: what each migration does to tables, its state in production, the evidence."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from dumpcheck.catalog import QualifiedName
from dumpcheck.expect import classify_migrations, migration_evidence
from dumpcheck.expect.history import list_migrations, table_changes
from dumpcheck.expect.model import Migration
from dumpcheck.inventory.model import MigrationRow

PRODUCTS = QualifiedName("public", "products")


def test_table_changes_are_read_with_sqlglot() -> None:
    creates, drops, renames = table_changes(
        'CREATE TABLE "products" ("id" TEXT NOT NULL);\n'
        'CREATE TABLE IF NOT EXISTS "sales"."Order" (x int);\n'
        'DROP TABLE "old";\nALTER TABLE "A" RENAME TO "b";\n'
        "ALTER TYPE \"Role\" ADD VALUE 'X';\nDO $$ BEGIN PERFORM 1; END $$;\n"
        'CREATE INDEX "i" ON "products"("id");\n'
    )
    assert creates == (PRODUCTS, QualifiedName("sales", "Order"))
    assert drops == (QualifiedName("public", "old"),)
    assert renames == ((QualifiedName("public", "A"), QualifiedName("public", "b")),)


def _m(name: str, checksum: str = "c", **kw: tuple[object, ...]) -> Migration:
    return Migration(name, checksum, **kw)  # type: ignore[arg-type]


def _row(
    name: str, checksum: str = "c", finished: bool = True, rolled: bool = False
) -> MigrationRow:
    return MigrationRow(
        name, checksum, "2024-01-01" if finished else None, "2024-01-02" if rolled else None
    )


def test_tables_created_in_do_blocks_count_and_temporary_ones_do_not() -> None:
    # Guards such as IF to_regclass(...) IS NULL THEN CREATE TABLE ...: the table is there once
    # the block ran. A temporary table is gone when the migration's session ends.
    creates, _, _ = table_changes(
        "DO $$ BEGIN IF to_regclass('public.products') IS NULL THEN\n"
        '  CREATE TABLE "products" ("id" TEXT NOT NULL); END IF; END $$;\n'
        "DO LANGUAGE plpgsql $body$ BEGIN\n"
        "  CREATE TABLE IF NOT EXISTS cron.job (x int); END $body$;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "CREATE TEMP TABLE scratch (id int);\n"
        'CREATE TEMPORARY TABLE "merge" ON COMMIT DROP AS SELECT 1;\n'
        "CREATE UNLOGGED TABLE cache (id int);\n"
    )
    assert creates == (PRODUCTS, QualifiedName("cron", "job"), QualifiedName("public", "cache"))


def test_a_migration_saved_with_a_byte_order_mark_is_read_by_it(tmp_path: Path) -> None:
    # PowerShell's `>` writes `prisma migrate diff --script` as UTF-16: its tables are still
    # known, and the checksum is still that of the file's bytes, as Prisma records it.
    sql = 'CREATE TABLE "products" ("id" TEXT NOT NULL);\r\n'
    for i, data in enumerate(
        (codecs.BOM_UTF16_LE + sql.encode("utf-16-le"), codecs.BOM_UTF8 + sql.encode())
    ):
        folder = tmp_path / str(i) / "0001_init"
        folder.mkdir(parents=True)
        (folder / "migration.sql").write_bytes(data)
        (migration,) = list_migrations(folder.parent)
        assert migration.creates == (PRODUCTS,)
        assert migration.checksum == hashlib.sha256(data).hexdigest()


def test_classify_every_state() -> None:
    migrations = (_m("1_applied"), _m("2_failed"), _m("3_rolled"), _m("4_edited"), _m("5_new"))
    rows = (
        _row("1_applied"),
        _row("2_failed", finished=False),
        _row("3_rolled", finished=False, rolled=True),
        _row("4_edited", checksum="other"),
        _row("not_in_folder"),
    )
    states = [s.state for s in classify_migrations(migrations, rows)]
    assert states == ["applied", "failed", "rolled_back", "edited", "not_applied"]
    assert classify_migrations(migrations, None) == ()


def _state_of(tmp_path: Path, data: bytes, recorded: str) -> str:
    folder = tmp_path / "0001_init"
    folder.mkdir(exist_ok=True)
    (folder / "migration.sql").write_bytes(data)
    migrations = list_migrations(tmp_path)
    return classify_migrations(migrations, (_row("0001_init", checksum=recorded),))[0].state


def _old_form(data: bytes) -> str:
    # The unpadded hex that early schema engines wrote (prisma-engines issue 1887).
    return "".join(f"{byte:x}" for byte in hashlib.sha256(data).digest())


def test_checksums_are_matched_as_prisma_matches_them(tmp_path: Path) -> None:
    # schema-engine checksum.rs: line endings converted by git either way, and the old
    # unpadded form, are still the same migration; a real edit is not.
    lf = b'CREATE TABLE "products" ("id" TEXT NOT NULL);\n\nCREATE INDEX "i" ON "products"("id");\n'
    crlf = lf.replace(b"\n", b"\r\n")
    digest = hashlib.sha256
    assert _state_of(tmp_path, crlf, digest(lf).hexdigest()) == "applied"
    assert _state_of(tmp_path, lf, digest(crlf).hexdigest()) == "applied"
    unpadded = next(
        b"-- %d\n" % i + lf for i in range(999) if len(_old_form(b"-- %d\n" % i + lf)) < 64
    )
    assert _state_of(tmp_path, unpadded, _old_form(unpadded)) == "applied"
    assert _state_of(tmp_path, unpadded, _old_form(unpadded).upper()) == "edited"
    assert _state_of(tmp_path, lf + b"-- edited\n", digest(lf).hexdigest()) == "edited"


def test_a_failed_then_reapplied_migration_is_applied() -> None:
    rows = (_row("1", finished=False, rolled=True), _row("1"))
    assert [s.state for s in classify_migrations((_m("1"),), rows)] == ["applied"]


def test_evidence_when_production_had_the_table() -> None:
    migs = (_m("20240101_init"), _m("20240102_add_products", creates=(PRODUCTS,)))
    statuses = classify_migrations(migs, (_row("20240101_init"), _row("20240102_add_products")))
    assert migration_evidence(PRODUCTS, statuses) == (
        "Production had it: the migration that creates `products` (`20240102_add_products`) is "
        "recorded as applied in the dump's `_prisma_migrations`; it was excluded from the dump "
        "or dropped before it."
    )


def test_evidence_when_a_later_migration_drops_it() -> None:
    migs = (_m("1_add", creates=(PRODUCTS,)), _m("2_drop", drops=(PRODUCTS,)))
    statuses = classify_migrations(migs, (_row("1_add"), _row("2_drop")))
    assert "`2_drop` drops or renames it" in migration_evidence(PRODUCTS, statuses)


def test_evidence_when_production_never_had_it() -> None:
    migs = (_m("1_init"), _m("2_add_products", creates=(PRODUCTS,)))
    statuses = classify_migrations(migs, (_row("1_init"),))
    text = migration_evidence(PRODUCTS, statuses)
    assert text.startswith("No applied migration creates `products`; production never had it.")
    assert "`2_add_products` (not applied" in text
    failed = classify_migrations(migs, (_row("1_init"), _row("2_add_products", finished=False)))
    assert "(failed" in migration_evidence(PRODUCTS, failed)
    nobody = classify_migrations((_m("1_init"),), (_row("1_init"),))
    assert migration_evidence(PRODUCTS, nobody).startswith("No migration creates `products`")


def test_evidence_without_history() -> None:
    assert "no `_prisma_migrations` history" in migration_evidence(PRODUCTS, ())


def test_renamed_into_place_counts_as_created() -> None:
    migs = (_m("1_rename", renames=((QualifiedName("public", "Product"), PRODUCTS),)),)
    statuses = classify_migrations(migs, (_row("1_rename"),))
    assert "(`1_rename`) is recorded as applied" in migration_evidence(PRODUCTS, statuses)
