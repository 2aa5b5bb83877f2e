"""A product's history: per metric and day, the sum over its artifacts."""

from __future__ import annotations

import pandas as pd

HISTORY_METRICS: tuple[str, ...] = ("downloads_all_time", "downloads_30d", "stars", "likes")


def empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=["observed_at", "metric", "value"])


def product_history_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Per metric and day, the sum over a product's artifacts (the latest value of each day)."""
    if history.empty:
        return empty_history()
    frame = history.assign(
        observed_at=pd.to_datetime(history["observed_at"], utc=True),
        artifact=history["artifact"].map(str),
    )
    frame["day"] = frame["observed_at"].dt.floor("D")
    per_artifact_day = (
        frame.sort_values("observed_at")
        .groupby(["artifact", "metric", "day"], as_index=False)["value"]
        .last()
    )
    summed = per_artifact_day.groupby(["metric", "day"], as_index=False)["value"].sum()
    result: pd.DataFrame = summed.rename(columns={"day": "observed_at"})
    return result[["observed_at", "metric", "value"]]
