"""Random Prisma schemas for a differential against Prisma's engine (test_random_schemas.py).

Each schema is drawn from a seed: a datasource with or without multiSchema, relationMode =
"prisma" and extensions; enums (some @map'ped); models with scalar, enum, list and Unsupported
fields, native types, defaults of every kind, @unique/@updatedAt/@ignore, @map (some naming
another field), composite ids, indexes with sort orders, index types and operator classes,
@@ignore, reserved words and odd @@map names, names past 63 bytes (some multi-byte), 1:1, 1:n
and m:n relations with referential actions, compound foreign keys, a self many-to-many, and
views. About a fifth allow choices Prisma rejects (an @id on a Float, a Json list), so that
both verdicts are drawn.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# where: values, each with the kind of field it fits (null fits any, Json and Bytes only it).
WHERE_VALUES = (
    ("true", "bool"), ("false", "bool"), ("null", "null"), ('"x"', "str"), ('"it\'s"', "str"),
    ('"2024-01-01"', "str"), ("3", "num"), ("-1.5", "num"), ("0", "num"), ("X", "ident"),
)  # fmt: skip
_FIT = {
    "Boolean": "bool", "String": "str", "DateTime": "str", "Enum": "str", "Int": "num",
    "BigInt": "num", "Float": "num", "Decimal": "num",
}  # fmt: skip
RAW_PREDICATES = (
    "deleted_at IS NULL", "n > 5", "status = 'active'", "", "   ", "a", "true", "(a IS NOT NULL)",
    "(a) AND (b)", "(a", "((x))", " (a) ",
)  # fmt: skip
SCALARS = ("String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes")
NATIVE = {
    "String": (
        "@db.Text", "@db.VarChar(191)", "@db.VarChar", "@db.Char(3)", "@db.Uuid", "@db.Xml",
        "@db.Inet", "@db.Citext", "@db.Bit(2)", "@db.VarBit",
    ),
    "Int": ("@db.Integer", "@db.SmallInt", "@db.Oid"),
    "BigInt": ("@db.BigInt",),
    "Float": ("@db.Real", "@db.DoublePrecision"),
    "Decimal": ("@db.Decimal(10, 2)", "@db.Decimal", "@db.Money"),
    "Boolean": ("@db.Boolean",),
    "DateTime": (
        "@db.Timestamp(3)", "@db.Timestamptz(6)", "@db.Timestamptz", "@db.Date", "@db.Time(2)",
        "@db.Timetz",
    ),
    "Json": ("@db.Json", "@db.JsonB"),
    "Bytes": ("@db.ByteA",),
}  # fmt: skip
DEFAULTS = {
    "String": (
        '"x"', '"it\'s"', '""', "uuid()", "cuid()", "uuid(7)", "nanoid(8)", "ulid()",
        "dbgenerated(\"'a'::text\")", "5",
    ),
    "Int": ("0", "-3", "autoincrement()", "42", 'dbgenerated("1 + 1")', '"7"'),
    "BigInt": ("0", "autoincrement()", "9007199254740993", "-1"),
    "Float": ("1.5", "0", "-2.25", "3", "-0.0", "007.5", "1.50"),
    "Decimal": ("1.5", "\"2.50\"", "0", "\".01\"", "\"1e2\"", "\"-0.0\"", "007", "\"1_000.5\""),
    "Boolean": ("true", "false"),
    "DateTime": (
        "now()", '"2020-01-01T00:00:00Z"', 'dbgenerated("now()")', '"1999-12-31T23:59:60Z"',
        '"2020-01-01t10:00:00.123456789+05:30"', '"2020-01-01 00:00:00.5z"',
        '"2020-01-01T00:00:00.1234-00:30"',
    ),
    "Json": ('"{}"', '"[1, 2]"', '"{\\"a\\": 1}"', '"[1e2, -0, 1.50e-1, 0.10]"'),
    "Bytes": ('""',),
}  # fmt: skip
LIST_DEFAULTS = {
    "String": ('["a", "b"]', "[]"),
    "Int": ("[1, 2]", "[]"),
    "Boolean": ("[true]",),
    "Float": ("[1.5]", "[1, 2.5]", "[-0, 007.5]"),
    "Decimal": ('["1.5"]', "[1.5]", '[".01", "1e2"]'),
    "BigInt": ("[1, 2]",),
    "Bytes": ('[""]',),
    "Json": ('["{}"]',),
    "DateTime": ('["2020-01-01T00:00:00Z"]', '["1999-12-31T23:59:60+01:00"]'),
}
ALGORITHMS = ("Hash", "Gin", "BTree", "Brin", "Gist", "SpGist")
OPS = (
    "InetOps", "JsonbOps", "JsonbPathOps", "ArrayOps", "TextOps", "BitMinMaxOps",
    "VarBitMinMaxOps", "BpcharBloomOps", "ByteaBloomOps", "DateMinMaxOps", "DateMinMaxMultiOps",
    "Float4BloomOps", "Float8MinMaxOps", "InetInclusionOps", "Int2MinMaxOps", "Int4BloomOps",
    "Int4MinMaxMultiOps", "Int8MinMaxOps", "NumericBloomOps", "OidBloomOps", "TextBloomOps",
    "TextMinMaxOps", "TimestampMinMaxOps", "TimestampTzBloomOps", "TimeMinMaxOps",
    "TimeTzBloomOps", "UuidMinMaxOps", 'raw("text_pattern_ops")',
)  # fmt: skip
ACTIONS = ("Cascade", "Restrict", "NoAction", "SetNull", "SetDefault")


@dataclass
class _Model:
    name: str
    lines: list[str] = field(default_factory=list)
    block: list[str] = field(default_factory=list)
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, "", "?", "[]"

    def text(self) -> str:
        body = "\n".join(self.lines)
        if self.block:
            body += "\n\n" + "\n".join(self.block)
        return f"model {self.name} {{\n{body}\n}}\n"


class _Draw:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.loose = self.r.random() < 0.2  # allow choices Prisma rejects
        self.enums: dict[str, list[str]] = {}
        self.multi = False  # multiSchema: every model and enum gets an @@schema
        self.partial = False  # the partialIndexes preview: indexes with where:

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def schema(self) -> str:
        previews: list[str] = []
        ds = ['  provider = "postgresql"']
        self.multi = self.chance(0.25)
        if self.multi:
            ds.append('  schemas  = ["public", "other"]')
        if self.chance(0.15):
            ds.append('  relationMode = "prisma"')
        if self.chance(0.15):
            previews.append('"postgresqlExtensions"')
            pool = [
                "citext", "pg_trgm", 'citext(schema: "public")', 'uuid_ossp(map: "uuid-ossp")',
                "btree_gin", 'postgis(version: "3.0")', 'vector(schema: "public", version: "1")',
            ]  # fmt: skip
            drawn = self.r.sample(pool, self.r.randint(1, 3))
            ds.append("  extensions = [" + ", ".join(drawn) + "]")
        if self.chance(0.1):
            previews.append('"views"')
        self.partial = self.chance(0.2)
        if self.partial:
            previews.append('"partialIndexes"')
        gen = '  provider = "prisma-client-js"\n'
        if previews:
            gen += f"  previewFeatures = [{', '.join(previews)}]\n"
        parts = ["generator client {\n" + gen + "}\n"]
        parts.append("datasource db {\n" + "\n".join(ds) + "\n}\n")
        for e in range(self.r.randint(0, 2)):
            parts.append(self._enum(f"E{e}", e))
        names = ["M0", "M1", "M2", "M3"]
        if self.chance(0.3):
            names[self.r.randrange(4)] = self.r.choice(["User", "Order", "Group", "Select"])
        models = [self._model(names[i]) for i in range(self.r.randint(1, 4))]
        self._relations(models)
        extra = []
        if self.chance(0.15):
            # a compound key referenced by a compound foreign key
            actions = self.r.choice(["", ", onDelete: Cascade", ", onUpdate: Restrict"])
            extra.append("model P {\n  a Int\n  b String\n  kids K[]\n\n  @@id([a, b])\n}\n")
            opt = self.r.choice(["", "?"])
            extra.append(
                f"model K {{\n  id Int @id\n  pa Int{opt}\n  pb String{opt}\n"
                f"  p P{opt} @relation(fields: [pa, pb], references: [a, b]{actions})\n"
                + ("\n  @@unique([pa, pb])\n" if self.chance(0.3) else "")
                + "}\n"
            )
        if self.chance(0.1):
            extra.append(
                'model S {\n  id Int @id\n  friends S[] @relation("f")\n'
                '  friendOf S[] @relation("f")\n}\n'
            )
        if '"views"' in previews and self.chance(0.7):
            extra.append(
                "view V {\n  id Int @unique\n  name String?\n"
                + ('\n  @@map("v_view")\n' if self.chance(0.3) else "")
                + "}\n"
            )
        if self.multi:
            extra = [e[: e.rindex("}")] + '  @@schema("other")\n}\n' for e in extra]
        return "\n".join(parts + [m.text() for m in models] + extra)

    def _enum(self, name: str, number: int) -> str:
        values = [f"V{v}" for v in range(self.r.randint(1, 3))]
        self.enums[name] = values
        lines = [f"  {v}" + (f' @map("v_{v.lower()}")' if self.chance(0.2) else "") for v in values]
        if self.chance(0.3):
            lines.append(f'\n  @@map("e_{number}")')
        elif self.chance(0.06):
            lines.append(f'\n  @@map("{self._long(name)}")')
        if self.multi:
            lines.append(f'  @@schema("{self.r.choice(["public", "other"])}")')
        return f"enum {name} {{\n" + "\n".join(lines) + "\n}\n"

    def _model(self, name: str) -> _Model:
        r = self.r
        model = _Model(name)
        composite = self.chance(0.15)
        if not composite:
            id_type = r.choice(("Int", "String", "BigInt") + (("Float",) if self.loose else ()))
            default = {"Int": "autoincrement()", "BigInt": "autoincrement()", "Float": "1"}.get(
                id_type, r.choice(("uuid()", "cuid()"))
            )
            native = ""
            if id_type == "String" and self.chance(0.3):
                native = " @db.Uuid" if default == "uuid()" else " @db.VarChar(30)"
            attr = f'@id(map: "pk_{name.lower()}")' if self.chance(0.1) else "@id"
            model.lines.append(f"  id {id_type} {attr} @default({default}){native}")
            model.fields.append(("id", id_type, ""))
        for number in range(r.randint(1, 5)):
            fname = f"f{number}"
            if self.chance(0.1):
                fname = r.choice(["select", "from", "order", "user", "createdAt", "Type"]) + str(
                    number
                )
            self._field(model, fname)
        if self.chance(0.15):
            t = r.choice(
                ['Unsupported("tsvector")', 'Unsupported("point")', 'Unsupported("ltree")']
            )
            mod = r.choice(["", "?"])
            extra = (
                " @default(dbgenerated(\"'(0,0)'::point\"))"
                if "point" in t and self.chance(0.3)
                else ""
            )
            model.lines.append(f"  u0 {t}{mod}{extra}")
            model.fields.append(("u0", "Unsupported", mod))
        plain = [f for f, t, mod in model.fields if mod == "" and t != "Json"]
        if composite:
            columns = r.sample(plain, min(len(plain), r.randint(1, 2)))
            if columns:
                model.block.append(f"  @@id([{', '.join(columns)}])")
            else:
                model.lines.insert(0, "  id Int @id")
                model.fields.insert(0, ("id", "Int", ""))
        for _ in range(r.randint(0, 2)):
            self._index(model)
        if self.chance(0.2):
            mapped = r.choice([f"t_{name.lower()}", f"my {name}", f"{name}-x", f"{name}.dot"])
            model.block.append(f'  @@map("{mapped}")')
        elif self.chance(0.06):
            model.block.append(f'  @@map("{self._long(name)}")')
        if self.multi:
            model.block.append(f'  @@schema("{self.r.choice(["public", "other"])}")')
        if self.chance(0.05):
            model.block.append("  @@ignore")
        return model

    def _field(self, model: _Model, name: str) -> None:
        r = self.r
        is_enum = bool(self.enums) and self.chance(0.2)
        kind = r.choice(sorted(self.enums)) if is_enum else r.choice(SCALARS)
        mod = r.choice(("", "", "?", "[]"))
        if mod == "[]" and kind == "Json" and not self.loose:
            mod = ""
        attrs = []
        if self.chance(0.35):
            if is_enum:
                values = self.enums[kind]
                attrs.append(
                    f"@default([{', '.join(values[: r.randint(0, len(values))])}])"
                    if mod == "[]"
                    else f"@default({values[-1]})"
                )
            elif mod == "[]":
                if kind in LIST_DEFAULTS:
                    attrs.append(f"@default({r.choice(LIST_DEFAULTS[kind])})")
            else:
                default = r.choice(DEFAULTS[kind])
                if default == "autoincrement()" and not self.loose and self.chance(0.7):
                    default = DEFAULTS[kind][0]
                attrs.append(f"@default({default})")
        if not is_enum and self.chance(0.3):
            attrs.append(r.choice(NATIVE[kind]))
        if kind == "DateTime" and mod == "" and self.chance(0.2):
            attrs.append("@updatedAt")
        if mod != "[]" and self.chance(0.15):
            attrs.append(
                r.choice(
                    ["@unique", f'@unique(map: "u_{model.name}_{name}")', "@unique(sort: Desc)"]
                )
            )
            if self._partial():
                earlier = model.fields or [(name, kind, mod)]
                attrs[-1] = f"@unique({self._where(earlier)})"
        if self.chance(0.15):
            attrs.append(f'@map("col_{name}")')
        elif self.chance(0.04):
            attrs.append(f'@map("{self._long(name)}")')
        elif self.chance(0.05):
            # A column named as another field: a scalar one (earlier or later; map.rs reads
            # them in order), a relation field (no column, valid), or the field itself.
            other = r.choice(["f1", "f2", "f3", "f4", "u0", "id", "rel1", "back1", "fk1", name])
            attrs.append(f'@map("{other}")')
        if self.loose and self.chance(0.1):
            attrs.append("@id")
        if self.chance(0.04):
            attrs.append("@ignore")
        model.lines.append(f"  {name} {kind}{mod}" + "".join(" " + a for a in attrs))
        model.fields.append((name, kind, mod))

    def _long(self, name: str) -> str:
        """A name near or past PostgreSQL's 63 bytes, some of it multi-byte: the generated
        constraint, index and sequence names built from it are cut to fit."""
        filler = self.r.choice(["x", "é", "日本", "_long"])
        text = name
        while len(text.encode()) < self.r.randint(50, 70):
            text += filler
        return text

    def _index(self, model: _Model) -> None:
        r = self.r
        names = [f for f, t, _ in model.fields if t != "Json" or self.loose or self.chance(0.3)]
        if not names:
            return
        columns = r.sample(names, min(len(names), r.randint(1, 2)))
        kind = r.choice(("@@index", "@@index", "@@unique"))
        algorithm = r.choice(ALGORITHMS) if kind == "@@index" and self.chance(0.4) else None
        keys = []
        for column in columns:
            if algorithm is not None and self.chance(0.4):
                keys.append(f"{column}(ops: {r.choice(OPS)})")
            elif kind == "@@index" and self.chance(0.2):
                keys.append(f"{column}(sort: Desc)")
            else:
                keys.append(column)
        args = f"[{', '.join(keys)}]"
        if self.chance(0.2):
            args += f', map: "{kind[2:]}_{model.name}_{"_".join(columns)}"'
        if kind == "@@unique" and self.chance(0.2):
            args += f', name: "n_{"_".join(columns)}"'
        if algorithm is not None:
            args += f", type: {algorithm}"
        if self._partial():
            args += ", " + self._where(model.fields)
        model.block.append(f"  {kind}({args})")

    def _partial(self) -> bool:
        # With the preview, or (loose) without it: Prisma refuses that.
        return (self.partial or (self.loose and self.chance(0.1))) and self.chance(0.35)

    def _where(self, fields: list[tuple[str, str, str]]) -> str:
        """A partial index's predicate: raw SQL, or an object of conditions on scalar fields
        whose values fit the field's type (any value when loose: Prisma refuses a mismatch)."""
        r = self.r
        if self.chance(0.3):
            return f'where: raw("{r.choice(RAW_PREDICATES)}")'
        conditions = []
        for name, kind, _ in r.sample(fields, min(len(fields), r.randint(1, 2))):
            if kind in self.enums:
                kind = "Enum"
            fits = [v for v in WHERE_VALUES if self.loose or v[1] in ("null", _FIT.get(kind))]
            value = r.choice([v for v, _ in fits])
            if self.chance(0.3):
                value = f"{{ not: {value} }}"
            conditions.append(f"{name}: {value}")
        return "where: { " + ", ".join(conditions) + " }"

    def _relations(self, models: list[_Model]) -> None:
        r = self.r
        number = 0
        for i, model in enumerate(models):
            for target in models[: i + 1]:
                if not self.chance(0.35):
                    continue
                number += 1
                target_id = next((t for f, t, _ in target.fields if f == "id"), None)
                if target_id is None:
                    continue
                name = f'"r{number}"' if not self.chance(0.05) else f'"{self._long(f"r{number}")}"'
                kind = r.choice(("1n", "1n", "11", "mn"))
                if kind == "mn":
                    if model is not target:
                        model.lines.append(f"  rel{number} {target.name}[] @relation({name})")
                        target.lines.append(f"  back{number} {model.name}[] @relation({name})")
                    continue
                optional = r.choice(("", "?"))
                unique = " @unique" if kind == "11" else ""
                model.lines.append(f"  fk{number} {target_id}{optional}{unique}")
                extra = ""
                if self.chance(0.4):
                    extra += f", onDelete: {r.choice(ACTIONS)}"
                if self.chance(0.2):
                    extra += f", onUpdate: {r.choice(ACTIONS)}"
                if self.chance(0.1):
                    extra += f', map: "fk_{model.name}_{number}"'
                model.lines.append(
                    f"  rel{number} {target.name}{optional} @relation({name}, "
                    f"fields: [fk{number}], references: [id]{extra})"
                )
                back = f"{model.name}?" if kind == "11" else f"{model.name}[]"
                target.lines.append(f"  back{number} {back} @relation({name})")


def random_schema(seed: int) -> str:
    """One schema, the same for the same seed."""
    return _Draw(seed).schema()


# Top-level blocks start at column 0 and end with a `}` line there (the generator writes so).
_BLOCK = re.compile(r"^(?:model|enum|view|datasource|generator|type)\b.*?^\}\n?", re.M | re.S)
_FILES = ("schema.prisma", "a.prisma", "Users.prisma", "_base.prisma", "z/models.prisma")
_COMMENTS = (
    "// note", "//", "//no space", "   // indented", "// has { braces } and @id",
    "/// doc comment", '/// @map("x")',
)  # fmt: skip


def random_files(seed: int) -> list[tuple[str, str]]:
    """``random_schema(seed)`` as Prisma's multi-file schemas are written: its blocks spread
    over 2-4 files (some left empty), with `//` and `///` comments on lines of their own and
    after text. Prisma reads the files as one schema (psl's ParserDatabase over many
    SourceFiles); comments are trivia, a `///` one a documentation comment."""
    draw = random.Random(seed)
    names = draw.sample(_FILES, draw.randint(2, 4))
    files = dict.fromkeys(names, "")
    text = random_schema(seed)
    blocks = _BLOCK.findall(text)
    assert "".join(blocks).split() == text.split(), "a block the split does not know"
    for block in blocks:
        lines: list[str] = [""] if draw.random() < 0.2 else []
        for line in block.splitlines():
            roll = draw.random()
            if roll < 0.15:
                lines.append(draw.choice(_COMMENTS))
            elif roll < 0.3 and line.strip():
                line = f"{line} {draw.choice(_COMMENTS)}"
            lines.append(line)
        files[draw.choice(names)] += "\n".join(lines) + "\n\n"
    return list(files.items())
