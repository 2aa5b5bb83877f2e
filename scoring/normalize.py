"""Transforms from raw signal values to 0–1, robust to heavy tails. NaN (missing) stays NaN."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from scoring.methodology import Transform

FloatArray = npt.NDArray[np.float64]


def log_cap(values: FloatArray, cap: float) -> FloatArray:
    """criticality_score's ln(1+min(S,T))/ln(1+T), with negative values clamped to 0."""
    clipped = np.clip(values, 0.0, cap)
    out: FloatArray = np.log1p(clipped) / np.log1p(cap)
    return out


def linear(values: FloatArray, cap: float) -> FloatArray:
    return np.clip(values, 0.0, cap) / cap


def percentile(values: FloatArray) -> FloatArray:
    """Mid-rank percentile among the present values: (smaller + half of equal) / n.

    A lone product sits at 0.5, so being the only one with a signal is not a top score. Works on
    the last axis, so a matrix of draws (products × draws) is ranked per draw.
    """
    values = np.asarray(values, dtype=float)
    present = ~np.isnan(values)
    out = np.full(values.shape, np.nan)
    if values.ndim == 1:
        v = values[present]
        if v.size:
            s = np.sort(v)
            less = np.searchsorted(s, v, side="left")
            less_eq = np.searchsorted(s, v, side="right")
            out[present] = (less + 0.5 * (less_eq - less)) / v.size
        return out
    for j in range(values.shape[1]):  # columns are draws; each is a vectorised 1-D ranking
        out[:, j] = percentile(values[:, j])
    return out


def apply_transform(values: FloatArray, transform: Transform) -> FloatArray:
    values = np.asarray(values, dtype=float)
    if transform.kind == "log_cap":
        assert transform.cap is not None
        out = log_cap(values, transform.cap)
    elif transform.kind == "linear":
        assert transform.cap is not None
        out = linear(values, transform.cap)
    elif transform.kind == "percentile":
        out = percentile(values)
    else:  # validated away by the methodology loader
        raise ValueError(f"unknown transform {transform.kind!r}")
    if transform.smaller_is_better:
        out = 1.0 - out
    return out
