"""The leaderboard of a category: one row per scored product with what the table shows, and the
filters' selection."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.eligibility import product_licences, split_flags
from dashboard.format import rank_with_interval
from dashboard.frames.scores import flag_icon
from dashboard.frames.snapshot import Snapshot
from dashboard.hubs import product_hubs
from dashboard.i18n import catalogue

HEADLINE_METRICS: tuple[str, ...] = ("downloads_30d", "downloads_all_time", "likes", "stars")

COLUMNS = [
    "rank",
    "rank_text",
    "name",
    "organization_name",
    "total",
    "downloads_30d",
    "downloads_all_time",
    "likes",
    "stars",
    "license",
    "openness",
    "openness_name",
    "hubs",
    "size_class",
    "flags",
    "flagged",
    "top_n_share",
    "coverage",
    "url",
    "product_id",
    "organization",
]
# Few distinct values over thousands of rows: sent to the browser once each (Arrow dictionaries),
# not once per row.
REPEATED_COLUMNS = (
    "organization_name",
    "license",
    "openness",
    "openness_name",
    "size_class",
    "flags",
)


def product_figures(snap: Snapshot) -> pd.DataFrame:
    """Headline metrics per product: the sum over its artifacts of their latest observations."""
    if snap.latest.empty or snap.artifacts.empty:
        return pd.DataFrame(columns=["product_id", *HEADLINE_METRICS])
    joined = snap.latest[snap.latest["metric"].isin(HEADLINE_METRICS)].merge(
        snap.artifacts[["artifact", "product_id"]], on="artifact"
    )
    wide = joined.pivot_table(
        index="product_id", columns="metric", values="value", aggfunc="sum"
    ).reset_index()
    for metric in HEADLINE_METRICS:
        if metric not in wide.columns:
            wide[metric] = float("nan")
    # object ids even when nothing joined (an empty pivot's index is float)
    return wide[["product_id", *HEADLINE_METRICS]].astype({"product_id": object})


def leaderboard_frame(snap: Snapshot, category: str, lang: str) -> pd.DataFrame:
    """One row per scored product of a category, best first, with what the table shows:
    `organization` is the organization's id, `organization_name` its name in `lang`."""
    scores = snap.scores[snap.scores["category"] == category]
    frame = (
        scores.merge(snap.products[["product_id", "name", "organization"]], on="product_id")
        .merge(
            snap.organizations[["organization", "org_name", "org_name_zh"]],
            on="organization",
            how="left",
        )
        .merge(product_figures(snap), on="product_id", how="left")
        .merge(product_licences(snap.artifacts), on="product_id", how="left")
        .merge(product_hubs(snap.artifacts), on="product_id", how="left")
    )
    frame["organization_name"] = frame["org_name_zh" if lang == "zh" else "org_name"].fillna(
        frame["organization"]
    )
    frame["rank_text"] = [
        rank_with_interval(int(r), int(lo), int(hi))
        for r, lo, hi in zip(frame["rank"], frame["rank_low"], frame["rank_high"], strict=True)
    ]
    frame["flags"] = ["".join(flag_icon(k) for k in kinds) for kinds in frame["flag_kinds"]]
    # the integrity filter looks at integrity flags; eligibility has its own filter (openness)
    frame["flagged"] = [bool(split_flags(list(kinds))[0]) for kinds in frame["flag_kinds"]]
    frame["size_class"] = frame["cohort"]
    names = catalogue(lang)
    frame["openness"] = frame["openness"].fillna("unknown")
    frame["openness_name"] = [names.get(f"openness.{o}", o) for o in frame["openness"]]
    frame = frame.sort_values(["rank", "name"], ignore_index=True)[COLUMNS]
    return frame.astype({column: "category" for column in REPEATED_COLUMNS})


def filter_leaderboard(
    frame: pd.DataFrame,
    *,
    organizations: Sequence[str] = (),
    openness: Sequence[str] = (),
    hubs: Sequence[str] = (),
    size_classes: Sequence[str] = (),
    flagged: str = "all",
    search: str = "",
) -> pd.DataFrame:
    """The rows the filters keep (`organizations`: names as shown). `flagged` is "all",
    "flagged" or "unflagged"."""
    keep = pd.Series(True, index=frame.index)
    if organizations:
        keep &= frame["organization_name"].isin(organizations)
    if openness:
        keep &= frame["openness"].isin(openness)
    if hubs:
        published = frame["hubs"].fillna("").str.split(",")
        keep &= published.map(lambda found: any(h in found for h in hubs))
    if size_classes:
        keep &= frame["size_class"].isin(size_classes)
    if flagged == "flagged":
        keep &= frame["flagged"]
    elif flagged == "unflagged":
        keep &= ~frame["flagged"]
    needle = search.strip().casefold()
    if needle:
        haystack = (frame["name"].fillna("") + " " + frame["product_id"]).str.casefold()
        keep &= haystack.str.contains(needle, regex=False)
    return frame[keep].reset_index(drop=True)
