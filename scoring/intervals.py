"""Rank intervals: Monte Carlo over weights (Dirichlet around the methodology's) and over
measurement noise on download counts, as matrix operations (products × draws)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from scoring.methodology import Intervals, Transform
from scoring.normalize import apply_transform
from scoring.rank import COVERAGE_PENALTY, FloatArray, IntArray


@dataclass(frozen=True)
class RankIntervals:
    low: IntArray
    high: IntArray
    top_n_share: FloatArray


def rank_intervals(
    normalized: FloatArray,
    weights: FloatArray,
    noisy: Mapping[int, tuple[FloatArray, Transform]],
    *,
    point_ranks: IntArray,
    below_coverage: np.ndarray,
    settings: Intervals,
    rng: np.random.Generator,
    draws: int,
    top_n: int,
) -> RankIntervals:
    """`noisy` maps a signal column to its raw values and transform; those are re-drawn with a
    log-normal factor per product and draw (one factor shared by all download signals)."""
    n, s = normalized.shape
    if n == 0 or draws <= 0:
        return RankIntervals(point_ranks.copy(), point_ranks.copy(), np.zeros(n))
    positive = weights > 0
    w = np.zeros((draws, s))
    if positive.any():
        w[:, positive] = rng.dirichlet(settings.concentration * weights[positive], size=draws)
    present = ~np.isnan(normalized)
    fixed = np.nan_to_num(normalized, nan=0.0)
    fixed_cols = np.array([j not in noisy for j in range(s)])
    numer = fixed[:, fixed_cols] @ w[:, fixed_cols].T
    if noisy:
        factor = np.exp(settings.download_noise * rng.standard_normal((n, draws)))
        for j, (raw, transform) in sorted(noisy.items()):
            drawn = apply_transform(raw[:, None] * factor, transform)
            numer += np.nan_to_num(drawn, nan=0.0) * w[None, :, j]
    denom = present.astype(float) @ w.T
    totals = np.where(denom > 0, numer / np.where(denom > 0, denom, 1.0), 0.0)
    totals -= COVERAGE_PENALTY * below_coverage[:, None]
    # draws × products, each draw's products contiguous: sorting along rows, not strided columns
    by_draw = np.ascontiguousarray(-totals.T)
    order = np.argsort(by_draw, axis=1, kind="stable")
    drawn_ranks = np.empty_like(order)
    np.put_along_axis(drawn_ranks, order, np.arange(1, n + 1)[None, :], axis=1)
    low = np.quantile(drawn_ranks, settings.low_quantile, axis=0, method="lower").astype(np.int64)
    high = np.quantile(drawn_ranks, settings.high_quantile, axis=0, method="higher").astype(
        np.int64
    )
    share = (drawn_ranks <= top_n).mean(axis=0)
    # the published rank always lies inside its interval
    return RankIntervals(np.minimum(low, point_ranks), np.maximum(high, point_ranks), share)
