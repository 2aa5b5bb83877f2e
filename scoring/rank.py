"""Weighted totals with missing signals handled explicitly, and ranks with a stable tie-break."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Products below the methodology's minimum coverage are ranked after all others; totals are in
# [0, 1], so a penalty of 2 orders them last without changing their order among themselves.
COVERAGE_PENALTY = 2.0


@dataclass(frozen=True)
class Totals:
    total: FloatArray  # per product
    contributions: FloatArray  # products × signals; 0 where missing
    effective_weights: FloatArray  # products × signals; weights re-normalised among present ones
    coverage: FloatArray  # share of the weight whose signals the product has


def weighted_totals(normalized: FloatArray, weights: FloatArray) -> Totals:
    """Σ effective_weight · normalised over present signals; missing signals' weight is
    re-distributed among the present ones, and `coverage` says how much weight was present."""
    present = ~np.isnan(normalized)
    w = np.where(present, weights[None, :], 0.0)
    covered = w.sum(axis=1)
    safe = np.where(covered > 0, covered, 1.0)
    effective = np.where(covered[:, None] > 0, w / safe[:, None], 0.0)
    contributions = effective * np.nan_to_num(normalized, nan=0.0)
    total_weight = float(weights.sum())
    coverage = covered / total_weight if total_weight > 0 else np.zeros_like(covered)
    return Totals(contributions.sum(axis=1), contributions, effective, coverage)


def ranking_key(total: FloatArray, coverage: FloatArray, min_coverage: float) -> FloatArray:
    below = (coverage < min_coverage) | (coverage <= 0)
    return total - COVERAGE_PENALTY * below


def ranks(key: FloatArray) -> IntArray:
    """1-based ranks by descending key; ties keep input order (callers sort products by id)."""
    order = np.argsort(-key, kind="stable")
    out = np.empty(key.shape[0], dtype=np.int64)
    out[order] = np.arange(1, key.shape[0] + 1)
    return out
