"""30-day downloads of the mainland hubs, from our own daily snapshots.

ModelScope and OpenDataLab publish all-time counts only. A release's downloads over the last 30
days are its all-time count now less the newest count we stored at least 30 days earlier: empty
until our history reaches back that far, and never negative (a count that went down is the
integrity check's to flag, not growth to record).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pandas as pd

from ossimpact.domain import Metric, Observation

MAINLAND = frozenset({"ms", "od"})
WINDOW = timedelta(days=30)


def thirty_day_downloads(
    current: Sequence[Observation], history: pd.DataFrame
) -> list[Observation]:
    """A `downloads_30d` observation for each mainland all-time count in `current` whose history
    (columns artifact, metric, value, observed_at, as the store reads it) reaches 30 days back."""
    if history.empty:
        return []
    counts = history[history["metric"].astype(str) == Metric.DOWNLOADS_ALL_TIME]
    by_artifact = {
        str(artifact): group.sort_values("observed_at")
        for artifact, group in counts.groupby(counts["artifact"].astype(str), observed=True)
    }
    derived: list[Observation] = []
    for observation in current:
        if observation.metric != Metric.DOWNLOADS_ALL_TIME:
            continue
        if observation.artifact.platform not in MAINLAND:
            continue
        series = by_artifact.get(str(observation.artifact))
        if series is None:
            continue
        before = series[series["observed_at"] <= pd.Timestamp(observation.observed_at - WINDOW)]
        if before.empty:
            continue  # our history does not reach 30 days back yet
        gained = observation.value - float(before["value"].iloc[-1])
        if gained < 0:
            continue
        derived.append(
            Observation(
                observation.artifact,
                Metric.DOWNLOADS_30D,
                gained,
                observation.observed_at,
                observation.source_url,
            )
        )
    return derived
