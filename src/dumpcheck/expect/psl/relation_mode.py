"""relationMode = "prisma": Prisma emulates referential actions itself, and checks more.

psl-core ``validations/relations.rs`` (``cycles``, ``cascade_error_with_default_values``) and the
SetNull-on-a-required-field rule the PostgreSQL connector applies when it emulates actions.
"""

from __future__ import annotations

from collections.abc import Mapping

from dumpcheck.expect.psl.diagnostics import fail
from dumpcheck.expect.psl.schema import Action, InlineRelation, RelationField, ScalarField


def check_emulated_actions(
    sources: Mapping[str, str],
    scalars: Mapping[str, Mapping[str, ScalarField]],
    inline: list[InlineRelation],
    fields: Mapping[str, tuple[RelationField, ...]],
) -> None:
    """Every inline relation's actions, as relationMode = "prisma" allows them.

    ``scalars``: each model's scalar fields by name.
    """
    for relation in inline:
        _check_set_null(sources, scalars[relation.model], relation, fields)
    _check_cycles(sources, inline, fields)


def _check_set_null(
    sources: Mapping[str, str],
    owner: Mapping[str, ScalarField],
    rel: InlineRelation,
    fields: Mapping[str, tuple[RelationField, ...]],
) -> None:
    # Emulated SetNull cannot set a required column to NULL: PostgreSQL allows it with foreign
    # keys (Prisma only warns there), relationMode = "prisma" refuses it.
    if all(owner[f].arity != "required" for f in rel.fields):
        return
    field = next(f for f in fields[rel.model] if f.name == rel.field)
    for key, action in (("onDelete", field.on_delete), ("onUpdate", field.on_update)):
        if action == "SetNull":
            raise fail(
                sources,
                field.pos,
                f'Error parsing attribute "@relation": The `{key}` referential action of a '
                "relation must not be set to `SetNull` when a referenced field is required. "
                "Either choose another referential action, or make the referenced fields "
                "optional.",
            )


def _cascades(action: Action) -> bool:
    # parser-database ReferentialAction::triggers_modification.
    return action not in ("NoAction", "Restrict")


def _check_cycles(
    sources: Mapping[str, str],
    inline: list[InlineRelation],
    fields: Mapping[str, tuple[RelationField, ...]],
) -> None:
    """validations/relations.rs ``cycles``: with relationMode = "prisma", Prisma emulates the
    actions itself and refuses a chain of cascading relations that returns to where it started
    (a self-relation included) unless one link uses neither cascading action."""
    from_model: dict[str, list[InlineRelation]] = {}
    for rel in inline:
        from_model.setdefault(rel.model, []).append(rel)
    for start in inline:
        visited: set[tuple[str, str]] = set()
        stack: list[tuple[InlineRelation, tuple[InlineRelation, ...]]] = [(start, (start,))]
        while stack:
            rel, path = stack.pop()
            visited.add((rel.model, rel.field))
            if not (_cascades(rel.on_update) or _cascades(rel.on_delete)):
                continue
            if rel.model == rel.target:
                message = (
                    "A self-relation must have `onDelete` and `onUpdate` referential actions set "
                    "to `NoAction` in one of the @relation attributes."
                )
            elif rel.target == start.model:
                shown = " → ".join(f"{r.model}.{r.field}" for r in path)
                message = (
                    "Reference causes a cycle. One of the @relation attributes in this cycle must "
                    "have `onDelete` and `onUpdate` referential actions set to `NoAction`. Cycle "
                    f"path: {shown}."
                )
            else:
                for nxt in from_model.get(rel.target, ()):
                    if (nxt.model, nxt.field) not in visited:
                        stack.append((nxt, (*path, nxt)))
                continue
            field = next(f for f in fields[start.model] if f.name == start.field)
            raise fail(sources, field.pos, _with_defaults(message, start, field))


def _with_defaults(message: str, rel: InlineRelation, field: RelationField) -> str:
    # cascade_error_with_default_values: the actions the schema leaves implicit, if they cascade.
    implicit = []
    if field.on_delete is None and _cascades(rel.on_delete):
        implicit.append(f"`onDelete`: `{rel.on_delete}`")
    if field.on_update is None and _cascades(rel.on_update):
        implicit.append(f"`onUpdate`: `{rel.on_update}`")
    if implicit:
        message += " (Implicit default " + ", and ".join(implicit) + ")"
    return message + " Read more at https://pris.ly/d/cyclic-referential-actions"
