"""The export's columns, in the order the committee's spreadsheets expect them."""

from __future__ import annotations

from typing import Literal

from ossimpact.domain import CATEGORIES, Category

ExportCategory = Literal["model", "corpus", "community", "all"]
EXPORT_CATEGORIES: tuple[str, ...] = (*CATEGORIES, "all")

EXPORT_COLUMNS_BASE: tuple[str, ...] = (
    "rank",
    "rank_low",
    "rank_high",
    "product_id",
    "product_name",
    "organization",
    "category",
    "score",
    "flags",
    "url",
    "methodology_version",
    "data_as_of",
    "synthetic",
)

# The signals the issue names per category; a methodology's further signals follow them.
SIGNAL_COLUMNS: dict[Category, tuple[str, ...]] = {
    "model": ("downloads_30d", "downloads_all_time", "likes", "derivatives", "benchmark_score"),
    "corpus": ("downloads_30d", "downloads_all_time", "likes", "derivatives"),
    "community": ("stars", "forks", "contributors"),
}

# Counts: exported as whole numbers (nullable), so Excel shows 1234 and not 1234.0.
COUNT_SIGNALS: frozenset[str] = frozenset(
    {
        "downloads_30d",
        "downloads_all_time",
        "likes",
        "derivatives",
        "stars",
        "forks",
        "contributors",
        "outside_contributors",
        "spaces",
        "releases",
        "commits_90d",
    }
)

NOTE_COLUMN = "note"
# Further columns, after the mandated ones: rank stability and coverage of the methodology.
EXTRA_COLUMNS: tuple[str, ...] = ("top_n_share", "coverage")
CONTRIBUTION_PREFIX = "contribution_"


def signal_columns(category: ExportCategory) -> tuple[str, ...]:
    """The mandated signal columns of a category; for "all" the union, in category order."""
    if category != "all":
        return SIGNAL_COLUMNS[category]
    seen: dict[str, None] = {}
    for name in CATEGORIES:
        seen.update(dict.fromkeys(SIGNAL_COLUMNS[name]))
    return tuple(seen)
