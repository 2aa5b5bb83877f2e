"""Derivatives the organisations' own listings already brought: when they make up the Hub's count.

A base model's children listing (`filter=base_model:<id>`) costs a request per base. When every
child the Hub counts (`childrenModelCount`) is a model the run has already listed, the children
listing would return exactly those models: the counts, the third-party share and the edges follow
from them without asking. Any difference (an outside derivative, a relation counted otherwise, a
bare total that does not match) and the listing is asked for as before.
"""

from __future__ import annotations

from collections import Counter

from collectors.huggingface.derivatives import Child, DerivativeSummary, Relation
from ossimpact.domain import ArtifactId


def all_children_seen(counts: dict[str, int] | None, seen: dict[ArtifactId, Relation]) -> bool:
    """Whether the Hub's counts are exactly the children seen, relation by relation."""
    if not counts or not seen:
        return False
    if "total" in counts:
        return len(counts) == 1 and counts["total"] == len(seen)
    counted = {relation: n for relation, n in counts.items() if n}
    return counted == dict(Counter(seen.values()))


def summary_of_seen(base_id: str, seen: dict[ArtifactId, Relation]) -> DerivativeSummary:
    """The summary the children listing would give, from the children already seen."""
    owner = base_id.split("/", 1)[0].lower()
    summary = DerivativeSummary(base_id)
    for child, relation in seen.items():
        summary.children.append(Child(child.repo_id, child.owner, relation))
        summary.per_relation[relation] += 1
        if child.owner.lower() != owner:
            summary.third_party += 1
    return summary
