"""Cohort fairness: size classes by parameters, age buckets, and relative adoption.

Relative adoption follows ATOM's idea: a model's all-time downloads divided by the downloads of
the `leaders`-th best model of its cohort (same size class, same age bucket since release), so a
1B model released last month is measured against young small models, not a year-old 70B.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from scoring.methodology import Cohorts

UNKNOWN_SIZE = "unknown size"


def size_class(parameters: pd.Series, cohorts: Cohorts) -> pd.Series:
    bounds = np.array([c.max_parameters for c in cohorts.size_classes[:-1]], dtype=float)
    labels = np.array([c.label for c in cohorts.size_classes], dtype=object)
    values = parameters.to_numpy(dtype=float)
    idx = np.searchsorted(bounds, np.nan_to_num(values, nan=0.0), side="right")
    out = np.where(np.isnan(values), UNKNOWN_SIZE, labels[idx])
    return pd.Series(out, index=parameters.index, dtype=object)


def age_bucket(age_days: pd.Series, cohorts: Cohorts) -> pd.Series:
    edges = list(cohorts.age_bucket_days)
    names = [f"<{edges[0]} days"] if edges else ["any age"]
    names += [f"{a}–{b} days" for a, b in itertools.pairwise(edges)]
    if edges:
        names.append(f"≥{edges[-1]} days")
    values = age_days.to_numpy(dtype=float)
    idx = np.searchsorted(
        np.array(edges, dtype=float), np.nan_to_num(values, nan=0.0), side="right"
    )
    out = np.where(np.isnan(values), "unknown age", np.array(names, dtype=object)[idx])
    return pd.Series(out, index=age_days.index, dtype=object)


def relative_adoption(downloads: pd.Series, cohort: pd.Series, leaders: int) -> pd.Series:
    """downloads / the `leaders`-th best downloads of the cohort (fewer members: its last one).

    1.0 means on a par with the cohort's top `leaders`; products without downloads are missing.
    """
    frame = pd.DataFrame({"d": downloads, "c": cohort}).dropna(subset=["d"])
    if frame.empty:
        return pd.Series(np.nan, index=downloads.index, dtype=float)
    frame = frame.rename_axis("product_id").reset_index()
    frame = frame.sort_values(
        ["c", "d", "product_id"], ascending=[True, False, True], kind="stable"
    )
    frame["pos"] = frame.groupby("c").cumcount()
    size = frame.groupby("c")["d"].transform("size")
    k = np.minimum(leaders, size) - 1
    cutoff = frame["d"].where(frame["pos"] == k).groupby(frame["c"]).transform("max")
    ram: pd.Series = frame["d"] / np.maximum(cutoff, 1.0)
    return ram.set_axis(frame["product_id"]).reindex(downloads.index).astype(float)
