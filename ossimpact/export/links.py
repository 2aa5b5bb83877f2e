"""The web page an export row links to for a product: its first artifact on its platform."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ossimpact.domain import (
    MODELSCOPE_WEB,
    OPENDATALAB_WEB,
    ArtifactId,
    InvalidArtifactId,
    Product,
)
from ossimpact.registry.patterns import IncludePattern, InvalidPattern


def _owner_page(pattern: IncludePattern) -> str:
    if pattern.platform == "gh":
        return f"https://github.com/{pattern.owner}"
    if pattern.platform == "ms":
        return f"{MODELSCOPE_WEB}/organization/{pattern.owner}"
    if pattern.platform == "od":
        return OPENDATALAB_WEB  # its publisher pages go by a numeric id, not by the owner name
    return f"https://huggingface.co/{pattern.owner}"


def product_url(
    product_id: str, product: Product | None, artifacts: Callable[[], Sequence[ArtifactId]]
) -> str | None:
    """The first artifact's page (registry order); for a wildcard pattern the first stored
    artifact it matches, else the owner's page. `artifacts` is called only when needed."""
    includes = product.include if product is not None and not product.implicit else ()
    if not includes:
        try:
            return ArtifactId.parse(product_id).web_url
        except InvalidArtifactId:
            return None
    try:
        pattern = IncludePattern.parse(includes[0])
    except InvalidPattern:
        return None
    exact = pattern.artifact
    if exact is not None:
        return exact.web_url
    for artifact in artifacts():
        if pattern.matches(artifact):
            return artifact.web_url
    return _owner_page(pattern)
