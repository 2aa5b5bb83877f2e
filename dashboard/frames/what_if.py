"""What-if: the ranking under other weights beside the official one, and the weights' link."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.frames.snapshot import Snapshot


def default_weights(contributions: pd.DataFrame) -> dict[str, float]:
    """The methodology's weights as the official scores recorded them, per signal
    (`contributions`: a category's, see `category_contributions`)."""
    rows = contributions
    if rows.empty:
        return {}
    weights = rows.groupby("signal", sort=False)["weight"].first()
    return {str(k): float(v) for k, v in weights.items()}


def what_if_frame(
    snap: Snapshot,
    contributions: pd.DataFrame,
    category: str,
    weights: Mapping[str, float],
    min_coverage: float = 0.0,
) -> pd.DataFrame:
    """Official rank beside the rank under `weights`, with the change (positive = moved up)."""
    from scoring.reweigh import reweighted_totals

    scores = snap.scores[snap.scores["category"] == category]
    rows = contributions[contributions["product_id"].isin(scores["product_id"])]
    totals = reweighted_totals(rows, weights, min_coverage)
    frame = scores[["product_id", "rank", "total"]].merge(totals, on="product_id", how="inner")
    frame["what_if_rank"] = frame["what_if_rank"].astype(int)
    frame["change"] = frame["rank"] - frame["what_if_rank"]
    frame = frame.merge(snap.products[["product_id", "name"]], on="product_id", how="left")
    return frame.sort_values(["what_if_rank", "rank"], ignore_index=True)[
        ["what_if_rank", "rank", "change", "name", "what_if_total", "total", "product_id"]
    ]


def encode_weights(weights: Mapping[str, float]) -> str:
    return ",".join(f"{name}:{value:g}" for name, value in weights.items())


def decode_weights(text: str | None, defaults: Mapping[str, float]) -> dict[str, float]:
    """Weights from a shared link; unknown signals and bad numbers fall back to the defaults."""
    weights = dict(defaults)
    for part in (text or "").split(","):
        name, _, value = part.partition(":")
        if name in weights:
            try:
                number = float(value)
            except ValueError:
                continue
            if 0.0 <= number <= 1.0:
                weights[name] = number
    return weights
