"""``@id``, ``@@id``, ``@unique``, ``@@unique`` and ``@@index``: read and validated.

parser-database ``attributes.rs``, ``attributes/id.rs`` and ``attributes/index.rs`` (field lists
written bare or as a list; only ``sort``, ``length`` and ``ops`` are read per field, other field
arguments are ignored, as ``id(order: Desc)`` is); psl-core ``validations/models.rs``,
``indexes.rs`` and the postgres connector's ``validations.rs`` (index types, operator classes).
"""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.expect.psl.arguments import Arguments
from dumpcheck.expect.psl.ast import Array, Attribute, Block, Call, Ident, Num, Str, Value
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.opclasses import check_opclass, opclass_name
from dumpcheck.expect.psl.partial import where_clause
from dumpcheck.expect.psl.schema import IndexDef, IndexField, IndexKind, ScalarField, Sort

ALGORITHMS = ("BTree", "Hash", "Gist", "Gin", "SpGist", "Brin")


class _Context:
    def __init__(
        self,
        sources: Mapping[str, str],
        block: Block,
        scalars: Mapping[str, ScalarField],
        relations: frozenset[str],
        previews: frozenset[str],
    ) -> None:
        self.sources = sources
        self.block = block
        self.scalars = scalars
        self.relations = relations
        self.previews = previews
        self.is_view = block.kind == "view"


def read_indexes(
    sources: Mapping[str, str],
    block: Block,
    scalars: Mapping[str, ScalarField],
    relations: frozenset[str],
    previews: frozenset[str],
) -> tuple[IndexDef | None, tuple[IndexDef, ...]]:
    """The primary key and the other indexes of one model or view, in declaration order."""
    ctx = _Context(sources, block, scalars, relations, previews)
    primary: IndexDef | None = None
    indexes: list[IndexDef] = []
    for fld in block.fields:
        if fld.name not in scalars:
            continue
        for attr in fld.attributes:
            if attr.name == "id":
                if primary is not None:
                    raise fail(
                        sources,
                        attr.pos,
                        "At most one field must be marked as the id field with the `@id` "
                        "attribute.",
                    )
                primary = _field_level(ctx, attr, scalars[fld.name], "id")
            elif attr.name == "unique":
                indexes.append(_field_level(ctx, attr, scalars[fld.name], "unique"))
    for attr in block.attributes:
        if attr.name == "id":
            if primary is not None:
                raise fail(
                    sources,
                    attr.pos,
                    "Each model must have at most one id criteria. You can't have `@id` and `@@id` "
                    "at the same time.",
                )
            primary = _block_level(ctx, attr, "id")
        elif attr.name in ("unique", "index"):
            indexes.append(_block_level(ctx, attr, "unique" if attr.name == "unique" else "index"))
    if primary is not None and ctx.is_view:
        raise fail(sources, primary.pos, "Error validating: Views cannot have primary keys.")
    _check_client_names(ctx)
    return primary, tuple(indexes)


def _field_level(ctx: _Context, attr: Attribute, fld: ScalarField, kind: IndexKind) -> IndexDef:
    known: tuple[str, ...] = ("map", "sort", "length", "clustered")
    if kind == "unique":
        known += ("where",)  # @unique(where: ...) as @@unique([f], where: ...)
    shown = f"@{kind}"
    args = Arguments(ctx.sources, attr, known, None, shown)
    _reject_unsupported(ctx, args, kind)
    sort = _sort(args)
    if kind == "id":
        if sort is not None:
            raise args.error(
                attr.pos,
                "The sort argument is not supported in the primary key with the current connector",
            )
        if fld.arity != "required":
            raise fail(ctx.sources, attr.pos, "Fields that are marked as id must be required.")
    _check_native(ctx, attr, fld, kind)
    db_name = _map(args)
    if ctx.is_view and kind == "unique" and db_name is not None:
        raise _view_unique_map(ctx, attr)
    where = _where(ctx, args)
    index_field = IndexField(fld.name, fld.column, sort)
    return IndexDef(kind, (index_field,), db_name, None, True, attr.pos, where)


def _block_level(ctx: _Context, attr: Attribute, kind: IndexKind) -> IndexDef:
    known: tuple[str, ...] = ("fields", "name", "map", "clustered")
    if kind == "index":
        known += ("type", "where")
    elif kind == "unique":
        known += ("where",)
    args = Arguments(ctx.sources, attr, known, "fields", f"@{kind}")
    _reject_unsupported(ctx, args, kind)
    if ctx.is_view and kind == "index":
        raise fail(ctx.sources, attr.pos, "Error validating: Views cannot have indexes.")
    items = args.field_names("fields")
    if items is None:
        raise args.error(attr.pos, 'Argument "fields" is missing.')
    if not items:
        raise args.error(
            attr.pos,
            "The list of fields in an index cannot be empty. Please specify at least one field.",
        )
    algorithm = args.constant("type", ALGORITHMS) if kind == "index" else None
    fields: list[IndexField] = []
    for name, item in items:
        fields.append(_index_field(ctx, attr, kind, name, item, algorithm))
    if kind in ("id", "unique"):
        names = [f.field for f in fields]
        for name in names:
            if names.count(name) > 1:
                raise fail(
                    ctx.sources,
                    attr.pos,
                    f"The unique index definition refers to the field {name} multiple times.",
                )
    if kind == "id":
        for f in fields:
            if ctx.scalars[f.field].arity != "required":
                raise fail(
                    ctx.sources,
                    attr.pos,
                    f"The id definition refers to the optional field `{f.field}`. ID definitions "
                    "must reference only required fields.",
                )
    db_name = _map(args)
    legacy = args.string("name") if kind == "index" else None
    if legacy is not None:
        if db_name is not None:
            raise args.error(
                attr.pos,
                "The `@@index` attribute accepts the `name` argument as an alias for the `map` "
                "argument for legacy reasons. It does not accept both though.",
            )
        db_name = legacy  # before Prisma 3, `name:` was the database name of an index
    elif kind != "index":
        args.string("name")
    if ctx.is_view and kind == "unique" and db_name is not None:
        raise _view_unique_map(ctx, attr)
    where = _where(ctx, args)
    if algorithm == "Hash" and any(f.sort is not None for f in fields):
        raise args.error(attr.pos, "Hash type does not support sort option.")
    if algorithm == "SpGist" and len(fields) > 1:
        raise args.error(attr.pos, "SpGist does not support multi-column indices.")
    for f in fields:
        if algorithm is not None or f.ops is not None:
            check_opclass(ctx.sources, attr.pos, algorithm or "BTree", ctx.scalars[f.field], f.ops)
    return IndexDef(kind, tuple(fields), db_name, algorithm, False, attr.pos, where)


def _index_field(
    ctx: _Context, attr: Attribute, kind: str, name: str, item: Value, algorithm: str | None
) -> IndexField:
    if name in ctx.relations:
        raise fail(
            ctx.sources,
            attr.pos,
            f'Error validating model "{ctx.block.name}": The index definition refers to the '
            f"relation fields {name}. Index definitions must reference only scalar fields.",
        )
    fld = ctx.scalars.get(name)
    if fld is None:
        raise fail(
            ctx.sources,
            attr.pos,
            f'Error validating model "{ctx.block.name}": The index definition refers to the '
            f"unknown fields: {name}.",
        )
    sort: Sort | None = None
    ops: str | None = None
    if isinstance(item, Call):
        field_args = {a.name: a for a in item.args if a.name is not None}
        sort_arg = field_args.get("sort")
        if sort_arg is not None and sort_arg.value is not None:
            value = sort_arg.value
            if not isinstance(value, Ident):
                raise fail(ctx.sources, value.pos, "Expected a constant value for sort.")
            if value.name not in ("Asc", "Desc"):
                raise fail(ctx.sources, value.pos, "Unexpected token. Expected one of: Asc, Desc")
            sort = "Asc" if value.name == "Asc" else "Desc"
        length = field_args.get("length")
        if length is not None and isinstance(length.value, Num) and length.value.text.isdigit():
            raise fail(
                ctx.sources,
                length.pos,
                "The length argument is not supported in an index definition with the current "
                "connector",
            )
        ops_arg = field_args.get("ops")
        if ops_arg is not None and ops_arg.value is not None:
            if kind != "index":
                raise fail(
                    ctx.sources,
                    ops_arg.pos,
                    "Operator classes can only be defined to fields in an @@index attribute.",
                )
            ops = opclass_name(ctx.sources, ops_arg.value)
    if kind == "id" and sort is not None:
        raise fail(
            ctx.sources,
            attr.pos,
            "The sort argument is not supported in the primary key with the current connector",
        )
    _check_native(ctx, attr, fld, kind)
    return IndexField(name, fld.column, sort, None, ops)


def _check_native(ctx: _Context, attr: Attribute, fld: ScalarField, kind: str) -> None:
    # postgres validations.rs compatible_native_types runs over @@index/@@unique (and their
    # field forms) only: an @id or @@id on an Xml field is accepted (PostgreSQL then refuses it).
    if kind != "id" and fld.native is not None and fld.native.name == "Xml":
        if kind == "index":
            message = "You cannot define an index on fields with native type `Xml` of Postgres."
        else:
            message = "Native type `Xml` cannot be unique in Postgres."
        raise fail(ctx.sources, attr.pos, message)


def _reject_unsupported(ctx: _Context, args: Arguments, kind: str) -> None:
    if args.get("clustered") is not None:
        raise args.error(
            args.attr.pos, "Defining clustering is not supported in the current connector."
        )
    if args.get("length") is not None:
        where = "the primary key" if kind == "id" else "an index definition"
        raise args.error(
            args.attr.pos,
            f"The length argument is not supported in {where} with the current connector",
        )


def _sort(args: Arguments) -> Sort | None:
    value = args.constant("sort", ("Asc", "Desc"))
    return None if value is None else ("Asc" if value == "Asc" else "Desc")


def _map(args: Arguments) -> str | None:
    name = args.string("map")
    if name == "":
        raise args.error(args.attr.pos, "The `map` argument cannot be an empty string.")
    return name


def _where(ctx: _Context, args: Arguments) -> str | None:
    return where_clause(args, ctx.previews, ctx.block.name, ctx.scalars, ctx.relations)


def _view_unique_map(ctx: _Context, attr: Attribute) -> Exception:
    return fail(
        ctx.sources,
        attr.pos,
        "@@unique annotations on views are not backed by unique indexes in the database and cannot "
        "specify a mapped database name.",
    )


def _check_client_names(ctx: _Context) -> None:
    # attributes/id.rs, unique_criteria: `name:` names the compound key in the client.
    field_names = {f.name for f in ctx.block.fields}
    used: set[str] = set()
    for attr in ctx.block.attributes:
        if attr.name not in ("id", "unique"):
            continue
        named = attr.arg("name", None)
        items = attr.arg("fields")
        value = items.value if items is not None else None
        fields = value.items if isinstance(value, Array) else ()
        count = len(fields) if isinstance(value, Array) else 1
        if named is not None and isinstance(named.value, Str):
            client = named.value.value
            if client in field_names:
                raise fail(
                    ctx.sources,
                    attr.pos,
                    f"The custom name `{client}` specified for the `@@{attr.name}` attribute is "
                    "already used as a name for a field. Please choose a different name.",
                )
            if client in used:
                raise fail(
                    ctx.sources,
                    attr.pos,
                    f"The given custom name `{client}` has to be unique on the model. Please "
                    "provide a different name for the `name` argument.",
                )
            used.add(client)
        elif count > 1:
            client = "_".join(getattr(i, "name", "") for i in fields)
            if client in field_names:
                raise fail(
                    ctx.sources,
                    attr.pos,
                    f"The field `{client}` clashes with the `@@{attr.name}` name. Please resolve "
                    "the conflict by providing a custom id name.",
                )
