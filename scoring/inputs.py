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
    # as_of (the engine filters again), oldest first or in any order. Fastest as the store's reader
    # returns it: artifact and metric categoricals over sorted names, value float64, observed_at
    # datetime64[ns, UTC], rows in (artifact, metric, time) order (checked, then used as they are)
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
    if isinstance(column.dtype, pd.CategoricalDtype) and not _has_missing(column):
        categories = column.cat.categories
        if (
            categories.dtype == "str"
            and categories.is_unique
            and categories.is_monotonic_increasing
        ):
            return column  # text categories in text order already (the store's reader)
        names = categories.astype(str)
        if names.is_unique:
            relabelled = column.cat.rename_categories(list(names))
            if not names.is_monotonic_increasing:
                relabelled = relabelled.cat.reorder_categories(names.sort_values())
            return relabelled
    return pd.Series(
        pd.Categorical(column.astype(str)), index=column.index, name=column.name, copy=False
    )


def _has_missing(column: pd.Series) -> bool:
    """Whether a categorical column has a missing value (code -1), by one reduction."""
    codes = _category_codes(column)
    return bool(len(codes)) and int(codes.min()) < 0


def _category_codes(column: pd.Series) -> npt.NDArray[np.integer[Any]]:
    """A categorical column's codes as they are stored (`.cat.codes` would copy every row)."""
    array = column.array
    assert isinstance(array, pd.Categorical)
    codes: npt.NDArray[np.integer[Any]] = array.codes
    return codes


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
        and not _has_missing(column)
    ):
        return _category_codes(column), column.cat.categories
    found, names = pd.factorize(column.astype(str), sort=True)
    return found.astype(np.int64), pd.Index(names)


def metric_rows(history: pd.DataFrame, metric: str) -> npt.NDArray[np.intp]:
    """Positions of the rows of one metric (comparing integer codes, not text)."""
    if history.empty:
        return np.zeros(0, dtype=np.intp)
    codes, names = own_codes(history["metric"])
    found = np.flatnonzero(np.asarray(names) == metric)
    if found.size == 0:
        return np.zeros(0, dtype=np.intp)
    rows: npt.NDArray[np.intp] = np.flatnonzero(codes == found[0])
    return rows


def checked_history(frame: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """The history with the expected columns and types, restricted to observations up to as_of
    (see `checked_series`)."""
    return checked_series(frame, as_of)[0]


def checked_series(frame: pd.DataFrame, as_of: datetime) -> tuple[pd.DataFrame, Segments]:
    """The history with the expected columns and types, restricted to observations up to as_of,
    and its series (Segments).

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
        },
        copy=False,
    )
    cutoff = pd.Timestamp(as_of)
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
    stamps = utc_nanoseconds(out["observed_at"])
    limit = cutoff.as_unit("ns").value
    numbers = value.to_numpy()
    # reductions first (no temporary of every row): most histories keep every row
    if len(stamps) and not (
        stamps.min() > NAT and stamps.max() <= limit and not np.isnan(numbers.min())
    ):
        kept = (stamps <= limit) & (stamps != NAT) & ~np.isnan(numbers)
        out, stamps = out[kept], stamps[kept]
    # one sort by (artifact, metric, time) here, so the detectors' sorts find their order made
    artifact_codes, artifacts = own_codes(out["artifact"])
    metric_codes, metrics = own_codes(out["metric"])
    ends = _ordered_ends(artifact_codes, metric_codes, stamps)
    if ends is None:
        pair = artifact_codes.astype(np.int64) * max(len(metrics), 1) + metric_codes
        order = time_order(pair, stamps)
        out = out.take(order)
        artifact_codes, metric_codes = artifact_codes[order], metric_codes[order]
        ends = group_ends(artifact_codes, metric_codes)
    return out.reset_index(drop=True), Segments(
        start=np.r_[0, ends[:-1] + 1].astype(np.intp)[: len(ends)],
        stop=ends + 1,
        artifact=artifact_codes[ends].astype(np.int64),
        metric=metric_codes[ends].astype(np.int64),
        artifacts=artifacts,
        metrics=metrics,
    )


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


CHUNK = 1 << 20  # rows per pass of the order checks: their temporaries stay in cache


def in_time_order(groups: npt.NDArray[np.integer[Any]], stamps: npt.NDArray[np.int64]) -> bool:
    """Whether rows are already grouped in group order and in time order within each group."""
    return in_pair_time_order(groups, None, stamps)


def in_pair_time_order(
    first: npt.NDArray[np.integer[Any]],
    second: npt.NDArray[np.integer[Any]] | None,
    stamps: npt.NDArray[np.int64],
) -> bool:
    """Whether rows are in (first, second, time) order, checked chunk by chunk on the codes as
    they are (no 64-bit pair codes of every row)."""
    return _ordered_ends(first, second, stamps) is not None


def _ordered_ends(
    first: npt.NDArray[np.integer[Any]],
    second: npt.NDArray[np.integer[Any]] | None,
    stamps: npt.NDArray[np.int64],
) -> npt.NDArray[np.intp] | None:
    """The last row of each run of equal (first, second) codes, or None when the rows are not in
    (first, second, time) order; one chunked pass for both."""
    n = len(first)
    ends: list[npt.NDArray[np.intp]] = []
    for start in range(0, max(n - 1, 0), CHUNK):
        stop = min(start + CHUNK, n - 1)
        a0, a1 = first[start:stop], first[start + 1 : stop + 1]
        if (a1 < a0).any():
            return None
        same = a1 == a0
        if second is not None:
            b0, b1 = second[start:stop], second[start + 1 : stop + 1]
            if (same & (b1 < b0)).any():
                return None
            same &= b1 == b0
        if (same & (stamps[start + 1 : stop + 1] < stamps[start:stop])).any():
            return None
        ends.append(np.flatnonzero(~same) + start)
    if n:
        ends.append(np.array([n - 1], dtype=np.intp))
    return np.concatenate(ends).astype(np.intp, copy=False) if ends else np.zeros(0, np.intp)


def group_ends(
    first: npt.NDArray[np.integer[Any]], second: npt.NDArray[np.integer[Any]]
) -> npt.NDArray[np.intp]:
    """The last row of each run of equal (first, second) codes."""
    if len(first) == 0:
        return np.zeros(0, dtype=np.intp)
    change = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
    ends: npt.NDArray[np.intp] = np.append(np.flatnonzero(change), len(first) - 1)
    return ends


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


@dataclass(frozen=True)
class Segments:
    """The series of a history in (artifact, metric, time) order: rows start[i]:stop[i] are one
    artifact's one metric, oldest first. Found once per history; the detectors and the growth
    signals then take a metric's rows without comparing every row's codes again."""

    start: npt.NDArray[np.intp]
    stop: npt.NDArray[np.intp]
    artifact: npt.NDArray[np.int64]  # code into `artifacts`, increasing within one metric
    metric: npt.NDArray[np.int64]  # code into `metrics`
    artifacts: pd.Index
    metrics: pd.Index

    def of_metric(self, metric: str) -> npt.NDArray[np.intp]:
        """Indices of the segments of one metric (in artifact order)."""
        found = np.flatnonzero(np.asarray(self.metrics) == metric)
        if found.size == 0:
            return np.zeros(0, dtype=np.intp)
        picked: npt.NDArray[np.intp] = np.flatnonzero(self.metric == found[0])
        return picked

    def rows(self, picked: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        """Row positions of the picked segments, segment after segment."""
        lengths = self.stop[picked] - self.start[picked]
        shift = np.repeat(self.start[picked] - (np.cumsum(lengths) - lengths), lengths)
        positions: npt.NDArray[np.intp] = np.arange(int(lengths.sum()), dtype=np.intp) + shift
        return positions


def series_segments(history: pd.DataFrame) -> Segments | None:
    """The history's segments, or None when its rows are not in (artifact, metric, time) order."""
    artifact_codes, artifacts = own_codes(history["artifact"])
    metric_codes, metrics = own_codes(history["metric"])
    ends = _ordered_ends(artifact_codes, metric_codes, utc_nanoseconds(history["observed_at"]))
    if ends is None:
        return None
    stop = ends + 1
    start = np.r_[0, stop[:-1]].astype(np.intp)[: len(stop)]
    return Segments(
        start=start,
        stop=stop,
        artifact=artifact_codes[stop - 1].astype(np.int64),
        metric=metric_codes[stop - 1].astype(np.int64),
        artifacts=artifacts,
        metrics=metrics,
    )
