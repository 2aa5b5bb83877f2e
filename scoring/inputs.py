"""What scoring reads: products, their artifacts, observations up to an as-of date, edges, results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    codes, names = own_codes(column)
    return codes.astype(np.int64, copy=False), names


def own_codes(column: pd.Series) -> tuple[npt.NDArray[np.integer[Any]], pd.Index]:
    """As `label_codes`, but a categorical column's own codes (int8/int16/int32, for reading):
    selecting rows by code needs no 64-bit copy of millions of rows."""
    if (
        isinstance(column.dtype, pd.CategoricalDtype)
        and column.cat.categories.is_monotonic_increasing
        and not column.isna().any()
    ):
        return np.asarray(column.cat.codes), column.cat.categories
    found, names = pd.factorize(column.astype(str), sort=True)
    return found.astype(np.int64), pd.Index(names)


def checked_history(frame: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """The history with the expected columns and types, restricted to observations up to as_of.

    Artifact and metric come back as categoricals with sorted text categories, rows in (artifact,
    metric, time) order. A frame that already has those types and that order (the store's reader
    builds it so) is checked in a few array passes and not copied.
    """
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the history frame lacks column(s) {', '.join(missing)}")
    value = frame["value"]
    if value.dtype != np.float64:
        value = pd.to_numeric(value, errors="coerce").astype(float)
    observed = frame["observed_at"]
    if not _is_utc(observed):
        observed = pd.to_datetime(observed, utc=True)
    out = pd.DataFrame(
        {
            "artifact": labels(frame["artifact"]),
            "metric": labels(frame["metric"]),
            "value": value,
            "observed_at": observed,
        }
    )
    cutoff = pd.Timestamp(as_of)
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
    stamps = utc_nanoseconds(out["observed_at"])
    kept = (stamps <= cutoff.as_unit("ns").value) & (stamps != NAT) & ~np.isnan(value.to_numpy())
    if not kept.all():
        out, stamps = out[kept], stamps[kept]
    # one sort by (artifact, metric, time) here, so the detectors' sorts find their order made
    artifact_codes, _ = label_codes(out["artifact"])
    metric_codes, metric_names = label_codes(out["metric"])
    pair = artifact_codes * max(len(metric_names), 1) + metric_codes
    if not in_time_order(pair, stamps):
        out = out.take(time_order(pair, stamps))
    return out.reset_index(drop=True)


NAT = np.iinfo(np.int64).min
_PER_NANOSECOND = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def _is_utc(stamps: pd.Series) -> bool:
    dtype = stamps.dtype
    return isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"


def utc_nanoseconds(stamps: pd.Series) -> npt.NDArray[np.int64]:
    """UTC timestamps as integer nanoseconds since the epoch (for sorting and day arithmetic).

    A UTC column is read as its integers (no conversion pass); NaT stays the int64 minimum.
    """
    if _is_utc(stamps):
        dtype = stamps.dtype
        assert isinstance(dtype, pd.DatetimeTZDtype)
        raw: npt.NDArray[np.int64] = np.asarray(stamps.array.asi8, dtype=np.int64)
        factor = _PER_NANOSECOND.get(dtype.unit)
        if factor == 1:
            return raw
        if factor is not None:
            scaled: npt.NDArray[np.int64] = np.where(raw == NAT, NAT, raw * factor)
            return scaled
    nanoseconds: npt.NDArray[np.int64] = (
        stamps.dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy()
        .astype("datetime64[ns]")
        .astype(np.int64)
    )
    return nanoseconds


def in_time_order(groups: npt.NDArray[np.int64], stamps: npt.NDArray[np.int64]) -> bool:
    """Whether rows are already grouped in group order and in time order within each group."""
    if len(groups) < 2:
        return True
    step = groups[1:] - groups[:-1]
    if (step < 0).any():
        return False
    return bool(((step > 0) | (stamps[1:] >= stamps[:-1])).all())


def time_order(
    groups: npt.NDArray[np.int64], stamps: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """Row order by group, then time; rows at one instant keep their order (a stable sort).

    Histories mostly arrive in this order already (the store reads them so, and the checked
    history is sorted once): checking costs one pass, sorting millions of rows several.
    """
    order: npt.NDArray[np.intp] = np.arange(len(groups))
    if in_time_order(groups, stamps):
        return order
    if not (groups[1:] >= groups[:-1]).all():
        # rows grouped but groups out of order (a frame built artifact by artifact): a stable
        # sort of the groups alone keeps each group's rows as they came, often in time order
        order = np.argsort(groups, kind="stable")
    if in_time_order(groups[order], stamps[order]):
        return order
    by_time: npt.NDArray[np.intp] = np.lexsort((stamps, groups))
    return by_time
