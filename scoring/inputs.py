"""What scoring reads: products, their artifacts, observations up to an as-of date, edges, results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
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


def labels(column: pd.Series) -> pd.Series:
    """The column as text labels in a categorical with sorted categories.

    Millions of rows name a few thousand artifacts and a dozen metrics: comparing, filtering and
    sorting integer codes is what keeps scoring fast at scale, and sorted categories keep every
    code order the text order.
    """
    if isinstance(column.dtype, pd.CategoricalDtype) and not column.isna().any():
        names = column.cat.categories.astype(str)
        if names.is_unique:
            relabelled = column.cat.rename_categories(list(names))
            if not names.is_monotonic_increasing:
                relabelled = relabelled.cat.reorder_categories(names.sort_values())
            return relabelled
    return pd.Series(
        pd.Categorical(column.astype(str)), index=column.index, name=column.name, copy=False
    )


def label_codes(column: pd.Series) -> tuple[npt.NDArray[np.int64], pd.Index]:
    """Integer codes of a text column and the labels they stand for, in text order."""
    if (
        isinstance(column.dtype, pd.CategoricalDtype)
        and column.cat.categories.is_monotonic_increasing
        and not column.isna().any()
    ):
        codes: npt.NDArray[np.int64] = np.asarray(column.cat.codes, dtype=np.int64)
        return codes, column.cat.categories
    found, names = pd.factorize(column.astype(str), sort=True)
    return found.astype(np.int64), pd.Index(names)


def checked_history(frame: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """The history with the expected columns and types, restricted to observations up to as_of."""
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the history frame lacks column(s) {', '.join(missing)}")
    out = frame.loc[:, list(HISTORY_COLUMNS)].copy()
    out["artifact"] = labels(out["artifact"])
    out["metric"] = labels(out["metric"])
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    out["observed_at"] = pd.to_datetime(out["observed_at"], utc=True)
    cutoff = pd.Timestamp(as_of)
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
    out = out[(out["observed_at"] <= cutoff) & out["value"].notna()]
    # one sort by (artifact, metric, time) here, so the detectors' sorts find their order made
    artifact_codes, _ = label_codes(out["artifact"])
    metric_codes, metric_names = label_codes(out["metric"])
    pair = artifact_codes * max(len(metric_names), 1) + metric_codes
    order = time_order(pair, utc_nanoseconds(out["observed_at"]))
    if len(order) and not (order[1:] > order[:-1]).all():
        out = out.take(order)
    return out.reset_index(drop=True)


def utc_nanoseconds(stamps: pd.Series) -> npt.NDArray[np.int64]:
    """UTC timestamps as integer nanoseconds since the epoch (for sorting and day arithmetic)."""
    nanoseconds: npt.NDArray[np.int64] = (
        stamps.dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy()
        .astype("datetime64[ns]")
        .astype(np.int64)
    )
    return nanoseconds


def time_order(
    groups: npt.NDArray[np.int64], stamps: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """Row order by group, then time; rows at one instant keep their order (a stable sort).

    Histories mostly arrive in this order already (the store reads them so, and the checked
    history is sorted once): checking costs one pass, sorting millions of rows several.
    """
    order: npt.NDArray[np.intp] = np.arange(len(groups))
    if not (groups[1:] >= groups[:-1]).all():
        # rows grouped but groups out of order (a frame built artifact by artifact): a stable
        # sort of the groups alone keeps each group's rows as they came, often in time order
        order = np.argsort(groups, kind="stable")
    g, t = groups[order], stamps[order]
    same = g[1:] == g[:-1]
    if (t[1:][same] >= t[:-1][same]).all():
        return order
    by_time: npt.NDArray[np.intp] = np.lexsort((stamps, groups))
    return by_time
