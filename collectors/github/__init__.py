"""The GitHub collector: bulk GraphQL first, REST alone when GraphQL is unavailable."""

from collectors.github.collector import (
    GitHubCollectionResult,
    GitHubCollector,
    OrganizationObservation,
)
from collectors.github.stargazers import StargazerEvidence

__all__ = [
    "GitHubCollectionResult",
    "GitHubCollector",
    "OrganizationObservation",
    "StargazerEvidence",
]
