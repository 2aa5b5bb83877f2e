"""What scoring reads: products, their artifacts, observations up to an as-of date, edges, results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    Edge,
    Observation,
    Organization,
    Product,
)

HISTORY_COLUMNS = ("artifact", "metric", "value", "observed_at")


@dataclass(frozen=True)
class ScoringInputs:
    as_of: datetime
    products: Sequence[Product]
    members: Mapping[str, Sequence[ArtifactId]]  # product id -> its artifacts
    organizations: Mapping[str, Organization]
    artifacts: Mapping[ArtifactId, ArtifactRecord]
    # columns artifact (str), metric (str), value (float), observed_at (UTC); observations up to
    # as_of (the engine filters again), oldest first or in any order
    history: pd.DataFrame
    edges: Sequence[Edge]
    benchmarks: Sequence[BenchmarkResult]
    synthetic: bool = False


def history_frame(observations: Sequence[Observation]) -> pd.DataFrame:
    """The history frame of a list of observations (tests and small callers)."""
    frame = pd.DataFrame(
        {
            "artifact": [str(o.artifact) for o in observations],
            "metric": [str(o.metric) for o in observations],
            "value": [float(o.value) for o in observations],
            "observed_at": pd.to_datetime([o.observed_at for o in observations], utc=True),
        }
    )
    return frame


def empty_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "artifact": pd.Series([], dtype=object),
            "metric": pd.Series([], dtype=object),
            "value": pd.Series([], dtype=float),
            "observed_at": pd.Series([], dtype="datetime64[ns, UTC]"),
        }
    )


def checked_history(frame: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """The history with the expected columns and types, restricted to observations up to as_of."""
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the history frame lacks column(s) {', '.join(missing)}")
    out = frame.loc[:, list(HISTORY_COLUMNS)].copy()
    out["artifact"] = out["artifact"].astype(str)
    out["metric"] = out["metric"].astype(str)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    out["observed_at"] = pd.to_datetime(out["observed_at"], utc=True)
    cutoff = pd.Timestamp(as_of)
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
    out = out[(out["observed_at"] <= cutoff) & out["value"].notna()]
    return out.reset_index(drop=True)
