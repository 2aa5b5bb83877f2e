"""Derivatives of a base model: relation of each child, counts per relation, own vs outside.

The Hub tags a derivative `base_model:<relation>:<base id>` and counts them on the base as
`childrenModelCount` = {relation: n}. A derivative published by the base model's own owner is an
official release (e.g. its quantisation); one from another owner is influence outside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Relation = Literal["finetune", "adapter", "quantized", "merge"]
RELATIONS: tuple[Relation, ...] = ("finetune", "adapter", "quantized", "merge")
# The Hub infers "finetune" when a card names a base model without a relation.
DEFAULT_RELATION: Relation = "finetune"


def _relation(text: object) -> Relation | None:
    for relation in RELATIONS:
        if text == relation:
            return relation
    return None


def base_relations(
    repo_id: str, tags: Iterable[str], base_models: object = None
) -> list[tuple[Relation, str]]:
    """The (relation, base id) pairs a model declares, from its tags, else from `baseModels`."""
    pairs: list[tuple[Relation, str]] = []
    for tag in tags:
        parts = tag.split(":", 2)
        if (
            len(parts) == 3
            and parts[0] == "base_model"
            and (rel := _relation(parts[1]))
            and parts[2] != repo_id
            and parts[2].count("/") == 1
        ):
            pairs.append((rel, parts[2]))
    if pairs or not isinstance(base_models, dict):
        return list(dict.fromkeys(pairs))
    relation = _relation(base_models.get("relation")) or DEFAULT_RELATION
    for model in base_models.get("models") or []:
        base = model.get("id") if isinstance(model, dict) else None
        if isinstance(base, str) and base.count("/") == 1 and base != repo_id:
            pairs.append((relation, base))
    return list(dict.fromkeys(pairs))


MAX_COUNT = 2**63 - 1  # what the store's integer columns hold; beyond it a count is garbage


def children_by_relation(value: object, problems: list[str]) -> dict[str, int] | None:
    """`childrenModelCount` as {relation: n}; None when absent or unreadable.

    The Hub answers a dict by relation; an older form is a bare total, kept under "total".
    """
    if value is None:
        return None
    if isinstance(value, bool):
        problems.append(f"childrenModelCount is {value!r}")
        return None
    if isinstance(value, int):
        if not 0 <= value <= MAX_COUNT:
            problems.append(f"childrenModelCount is {value!r}, not a count")
            return None
        return {"total": value}
    if not isinstance(value, dict):
        problems.append(f"childrenModelCount is {type(value).__name__}, not counts by relation")
        return None
    counts: dict[str, int] = {}
    for key, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
            problems.append(f"childrenModelCount[{key!r}] is {count!r}")
            continue
        counts[str(key)] = count
    return counts


def has_children(children: dict[str, int] | None) -> bool:
    return bool(children) and sum(children.values()) > 0  # type: ignore[union-attr]


@dataclass(frozen=True)
class Child:
    id: str
    author: str | None
    relation: Relation


@dataclass
class DerivativeSummary:
    """What the children listing of one base model says."""

    base_id: str
    children: list[Child] = field(default_factory=list)
    per_relation: Counter[str] = field(default_factory=Counter)
    third_party: int = 0


def summarise_children(
    base_id: str, children: Sequence[tuple[str, str | None, Sequence[str], object]]
) -> DerivativeSummary:
    """Children given as (id, author, tags, baseModels) from a `base_model:<base id>` listing."""
    owner = base_id.split("/", 1)[0].lower()
    summary = DerivativeSummary(base_id)
    for child_id, author, tags, base_models in children:
        relations = [
            rel for rel, base in base_relations(child_id, tags, base_models) if base == base_id
        ]
        relation = relations[0] if relations else DEFAULT_RELATION
        child_owner = (author or child_id.split("/", 1)[0]).lower()
        summary.children.append(Child(child_id, author, relation))
        summary.per_relation[relation] += 1
        if child_owner != owner:
            summary.third_party += 1
    return summary
