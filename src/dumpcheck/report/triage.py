"""Triage: read a pasted Prisma P2021/P2022 error and find the table it is about.

Message templates, from prisma-engines ``libs/user-facing-errors/src/query_engine/mod.rs``:
P2021 "The table `{table}` does not exist in the current database." and P2022 "The column
`{column}` does not exist in the current database.". quaint (``connector/postgres/error.rs``)
fills them from the PostgreSQL message; a name it cannot parse prints as ``(not available)``.
The client wraps them as "Invalid `prisma.product.findMany()` invocation:" (with the caller's
variable, e.g. ``prismaAas.product``), and the error object carries ``meta: { table: ... }``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from dumpcheck.compare.findings import Findings, TableFinding
from dumpcheck.errors import BadInputError
from dumpcheck.report.explain import render_explain

PrismaCode = Literal["P2021", "P2022"]

NOT_AVAILABLE = "(not available)"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TEMPLATE = re.compile(
    r"The (?P<what>table|column) `(?P<name>[^`\n]*)` does not exist in the current database",
    re.IGNORECASE,
)
# The error object printed by console.log: `meta: { modelName: 'Product', table: 'x.y' }`.
_META = re.compile(
    r"""["']?(?P<key>table|column|modelName)["']?\s*:\s*["'](?P<value>[^"'\n]+)["']"""
)
_CODE = re.compile(r"\b(P202[12])\b")
# `prisma.product.findMany()`, `prismaAas.product.findMany()`, `tx.product.count()`; never
# `prisma.$queryRaw()`, which names no model.
_INVOCATION = re.compile(
    r"Invalid `[\w$]+\.(?:[\w$]+\.)*?(?P<model>[A-Za-z_]\w*)\.(?P<action>[\w$]+)\(\)` invocation"
)


@dataclass(frozen=True)
class PrismaErrorRef:
    """What a pasted Prisma error names: code, then qualifier, table and column when known."""

    code: PrismaCode | None  # None when the table was named on the command line
    qualifier: str | None
    table: str | None
    column: str | None
    raw: str
    model: str | None = None  # client accessor from the invocation (``product``) or meta model
    invocation: str | None = None  # ``prisma.product.findMany()``


def _split(code: PrismaCode, name: str) -> tuple[str | None, str | None, str | None]:
    """(qualifier, table, column) from the name inside the backticks."""
    if not name or name == NOT_AVAILABLE:
        return None, None, None
    parts = name.split(".")
    if code == "P2021":
        qualifier = ".".join(parts[:-1]) or None
        return qualifier, parts[-1], None
    if len(parts) == 1:
        return None, None, parts[0]
    qualifier = ".".join(parts[:-2]) or None
    return qualifier, parts[-2], parts[-1]


def parse_prisma_error(text: str) -> PrismaErrorRef:
    """Parse a pasted P2021/P2022 error, surrounding text and all; BadInputError if none."""
    clean = _ANSI.sub("", text)
    template = _TEMPLATE.search(clean)
    meta = {m.group("key"): m.group("value") for m in _META.finditer(clean)}
    code_match = _CODE.search(clean)
    if template:
        code: PrismaCode = "P2021" if template.group("what").lower() == "table" else "P2022"
        name = template.group("name").strip()
    elif code_match and (meta.get("table") or meta.get("column")):
        code = "P2021" if code_match.group(1) == "P2021" else "P2022"
        name = meta.get("table", "") if code == "P2021" else meta.get("column", "")
    else:
        raise BadInputError(
            "no Prisma P2021 or P2022 error found: expected text like "
            "'The table `schema.table` does not exist in the current database.'"
        )
    qualifier, table, column = _split(code, name)
    invocation = _INVOCATION.search(clean)
    model = invocation.group("model") if invocation else meta.get("modelName")
    call = invocation.group(0)[len("Invalid `") : -len("` invocation")] if invocation else None
    return PrismaErrorRef(
        code=code,
        qualifier=qualifier,
        table=table,
        column=column,
        raw=text,
        model=model,
        invocation=call,
    )


def _model_matches(model: str | None, accessor: str) -> bool:
    # The client accessor is the model name with its first letter lower-cased
    # (prisma-client's `lowerCase(model.name)`); meta.modelName is the model name itself.
    if not model:
        return False
    return model == accessor or model[:1].lower() + model[1:] == accessor


def _by_model(ref: PrismaErrorRef, tables: tuple[TableFinding, ...]) -> list[TableFinding]:
    if not ref.model:
        return []
    found = [t for t in tables if _model_matches(t.model, ref.model)]
    return found or [t for t in tables if (t.model or "").lower() == ref.model.lower()]


def _pick(candidates: list[TableFinding]) -> tuple[TableFinding, str]:
    """One table among same-named ones: the one Prisma expects, then the one in public."""
    if len(candidates) == 1:
        return candidates[0], ""
    listed = ", ".join(t.qualified for t in candidates)
    expected = [t for t in candidates if t.model]
    if len(expected) == 1:
        return expected[0], f" (of {listed}, the only one Prisma expects)"
    public = [t for t in (expected or candidates) if t.schema == "public"]
    if len(public) == 1:
        return public[0], f" (of {listed}, the one in schema public)"
    raise BadInputError(f"the error's table matches {listed}; name the table with its schema")


def _without_table(ref: PrismaErrorRef, findings: Findings) -> tuple[TableFinding, str]:
    by_model = _by_model(ref, findings.tables)
    if len(by_model) == 1:
        table = by_model[0]
        return table, (
            f"The error names no table; the invocation `{ref.invocation or ref.model}` is on "
            f"model {table.model}, which maps to {table.qualified}."
        )
    if ref.column:
        missing = [
            t
            for t in findings.tables
            if any(d.kind == "missing_column" and d.object == ref.column for d in t.differences)
        ]
        if len(missing) == 1:
            return missing[0], (
                f"The error names only the column `{ref.column}`; {missing[0].qualified} is the "
                "only table that lacks a column of that name."
            )
    raise BadInputError(
        "the Prisma error names no table (it says `(not available)` or a bare column); "
        "pass the table name instead"
    )


def resolve_table(ref: PrismaErrorRef, findings: Findings) -> tuple[TableFinding, str]:
    """The table a parsed error is about, and a sentence saying how its name was read."""
    if ref.table is None:
        return _without_table(ref, findings)
    name = ref.table
    candidates = [t for t in findings.tables if t.name == name]
    if not candidates:
        candidates = [t for t in findings.tables if t.name.lower() == name.lower()]
    if not candidates:
        by_model = _by_model(ref, findings.tables)
        if len(by_model) == 1:
            table = by_model[0]
            source = "the invocation's model" if ref.code else "model"
            return table, (
                f"No table is named `{name}`; {source} {table.model} maps to {table.qualified}."
            )
        close = difflib.get_close_matches(name, sorted({t.name for t in findings.tables}), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise BadInputError(f"no table `{name}` in the dump or the Prisma schema{hint}")
    quoted = f"`{ref.qualifier}.{name}`" if ref.qualifier else f"`{name}`"
    if ref.qualifier is None:
        table, why = _pick(candidates)
        return table, (
            f"{'The error names no schema' if ref.code else 'No schema given'}; matched on the "
            f"table name `{name}`: "
            f"{table.qualified}{why}."
        )
    in_schema = [t for t in candidates if t.schema == ref.qualifier]
    if in_schema:
        return in_schema[0], (
            f"Read {quoted} as schema `{ref.qualifier}`, table `{name}`: {in_schema[0].qualified}."
        )
    table, why = _pick(candidates)
    # Prisma qualifies every table with the schema DATABASE_URL names (`?schema=`, default
    # public), and PostgreSQL echoes that qualifier in 'relation "s.t" does not exist'
    # (parse_relation.c), which quaint copies into P2021. So a qualifier that is no schema of
    # the dump may also be a DATABASE_URL pointing at the wrong schema: say so.
    if ref.code == "P2021" and ref.qualifier != table.schema:
        caveat = (
            f" If Prisma's DATABASE_URL sets `schema={ref.qualifier}`, the client looks for "
            f"tables in schema `{ref.qualifier}`, not in `{table.schema}`."
        )
    else:
        caveat = ""
    database, which = None, "the dumped database"
    if findings.dump is not None:
        database = findings.dump.database
    elif findings.database is not None:
        database, which = findings.database.database, "the inspected database"
    if ref.qualifier == database:
        return table, (
            f"Read {quoted} as database `{ref.qualifier}` ({which}), "
            f"not a schema; matched on the table name `{name}`: {table.qualified}{why}.{caveat}"
        )
    return table, (
        f"`{ref.qualifier}` is neither a schema here nor the dumped database; matched on the "
        f"table name `{name}`: {table.qualified}{why}.{caveat}"
    )


def find_table(findings: Findings, name: str) -> tuple[TableFinding, str]:
    """The table a user named on the command line (``table`` or ``schema.table``)."""
    qualifier, _, table = name.rpartition(".")
    if not table:
        raise BadInputError(f"not a table name: {name!r}")
    # `explain DUMP Product` names the model, as the application code does: try it as one too.
    ref = PrismaErrorRef(None, qualifier or None, table, None, raw=name, model=table)
    return resolve_table(ref, findings)


__all__ = [
    "PrismaErrorRef",
    "find_table",
    "parse_prisma_error",
    "render_explain",
    "resolve_table",
]
