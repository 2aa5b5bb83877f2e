"""The one membership rule: which product each artifact counts towards, and how it joined.

Scoring applies it and records its answer with the scoring run; the dashboard and the exports
read that record (or, for a run scored before members were recorded, call this same rule), so a
product page and an export show exactly the artifacts a score used. In order:

1. `registry`: the explicit product whose include patterns match (owner and name compared
   case-insensitively) and whose `exclude:` patterns do not. Matched by two products, an artifact
   is a conflict and counts towards neither (the registry check reports it).
2. `own`: an artifact a `separate: true` product matches stays a product of its own.
3. `family`: unclaimed models of a registry organisation group into release families
   (`families.py`).
4. `cross-hub`: an unclaimed release on a mainland hub (ModelScope, OpenDataLab) joins the
   product of the same organisation's Hugging Face release of the same kind and name (compared
   case-insensitively; the owners may differ, e.g. `Shanghai_AI_Laboratory/internlm2_5-7b-chat`
   and `internlm/internlm2_5-7b-chat`), or for a build only the mainland hub carries, of the same
   release stem, so one release's downloads on every hub add up.
5. `own`: anything else of a registry organisation is a product of its own, its id the
   artifact id. Excluded look-alikes and third parties are in no product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ossimpact.domain import ArtifactId, ArtifactKind, Edge, Organization, Platform, Product
from ossimpact.registry.families import infer_families, stem
from ossimpact.registry.patterns import IncludePattern

GroupedBy = Literal["registry", "family", "own", "cross-hub"]
MAINLAND: frozenset[Platform] = frozenset({"ms", "od"})
GROUPED_BY: tuple[GroupedBy, ...] = ("registry", "family", "own", "cross-hub")


@dataclass(frozen=True)
class ProductRule:
    """An explicit product with its parsed patterns."""

    product: Product
    include: tuple[IncludePattern, ...]
    exclude: tuple[IncludePattern, ...] = ()
    separate: bool = False

    @classmethod
    def of(
        cls, product: Product, exclude: Sequence[str] = (), separate: bool = False
    ) -> ProductRule:
        return cls(
            product,
            tuple(IncludePattern.parse(text) for text in product.include),
            tuple(IncludePattern.parse(text) for text in exclude),
            separate,
        )

    def matches(self, artifact: ArtifactId) -> bool:
        return any(p.matches(artifact) for p in self.include) and not any(
            p.matches(artifact) for p in self.exclude
        )


@dataclass(frozen=True)
class Member:
    """One artifact of one product in one scoring run, and how it joined."""

    product: Product
    artifact: ArtifactId
    grouped_by: GroupedBy


@dataclass
class Grouping:
    """Artifacts grouped into products.

    `products` holds only products with at least one member. An artifact matched by two explicit
    products is in `conflicts` and in no product: the caller reports it. `third_party` holds
    artifacts whose owner is no registry organisation (or is excluded).
    """

    products: dict[str, Product] = field(default_factory=dict)
    members: dict[str, list[ArtifactId]] = field(default_factory=dict)
    grouped_by: dict[ArtifactId, GroupedBy] = field(default_factory=dict)
    conflicts: list[tuple[ArtifactId, list[str]]] = field(default_factory=list)
    third_party: list[ArtifactId] = field(default_factory=list)

    def add(self, product: Product, artifact: ArtifactId, how: GroupedBy) -> None:
        self.products.setdefault(product.id, product)
        self.members.setdefault(product.id, []).append(artifact)
        self.grouped_by[artifact] = how

    def rows(self) -> list[Member]:
        """Every (product, artifact) pair, by product id then artifact id."""
        return [
            Member(self.products[pid], artifact, self.grouped_by[artifact])
            for pid in sorted(self.members)
            for artifact in sorted(self.members[pid], key=str)
        ]

    def product_of(self, artifact: ArtifactId) -> Product | None:
        for pid, artifacts in self.members.items():
            if artifact in artifacts:
                return self.products[pid]
        return None


Owner = Callable[[ArtifactId], Organization | None]


def own_product(artifact: ArtifactId, organization: Organization) -> Product:
    """An artifact no product groups is a product of its own, named and identified by itself."""
    return Product(
        id=str(artifact),
        name=artifact.name,
        category=artifact.default_category,
        organization=organization.id,
        include=(str(artifact),),
        implicit=True,
    )


def group_artifacts(
    rules: Sequence[ProductRule],
    owner_of: Owner,
    artifacts: Iterable[ArtifactId],
    edges: Sequence[Edge] = (),
) -> Grouping:
    """Apply the rule (module docstring) to `artifacts`; `owner_of` gives a registry organisation
    for an artifact, None for a third party or an excluded look-alike."""
    by_owner: dict[tuple[Platform, ArtifactKind, str], list[ProductRule]] = {}
    for rule in rules:
        for key in dict.fromkeys(p.owner_key for p in rule.include):
            by_owner.setdefault(key, []).append(rule)
    grouping = Grouping()
    unclaimed: list[tuple[ArtifactId, Organization]] = []
    mainland: list[tuple[ArtifactId, Organization]] = []
    separate: list[ArtifactId] = []
    for artifact in dict.fromkeys(artifacts):
        key = (artifact.platform, artifact.kind, artifact.owner.casefold())
        matched = [rule for rule in by_owner.get(key, []) if rule.matches(artifact)]
        claiming = [rule for rule in matched if not rule.separate]
        if len(claiming) > 1:
            grouping.conflicts.append((artifact, [rule.product.id for rule in claiming]))
            continue
        if claiming:
            grouping.add(claiming[0].product, artifact, "registry")
            continue
        organization = owner_of(artifact)
        if organization is None:
            grouping.third_party.append(artifact)
            continue
        if artifact.platform in MAINLAND and not matched:
            mainland.append((artifact, organization))
            continue
        unclaimed.append((artifact, organization))
        if matched:
            separate.append(artifact)
    family_of: dict[ArtifactId, Product] = {}
    organization_of = dict(unclaimed)
    for family in infer_families(organization_of, edges, separate=separate):
        first = family.members[0]
        product = Product(
            id=family.id,
            name=family.name,
            category=first.default_category,
            organization=organization_of[first].id,
            include=tuple(str(member) for member in family.members),
            implicit=True,
        )
        family_of.update(dict.fromkeys(family.members, product))
    for artifact, organization in unclaimed:
        if artifact in family_of:
            grouping.add(family_of[artifact], artifact, "family")
        else:
            grouping.add(own_product(artifact, organization), artifact, "own")
    _join_across_hubs(grouping, mainland, owner_of)
    return grouping


def _join_across_hubs(
    grouping: Grouping, mainland: Sequence[tuple[ArtifactId, Organization]], owner_of: Owner
) -> None:
    """Mainland releases join the product of their Hugging Face twin (rule 4), else stand alone.

    The twin is the Hugging Face artifact of the same name; for a build the Hub does not carry
    (a ModelScope-only GPTQ or MLX build), the Hugging Face release of the same stem."""
    twins: dict[tuple[str, ArtifactKind, str], Product] = {}
    releases: dict[tuple[str, ArtifactKind, str], Product] = {}
    for product_id, artifacts in grouping.members.items():
        for artifact in artifacts:
            organization = owner_of(artifact) if artifact.platform == "hf" else None
            if organization is not None:
                product = grouping.products[product_id]
                twins.setdefault(
                    (organization.id, artifact.kind, artifact.name.casefold()), product
                )
                if artifact.kind == "model":
                    key = (organization.id, artifact.kind, stem(artifact.name).casefold())
                    releases.setdefault(key, product)
    for artifact, organization in mainland:
        twin = twins.get((organization.id, artifact.kind, artifact.name.casefold()))
        if twin is None and artifact.kind == "model":
            twin = releases.get((organization.id, artifact.kind, stem(artifact.name).casefold()))
        if twin is not None:
            grouping.add(twin, artifact, "cross-hub")
        else:
            grouping.add(own_product(artifact, organization), artifact, "own")
