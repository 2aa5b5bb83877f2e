"""Latest values per artifact and metric, and relations counted once per product (the sums and
maxima of figures per product are in `scoring.members`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scoring.inputs import (
    Segments,
    group_ends,
    in_pair_time_order,
    own_codes,
    time_order,
    utc_nanoseconds,
)


def latest_values(history: pd.DataFrame, segments: Segments | None = None) -> pd.DataFrame:
    """The last observed value per (artifact, metric): columns artifact, metric, value.

    With the history's `segments` the last rows are known: each segment's last.
    """
    if history.empty:
        return pd.DataFrame({"artifact": [], "metric": [], "value": []}).astype(
            {"artifact": object, "metric": object, "value": float}
        )
    # integer codes: sorting millions of strings is what would cost
    artifact_codes, artifact_names = own_codes(history["artifact"])
    metric_codes, metric_names = own_codes(history["metric"])
    stamps = utc_nanoseconds(history["observed_at"])
    if segments is not None:
        picked = segments.stop - 1
    elif in_pair_time_order(artifact_codes, metric_codes, stamps):
        # the checked history's order: the last row of each pair is where the codes change
        picked = group_ends(artifact_codes, metric_codes)
    else:
        pair = artifact_codes.astype(np.int64) * max(len(metric_names), 1) + metric_codes
        order = time_order(pair, stamps)
        ordered = pair[order]
        picked = order[group_ends(ordered, ordered)]
    # the latest values are few (artifacts × metrics): plain text columns from here on
    return pd.DataFrame(
        {
            "artifact": pd.Series(artifact_names[artifact_codes[picked]], dtype=str),
            "metric": pd.Series(metric_names[metric_codes[picked]], dtype=str),
            "value": history["value"].to_numpy(dtype=float)[picked],
        }
    )


def related_once(
    membership: pd.DataFrame,
    edges: pd.DataFrame,
    relation_weights: Mapping[str, float],
    owners: pd.DataFrame | None,
) -> pd.Series:
    """Weighted count of distinct targets reached from a product's artifacts by the given relations.

    A target reachable from two artifacts of one product counts once (with its largest relation
    weight); targets inside the product never count; when `owners` (product_id, owner) is given,
    targets owned by the product's own organisation are not third-party and do not count.
    `edges` has columns source, target, relation, target_owner.
    """
    chosen = edges[edges["relation"].isin(list(relation_weights))]
    if chosen.empty or membership.empty:
        return pd.Series(dtype=float)
    reached = membership.merge(
        chosen.rename(columns={"source": "artifact"}), on="artifact", how="inner"
    )
    inside = membership.rename(columns={"artifact": "target"}).assign(_inside=True)
    reached = reached.merge(inside, on=["product_id", "target"], how="left")
    reached = reached[reached["_inside"].isna()]
    if owners is not None:
        own = owners.rename(columns={"owner": "target_owner"}).assign(_own=True)
        reached = reached.assign(target_owner=reached["target_owner"].str.lower())
        reached = reached.merge(own, on=["product_id", "target_owner"], how="left")
        reached = reached[reached["_own"].isna()]
    if reached.empty:
        return pd.Series(dtype=float)
    reached = reached.assign(weight=reached["relation"].map(dict(relation_weights)).astype(float))
    once = reached.groupby(["product_id", "target"])["weight"].max()
    return once.groupby(level="product_id").sum().astype(float)
