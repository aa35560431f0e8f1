"""Every difference Prisma's differ treats as no change, with the reason it does.

prisma-engines schema-engine/connectors/sql-schema-connector/src/sql_schema_differ* and the
postgres flavour's schema_differ.rs, read for Prisma 7.10. Compare applies exactly these: a
difference listed here is a note in the table's evidence (``--strict`` fails it); any other
difference is drift, as ``prisma migrate diff`` would report it.
"""

from __future__ import annotations

ENUM_ORDER = (
    "enum values are compared as a set (sql_schema_differ/enums.rs): ALTER TYPE ... ADD VALUE "
    "appends values, and Prisma never reorders them"
)
DEFAULT_SPELLING = (
    "the default has the same value (column.rs defaults_match compares numbers by value, strings "
    "without their casts, JSON as JSON, and a DateTime literal against any default)"
)
SEQUENCE_NAME = (
    "autoincrement() is compared as a flag (column_autoincrement_changed): any nextval() or an "
    "identity column is one, whatever the sequence is called (a renamed table keeps its old "
    "sequence name)"
)
ARRAY_NULLABILITY = (
    "a list column's nullability is not compared: the describer reads every array column as a "
    "list, NOT NULL or not"
)
TIME_PRECISION = (
    "a timestamp or time precision Prisma does not state matches any (postgres schema_differ.rs "
    "native type comparison)"
)
DOMAIN_TYPE = (
    "a column of a domain type is read as the domain's base type (the describer reads "
    "information_schema.columns, which gives a domain column its underlying type)"
)
UNSUPPORTED_TYPE = "the type of an Unsupported(...) field is not compared by Prisma's differ"
DUPLICATE_INDEX = (
    "a second index with the same columns as one Prisma expects is neither dropped nor renamed "
    "(table.rs index_pairs: only a singular index is renamed)"
)
PARTIAL_INDEX = (
    "a partial index that matches no index of the schema is never dropped by Prisma without the "
    "partialIndexes preview feature (Prisma 7 reads it without its predicate)"
)
PARTIAL_PREDICATE = (
    "without the partialIndexes preview feature Prisma 7 reads a partial index without its "
    "predicate, so it stands for the index the schema asks for"
)
KEY_DETAIL = (
    "the describer reads no collation and no operator class options of an index key, and an "
    "operator class only for GiST, GIN, SP-GiST and BRIN (postgres.rs index_from_row), so "
    "Prisma's differ does not compare them (a B-tree or hash operator class the schema asks "
    "for makes `prisma migrate diff` list the index on every run)"
)
EXPRESSION_INDEX = "an expression index is invisible to Prisma (the describer skips it)"
NULLS_ORDER = "an index key's NULLS FIRST/LAST is not compared by Prisma's differ"
JOIN_TABLE_FK_NAME = (
    "the foreign key names of an implicit many-to-many table are not compared "
    "(sql_schema_differ.rs: both sides are join tables)"
)
FK_TARGET_SCHEMA = (
    "a foreign key is matched by the referenced table's name, not its schema "
    "(sql_schema_differ.rs foreign_keys_match)"
)
DBGENERATED_SPELLING = (
    "PostgreSQL stores a dbgenerated() expression in its own spelling; this is the default the "
    "schema asks for, as the same server spells it. Prisma's differ compares the text as written, "
    "so `prisma migrate diff` lists this column on every run (a known Prisma limitation)"
)
LITERAL_CANONICAL = (
    "PostgreSQL stores this literal in its own form (a uuid or an IPv6 address in lower case, "
    "a jsonb number as numeric: 1e2 is 100); this is the default the schema asks for, built by "
    "Prisma's own DDL. Prisma's differ compares the schema's text with what it reads back, so "
    "`prisma migrate diff` lists this column on every run"
)

ALL = (
    ENUM_ORDER,
    DEFAULT_SPELLING,
    SEQUENCE_NAME,
    ARRAY_NULLABILITY,
    TIME_PRECISION,
    UNSUPPORTED_TYPE,
    DOMAIN_TYPE,
    DUPLICATE_INDEX,
    PARTIAL_INDEX,
    PARTIAL_PREDICATE,
    KEY_DETAIL,
    EXPRESSION_INDEX,
    NULLS_ORDER,
    JOIN_TABLE_FK_NAME,
    FK_TARGET_SCHEMA,
    DBGENERATED_SPELLING,
    LITERAL_CANONICAL,
)
