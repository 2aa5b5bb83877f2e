"""Fake-star evidence: profiles of a repository's most recent stargazers, where GitHub shows them.

GitHub restricts the stargazer list to repository admins and collaborators (announced
2026-06-30). Where the list is refused, the evidence is recorded as unavailable — never guessed.
The low-activity rule follows the profile signals of the StarScout study of fake stars (He et al.,
2024): an account with almost no followers, follows, gists or repositories.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from collectors.github.parse import Star, UserProfile
from ossimpact.domain import ArtifactId

YOUNG_ACCOUNT_DAYS = 30


@dataclass(frozen=True)
class StargazerEvidence:
    """What the sampled stargazers of one repository look like, or why there is no sample."""

    artifact: ArtifactId
    available: bool
    sampled: int = 0
    low_activity: int = 0
    young_accounts: int = 0  # created within 30 days before starring
    reason: str | None = None  # why the evidence is unavailable
    observed_at: datetime | None = None
    source_url: str = ""
    reobserved: bool = False  # every page and profile answered 304: the same evidence again

    @property
    def low_activity_share(self) -> float | None:
        return self.low_activity / self.sampled if self.sampled else None


def is_low_activity(profile: UserProfile) -> bool:
    return (
        profile.followers < 2
        and profile.following < 2
        and profile.public_gists == 0
        and profile.public_repos < 5
    )


def is_young_at_star(profile: UserProfile, starred_at: datetime) -> bool:
    if profile.created_at is None:
        return False
    return starred_at - profile.created_at <= timedelta(days=YOUNG_ACCOUNT_DAYS)


def most_recent(stars: Iterable[Star], limit: int) -> list[Star]:
    return sorted(stars, key=lambda star: (star.starred_at, star.login), reverse=True)[:limit]


def stargazer_pages(stars: int, per_page: int, wanted: int) -> list[int]:
    """The page numbers that hold the `wanted` most recent stars (GitHub lists oldest first)."""
    if stars <= 0:
        return []
    last = (stars + per_page - 1) // per_page
    pages = [last]
    if stars - (last - 1) * per_page < wanted and last > 1:
        pages.insert(0, last - 1)
    return pages


def summarise(
    artifact: ArtifactId,
    sample: Sequence[tuple[Star, UserProfile]],
    observed_at: datetime,
    source_url: str,
    *,
    reobserved: bool = False,
) -> StargazerEvidence:
    humans = [(star, profile) for star, profile in sample if not profile.is_bot]
    return StargazerEvidence(
        artifact=artifact,
        available=True,
        sampled=len(humans),
        low_activity=sum(1 for _, profile in humans if is_low_activity(profile)),
        young_accounts=sum(
            1 for star, profile in humans if is_young_at_star(profile, star.starred_at)
        ),
        observed_at=observed_at,
        source_url=source_url,
        reobserved=reobserved,
    )
