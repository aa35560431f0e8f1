"""Relations: pair each relation field with its opposite, then check the pair as Prisma does.

parser-database ``relations.rs`` (fields pair up by target model and relation name) and
``attributes/relation.rs``; psl-core ``validations/relation_fields.rs`` (ambiguity, actions),
``relations/one_to_one.rs``, ``one_to_many.rs`` and ``many_to_many/implicit.rs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dumpcheck.expect.psl.arguments import Arguments
from dumpcheck.expect.psl.constraint_names import join_table_object_name
from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.fields import RawRelation
from dumpcheck.expect.psl.relation_mode import check_emulated_actions
from dumpcheck.expect.psl.schema import (
    Action,
    IndexDef,
    InlineRelation,
    ManyToMany,
    RelationField,
    ScalarField,
)

ACTIONS: tuple[Action, ...] = ("Cascade", "Restrict", "NoAction", "SetNull", "SetDefault")
_EMULATED: tuple[Action, ...] = ("Cascade", "Restrict", "SetNull")


@dataclass(frozen=True)
class ModelInfo:
    """What relation checks need to know of a model."""

    name: str
    is_view: bool
    ignored: bool
    scalars: Mapping[str, ScalarField]
    primary_key: IndexDef | None
    indexes: tuple[IndexDef, ...]


def read_relation_field(
    sources: Mapping[str, str], model: ModelInfo, raw: RawRelation, relation_mode_prisma: bool
) -> RelationField:
    """The arguments of one relation field's ``@relation``."""
    name = fields = references = fk_name = None
    on_delete = on_update = None
    if raw.attr is not None:
        args = Arguments(
            sources,
            raw.attr,
            ("name", "fields", "references", "map", "onDelete", "onUpdate"),
            "name",
            "@relation",
        )
        name = args.string("name")
        fields = args.field_names("fields")
        references = args.field_names("references")
        fk_name = args.string("map")
        # relationMode = "prisma" on PostgreSQL emulates Cascade, Restrict and SetNull only.
        allowed = _EMULATED if relation_mode_prisma else ACTIONS
        on_delete = _action(args, "onDelete", allowed)
        on_update = _action(args, "onUpdate", allowed)
    for item_name, _ in fields or ():
        if item_name not in model.scalars:
            raise fail(
                sources,
                raw.field.pos,
                'Error parsing attribute "@relation": The argument fields must refer only to '
                f"existing scalar fields. The following fields are not: {item_name}",
            )
    return RelationField(
        name=raw.field.name,
        target=raw.target,
        arity=raw.arity,
        pos=raw.field.pos,
        relation_name=name,
        fields=tuple(n for n, _ in fields or ()),
        references=tuple(n for n, _ in references or ()),
        on_delete=on_delete,
        on_update=on_update,
        fk_name=fk_name,
        ignored=raw.ignored,
    )


def _action(args: Arguments, key: str, allowed: tuple[Action, ...]) -> Action | None:
    value = args.get(key)
    if value is None:
        return None
    shown = getattr(value, "name", None)
    if shown not in allowed:
        extra = ""
        if len(allowed) < len(ACTIONS):
            extra = " Allowed values: (`Cascade`, `Restrict`, `SetNull`)"
            if shown == "NoAction":
                extra += (
                    ". `NoAction` is not implemented for Postgres when using "
                    '`relationMode = "prisma"`, you could try using `Restrict` instead. '
                    "Learn more at https://pris.ly/d/relation-mode"
                )
        raise args.error(value.pos, f"Invalid referential action: `{shown}`.{extra}")
    return next(a for a in allowed if a == shown)


def pair_relations(
    sources: Mapping[str, str],
    models: Mapping[str, ModelInfo],
    fields: Mapping[str, tuple[RelationField, ...]],
    relation_mode_prisma: bool = False,
) -> tuple[tuple[InlineRelation, ...], tuple[ManyToMany, ...]]:
    """Every relation of the schema, checked: foreign keys and implicit join tables."""
    for model_name, rels in fields.items():
        _check_ambiguity(sources, model_name, rels)
        for rel in rels:
            if models[rel.target].ignored and not rel.ignored and not models[model_name].ignored:
                raise fail(
                    sources,
                    rel.pos,
                    f"The relation field `{rel.name}` on Model `{model_name}` must specify the "
                    f"`@ignore` attribute, because the model {rel.target} it is pointing to is "
                    "marked ignored.",
                )
    inline: list[InlineRelation] = []
    many: list[ManyToMany] = []
    done: set[tuple[str, str]] = set()
    for model_name, rels in fields.items():
        for rel in rels:
            if (model_name, rel.name) in done:
                continue
            back = _opposite(fields.get(rel.target, ()), model_name, rel)
            if back is None:
                raise fail(
                    sources,
                    rel.pos,
                    f"Error validating field `{rel.name}` in model `{model_name}`: The relation "
                    f"field `{rel.name}` on model `{model_name}` is missing an opposite relation "
                    f"field on the model `{rel.target}`. Either run `prisma format` or add it "
                    "manually.",
                )
            done.add((model_name, rel.name))
            done.add((rel.target, back.name))
            if rel.arity == "list" and back.arity == "list":
                many.append(_many_to_many(sources, models, model_name, rel, back))
            else:
                inline.append(_inline(sources, models, model_name, rel, back))
    if relation_mode_prisma:
        check_emulated_actions(
            sources, {name: info.scalars for name, info in models.items()}, inline, fields
        )
    return tuple(inline), tuple(many)


def _check_ambiguity(
    sources: Mapping[str, str], model: str, rels: tuple[RelationField, ...]
) -> None:
    groups: dict[tuple[str, str | None], list[RelationField]] = {}
    for rel in rels:
        groups.setdefault((rel.target, rel.relation_name), []).append(rel)
    for (target, name), group in groups.items():
        limit = 2 if target == model else 1
        if len(group) <= limit and not (target == model and len(group) == 2 and name is None):
            continue
        a, b = group[0], group[1]
        if target == model and name is None:
            message = (
                f"Ambiguous self relation detected. The fields `{a.name}` and `{b.name}` in model "
                f"`{model}` both refer to `{model}`. If they are part of the same relation add the "
                "same relation name for them with `@relation(<name>)`."
            )
        elif name is not None and len(group) > limit:
            message = (
                f"Wrongly named relation detected. The fields `{a.name}` and `{b.name}` in model "
                f"`{model}` both use the same relation name. Please provide different relation "
                "names for them through `@relation(<name>).`"
            )
        else:
            message = (
                f"Ambiguous relation detected. The fields `{a.name}` and `{b.name}` in model "
                f"`{model}` both refer to `{target}`. Please provide different relation names for "
                "them by adding `@relation(<name>)."
            )
        raise fail(sources, b.pos, f'Error validating model "{model}": {message}')


def _opposite(
    candidates: tuple[RelationField, ...], model: str, rel: RelationField
) -> RelationField | None:
    for other in candidates:
        if other is rel or other.target != model or other.relation_name != rel.relation_name:
            continue
        return other
    return None


def _many_to_many(
    sources: Mapping[str, str],
    models: Mapping[str, ModelInfo],
    model_name: str,
    rel: RelationField,
    back: RelationField,
) -> ManyToMany:
    for owner, side in ((model_name, rel), (rel.target, back)):
        if side.references:
            raise fail(
                sources,
                side.pos,
                "Implicit many-to-many relation should not have references argument defined. "
                "Either remove it, or change the relation to one-to-many.",
            )
        if side.fields:
            raise fail(
                sources,
                side.pos,
                "Implicit many-to-many relation should not have fields argument defined. Either "
                "remove it, or change the relation to one-to-many.",
            )
        if side.on_delete is not None or side.on_update is not None:
            raise fail(
                sources,
                side.pos,
                "Referential actions on implicit many-to-many relations are not supported",
            )
        info = models[owner]
        if info.is_view or models[side.target].is_view:
            raise fail(
                sources, side.pos, "Implicit many-to-many relations are not supported for views."
            )
        other = models[side.target]
        if other.primary_key is None or len(other.primary_key.fields) != 1:
            raise fail(
                sources,
                side.pos,
                f"Error validating field `{side.name}` in model `{owner}`: The relation field "
                f"`{side.name}` on model `{owner}` references `{side.target}` which does not have "
                "an `@id` field. Models without `@id` cannot be part of a many to many relation. "
                "Use an explicit intermediate Model to represent this relationship.",
            )
    # Model A is the one whose name sorts first; a self relation sorts by field name
    # (parser-database walkers/relation/implicit_many_to_many.rs).
    a, b = sorted(
        ((model_name, rel), (rel.target, back)), key=lambda p: (p[0].encode(), p[1].name.encode())
    )
    name = rel.relation_name or f"{a[0]}To{b[0]}"
    if any(join_table_object_name(name, s) is None for s in ("_A_fkey", "_B_fkey")):
        raise fail(
            sources,
            rel.pos,
            "prisma migrate fails on this relation: Prisma's engine panics cutting the foreign "
            f"key names of its join table `_{name}` at byte 56, inside a character.",
        )
    return ManyToMany(name, a[0], b[0], a[1].name)


def _inline(
    sources: Mapping[str, str],
    models: Mapping[str, ModelInfo],
    model_name: str,
    rel: RelationField,
    back: RelationField,
) -> InlineRelation:
    sides = [(model_name, rel, rel.target, back), (rel.target, back, model_name, rel)]
    if rel.arity == "list" or back.arity == "list":
        # One-to-many: the non-list side holds the key.
        sides.sort(key=lambda s: s[1].arity == "list")
        owner, field, target, other = sides[0]
        if other.fields or other.references:
            raise fail(
                sources,
                other.pos,
                f"The relation field `{other.name}` on Model `{target}` must not specify the "
                "`fields` or `references` argument in the @relation attribute. You must only "
                f"specify it on the opposite field `{field.name}` on model `{owner}`.",
            )
        _require_fields(sources, owner, field)
    else:
        holders = [s for s in sides if s[1].fields or s[1].references]
        if not holders:
            raise fail(
                sources,
                rel.pos,
                f"The relation fields `{rel.name}` on Model `{model_name}` and `{back.name}` on "
                f"Model `{rel.target}` do not provide the `fields` argument in the @relation "
                "attribute. You have to provide it on one of the two fields.",
            )
        if len(holders) == 2:
            raise fail(
                sources,
                rel.pos,
                f"The relation fields `{rel.name}` on Model `{model_name}` and `{back.name}` on "
                f"Model `{rel.target}` both provide the `fields` argument in the @relation "
                "attribute. You have to provide it only on one of the two fields.",
            )
        owner, field, target, other = holders[0]
        _require_fields(sources, owner, field)
        if other.arity == "required":
            raise fail(
                sources,
                other.pos,
                f"The relation field `{other.name}` on Model `{target}` is required. This is not "
                "valid because it's not possible to enforce this constraint on the database level. "
                f"Please change the field type from `{owner}` to `{owner}?` to fix this.",
            )
    if other.on_delete is not None or other.on_update is not None:
        raise fail(
            sources,
            other.pos,
            f"The relation field `{other.name}` on Model `{target}` must not specify the "
            "`onDelete` or `onUpdate` argument in the @relation attribute. You must only specify "
            f"it on the opposite field `{field.name}` on model `{owner}`, or in case of a "
            "many-to-many relation, in an explicit join table.",
        )
    _check_keys(sources, models[owner], models[target], field, one_to_one=other.arity != "list")
    required = any(models[owner].scalars[f].arity == "required" for f in field.fields)
    # walkers/relation_field.rs default_on_delete_action / default_on_update_action.
    return InlineRelation(
        model=owner,
        field=field.name,
        target=target,
        fields=field.fields,
        references=field.references,
        on_delete=field.on_delete or ("Restrict" if required else "SetNull"),
        on_update=field.on_update or "Cascade",
        fk_name=field.fk_name,
    )


def _require_fields(sources: Mapping[str, str], owner: str, field: RelationField) -> None:
    for arg in ("fields", "references"):
        if not getattr(field, arg):
            raise fail(
                sources,
                field.pos,
                f'Error parsing attribute "@relation": The relation field `{field.name}` on Model '
                f"`{owner}` must specify the `{arg}` argument in the @relation attribute. You can "
                "run `prisma format` to fix this automatically.",
            )
    if len(field.fields) != len(field.references):
        raise fail(
            sources,
            field.pos,
            'Error parsing attribute "@relation": You must specify the same number of fields in '
            "`fields` and `references`.",
        )


def _check_keys(
    sources: Mapping[str, str],
    owner: ModelInfo,
    target: ModelInfo,
    field: RelationField,
    *,
    one_to_one: bool,
) -> None:
    for ref in field.references:
        if ref not in target.scalars:
            raise fail(
                sources,
                field.pos,
                'Error parsing attribute "@relation": The argument `references` must refer only '
                f"to existing fields in the related model `{target.name}`. The following fields do "
                f"not exist in the related model: {ref}",
            )
    if frozenset(field.references) not in _unique_sets(target):
        raise fail(
            sources,
            field.pos,
            'Error parsing attribute "@relation": The argument `references` must refer to a '
            f"unique criterion in the related model. Consider adding an `@unique` attribute to "
            f"the field `{field.references[0]}` in the model `{target.name}`.",
        )
    for mine, ref in zip(field.fields, field.references, strict=True):
        a, b = owner.scalars[mine], target.scalars[ref]
        if a.type != b.type or a.unsupported != b.unsupported:
            raise fail(
                sources,
                field.pos,
                f'Error parsing attribute "@relation": The type of the field `{mine}` in the '
                f"model `{owner.name}` is not matching the type of the referenced field `{ref}` in "
                f"model `{target.name}`.",
            )
    if field.arity == "required" and any(
        owner.scalars[f].arity == "optional" for f in field.fields
    ):
        raise fail(
            sources,
            field.pos,
            f'Error parsing attribute "@relation": The relation field `{field.name}` uses the '
            f"scalar fields {', '.join(field.fields)}. At least one of those fields is optional. "
            "Hence the relation field must be optional as well.",
        )
    if one_to_one and frozenset(field.fields) not in _unique_sets(owner):
        raise fail(
            sources,
            field.pos,
            'Error parsing attribute "@relation": A one-to-one relation must use unique fields '
            "on the defining side. Either add an `@unique` attribute to the field "
            f"`{field.fields[0]}`, or change the relation to one-to-many.",
        )


def _unique_sets(model: ModelInfo) -> set[frozenset[str]]:
    keys = [model.primary_key, *(i for i in model.indexes if i.kind == "unique")]
    return {frozenset(f.field for f in k.fields) for k in keys if k is not None}
