"""The migration history: list ``migrations/``, checksum each file, see what it does to tables."""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dumpcheck.catalog import QualifiedName
from dumpcheck.errors import BadInputError
from dumpcheck.expect.model import Migration
from dumpcheck.expect.psl.constraint_names import pg_ident


def list_migrations(folder: Path, default_schema: str = "public") -> tuple[Migration, ...]:
    """Every ``<folder>/<name>/migration.sql``, sorted by folder name as Prisma sorts them.

    The checksum is the SHA-256 of the file's bytes, hex, which is what `prisma migrate`
    stores in ``_prisma_migrations.checksum`` (schema-engine migrations directory, checksum).
    """
    if not folder.is_dir():
        raise BadInputError(f"migrations folder not found: {folder}")
    out: list[Migration] = []
    for sub in sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name):
        script = sub / "migration.sql"
        if not script.is_file():
            continue
        data = script.read_bytes()
        text = script_text(data)
        creates, drops, renames = table_changes(text, default_schema)
        digest = hashlib.sha256(data).hexdigest()
        out.append(
            Migration(
                sub.name,
                digest,
                creates,
                drops,
                renames,
                extensions_created(text),
                accepted_checksums(data),
            )
        )
    return tuple(out)


def accepted_checksums(data: bytes) -> frozenset[str]:
    """Every checksum `prisma migrate` takes as this file's.

    schema-engine's checksum.rs (script_matches_checksum) compares the recorded checksum with
    the SHA-256 of the script, of the script with CRLF turned into LF, and of it with LF
    turned into CRLF, so a history recorded on Windows stays applied after git converts line
    endings; and, for each, both the 64-digit hex and the form old versions wrote, each byte
    as ``{:x}`` without its leading zero (prisma-engines issue 1887)."""
    # As checksum.rs does it: both replacements start from the file as it is, so a file
    # that already has CRLF gets "\r\r\n" in the second (which then matches nothing).
    variants = {data, data.replace(b"\r\n", b"\n"), data.replace(b"\n", b"\r\n")}
    out: set[str] = set()
    for variant in variants:
        digest = hashlib.sha256(variant).digest()
        out.add(digest.hex())
        out.add("".join(f"{byte:x}" for byte in digest))
    return frozenset(out)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def script_text(data: bytes) -> str:
    """A migration.sql as text. Prisma reads it as UTF-8; one saved with a byte-order mark
    (PowerShell's `>` writes `prisma migrate diff --script` as UTF-16) is read by its mark, so
    that the tables it creates are still known. The checksum stays that of the bytes."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


# CREATE TABLE [IF NOT EXISTS] name inside a DO block's body.
_CREATE_TABLE_IN_BODY = re.compile(
    r"\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r'((?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?)',
    re.IGNORECASE,
)

# CREATE EXTENSION [IF NOT EXISTS] name, at the start of a line (after any comment lines).
_CREATE_EXTENSION = re.compile(
    r'^\s*CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"((?:[^"]|"")+)"|([\w$-]+))',
    re.IGNORECASE | re.MULTILINE,
)


def extensions_created(sql: str) -> tuple[str, ...]:
    """The extensions a migration script creates, in order, each once."""
    found: dict[str, None] = {}
    for m in _CREATE_EXTENSION.finditer(sql):
        name = m.group(1).replace('""', '"') if m.group(1) else m.group(2).lower()
        found[name] = None
    return tuple(found)


def _name(table: exp.Table, default_schema: str) -> QualifiedName:
    return QualifiedName(pg_ident(table.db or default_schema), pg_ident(table.name))


def table_changes(
    sql: str, default_schema: str = "public"
) -> tuple[
    tuple[QualifiedName, ...],
    tuple[QualifiedName, ...],
    tuple[tuple[QualifiedName, QualifiedName], ...],
]:
    """(created, dropped, renamed) tables of one migration script, parsed with sqlglot.

    Statements sqlglot cannot read (DO blocks, ALTER TYPE ... ADD VALUE) become Commands and
    touch no table, which is what they do.
    """
    creates: list[QualifiedName] = []
    drops: list[QualifiedName] = []
    renames: list[tuple[QualifiedName, QualifiedName]] = []
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is expected here
    try:
        statements = sqlglot.parse(sql, read="postgres", error_level=sqlglot.ErrorLevel.IGNORE)
    except SqlglotError:
        statements = []
    finally:
        logger.setLevel(level)
    for stmt in statements:
        if isinstance(stmt, exp.Command) and str(stmt.this).upper() == "DO":
            # A table created inside a DO block is most often behind a guard (IF to_regclass(...)
            # IS NULL THEN CREATE TABLE ...): once the block ran, the table is there.
            body = stmt.expression.name if stmt.expression is not None else ""
            for match in _CREATE_TABLE_IN_BODY.finditer(body):
                try:
                    guarded = exp.to_table(match.group(1), dialect="postgres")
                except SqlglotError:
                    continue
                creates.append(_name(guarded, default_schema))
        elif isinstance(stmt, exp.Create) and (stmt.args.get("kind") or "").upper() == "TABLE":
            if stmt.find(exp.TemporaryProperty) is not None:
                continue  # gone when the migration's session ends
            table = stmt.find(exp.Table)
            if table is not None:
                creates.append(_name(table, default_schema))
        elif isinstance(stmt, exp.Drop) and (stmt.args.get("kind") or "").upper() == "TABLE":
            for table in stmt.find_all(exp.Table):
                drops.append(_name(table, default_schema))
        elif isinstance(stmt, exp.Alter) and (stmt.args.get("kind") or "").upper() == "TABLE":
            source = stmt.this
            for action in stmt.args.get("actions") or ():
                if isinstance(action, exp.AlterRename) and isinstance(source, exp.Table):
                    target = action.this
                    if isinstance(target, exp.Table):
                        old = _name(source, default_schema)
                        # ALTER TABLE ... RENAME TO keeps the schema (the new name is bare).
                        renames.append((old, QualifiedName(old.schema, pg_ident(target.name))))
    return tuple(creates), tuple(drops), tuple(renames)
