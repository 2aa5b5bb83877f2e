"""What-if: re-weigh the normalised signals a scoring run recorded, without scoring again.

Works from the contributions a reader of the store has (the dashboard) as well as from a
ScoringResult's `signals` frame. It uses the engine's `weighted_totals` and ranking rules, so with
the methodology's own weights it reproduces the official totals.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scoring.rank import ranking_key, ranks, weighted_totals


def reweighted_totals(
    contributions: pd.DataFrame, weights: Mapping[str, float], min_coverage: float = 0.0
) -> pd.DataFrame:
    """Per product: Σ w'·normalized over present signals / Σ w' of present signals, and its rank.

    `contributions` has columns product_id, signal, normalized (NaN/None when the product lacks
    the signal). Signals not in `weights` get weight 0. Returns product_id, what_if_total,
    what_if_coverage, what_if_rank.
    """
    columns = ["product_id", "what_if_total", "what_if_coverage", "what_if_rank"]
    if contributions.empty:
        return pd.DataFrame(columns=columns)
    table = contributions.pivot_table(
        index="product_id", columns="signal", values="normalized", aggfunc="first", dropna=False
    ).sort_index()
    names = list(table.columns)
    matrix = table.to_numpy(dtype=float)
    w = np.array([max(float(weights.get(str(n), 0.0)), 0.0) for n in names])
    totals = weighted_totals(matrix, w)
    key = ranking_key(totals.total, totals.coverage, min_coverage)
    return pd.DataFrame(
        {
            "product_id": table.index.astype(str),
            "what_if_total": totals.total,
            "what_if_coverage": totals.coverage,
            "what_if_rank": ranks(key),
        }
    )
