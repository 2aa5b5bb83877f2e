"""Where a product is published: its hubs, and its downloads on each (mainland users mostly
download from ModelScope and OpenDataLab, so a product's standing shows every hub)."""

from __future__ import annotations

import pandas as pd

from scoring.hubs import DOWNLOAD_SIGNALS, downloads_by_hub

# Platform codes of artifact ids, in the order hubs are shown.
HUBS: tuple[str, ...] = ("hf", "ms", "od", "gh")
# scoring.hubs names a hub by its id prefix; the dashboard by its platform code
_PLATFORM_OF_PREFIX = {"hf": "hf", "ms": "ms", "odl": "od"}


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


def downloads_breakdown(latest: pd.DataFrame, members: pd.DataFrame) -> dict[str, dict[str, float]]:
    """downloads signal → platform code → what the product's members on that hub add up to
    (the combined downloads signals of the score, hub by hub; hubs without the figure left out)."""
    if latest.empty or members.empty:
        return {}
    ids = [str(a) for a in members["artifact"]]
    wanted = latest[latest["metric"].isin(DOWNLOAD_SIGNALS) & latest["artifact"].isin(ids)]
    figures = {
        (str(a), str(m)): float(v)
        for a, m, v in zip(wanted["artifact"], wanted["metric"], wanted["value"], strict=True)
    }
    return {
        signal: {_PLATFORM_OF_PREFIX[prefix]: value for prefix, value in per_hub.items()}
        for signal, per_hub in downloads_by_hub(figures, ids).items()
    }


def hub_downloads(latest: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """All-time downloads of one product's members added up per hub (hubs without a figure
    left out): columns hub, downloads."""
    sums = downloads_breakdown(latest, members).get("downloads_all_time", {})
    return pd.DataFrame(
        [{"hub": hub, "downloads": sums[hub]} for hub in HUBS if hub in sums],
        columns=["hub", "downloads"],
    )
