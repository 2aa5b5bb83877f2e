"""The loaded registry: who is a Shanghai organisation, which products group which artifacts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ossimpact.domain import ArtifactId, Edge, Organization, Platform, Product
from ossimpact.registry.membership import Grouping, ProductRule, group_artifacts
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
        options: Mapping[str, tuple[Sequence[str], bool]] | None = None,
    ) -> None:
        """`options`: product id → (its `exclude:` patterns, whether it is `separate`)."""
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
        self.rules = [
            ProductRule.of(product, *(options or {}).get(product.id, ((), False)))
            for product in products.values()
        ]

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
        """Every explicit product whose patterns claim the artifact (after its `exclude:`
        patterns); more than one is a conflict."""
        return [rule.product for rule in self.rules if rule.matches(artifact)]

    def product_for(self, artifact: ArtifactId) -> Product | None:
        """The product an artifact counts towards when it is looked at alone (no family can form
        from one artifact): see `group` for the rule. None for third-party or excluded owners and
        for an artifact two explicit products claim."""
        return self.group([artifact]).product_of(artifact)

    def group(self, artifacts: Iterable[ArtifactId], edges: Sequence[Edge] = ()) -> Grouping:
        """The one membership rule (`ossimpact.registry.membership`) over these artifacts."""
        return group_artifacts(self.rules, self._counted_owner, artifacts, edges)

    def _counted_owner(self, artifact: ArtifactId) -> Organization | None:
        return None if self.is_excluded(artifact) else self.organization_for(artifact)
