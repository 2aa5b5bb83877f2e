"""Where a product is published: its hubs, and its downloads on each (mainland users mostly
download from ModelScope and OpenDataLab, so a product's standing shows every hub)."""

from __future__ import annotations

import pandas as pd

# Platform codes of artifact ids, in the order hubs are shown.
HUBS: tuple[str, ...] = ("hf", "ms", "od", "gh")


def product_hubs(artifacts: pd.DataFrame) -> pd.DataFrame:
    """Per product, the platforms its members are on (codes in HUBS order, joined by commas)."""
    tracked = artifacts.dropna(subset=["product_id"])
    hubs = {
        str(product_id): ",".join(h for h in HUBS if h in set(group["platform"]))
        for product_id, group in tracked.groupby("product_id", sort=False)
    }
    # object columns even when empty: a product id column must merge with product ids
    return pd.DataFrame(
        {"product_id": list(hubs), "hubs": list(hubs.values())}, columns=["product_id", "hubs"]
    ).astype(object)


def hub_downloads(latest: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """All-time downloads of one product's members added up per hub (hubs without a figure
    left out): columns hub, downloads."""
    if latest.empty or members.empty:
        return pd.DataFrame(columns=["hub", "downloads"])
    figures = latest[latest["metric"] == "downloads_all_time"].merge(
        members[["artifact", "platform"]], on="artifact"
    )
    sums = figures.groupby("platform")["value"].sum()
    return pd.DataFrame(
        [{"hub": hub, "downloads": float(sums[hub])} for hub in HUBS if hub in sums.index],
        columns=["hub", "downloads"],
    )
