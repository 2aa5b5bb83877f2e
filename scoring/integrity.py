"""Integrity flags: figures that look gamed or wrong, each with its evidence and window.

Detectors read our own daily series (the history frame) and product-level ratios. They never
change a score by themselves; the engine excludes a flagged window only when the methodology says
so, and the flag then says `excluded=True`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ossimpact.domain import (
    STARGAZERS_LOCKSTEP,
    STARGAZERS_LOW_ACTIVITY,
    STARGAZERS_SAMPLED,
    ArtifactId,
    IntegrityFlag,
    Metric,
)
from scoring.inputs import (
    Segments,
    in_time_order,
    metric_rows,
    own_codes,
    time_order,
    utc_nanoseconds,
)
from scoring.methodology import BurstRule, Integrity, RatioRule, StargazerRule
from scoring.normalize import FloatArray

WEEK = 7
NS_PER_DAY = 86_400 * 10**9


# the flag kind of a window of excess, by the metric its series is of (see series_findings)
WINDOW_KIND: dict[str, str] = {
    Metric.STARS: "star_burst",
    Metric.DOWNLOADS_ALL_TIME: "download_spike",
    Metric.DOWNLOADS_30D: "download_spike",
}


@dataclass(frozen=True)
class Excess:
    """The rise above the usual level inside a flagged window, per day (for exclusion)."""

    artifact: str
    metric: str
    days: pd.Series  # day (UTC midnight) -> excess amount


@dataclass(frozen=True)
class Findings:
    flags: list[tuple[str, IntegrityFlag]]  # (artifact id string, flag)
    excess: list[Excess]


def daily_series(
    history: pd.DataFrame, metric: str, segments: Segments | None = None
) -> pd.DataFrame:
    """Days × artifacts of the last value each day.

    Gaps inside a series are interpolated, so a collector that missed a week shows its rise
    spread over the week rather than as a one-day burst. `segments` (of this history, see
    `series_segments`) saves finding the metric's rows and ordering them.
    """
    if segments is not None:
        return _daily_series_of_segments(history, metric, segments)
    rows = metric_rows(history, metric)
    if rows.size == 0:
        return pd.DataFrame()
    all_codes, labels = own_codes(history["artifact"])
    codes = all_codes[rows]
    present = np.zeros(len(labels), dtype=bool)
    present[codes] = True
    used = np.flatnonzero(present)
    column = (np.cumsum(present) - 1)[codes]
    stamps = utc_nanoseconds(history["observed_at"])[rows]
    values = history["value"].to_numpy(dtype=float)[rows]
    day_idx = stamps // NS_PER_DAY
    first = int(day_idx.min())
    day_idx -= first
    days = int(day_idx.max()) + 1
    cell = column * days + day_idx
    order = None if in_time_order(cell, stamps) else time_order(cell, stamps)
    c = cell if order is None else cell[order]
    # the later row of one instant (and of one day) wins
    last = np.append(np.flatnonzero(c[1:] != c[:-1]), len(c) - 1)
    flat = np.full(len(used) * days, np.nan)
    flat[c[last]] = values[last if order is None else order[last]]
    # series × days in memory (each artifact's days contiguous), shown as days × artifacts
    matrix = _interpolate_inside(flat.reshape(len(used), days))
    index = pd.date_range(pd.Timestamp(first * NS_PER_DAY, tz="UTC"), periods=days, freq="D")
    names = np.asarray(labels[used], dtype=object)
    return pd.DataFrame(matrix.T, index=index, columns=pd.Index(names, dtype=object), copy=False)


SERIES_PER_BLOCK = 4096  # series filled at a time: a block's temporaries are reused memory


def _daily_series_of_segments(
    history: pd.DataFrame, metric: str, segments: Segments
) -> pd.DataFrame:
    """`daily_series` from the history's segments, filled a block of series at a time so each
    step's temporaries stay small (millions of rows would each need fresh memory)."""
    picked = segments.of_metric(metric)
    if picked.size == 0:
        return pd.DataFrame()
    stamps = utc_nanoseconds(history["observed_at"])
    values = history["value"].to_numpy(dtype=float)
    start, stop = segments.start[picked], segments.stop[picked]
    # rows are in time order within each series: the first and last days are at the ends
    first = int((stamps[start] // NS_PER_DAY).min())
    days = int((stamps[stop - 1] // NS_PER_DAY).max()) - first + 1
    matrix = np.full((len(picked), days), np.nan)
    for low in range(0, len(picked), SERIES_PER_BLOCK):
        block = picked[low : low + SERIES_PER_BLOCK]
        rows = segments.rows(block)
        lengths = segments.stop[block] - segments.start[block]
        cell = np.repeat(np.arange(len(block), dtype=np.int64) * days, lengths)
        cell += stamps[rows] // NS_PER_DAY - first
        v = values[rows]
        target = matrix[low : low + len(block)].reshape(-1)  # a view: rows of the matrix
        repeated = cell[1:] == cell[:-1]
        if repeated.any():  # the later row of one instant (and of one day) wins
            last = np.append(np.flatnonzero(~repeated), len(cell) - 1)
            cell, v = cell[last], v[last]
        target[cell] = v
    # series × days in memory (each artifact's days contiguous), shown as days × artifacts
    matrix = _interpolate_inside(matrix)
    index = pd.date_range(pd.Timestamp(first * NS_PER_DAY, tz="UTC"), periods=days, freq="D")
    names = np.asarray(segments.artifacts[segments.artifact[picked]], dtype=object)
    return pd.DataFrame(matrix.T, index=index, columns=pd.Index(names, dtype=object), copy=False)


def _interpolate_inside(matrix: FloatArray) -> FloatArray:
    """Linear interpolation inside each series' observed span (series × days), for all series at
    once; only the series with a missing day are touched."""
    seen = ~np.isnan(matrix)
    gappy = np.flatnonzero(~seen.all(axis=1))
    if gappy.size == 0:
        return matrix
    part, seen = matrix[gappy], seen[gappy]
    cols, days = part.shape
    pos = np.arange(days)[None, :]
    prev_idx = np.maximum.accumulate(np.where(seen, pos, -1), axis=1)
    next_idx = np.minimum.accumulate(np.where(seen, pos, days)[:, ::-1], axis=1)[:, ::-1]
    inside = (prev_idx >= 0) & (next_idx < days) & ~seen
    if not inside.any():
        return matrix
    row = np.broadcast_to(np.arange(cols)[:, None], part.shape)
    before = part[row, np.clip(prev_idx, 0, days - 1)]
    after = part[row, np.clip(next_idx, 0, days - 1)]
    share = (pos - prev_idx) / np.maximum(next_idx - prev_idx, 1)
    filled = part.copy()
    filled[inside] = (before + (after - before) * share)[inside]
    out = matrix.copy()
    out[gappy] = filled
    return out


def _nanmedian(values: FloatArray, axis: int) -> FloatArray:
    """np.nanmedian along a short axis, with the same arithmetic: sort (NaN last), then the mean
    of the two middle present values (the middle one twice when their count is odd).

    np.nanmedian goes through masked arrays for short axes, which costs most of the burst
    detector's time on 100,000 series.
    """
    ordered = np.sort(values, axis=axis)
    count = np.sum(~np.isnan(values), axis=axis, keepdims=True)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    empty = count == 0
    low_v = np.take_along_axis(ordered, np.where(empty, 0, low), axis=axis)
    high_v = np.take_along_axis(ordered, np.where(empty, 0, high), axis=axis)
    out = (low_v + high_v) / 2.0
    out[empty] = np.nan
    result: FloatArray = np.squeeze(out, axis=axis)
    return result


def _weekly_baseline(rise: FloatArray, weeks: int) -> tuple[FloatArray, FloatArray]:
    """Per series and day (series × days): the usual rise (median) and its spread (MAD) over the
    preceding weeks.

    Medians are taken per calendar block of 7 days, then the median over the `weeks` blocks
    before the day's block: a rolling median in effect, in a few array passes instead of one
    sort per day and artifact (the scale target is 100,000 series).
    """
    cols, days = rise.shape
    n_blocks = -(-days // WEEK)
    padded = np.full((cols, n_blocks * WEEK), np.nan)
    padded[:, :days] = rise
    shaped = padded.reshape(cols, n_blocks, WEEK)
    med = _nanmedian(shaped, axis=2)
    mad = _nanmedian(np.abs(shaped - med[:, :, None]), axis=2)
    lead = np.full((cols, weeks), np.nan)
    med_windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([lead, med], axis=1), weeks, axis=1
    )[:, :n_blocks]
    mad_windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([lead, mad], axis=1), weeks, axis=1
    )[:, :n_blocks]
    usual = _nanmedian(med_windows, axis=-1)
    spread = _nanmedian(mad_windows, axis=-1)
    return np.repeat(usual, WEEK, axis=1)[:, :days], np.repeat(spread, WEEK, axis=1)[:, :days]


def burst_windows(series: pd.DataFrame, rule: BurstRule) -> pd.DataFrame:
    """Runs of days whose rise is far above the usual rise of the preceding weeks.

    Robust z = (rise − usual) / scale, the usual rise being the median of the weekly medians of
    the `baseline_days // 7` weeks before (see `_weekly_baseline`), with scale the larger of
    1.4826·MAD and the Poisson noise √median (counts are never steadier than that). A day is
    flagged when z ≥ z_threshold, the rise is at least min_ratio × the median and at least
    min_increase. Returns columns artifact, start, end, days, rise, usual, z, excess.

    Series are independent: only those with a rise that could pass the last two tests on some
    day (at least min_increase and min_ratio, the median counting as at least 1) are examined.
    """
    if series.empty or len(series) < rule.min_baseline_days + 2:
        return pd.DataFrame(
            columns=["artifact", "start", "end", "days", "rise", "usual", "z", "excess"]
        )
    values = series.to_numpy(dtype=float).T  # series × days
    n_days = values.shape[1]
    jump = values[:, 1:] - values[:, :-1]
    # rise ≥ min_ratio × max(median, 1) implies rise ≥ min_ratio only for a ratio ≥ 0
    floor = max(rule.min_increase, rule.min_ratio) if rule.min_ratio >= 0 else rule.min_increase
    start = max(rule.min_baseline_days - 1, 0)
    candidates = np.flatnonzero((jump[:, start:] >= floor).any(axis=1))
    values = values[candidates]
    rise = np.full(values.shape, np.nan)
    rise[:, 1:] = jump[candidates]
    del jump
    weeks = max(1, rule.baseline_days // WEEK)
    usual, mad = _weekly_baseline(rise, weeks)
    with np.errstate(all="ignore"):
        scale = np.maximum(1.4826 * mad, np.sqrt(np.clip(usual, 1.0, None)))
        z = (rise - usual) / scale
        # a series that was at zero before is a new artifact taking off, not a burst
        before = np.full(values.shape, np.nan)
        before[:, 1:] = values[:, :-1]
        zero_days, _ = _weekly_baseline(np.where(before > 0, 0.0, 1.0), weeks)
        flagged = (
            (np.arange(n_days)[None, :] >= rule.min_baseline_days)
            & (zero_days == 0.0)
            & (z >= rule.z_threshold)
            & (rise >= rule.min_ratio * np.clip(usual, 1.0, None))
            & (rise >= rule.min_increase)
        )
    row_idx, day_idx = np.nonzero(flagged)
    col_idx = candidates[row_idx]
    if day_idx.size == 0:
        return pd.DataFrame(
            columns=["artifact", "start", "end", "days", "rise", "usual", "z", "excess"]
        )
    hits = pd.DataFrame(
        {
            "artifact": series.columns.to_numpy()[col_idx],
            "i": day_idx,
            "rise": np.asarray(rise)[row_idx, day_idx],
            "usual": np.asarray(usual)[row_idx, day_idx],
            "z": np.asarray(z)[row_idx, day_idx],
        }
    ).sort_values(["artifact", "i"], kind="stable")
    # a one-day lull inside a burst keeps it one window
    new_run = (hits["artifact"] != hits["artifact"].shift()) | (hits["i"] - hits["i"].shift() > 2)
    hits["run"] = new_run.cumsum()
    hits["excess"] = hits["rise"] - hits["usual"]
    runs = hits.groupby("run").agg(
        artifact=("artifact", "first"),
        first=("i", "min"),
        last=("i", "max"),
        days=("i", "size"),
        rise=("rise", "sum"),
        usual=("usual", "median"),
        z=("z", "max"),
        excess=("excess", "sum"),
    )
    runs = runs[runs["days"] >= rule.min_days].copy()
    runs["start"] = series.index[runs["first"].to_numpy()]
    runs["end"] = series.index[runs["last"].to_numpy()]
    runs.attrs["hits"] = hits
    return runs.reset_index(drop=True)


def _burst_flags(
    history: pd.DataFrame,
    metric: str,
    kind: str,
    noun: str,
    rule: BurstRule,
    segments: Segments | None = None,
) -> Findings:
    series = daily_series(history, metric, segments)
    runs = burst_windows(series, rule)
    flags: list[tuple[str, IntegrityFlag]] = []
    excess: list[Excess] = []
    hits = runs.attrs.get("hits")
    for row in runs.itertuples(index=False):
        evidence = (
            f"{noun} rose by {row.rise:,.0f} in {row.days} day(s) "
            f"({row.start:%Y-%m-%d} to {row.end:%Y-%m-%d}) against a usual "
            f"{row.usual:,.0f} a day (robust z {row.z:.1f})"
        )
        flag = IntegrityFlag(
            kind=kind,
            artifact=ArtifactId.parse(str(row.artifact)),
            evidence=evidence,
            window_start=pd.Timestamp(str(row.start)).to_pydatetime(),
            window_end=pd.Timestamp(str(row.end)).to_pydatetime(),
        )
        flags.append((str(row.artifact), flag))
        if hits is not None:
            mine = hits[(hits["artifact"] == row.artifact) & hits["i"].between(0, len(series))]
            mine = mine[
                (series.index[mine["i"]] >= row.start) & (series.index[mine["i"]] <= row.end)
            ]
            days = pd.Series(mine["excess"].to_numpy(), index=series.index[mine["i"].to_numpy()])
            excess.append(Excess(str(row.artifact), metric, days))
    return Findings(flags, excess)


def decreasing_downloads(
    history: pd.DataFrame, tolerance: float, segments: Segments | None = None
) -> list[tuple[str, IntegrityFlag]]:
    """All-time downloads that fell between two observations (a recount or CI clean-up)."""
    if segments is not None:
        drop = _drops(history, tolerance, segments)
    else:
        h = history[history["metric"] == Metric.DOWNLOADS_ALL_TIME].sort_values(
            ["artifact", "observed_at"], kind="stable"
        )
        if h.empty:
            return []
        prev = h.groupby("artifact")["value"].shift()
        prev_at = h.groupby("artifact")["observed_at"].shift()
        drop = h[(h["value"] < prev * (1.0 - tolerance)) & prev.notna()].assign(
            prev=prev, prev_at=prev_at
        )
    flags: list[tuple[str, IntegrityFlag]] = []
    for artifact, rows in drop.groupby("artifact", sort=True):
        first = rows.iloc[0]
        evidence = (
            f"all-time downloads fell from {first['prev']:,.0f} ({first['prev_at']:%Y-%m-%d}) to "
            f"{first['value']:,.0f} ({first['observed_at']:%Y-%m-%d})"
            + (f"; {len(rows)} drops in all" if len(rows) > 1 else "")
        )
        flags.append(
            (
                str(artifact),
                IntegrityFlag(
                    kind="downloads_decreased",
                    artifact=ArtifactId.parse(str(artifact)),
                    evidence=evidence,
                    window_start=rows["prev_at"].min().to_pydatetime(),
                    window_end=rows["observed_at"].max().to_pydatetime(),
                ),
            )
        )
    return flags


def _drops(history: pd.DataFrame, tolerance: float, segments: Segments) -> pd.DataFrame:
    """The falls of all-time downloads, from the series' rows in time order: only the falling
    rows become a frame."""
    picked = segments.of_metric(Metric.DOWNLOADS_ALL_TIME)
    rows = segments.rows(picked)
    values = history["value"].to_numpy(dtype=float)[rows]
    prev = np.r_[np.nan, values[:-1]]
    lengths = segments.stop[picked] - segments.start[picked]
    prev[np.cumsum(lengths) - lengths] = np.nan  # each series' first row has no previous one
    with np.errstate(invalid="ignore"):
        at = np.flatnonzero((values < prev * (1.0 - tolerance)) & ~np.isnan(prev))
    series_of = np.searchsorted(np.cumsum(lengths), at, side="right")
    stamps = history["observed_at"].array
    return pd.DataFrame(
        {
            "artifact": np.asarray(segments.artifacts[segments.artifact[picked][series_of]]),
            "value": values[at],
            "observed_at": stamps[rows[at]],
            "prev": prev[at],
            "prev_at": stamps[rows[at] - 1],
        }
    )


def stargazer_flags(latest: pd.DataFrame, rule: StargazerRule) -> list[tuple[str, IntegrityFlag]]:
    """StarScout heuristics on the stargazer sample the GitHub collector recorded, if any."""
    if not latest["metric"].isin([STARGAZERS_LOW_ACTIVITY, STARGAZERS_LOCKSTEP]).any():
        return []  # no sample evidence recorded: nothing to pivot
    wide = latest[
        latest["metric"].isin(
            [STARGAZERS_SAMPLED, STARGAZERS_LOW_ACTIVITY, STARGAZERS_LOCKSTEP, str(Metric.STARS)]
        )
    ].pivot_table(index="artifact", columns="metric", values="value", aggfunc="last")
    if STARGAZERS_LOW_ACTIVITY not in wide and STARGAZERS_LOCKSTEP not in wide:
        return []
    wide = wide.reindex(
        columns=[
            STARGAZERS_SAMPLED,
            STARGAZERS_LOW_ACTIVITY,
            STARGAZERS_LOCKSTEP,
            str(Metric.STARS),
        ]
    )
    low = wide[STARGAZERS_LOW_ACTIVITY].fillna(0.0)
    lock = wide[STARGAZERS_LOCKSTEP].fillna(0.0)
    sampled = wide[STARGAZERS_SAMPLED]
    share = (low / sampled).where(sampled > 0)
    estimated = share * wide[str(Metric.STARS)]
    suspicious = (
        (low >= rule.min_low_activity)
        | (lock >= rule.min_lockstep)
        | ((share >= rule.min_share) & (estimated >= rule.min_low_activity))
    )
    flags: list[tuple[str, IntegrityFlag]] = []
    for artifact in sorted(wide.index[suspicious]):
        parts = []
        if low[artifact] > 0:
            parts.append(
                f"{low[artifact]:,.0f} low-activity stargazers (one active day, ≤2 actions, ≤1 repo)"
                + (
                    f" of {sampled[artifact]:,.0f} sampled ({share[artifact]:.0%}, about "
                    f"{estimated[artifact]:,.0f} of all stars)"
                    if pd.notna(share[artifact]) and pd.notna(estimated[artifact])
                    else ""
                )
            )
        if lock[artifact] > 0:
            parts.append(f"{lock[artifact]:,.0f} stargazers starring in lockstep with other repos")
        flags.append(
            (
                str(artifact),
                IntegrityFlag(
                    kind="fake_stargazers",
                    artifact=ArtifactId.parse(str(artifact)),
                    evidence="; ".join(parts),
                ),
            )
        )
    return flags


def ratio_outliers(
    numerator: pd.Series, denominator: pd.Series, rule: RatioRule, label: str
) -> dict[str, IntegrityFlag]:
    """Products whose numerator/denominator ratio is far above the category's (robust z on logs)."""
    frame = pd.DataFrame({"n": numerator, "d": denominator}).dropna()
    # the reference is the established products: ratios of tiny counts are noise, not a norm
    frame = frame[frame["n"] >= rule.min_numerator]
    if len(frame) < rule.min_products:
        return {}
    logs = np.log1p(frame["n"]) - np.log1p(frame["d"])
    med = float(logs.median())
    mad = float((logs - med).abs().median()) * 1.4826
    if mad <= 0:
        return {}
    z = (logs - med) / mad
    hit = frame[z >= rule.z_threshold]
    out: dict[str, IntegrityFlag] = {}
    for product_id, row in hit.iterrows():
        ratio = row["n"] / max(row["d"], 1.0)
        out[str(product_id)] = IntegrityFlag(
            kind="ratio_outlier",
            artifact=None,
            evidence=(
                f"{label} ratio {ratio:,.3g} ({row['n']:,.0f} / {row['d']:,.0f}) against a "
                f"category median near {np.exp(med):,.3g} (robust z {z[product_id]:.1f})"
            ),
        )
    return out


def series_findings(
    history: pd.DataFrame,
    latest: pd.DataFrame,
    rules: Integrity,
    segments: Segments | None = None,
) -> Findings:
    """Artifact-level flags from the daily series and the stargazer evidence (`segments`: the
    history's, when the caller has them)."""
    stars = _burst_flags(history, Metric.STARS, "star_burst", "stars", rules.star_burst, segments)
    downloads = _burst_flags(
        history,
        Metric.DOWNLOADS_ALL_TIME,
        "download_spike",
        "all-time downloads",
        rules.download_spike,
        segments,
    )
    # the 30-day counts are checked too (a backfill may hold no all-time series); an artifact
    # already flagged on its all-time series keeps that flag only
    rolling = _burst_flags(
        history,
        Metric.DOWNLOADS_30D,
        "download_spike",
        "30-day downloads",
        rules.download_spike,
        segments,
    )
    seen = {artifact for artifact, _ in downloads.flags}
    rolling = Findings(
        [(a, f) for a, f in rolling.flags if a not in seen],
        [e for e in rolling.excess if e.artifact not in seen],
    )
    flags = stars.flags + downloads.flags + rolling.flags
    flags += decreasing_downloads(history, rules.downloads_decrease_tolerance, segments)
    flags += stargazer_flags(latest, rules.stargazers)
    return Findings(flags, stars.excess + downloads.excess + rolling.excess)


def exclude_windows(history: pd.DataFrame, excess: list[Excess]) -> pd.DataFrame:
    """The history with flagged rises taken out of the cumulative series from their day on.

    A rise excluded from all-time downloads is also taken out of the 30-day counts of the 30 days
    that include it.
    """
    if not excess:
        return history
    out = history.copy()
    values = out["value"].to_numpy(copy=True)
    at = out["observed_at"]
    for item in excess:  # flags are few; each is a vectorised mask over the history
        mine = (out["artifact"] == item.artifact).to_numpy()
        for day, amount in item.days.items():
            start = pd.Timestamp(str(day))
            cumulative = (
                Metric.DOWNLOADS_ALL_TIME if item.metric == Metric.DOWNLOADS_30D else item.metric
            )
            if cumulative in (Metric.STARS, Metric.DOWNLOADS_ALL_TIME):
                mask = mine & (out["metric"] == cumulative).to_numpy() & (at >= start).to_numpy()
                values[mask] -= amount
            if item.metric in (Metric.DOWNLOADS_ALL_TIME, Metric.DOWNLOADS_30D):
                in_30 = (at >= start) & (at < start + pd.Timedelta(days=30))
                mask = mine & (out["metric"] == Metric.DOWNLOADS_30D).to_numpy() & in_30.to_numpy()
                values[mask] -= amount
    out["value"] = values
    return out
