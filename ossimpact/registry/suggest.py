"""`ossimpact registry suggest`: the release families the rule infers, as registry YAML.

An operator reviews the entries, names them and pastes them into the registry: a frozen family is
an explicit product, and no longer depends on how the inference reads new names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ossimpact.domain import ArtifactId, Edge
from ossimpact.registry.families import Family, family_yaml
from ossimpact.registry.model import Registry


def suggested_families(
    registry: Registry,
    artifacts: Iterable[ArtifactId],
    edges: Sequence[Edge] = (),
    organization: str | None = None,
) -> dict[str, list[Family]]:
    """organisation id → the families the membership rule infers among `artifacts` (what
    scoring would group as `family`), by family id."""
    grouping = registry.group(artifacts, edges)
    found: dict[str, list[Family]] = {}
    for product_id in sorted(grouping.members):
        product = grouping.products[product_id]
        members = grouping.members[product_id]
        if grouping.grouped_by[members[0]] != "family":
            continue
        if organization is not None and product.organization != organization:
            continue
        family = Family(product.id, product.name, tuple(sorted(members, key=str)))
        found.setdefault(product.organization, []).append(family)
    return found


def suggestion_yaml(found: dict[str, list[Family]]) -> str:
    """The families as `products:` entries, one block per organisation."""
    if not found:
        return "# no release families inferred: every artifact is in a product or alone\n"
    blocks = [
        f"# organisation {organization}: {len(families)} inferred release families\n"
        + family_yaml(families, organization)
        for organization, families in sorted(found.items())
    ]
    return "\n".join(blocks)
