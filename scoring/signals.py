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
from scoring.aggregate import latest_values, related_once
from scoring.catalogue import SIGNALS, Aggregation
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
from scoring.members import MemberFigures, Members, group
from scoring.methodology import Methodology
from scoring.normalize import FloatArray

DERIVATIVE_COUNT_METRICS = {
    "finetune": Metric.DERIVATIVES_FINETUNE,
    "adapter": Metric.DERIVATIVES_ADAPTER,
    "quantized": Metric.DERIVATIVES_QUANTIZED,
    "merge": Metric.DERIVATIVES_MERGE,
}
NAT = np.iinfo(np.int64).min  # NaT as nanoseconds


@dataclass(frozen=True)
class SignalTable:
    raw: pd.DataFrame  # index product_id (sorted), one column per catalogue signal, NaN = missing
    category: pd.Series  # product_id -> category
    cohort: pd.Series  # product_id -> cohort label (models) or None


def _ts(value: datetime) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def membership_frame(inputs: ScoringInputs) -> pd.DataFrame:
    members = inputs.members
    # distinct pairs in first-seen order (as drop_duplicates keeps them), without hashing frames
    rows = dict.fromkeys((p.id, str(a)) for p in inputs.products for a in members.get(p.id, ()))
    product_ids, artifacts = (list(c) for c in zip(*rows, strict=True)) if rows else ([], [])
    return pd.DataFrame({"product_id": product_ids, "artifact": artifacts}, dtype=object)


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
    found = window_values(history, metric, start, end, segments)
    if found is None:
        return pd.Series(dtype=float)
    artifacts, last, before, first_inside = found
    born_inside = (created.reindex(artifacts) >= start).to_numpy(dtype=bool)
    gain = pd.DataFrame(
        {"artifact": artifacts, "value": gains(last, before, first_inside, born_inside)}
    )
    joined = membership.merge(gain, on="artifact", how="inner")
    if joined.empty:
        return pd.Series(dtype=float)
    return joined.groupby("product_id")["value"].sum().astype(float)


def gains(
    last: FloatArray,
    before: FloatArray,
    first_inside: FloatArray,
    born_inside: npt.NDArray[np.bool_],
) -> FloatArray:
    """The rise from the baseline (see `window_gain`) to the last value, per artifact."""
    baseline = np.where(np.isnan(before), np.where(born_inside, 0.0, first_inside), before)
    rise: FloatArray = last - baseline
    return rise


def window_values(
    history: pd.DataFrame,
    metric: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    segments: Segments | None = None,
) -> tuple[pd.Index, FloatArray, FloatArray, FloatArray] | None:
    """Per artifact with the metric up to `end`: its last value up to `end`, its last value up
    to `start` (NaN if none) and its first value after `start` (NaN if none); None if no
    artifact has a row up to `end`."""
    if end <= start:
        return None
    all_values = history["value"].to_numpy(dtype=float)
    if segments is not None and not (len(all_values) and np.isnan(all_values.min())):
        found = _window_ends(
            segments, metric, utc_nanoseconds(history["observed_at"]), all_values, start, end
        )
        if found is None:
            return None
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
            return None
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
    return artifacts, last, before, first_inside


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
    if none). Rows are in time order within a series, so counting rows up to an instant (a
    binary search in each series) finds them; no row is copied or compared but those looked at."""
    picked = segments.of_metric(metric)
    if picked.size == 0:
        return None
    first, stop = segments.start[picked], segments.stop[picked]
    upto_end = rows_up_to(stamps, first, stop, end.value)
    keep = upto_end > 0
    if not keep.any():
        return None
    first, upto_end = first[keep], upto_end[keep]
    upto_start = rows_up_to(stamps, first, stop[keep], start.value)
    last = values[first + upto_end - 1]
    before = np.where(upto_start > 0, values[first + np.maximum(upto_start, 1) - 1], np.nan)
    first_inside = np.where(
        upto_start < upto_end, values[first + np.minimum(upto_start, upto_end - 1)], np.nan
    )
    return segments.artifact[picked][keep], last, before, first_inside


def rows_up_to(
    stamps: npt.NDArray[np.int64],
    first: npt.NDArray[np.intp],
    stop: npt.NDArray[np.intp],
    instant: int,
) -> npt.NDArray[np.intp]:
    """Per series (rows first[i]:stop[i], in time order): how many of its rows are at or before
    `instant`. A binary search in every series at once: a few steps over the series, not a pass
    over their rows."""
    lo, hi = first.astype(np.intp, copy=True), stop.astype(np.intp, copy=True)
    last_row = max(len(stamps) - 1, 0)
    searching = lo < hi
    while searching.any():
        mid = np.minimum((lo + hi) // 2, last_row)
        up_to = stamps[mid] <= instant
        lo = np.where(searching & up_to, mid + 1, lo)
        hi = np.where(searching & ~up_to, mid, hi)
        searching = lo < hi
    counted: npt.NDArray[np.intp] = lo - first
    return counted


def benchmark_scores(
    benchmarks: Sequence[BenchmarkResult],
    membership: pd.DataFrame,
    trust_weights: dict[str, float],
    as_of: datetime,
) -> pd.Series:
    """Trust-weighted mean of 0–1 benchmark values per product.

    A result's `scaled` value is used when known (baseline-normalised); otherwise its percentile:
    the mid-rank of its value among the artifacts with a result on the same benchmark and metric,
    each artifact counted once with its best (the one percentile scaling of benchmark results).
    Values are compared as percents of the benchmark's full score when the collector knew it
    (`percent`), so a fraction and a percent of the same benchmark rank together. Per benchmark
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
            "value": [b.value if b.percent is None else b.percent for b in kept],
            "scaled": [np.nan if b.scaled is None else b.scaled for b in kept],
        }
    )
    keys = ["artifact", "benchmark", "metric", "trust"]
    frame = frame.groupby(keys, as_index=False).agg(
        value=("value", "max"), scaled=("scaled", "max")
    )
    frame["s"] = frame["scaled"].clip(0, 1).fillna(_peer_percentile(frame))
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


def _peer_percentile(frame: pd.DataFrame) -> pd.Series:
    """Per row, the mid-rank of its value among the best value of each artifact on the same
    benchmark and metric: (peers below + half the peers equal) / peers."""
    out = pd.Series(np.nan, index=frame.index)
    for _, results in frame.groupby(["benchmark", "metric"]):
        values = results["value"].to_numpy(dtype=float)
        peers = np.sort(results.groupby("artifact")["value"].max().dropna().to_numpy(dtype=float))
        if peers.size == 0:
            continue
        below = np.searchsorted(peers, values, side="left")
        equal = np.searchsorted(peers, values, side="right") - below
        ranked = (below + 0.5 * equal) / peers.size
        out.loc[results.index] = np.where(np.isnan(values), np.nan, ranked)
    return out


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
    if evaluated.empty:  # no results: no dataset to look for
        return pd.Series(dtype=float)
    datasets = membership[membership["artifact"].str.startswith("hf:dataset:")]
    if datasets.empty:
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


def _created_at(inputs: ScoringInputs, members: Members) -> npt.NDArray[np.int64]:
    """Creation time (UTC nanoseconds) by artifact code; NaT where unknown. Naive times are UTC,
    aware ones converted; an artifact named twice keeps its last record's time."""
    out = np.full(len(members.names), NAT, dtype=np.int64)
    get = members.code_of.get
    # later records overwrite earlier ones, as they did by name; -1 gathers the unnamed ones
    known = {
        get(str(a), -1): r.created_at
        for a, r in inputs.artifacts.items()
        if r.created_at is not None
    }
    known.pop(-1, None)
    if known:
        when = pd.to_datetime(list(known.values()), utc=True).as_unit("ns")
        out[np.fromiter(known, dtype=np.intp, count=len(known))] = when.asi8
    return out


def _release(members: Members, created: npt.NDArray[np.int64], index: pd.Index) -> pd.Series:
    """A product's release: the earliest creation time of its artifacts (NaT if none known)."""
    stamps = created[members.artifact]
    dated = stamps != NAT
    earliest = np.full(members.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, members.product[dated], stamps[dated])
    earliest[earliest == np.iinfo(np.int64).max] = NAT
    return pd.Series(earliest.view("datetime64[ns]"), index=index).dt.tz_localize("UTC")


def _aggregation(methodology: Methodology, signal: str) -> Aggregation:
    """The signal's aggregation over a product's artifacts (the methodology's, else the
    catalogue's); validated when the methodology was read."""
    how: str = SIGNALS[signal].aggregate or "sum"
    for cat in ("model", "corpus", "community"):
        conf = {s.name: s for s in methodology.categories[cat].signals}
        if signal in conf and conf[signal].aggregate:
            how = conf[signal].aggregate or how
    return how  # type: ignore[return-value]


def _growth(
    history: pd.DataFrame,
    members: Members,
    metric: str,
    window: tuple[pd.Timestamp, pd.Timestamp],
    created: npt.NDArray[np.int64],
    segments: Segments | None,
) -> FloatArray:
    """`window_gain` per product in code order (NaN where no artifact has the metric)."""
    start, end = window
    found = window_values(history, metric, start, end, segments)
    if found is None:
        return np.full(members.size, np.nan)
    artifacts, last, before, first_inside = found
    codes = members.codes(artifacts)
    known = codes >= 0
    born_inside = np.zeros(len(codes), dtype=bool)
    born_inside[known] = created[codes[known]] >= start.value  # NaT is never inside
    size = len(members.names)
    values, present = np.full(size, np.nan), np.zeros(size, dtype=bool)
    values[codes[known]] = gains(last, before, first_inside, born_inside)[known]
    present[codes[known]] = True
    return members.per_product(values, present, "sum")


def derive_signals(
    inputs: ScoringInputs,
    methodology: Methodology,
    history: pd.DataFrame,
    latest: pd.DataFrame | None = None,
    membership: pd.DataFrame | None = None,
    segments: Segments | None = None,
) -> SignalTable:
    products = sorted(inputs.products, key=lambda p: p.id)
    ids = [p.id for p in products]
    index = pd.Index(ids, name="product_id", dtype=object)
    category = pd.Series([p.category for p in products], index=index, dtype=object)
    membership = membership_frame(inputs) if membership is None else membership
    latest = latest_values(history, segments) if latest is None else latest
    edges = edges_frame(inputs.edges, inputs.as_of)
    hosting = edges[edges["relation"] == "hosts_code"]
    members = Members.of(ids, membership, hosting["source"])
    created = _created_at(inputs, members)
    figures = MemberFigures(members, latest)
    columns: dict[str, FloatArray] = {}
    for name, spec in SIGNALS.items():
        if spec.metric is not None and name != "code_stars":
            columns[name] = figures.get(spec.metric, _aggregation(methodology, name))

    window = methodology.award_window
    start = _ts(datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC))
    end_of_window = _ts(
        datetime(window.end.year, window.end.month, window.end.day, 23, 59, 59, tzinfo=UTC)
    )
    span = (start, min(end_of_window, _ts(inputs.as_of)))
    columns["downloads_growth"] = _growth(
        history, members, Metric.DOWNLOADS_ALL_TIME, span, created, segments
    )
    columns["stars_growth"] = _growth(history, members, Metric.STARS, span, created, segments)

    # owners only matter where there are edges to filter (related_once reads them then)
    owners = owners_frame(inputs, membership) if not edges.empty else None
    rel_weights = dict(methodology.derivative_relation_weights)
    from_edges = members.place(related_once(membership, edges, rel_weights, owners))
    counted = _derivative_counts(figures, rel_weights)
    columns["derivatives"] = np.where(np.isnan(from_edges), counted, from_edges)

    trained = members.place(related_once(membership, edges, {"trained_on": 1.0}, None))
    trained_obs = figures.get(Metric.MODELS_TRAINED_ON, "sum")
    columns["models_trained_on"] = np.where(np.isnan(trained), trained_obs, trained)

    columns["evaluations"] = members.place(
        evaluation_counts(inputs.benchmarks, membership, inputs.as_of)
    )
    columns["benchmark_score"] = members.place(
        benchmark_scores(
            inputs.benchmarks, membership, dict(methodology.trust_weights), inputs.as_of
        )
    )
    columns["code_stars"] = _code_stars(members, hosting, figures, _code_how(methodology))

    params = pd.Series(figures.get(Metric.PARAMETERS, "max"), index=index)
    release = _release(members, created, index)
    age_days = (_ts(inputs.as_of) - release).dt.total_seconds() / 86400.0
    is_model = category == "model"
    cohort = (
        size_class(params, methodology.cohorts) + ", " + age_bucket(age_days, methodology.cohorts)
    )
    cohort = cohort.where(is_model, None)
    ram = relative_adoption(
        pd.Series(columns["downloads_all_time"], index=index).where(is_model),
        cohort.where(is_model),
        methodology.cohorts.leaders,
    )
    columns["relative_adoption"] = ram.where(is_model).to_numpy(dtype=float)
    raw = pd.DataFrame({name: columns[name] for name in SIGNALS}, index=index, dtype=float)
    return SignalTable(raw=raw, category=category, cohort=cohort)


def _derivative_counts(figures: MemberFigures, weights: dict[str, float]) -> FloatArray:
    """Derivative counts observed as figures, for products whose derivatives came without edges."""
    third = figures.get(Metric.DERIVATIVES_THIRD_PARTY, "sum")
    parts = [
        figures.get(metric, "sum") * weights.get(rel, 0.0)
        for rel, metric in DERIVATIVE_COUNT_METRICS.items()
    ]
    by_relation = (
        pd.DataFrame(np.column_stack(parts)).sum(axis=1, min_count=1).to_numpy(dtype=float)
        if parts
        else np.full(len(third), np.nan)
    )
    return np.where(np.isnan(third), by_relation, third)


def _code_how(methodology: Methodology) -> Aggregation:
    for cat in ("model", "corpus"):
        for s in methodology.categories[cat].signals:
            if s.name == "code_stars" and s.aggregate:
                return s.aggregate  # type: ignore[return-value]
    return SIGNALS["code_stars"].aggregate or "max"


def _code_stars(
    members: Members, hosting: pd.DataFrame, figures: MemberFigures, how: Aggregation
) -> FloatArray:
    """Stars of a product's code: its own repositories and those hosting its models' code.

    The pairs are the product's own repositories in membership order, then the hosting
    repositories of its artifacts (membership order, then edge order), each pair once."""
    is_repo = np.array([n.startswith("gh:") for n in members.names], dtype=bool)
    own = is_repo[members.artifact]
    product, artifact = members.product[own], members.artifact[own]
    if not hosting.empty:
        sources: dict[int, list[int]] = {}
        for target, source in zip(
            members.codes(hosting["target"]), members.codes(hosting["source"]), strict=True
        ):
            if target >= 0:
                sources.setdefault(int(target), []).append(int(source))
        pairs = dict.fromkeys(zip(product.tolist(), artifact.tolist(), strict=True))
        for p, a in zip(members.product.tolist(), members.artifact.tolist(), strict=True):
            for s in sources.get(a, ()):
                pairs.setdefault((p, s))
        if pairs:
            product, artifact = (np.array(c, dtype=np.intp) for c in zip(*pairs, strict=True))
    values, present = figures.artifact_values(Metric.STARS)
    rows = present[artifact]
    return group(product[rows], values[artifact[rows]], how, members.size)
