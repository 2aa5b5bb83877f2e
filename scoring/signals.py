"""Raw signal values per product, derived from observations, edges and benchmark results.

Everything here is column-wise pandas: one frame per source, merged on artifact ids, grouped by
product. A product that lacks a signal gets NaN (missing), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from ossimpact.domain import BenchmarkResult, Edge, Metric
from scoring.aggregate import (
    ProductFigures,
    aggregate_metric,
    latest_values,
    related_once,
)
from scoring.catalogue import SIGNALS
from scoring.cohorts import age_bucket, relative_adoption, size_class
from scoring.inputs import (
    ScoringInputs,
    Segments,
    in_time_order,
    metric_rows,
    own_codes,
    time_order,
    utc_nanoseconds,
)
from scoring.methodology import Methodology
from scoring.normalize import FloatArray, percentile

DERIVATIVE_RELATIONS = ("finetune", "adapter", "quantized", "merge")
DERIVATIVE_COUNT_METRICS = {
    "finetune": Metric.DERIVATIVES_FINETUNE,
    "adapter": Metric.DERIVATIVES_ADAPTER,
    "quantized": Metric.DERIVATIVES_QUANTIZED,
    "merge": Metric.DERIVATIVES_MERGE,
}


@dataclass(frozen=True)
class SignalTable:
    raw: pd.DataFrame  # index product_id (sorted), one column per catalogue signal, NaN = missing
    category: pd.Series  # product_id -> category
    cohort: pd.Series  # product_id -> cohort label (models) or None


def _ts(value: datetime) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def membership_frame(inputs: ScoringInputs) -> pd.DataFrame:
    rows = [(p.id, str(a)) for p in inputs.products for a in inputs.members.get(p.id, ())]
    frame = pd.DataFrame(rows, columns=["product_id", "artifact"], dtype=object)
    return frame.drop_duplicates().reset_index(drop=True)


def owners_frame(inputs: ScoringInputs, membership: pd.DataFrame) -> pd.DataFrame:
    """(product_id, owner) pairs of the product's own organisation, lower case."""
    rows: list[tuple[str, str]] = []
    for p in inputs.products:
        org = inputs.organizations.get(p.organization)
        if org is not None:
            rows.extend((p.id, h.lower()) for h in (*org.huggingface, *org.github))
    rows.extend(
        (str(p), str(a).split(":")[-1].split("/")[0].lower())
        for p, a in zip(membership["product_id"], membership["artifact"], strict=True)
    )
    # distinct pairs in first-seen order (as drop_duplicates keeps them), without hashing frames
    return pd.DataFrame(list(dict.fromkeys(rows)), columns=["product_id", "owner"], dtype=object)


def edges_frame(edges: Sequence[Edge], as_of: datetime) -> pd.DataFrame:
    cutoff = _ts(as_of)
    kept = [e for e in edges if _ts(e.observed_at) <= cutoff]
    return pd.DataFrame(
        {
            "source": [str(e.source) for e in kept],
            "target": [str(e.target) for e in kept],
            "relation": [e.relation for e in kept],
            "target_owner": [e.target.owner.lower() for e in kept],
        },
        dtype=object,
    )


def window_gain(
    history: pd.DataFrame,
    membership: pd.DataFrame,
    metric: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    created: pd.Series,
    segments: Segments | None = None,
) -> pd.Series:
    """Per product: the metric's rise between the window start and `end` (summed over artifacts).

    The baseline is the last value at or before the start; an artifact created inside the window
    starts from 0; otherwise the first value seen inside the window (a conservative baseline).
    """
    if end <= start:
        return pd.Series(dtype=float)
    all_values = history["value"].to_numpy(dtype=float)
    if segments is not None and not (len(all_values) and np.isnan(all_values.min())):
        found = _window_ends(
            segments, metric, utc_nanoseconds(history["observed_at"]), all_values, start, end
        )
        if found is None:
            return pd.Series(dtype=float)
        codes_kept, last, before, first_inside = found
        artifacts = pd.Index(segments.artifacts[codes_kept], name="artifact")
    else:
        if segments is None:
            rows = metric_rows(history, metric)
            all_codes, labels = own_codes(history["artifact"])
            codes = all_codes[rows].astype(np.int64)
        else:
            picked = segments.of_metric(metric)
            rows = segments.rows(picked)
            lengths = segments.stop[picked] - segments.start[picked]
            codes, labels = np.repeat(segments.artifact[picked], lengths), segments.artifacts
        values = history["value"].to_numpy(dtype=float)[rows]
        present = ~np.isnan(values)
        if not present.all():
            rows, values, codes = rows[present], values[present], codes[present]
        stamps = utc_nanoseconds(history["observed_at"])[rows]
        until_end = stamps <= end.value
        if not until_end.any():
            return pd.Series(dtype=float)
        if not until_end.all():
            codes, stamps, values = codes[until_end], stamps[until_end], values[until_end]
        if not in_time_order(codes, stamps):
            order = time_order(codes, stamps)  # ties keep row order
            codes, stamps, values = codes[order], stamps[order], values[order]
        first_row = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        rows = np.diff(np.r_[first_row, len(codes)])
        # within an artifact, rows at or before the start come first: count them
        at_start = np.add.reduceat((stamps <= start.value).astype(np.int64), first_row)
        last = values[first_row + rows - 1]
        before = np.where(at_start > 0, values[first_row + np.maximum(at_start, 1) - 1], np.nan)
        first_inside = np.where(
            at_start < rows, values[first_row + np.minimum(at_start, rows - 1)], np.nan
        )
        artifacts = pd.Index(labels[codes[first_row]], name="artifact")
    born_inside = (created.reindex(artifacts) >= start).to_numpy(dtype=bool)
    baseline = np.where(np.isnan(before), np.where(born_inside, 0.0, first_inside), before)
    gain = pd.DataFrame({"artifact": artifacts, "value": last - baseline})
    joined = membership.merge(gain, on="artifact", how="inner")
    if joined.empty:
        return pd.Series(dtype=float)
    return joined.groupby("product_id")["value"].sum().astype(float)


def _window_ends(
    segments: Segments,
    metric: str,
    stamps: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray, FloatArray] | None:
    """Per series of the metric with a row up to `end`: its artifact code, last value up to
    `end`, last value up to `start` (NaN if none) and first value after `start` up to `end` (NaN
    if none). Rows are in time order within a series, so counting rows up to an instant finds
    them; no per-row value is copied."""
    picked = segments.of_metric(metric)
    if picked.size == 0:
        return None
    rows = segments.rows(picked)
    lengths = segments.stop[picked] - segments.start[picked]
    offsets = np.cumsum(lengths) - lengths
    times = stamps[rows]
    upto_end = np.add.reduceat(times <= end.value, offsets, dtype=np.intp)
    keep = upto_end > 0
    if not keep.any():
        return None
    upto_start = np.add.reduceat(times <= start.value, offsets, dtype=np.intp)[keep]
    first, upto_end = segments.start[picked][keep], upto_end[keep]
    last = values[first + upto_end - 1]
    before = np.where(upto_start > 0, values[first + np.maximum(upto_start, 1) - 1], np.nan)
    first_inside = np.where(
        upto_start < upto_end, values[first + np.minimum(upto_start, upto_end - 1)], np.nan
    )
    return segments.artifact[picked][keep], last, before, first_inside


def benchmark_scores(
    benchmarks: Sequence[BenchmarkResult],
    membership: pd.DataFrame,
    trust_weights: dict[str, float],
    as_of: datetime,
) -> pd.Series:
    """Trust-weighted mean of 0–1 benchmark values per product.

    A result's `scaled` value is used when known (baseline-normalised); otherwise it is scaled by
    its mid-rank percentile among all artifacts with the same benchmark and metric. Per benchmark
    a product counts its best artifact.
    """
    cutoff = _ts(as_of)
    kept = [b for b in benchmarks if _ts(b.observed_at) <= cutoff]
    if not kept:
        return pd.Series(dtype=float)
    frame = pd.DataFrame(
        {
            "artifact": [str(b.artifact) for b in kept],
            "benchmark": [b.benchmark.lower() for b in kept],
            "metric": [b.metric for b in kept],
            "trust": [b.trust for b in kept],
            "value": [b.value for b in kept],
            "scaled": [np.nan if b.scaled is None else b.scaled for b in kept],
        }
    )
    keys = ["artifact", "benchmark", "metric", "trust"]
    frame = frame.groupby(keys, as_index=False).agg(
        value=("value", "max"), scaled=("scaled", "max")
    )
    per_artifact = frame.groupby(["artifact", "benchmark", "metric"])["value"].transform("max")
    ranked = frame.assign(peer=per_artifact)
    pct = ranked.groupby(["benchmark", "metric"])["value"].transform(
        lambda v: pd.Series(percentile(v.to_numpy(dtype=float)), index=v.index)
    )
    frame["s"] = frame["scaled"].clip(0, 1).fillna(pct)
    frame["w"] = frame["trust"].map(trust_weights).fillna(0.0)
    joined = membership.merge(frame, on="artifact", how="inner")
    if joined.empty:
        return pd.Series(dtype=float)
    best = joined.groupby(["product_id", "benchmark", "metric", "trust"], as_index=False).agg(
        s=("s", "max"), w=("w", "first")
    )
    best["ws"] = best["w"] * best["s"]
    sums = best.groupby("product_id")[["ws", "w"]].sum()
    sums = sums[sums["w"] > 0]
    return (sums["ws"] / sums["w"]).astype(float)


def evaluation_counts(
    benchmarks: Sequence[BenchmarkResult], membership: pd.DataFrame, as_of: datetime
) -> pd.Series:
    """Distinct artifacts evaluated on a product's dataset (benchmark name = dataset name or id)."""
    cutoff = _ts(as_of)
    evaluated = pd.DataFrame(
        {
            "key": [b.benchmark.lower() for b in benchmarks if _ts(b.observed_at) <= cutoff],
            "evaluated": [str(b.artifact) for b in benchmarks if _ts(b.observed_at) <= cutoff],
        },
        dtype=object,
    )
    datasets = membership[membership["artifact"].str.startswith("hf:dataset:")]
    if evaluated.empty or datasets.empty:
        return pd.Series(dtype=float)
    repo = datasets["artifact"].str.removeprefix("hf:dataset:").str.lower()
    keys = pd.concat(
        [
            datasets.assign(key=repo),
            datasets.assign(key=repo.str.split("/").str[-1]),
        ]
    )[["product_id", "key"]].drop_duplicates()
    joined = keys.merge(evaluated, on="key", how="inner")
    if joined.empty:
        return pd.Series(dtype=float)
    return joined.groupby("product_id")["evaluated"].nunique().astype(float)


def _created(inputs: ScoringInputs) -> pd.Series:
    known = [
        (str(a), r.created_at) for a, r in inputs.artifacts.items() if r.created_at is not None
    ]
    if not known:
        return pd.Series(dtype="datetime64[ns, UTC]")
    names, stamps = zip(*known, strict=True)
    # naive times are UTC, aware ones converted (as `_ts` does one by one)
    when = pd.to_datetime(list(stamps), utc=True).as_unit("ns")
    created = pd.Series(when, index=pd.Index(names, dtype=object), dtype="datetime64[ns, UTC]")
    return created[~created.index.duplicated(keep="last")]


def derive_signals(
    inputs: ScoringInputs,
    methodology: Methodology,
    history: pd.DataFrame,
    latest: pd.DataFrame | None = None,
    membership: pd.DataFrame | None = None,
    segments: Segments | None = None,
) -> SignalTable:
    products = sorted(inputs.products, key=lambda p: p.id)
    index = pd.Index([p.id for p in products], name="product_id", dtype=object)
    category = pd.Series([p.category for p in products], index=index, dtype=object)
    membership = membership_frame(inputs) if membership is None else membership
    latest = latest_values(history, segments) if latest is None else latest
    edges = edges_frame(inputs.edges, inputs.as_of)
    created = _created(inputs)
    figures = ProductFigures(membership, latest)
    raw = pd.DataFrame(index=index)

    def agg(signal: str, default_how: str | None = None) -> pd.Series:
        spec = SIGNALS[signal]
        how = default_how or spec.aggregate or "sum"
        for cat in ("model", "corpus", "community"):
            conf = {s.name: s for s in methodology.categories[cat].signals}
            if signal in conf and conf[signal].aggregate:
                how = conf[signal].aggregate or how
        assert spec.metric is not None
        return figures.get(spec.metric, how)  # type: ignore[arg-type]

    for name, spec in SIGNALS.items():
        if spec.metric is not None and name != "code_stars":
            raw[name] = agg(name).reindex(index)

    window = methodology.award_window
    start = _ts(datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC))
    end_of_window = _ts(
        datetime(window.end.year, window.end.month, window.end.day, 23, 59, 59, tzinfo=UTC)
    )
    end = min(end_of_window, _ts(inputs.as_of))
    raw["downloads_growth"] = window_gain(
        history, membership, Metric.DOWNLOADS_ALL_TIME, start, end, created, segments
    ).reindex(index)
    raw["stars_growth"] = window_gain(
        history, membership, Metric.STARS, start, end, created, segments
    ).reindex(index)

    # owners only matter where there are edges to filter (related_once reads them then)
    owners = owners_frame(inputs, membership) if not edges.empty else None
    rel_weights = dict(methodology.derivative_relation_weights)
    from_edges = related_once(membership, edges, rel_weights, owners)
    counted = _derivative_counts(figures, rel_weights)
    raw["derivatives"] = from_edges.reindex(index).fillna(counted.reindex(index))

    trained = related_once(membership, edges, {"trained_on": 1.0}, None)
    trained_obs = figures.get(Metric.MODELS_TRAINED_ON, "sum")
    raw["models_trained_on"] = trained.reindex(index).fillna(trained_obs.reindex(index))

    raw["evaluations"] = evaluation_counts(inputs.benchmarks, membership, inputs.as_of).reindex(
        index
    )
    raw["benchmark_score"] = benchmark_scores(
        inputs.benchmarks, membership, dict(methodology.trust_weights), inputs.as_of
    ).reindex(index)
    raw["code_stars"] = _code_stars(
        membership, edges, latest, agg_how=_code_how(methodology)
    ).reindex(index)

    params = figures.get(Metric.PARAMETERS, "max").reindex(index)
    if membership.empty or created.empty:
        release = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    else:
        member_created = membership.assign(created=membership["artifact"].map(created))
        release = pd.to_datetime(
            member_created.groupby("product_id")["created"].min().reindex(index), utc=True
        )
    age_days = (_ts(inputs.as_of) - release).dt.total_seconds() / 86400.0
    is_model = category == "model"
    cohort = (
        size_class(params, methodology.cohorts) + ", " + age_bucket(age_days, methodology.cohorts)
    )
    cohort = cohort.where(is_model, None)
    ram = relative_adoption(
        raw["downloads_all_time"].where(is_model),
        cohort.where(is_model),
        methodology.cohorts.leaders,
    )
    raw["relative_adoption"] = ram.where(is_model)
    raw = raw.loc[:, list(SIGNALS)].astype(float)
    return SignalTable(raw=raw, category=category, cohort=cohort)


def _derivative_counts(figures: ProductFigures, weights: dict[str, float]) -> pd.Series:
    """Derivative counts observed as figures, for products whose derivatives came without edges."""
    third = figures.get(Metric.DERIVATIVES_THIRD_PARTY, "sum")
    parts = [
        figures.get(metric, "sum") * weights.get(rel, 0.0)
        for rel, metric in DERIVATIVE_COUNT_METRICS.items()
    ]
    by_relation = pd.concat(parts, axis=1).sum(axis=1, min_count=1) if parts else pd.Series()
    return third.combine_first(by_relation).astype(float)


def _code_how(methodology: Methodology) -> str:
    for cat in ("model", "corpus"):
        for s in methodology.categories[cat].signals:
            if s.name == "code_stars" and s.aggregate:
                return s.aggregate
    return SIGNALS["code_stars"].aggregate or "max"


def _code_stars(
    membership: pd.DataFrame, edges: pd.DataFrame, latest: pd.DataFrame, agg_how: str
) -> pd.Series:
    """Stars of a product's code: its own repositories and those hosting its models' code."""
    own = membership[membership["artifact"].str.startswith("gh:")]
    hosting = edges[edges["relation"] == "hosts_code"]
    linked = membership.merge(
        hosting.rename(columns={"target": "artifact"})[["artifact", "source"]], on="artifact"
    )[["product_id", "source"]].rename(columns={"source": "artifact"})
    repos = pd.concat([own, linked]).drop_duplicates()
    return aggregate_metric(repos, latest, Metric.STARS, agg_how)  # type: ignore[arg-type]
