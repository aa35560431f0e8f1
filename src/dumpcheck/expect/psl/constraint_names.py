"""The names Prisma gives keys, indexes and foreign keys when ``map:`` does not name them.

psl-core ``datamodel_connector/constraint_names.rs``: ``<table>_pkey``,
``<table>_<columns>_key``, ``<table>_<columns>_idx``, ``<table>_<columns>_fkey``, built from
the database names and cut so that the whole name fits PostgreSQL's 63 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

# PostgreSQL's NAMEDATALEN - 1 (src/include/pg_config_manual.h); Prisma uses the same limit
# (postgres_datamodel_connector.rs: max_identifier_length() == 63).
MAX_IDENT = 63


def clip_bytes(name: str, limit: int) -> str:
    """``name`` cut to at most ``limit`` UTF-8 bytes, on a character boundary."""
    raw = name.encode("utf-8")
    if len(raw) <= limit:
        return name
    return raw[:limit].decode("utf-8", errors="ignore")


def pg_ident(name: str) -> str:
    """An identifier as PostgreSQL stores it: cut to 63 bytes (scan.l truncate_identifier)."""
    return clip_bytes(name, MAX_IDENT)


def primary_key_name(table: str) -> str:
    """``<table>_pkey`` (constraint_names.rs primary_key_name)."""
    return _with_suffix(table, "_pkey")


def unique_index_name(table: str, columns: Sequence[str]) -> str:
    """``<table>_<cols>_key`` (constraint_names.rs unique_index_name)."""
    return _with_suffix(f"{table}_{'_'.join(columns)}", "_key")


def index_name(table: str, columns: Sequence[str]) -> str:
    """``<table>_<cols>_idx`` (constraint_names.rs non_unique_index_name)."""
    return _with_suffix(f"{table}_{'_'.join(columns)}", "_idx")


def foreign_key_name(table: str, columns: Sequence[str]) -> str:
    """``<table>_<cols>_fkey`` (constraint_names.rs foreign_key_constraint_name)."""
    return _with_suffix(f"{table}_{'_'.join(columns)}", "_fkey")


def _with_suffix(stem: str, suffix: str) -> str:
    # constraint_names.rs: when the stem reaches 63 - len(suffix) bytes it is cut there on a
    # char boundary (floor_char_boundary), so the suffix always survives.
    return clip_bytes(stem, MAX_IDENT - len(suffix)) + suffix


def join_table_name(relation: str) -> str:
    """``_<relation>`` as Prisma's DDL writes it: cut to 63 *characters* (sql_schema_calculator.rs
    push_relation_tables); PostgreSQL then cuts a longer multi-byte name to 63 bytes."""
    return ("_" + relation)[:MAX_IDENT]


def join_table_object_name(relation: str, suffix: str) -> str | None:
    """A join table's PK, unique index, index or FK name as Prisma's DDL writes it (PostgreSQL
    stores it cut to 63 bytes: pg_ident), or None where Prisma's engine panics.

    push_relation_tables: ``_AB_pkey``, ``_AB_unique`` and ``_B_index`` follow the table name
    cut to 63 - len(suffix) characters (for a multi-byte name the whole may pass 63 bytes and
    lose its suffix in PostgreSQL); ``_A_fkey`` and ``_B_fkey`` follow it cut to 56 *bytes*
    (A when it is longer, B from that length on), a cut that panics inside a character.
    """
    table = join_table_name(relation)
    if not suffix.endswith("_fkey"):
        return table[: MAX_IDENT - len(suffix)] + suffix
    stem = MAX_IDENT - len("_fkey") - 2
    raw = table.encode()
    if len(raw) > stem or (suffix == "_B_fkey" and len(raw) == stem):
        cut = clip_bytes(table, stem)
        if len(cut.encode()) != stem:
            return None  # "byte index 56 is not a char boundary": the engine panics
        return cut + suffix
    return table + suffix
