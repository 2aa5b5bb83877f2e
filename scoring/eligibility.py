"""Eligibility doubts of a product: a licence that is not open, gated members, doubtful attribution.

The measure rewards open-source products of Shanghai organisations. Whether a product qualifies is
the committee's decision: these are flags with their evidence, shown and exported like the
integrity flags, never a silent exclusion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ossimpact.domain import ArtifactId, ArtifactRecord, IntegrityFlag, Organization, Product
from scoring.openness import LicenceClass, ProductLicence, classify_licence
from scoring.openness import product_licence as summarise

LICENCE_NOT_OPEN = "licence_not_open"
GATED = "gated"
ATTRIBUTION_DOUBT = "attribution_doubt"
ELIGIBILITY_FLAGS = (LICENCE_NOT_OPEN, GATED, ATTRIBUTION_DOUBT)

_LISTED = 8  # members named in one flag's evidence; the rest are counted


def artifact_licence(record: ArtifactRecord | None) -> LicenceClass:
    """The class of one artifact's licence (unknown when nothing about the artifact is known)."""
    if record is None:
        return classify_licence(None)
    return classify_licence(
        record.license,
        name=record.extra.get("license_name"),
        link=record.extra.get("license_link"),
    )


def product_licence(
    members: Sequence[ArtifactId], artifacts: Mapping[ArtifactId, ArtifactRecord]
) -> ProductLicence:
    return summarise([artifact_licence(artifacts.get(a)) for a in members], missing="—")


def _listed(items: Sequence[str]) -> str:
    shown = "; ".join(items[:_LISTED])
    more = len(items) - _LISTED
    return f"{shown}; and {more} more" if more > 0 else shown


def _licence_flag(
    members: Sequence[ArtifactId], artifacts: Mapping[ArtifactId, ArtifactRecord]
) -> IntegrityFlag | None:
    summary = product_licence(members, artifacts)
    if summary.openness == "open":
        return None
    described = []
    for member in members:
        found = artifact_licence(artifacts.get(member))
        described.append(f"{member}: {found.licence or '—'} ({found.openness})")
    mixed = ", the most restrictive member decides" if summary.mixed else ""
    return IntegrityFlag(
        kind=LICENCE_NOT_OPEN,
        artifact=None,
        evidence=f"openness {summary.openness}{mixed}: {_listed(described)}",
    )


def _gated_flag(
    members: Sequence[ArtifactId], artifacts: Mapping[ArtifactId, ArtifactRecord]
) -> IntegrityFlag | None:
    gated = []
    for member in members:
        record = artifacts.get(member)
        if record is not None and record.gated:
            mode = record.extra.get("gated_mode")
            gated.append(f"{member} ({mode} approval)" if mode else str(member))
    if not gated:
        return None
    return IntegrityFlag(
        kind=GATED,
        artifact=None,
        evidence=f"{len(gated)} of {len(members)} members need access approval: {_listed(gated)}",
    )


def _attribution_flag(organization: Organization | None, product: Product) -> IntegrityFlag | None:
    if organization is None:
        return IntegrityFlag(
            kind=ATTRIBUTION_DOUBT,
            artifact=None,
            evidence=f"organisation {product.organization} is not in the registry",
        )
    if organization.confidence == "high":
        return None
    evidence = "; ".join(organization.evidence[:2]) or "no evidence recorded"
    return IntegrityFlag(
        kind=ATTRIBUTION_DOUBT,
        artifact=None,
        evidence=(
            f"Shanghai attribution of {organization.name} is "
            f"{organization.confidence or 'not rated'}: {evidence}"
        ),
    )


def eligibility_flags(
    products: Sequence[Product],
    members: Mapping[str, Sequence[ArtifactId]],
    artifacts: Mapping[ArtifactId, ArtifactRecord],
    organizations: Mapping[str, Organization],
) -> dict[str, list[IntegrityFlag]]:
    """Each product's eligibility doubts (products without any are left out)."""
    out: dict[str, list[IntegrityFlag]] = {}
    for product in products:
        product_members = members.get(product.id, ())
        found = [
            flag
            for flag in (
                _licence_flag(product_members, artifacts),
                _gated_flag(product_members, artifacts),
                _attribution_flag(organizations.get(product.organization), product),
            )
            if flag is not None
        ]
        if found:
            out[product.id] = found
    return out
