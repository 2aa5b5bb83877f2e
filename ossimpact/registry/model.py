"""The loaded registry: who is a Shanghai organisation, which products group which artifacts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ossimpact.domain import ArtifactId, ArtifactKind, Organization, Platform, Product
from ossimpact.registry.patterns import IncludePattern


@dataclass(frozen=True)
class ExcludedOrganization:
    """A look-alike outside Shanghai: its handles are never counted, whatever they publish."""

    id: str
    name: str
    reason: str
    huggingface: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    name_zh: str | None = None
    city: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def handles(self) -> tuple[str, ...]:
        """Both platforms' handles, tagged: `hf:deepseek-ai`, `gh:deepseek-ai`."""
        return tuple(f"hf:{h}" for h in self.huggingface) + tuple(f"gh:{h}" for h in self.github)


@dataclass
class Grouping:
    """Artifacts grouped into products.

    `products` holds only products with at least one member, explicit or implicit. An artifact
    matched by two explicit products is in `conflicts` and in no product: the caller reports it.
    `third_party` holds artifacts whose owner is no registry organisation (or is excluded).
    """

    products: dict[str, Product] = field(default_factory=dict)
    members: dict[str, list[ArtifactId]] = field(default_factory=dict)
    conflicts: list[tuple[ArtifactId, list[str]]] = field(default_factory=list)
    third_party: list[ArtifactId] = field(default_factory=list)


def _handle_key(platform: Platform, handle: str) -> tuple[Platform, str]:
    return (platform, handle.casefold())


class Registry:
    """A validated registry. Build it with `load_registry`; the constructor trusts its input."""

    def __init__(
        self,
        organizations: dict[str, Organization],
        products: dict[str, Product],
        excluded: list[ExcludedOrganization],
        source: Path,
    ) -> None:
        self.organizations = organizations
        self.products = products
        self.excluded = excluded
        self.source = source
        self._owners: dict[tuple[Platform, str], Organization] = {}
        for organization in organizations.values():
            for handle in organization.huggingface:
                self._owners[_handle_key("hf", handle)] = organization
            for handle in organization.github:
                self._owners[_handle_key("gh", handle)] = organization
            for handle in organization.modelscope:
                self._owners[_handle_key("ms", handle)] = organization
            for handle in organization.opendatalab:
                self._owners[_handle_key("od", handle)] = organization
        self._excluded: set[tuple[Platform, str]] = set()
        for entry in excluded:
            self._excluded.update(_handle_key("hf", handle) for handle in entry.huggingface)
            self._excluded.update(_handle_key("gh", handle) for handle in entry.github)
        self._patterns: dict[
            tuple[Platform, ArtifactKind, str], list[tuple[IncludePattern, Product]]
        ]
        self._patterns = {}
        for product in products.values():
            for text in product.include:
                pattern = IncludePattern.parse(text)
                self._patterns.setdefault(pattern.owner_key, []).append((pattern, product))

    def __repr__(self) -> str:
        return (
            f"Registry({self.source}, {len(self.organizations)} organisations, "
            f"{len(self.products)} products, {len(self.excluded)} excluded)"
        )

    def hf_handles(self) -> list[str]:
        return [h for org in self.organizations.values() for h in org.huggingface]

    def gh_handles(self) -> list[str]:
        return [h for org in self.organizations.values() for h in org.github]

    def ms_handles(self) -> list[str]:
        """ModelScope owners of the organisations."""
        return [h for org in self.organizations.values() for h in org.modelscope]

    def odl_handles(self) -> list[str]:
        """OpenDataLab publishers of the organisations."""
        return [h for org in self.organizations.values() for h in org.opendatalab]

    def organization_for(self, artifact: ArtifactId) -> Organization | None:
        return self._owners.get(_handle_key(artifact.platform, artifact.owner))

    def is_excluded(self, artifact: ArtifactId) -> bool:
        return _handle_key(artifact.platform, artifact.owner) in self._excluded

    def explicit_artifacts(self) -> list[ArtifactId]:
        """Artifacts the registry names exactly (include entries without wildcards), in order."""
        found: list[ArtifactId] = []
        for product in self.products.values():
            for text in product.include:
                artifact = IncludePattern.parse(text).artifact
                if artifact is not None and artifact not in found:
                    found.append(artifact)
        return found

    def matching_products(self, artifact: ArtifactId) -> list[Product]:
        """Every explicit product whose include patterns match; more than one is a conflict."""
        key = (artifact.platform, artifact.kind, artifact.owner.casefold())
        matched: list[Product] = []
        for pattern, product in self._patterns.get(key, []):
            if product not in matched and pattern.matches(artifact):
                matched.append(product)
        return matched

    def product_for(self, artifact: ArtifactId) -> Product | None:
        """The product an artifact counts towards.

        The one explicit product that matches; else, when the owner is a registry handle, an
        implicit product of the artifact alone; None for third-party or excluded owners and
        for an artifact two explicit products claim (see `group` for those conflicts).
        """
        matched = self.matching_products(artifact)
        if len(matched) == 1:
            return matched[0]
        if matched:
            return None
        organization = self.organization_for(artifact)
        if organization is None:
            return None
        return Product(
            id=str(artifact),
            name=artifact.name,
            category=artifact.default_category,
            organization=organization.id,
            include=(str(artifact),),
            implicit=True,
        )

    def group(self, artifacts: Iterable[ArtifactId]) -> Grouping:
        grouping = Grouping()
        seen: set[ArtifactId] = set()
        for artifact in artifacts:
            if artifact in seen:
                continue
            seen.add(artifact)
            matched = self.matching_products(artifact)
            if len(matched) > 1:
                grouping.conflicts.append((artifact, [product.id for product in matched]))
                continue
            product = self.product_for(artifact)
            if product is None:
                grouping.third_party.append(artifact)
                continue
            grouping.products.setdefault(product.id, product)
            grouping.members.setdefault(product.id, []).append(artifact)
        return grouping
