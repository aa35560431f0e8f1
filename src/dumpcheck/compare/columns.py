"""Compare columns: presence, type, nullability and default, by Prisma's differ.

sql_schema_differ/column.rs (all_changes) and flavour/postgres/schema_differ.rs
(column_type_change): a difference Prisma reports is drift; one it treats as no change is a
note (compare/equivalences.py says which rule and why).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from dumpcheck.catalog import Column, Domain, QualifiedName, Table
from dumpcheck.compare.defaults import Parsed, autoincrement_changed, defaults_match, family, parse
from dumpcheck.compare.equivalences import (
    ARRAY_NULLABILITY,
    DBGENERATED_SPELLING,
    DEFAULT_SPELLING,
    DOMAIN_TYPE,
    LITERAL_CANONICAL,
    SEQUENCE_NAME,
    TIME_PRECISION,
    UNSUPPORTED_TYPE,
)
from dumpcheck.compare.findings import Difference
from dumpcheck.compare.normalize import normalize_default, normalize_type
from dumpcheck.expect.model import ColumnOrigin
from dumpcheck.sqltext import TextError, read_qualified

_SCALAR_OF = {
    "integer": "Int", "smallint": "Int", "oid": "Int", "bigint": "BigInt",
    "double precision": "Float", "real": "Float", "numeric": "Decimal", "money": "Decimal",
    "boolean": "Boolean", "jsonb": "Json", "json": "Json", "bytea": "Bytes", "date": "DateTime",
}  # fmt: skip
_TIME = re.compile(
    r"^(?P<base>timestamp|time)(?:\((?P<p>\d)\))?(?P<zone> with(?:out)? time zone)(?P<list>\[\])?$"
)


def _describe(column: Column) -> str:
    null = "" if column.nullable else " NOT NULL"
    default = f" DEFAULT {column.default}" if column.default is not None else ""
    return f"{column.type}{null}{default}"


def guess_origin(column: Column) -> ColumnOrigin:
    """For a hand-built expectation: the Prisma scalar and default kind its column implies."""
    base = re.sub(r"\(.*?\)", "", column.type.removesuffix("[]")).strip()
    if base.startswith("timestamp") or base.startswith("time"):
        scalar = "DateTime"
    else:
        scalar = _SCALAR_OF.get(base, "String" if "." not in base else "Enum")
    default = column.default
    kind = None
    if default is not None:
        if default.startswith("nextval("):
            kind = "autoincrement"
        elif default.upper() in ("CURRENT_TIMESTAMP", "NOW()"):
            kind = "now"
        else:
            kind = (
                "value"
                if parse(default, family(scalar, column.type), False).kind == "value"
                else ("dbgenerated")
            )
    return ColumnOrigin(scalar, kind)


def compare_columns(
    expected: Table,
    actual: Table,
    origins: Mapping[str, ColumnOrigin],
    spellings: Mapping[str, str] | None = None,
    domains: Mapping[QualifiedName, Domain] | None = None,
) -> tuple[list[Difference], list[Difference]]:
    """(drift, notes): every column difference, split by whether Prisma reports it.

    ``domains`` are the actual side's: a column of a domain type is compared by its base type.
    """
    drift: list[Difference] = []
    notes: list[Difference] = []
    actual_by_name = {c.name: c for c in actual.columns}
    expected_names = {c.name for c in expected.columns}
    for exp in expected.columns:
        act = actual_by_name.get(exp.name)
        if act is None:
            drift.append(Difference("missing_column", exp.name, _describe(exp), None))
            continue
        origin = origins.get(exp.name) or guess_origin(exp)
        base = base_type(act.type, domains or {})
        if base is not None and normalize_type(base) == normalize_type(exp.type):
            diff = Difference("type", exp.name, exp.type, f"{act.type} (a domain over {base})")
            notes.append(_noted(diff, DOMAIN_TYPE))
            act = replace(act, type=base)
        _compare_type(exp, act, origin, drift, notes)
        if exp.nullable != act.nullable:
            diff = Difference(
                "nullability",
                exp.name,
                "NULL" if exp.nullable else "NOT NULL",
                "NULL" if act.nullable else "NOT NULL",
            )
            is_array = exp.type.endswith("[]") or act.type.endswith("[]")
            (notes if is_array else drift).append(
                _noted(diff, ARRAY_NULLABILITY) if is_array else diff
            )
        if act.default is None and act.generated is not None:
            # Prisma's describer reads pg_attrdef's expression as the column's default, and a
            # generated column's expression is there: GENERATED ALWAYS AS (upper(label)) is
            # dbgenerated("upper(label)") to it (as `prisma db pull` writes it).
            act = replace(act, default=act.generated)
        spelled = (spellings or {}).get(exp.name)
        if origin.default == "dbgenerated" and spelled is not None:
            _compare_spelled(exp, act, spelled, drift, notes)
        else:
            _compare_default(exp, act, origin, drift, notes)
    for act in actual.columns:
        if act.name not in expected_names:
            drift.append(Difference("extra_column", act.name, None, _describe(act)))
    return drift, notes


def base_type(column_type: str, domains: Mapping[QualifiedName, Domain]) -> str | None:
    """The type under a domain (through domains over domains), or None for no domain.

    Prisma's describer reads information_schema.columns, which gives a domain column its base
    type (udt_name, character_maximum_length, ... are the domain's underlying type's).
    """
    base = None
    for _ in range(len(domains)):
        # format_type spells a domain `public.d`, `public."Email"`, and its array `d[]`.
        try:
            parts, end = read_qualified(column_type, 0)
        except TextError:
            break
        suffix = column_type[end:]
        if len(parts) > 2 or suffix not in ("", "[]"):
            break
        schema = parts[0] if len(parts) == 2 else None
        found = [
            d for k, d in domains.items() if k.name == parts[-1] and schema in (None, k.schema)
        ]
        if len(found) != 1:
            break
        column_type = base = found[0].base_type + suffix
    return base


def _noted(diff: Difference, reason: str) -> Difference:
    return replace(diff, reason=reason)


def _compare_type(
    exp: Column, act: Column, origin: ColumnOrigin, drift: list[Difference], notes: list[Difference]
) -> None:
    a, b = normalize_type(exp.type), normalize_type(act.type)
    if a == b:
        return
    diff = Difference("type", exp.name, exp.type, act.type)
    if origin.scalar == "Unsupported":
        notes.append(_noted(diff, UNSUPPORTED_TYPE))
    elif _same_time_type(a, b):
        notes.append(_noted(diff, TIME_PRECISION))
    else:
        drift.append(diff)


def _same_time_type(expected: str, actual: str) -> bool:
    # postgres schema_differ: a timestamp/time precision of None on the Prisma side matches any;
    # the database's bare type is precision 6 (information_schema.datetime_precision).
    e, a = _TIME.match(expected), _TIME.match(actual)
    if e is None or a is None:
        return False
    if (e["base"], e["zone"], e["list"]) != (a["base"], a["zone"], a["list"]):
        return False
    if e["p"] is None:
        return True
    return e["p"] == (a["p"] or "6")


def _compare_default(
    exp: Column, act: Column, origin: ColumnOrigin, drift: list[Difference], notes: list[Difference]
) -> None:
    fam = family(origin.scalar, act.type)
    is_list = exp.type.endswith("[]")
    expected = _expected_default(exp, origin, is_list)
    actual = parse(act.default, fam, is_list)
    diff = Difference("default", exp.name, exp.default, act.default)
    if autoincrement_changed(expected, actual, act.identity is not None):
        drift.append(diff)
        return
    if not defaults_match(expected, actual, fam):
        # The database has the very default Prisma's own DDL makes, which the describer reads
        # as something else (CURRENT_TIMESTAMP as now(), a uuid in lower case as an expression,
        # jsonb's 100 for 1e2), so `prisma migrate diff` lists the column on every run.
        # `inspect` has no scratch server to ask for a dbgenerated() spelling, so that one is
        # compared as normalised text; a literal must be printed exactly as expected.
        if expected.kind == "dbgenerated" and normalize_default(exp.default) == normalize_default(
            act.default
        ):
            notes.append(_noted(diff, DBGENERATED_SPELLING))
        elif expected.kind == "value" and exp.default == act.default:
            notes.append(_noted(diff, LITERAL_CANONICAL))
        else:
            drift.append(diff)
        return
    if normalize_default(exp.default) == normalize_default(act.default) and (
        exp.identity == act.identity
    ):
        return
    if expected.kind == "dbgenerated" and actual.kind == "dbgenerated":
        return  # the same text but for the case of its ASCII letters: equal to Prisma too
    reason = SEQUENCE_NAME if expected.kind == "sequence" else DEFAULT_SPELLING
    notes.append(_noted(diff, reason))


def _compare_spelled(
    exp: Column, act: Column, spelled: str, drift: list[Difference], notes: list[Difference]
) -> None:
    # A dbgenerated() default, set on a scratch column by the same server: the database has the
    # default the schema asks for exactly when pg_get_expr prints the two alike.
    diff = Difference("default", exp.name, exp.default, act.default)
    if normalize_default(spelled) != normalize_default(act.default):
        drift.append(diff)
    elif (exp.default or "").lower() != (act.default or "").lower():
        notes.append(_noted(diff, DBGENERATED_SPELLING))


def _expected_default(exp: Column, origin: ColumnOrigin, is_list: bool) -> Parsed:
    kind = origin.default
    if kind is None or (exp.default is None and kind != "dbgenerated_any"):
        return Parsed("none")
    if kind == "dbgenerated_any":
        return Parsed("any")
    if kind == "autoincrement":
        return Parsed("sequence")
    if kind == "now":
        return Parsed("now")
    if kind == "dbgenerated":
        return Parsed("dbgenerated", text=exp.default or "")
    if origin.json is not None:
        return Parsed("value", origin.json)  # the JSON text as the schema writes it
    # A literal Prisma writes: read as Prisma holds it (a uuid column's literal is a string
    # to Prisma even though the describer reads the database's as an expression).
    fam = family(origin.scalar, "text")
    if fam == "DateTime":
        return Parsed("value", exp.default)  # Prisma holds a DateTime literal as a value
    return parse(exp.default, fam, is_list)


def columns_missing_from_data(expected: Table, data_columns: tuple[str, ...]) -> list[Difference]:
    """Expected columns a data-only dump's COPY leaves out: the source table lacks them.

    pg_dump lists every column it dumps in the COPY (or INSERT) of a table, except generated
    ones, which Prisma never creates. A data-only dump has no CREATE TABLE, so this list is all
    it says about the source's columns; the rows still load (the missing column takes its
    default), which would hide the difference.
    """
    present = set(data_columns)
    return [
        Difference("missing_column", c.name, _describe(c), None)
        for c in expected.columns
        if c.name not in present
    ]
