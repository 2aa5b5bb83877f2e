"""A product's page: identity, its score and details, members, figures, benchmarks, derivatives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard.frames.scores import score_detail_frames
from dashboard.frames.snapshot import Snapshot
from ossimpact.domain import ScoreRow

if TYPE_CHECKING:
    from ossimpact.store import Store


def empty_members() -> pd.DataFrame:
    from ossimpact.export import MEMBER_COLUMNS

    return pd.DataFrame(columns=list(MEMBER_COLUMNS))


@dataclass
class ProductView:
    product_id: str
    name: str
    category: str
    description: str | None
    organization: dict[str, Any]
    score: dict[str, Any] | None
    artifacts: pd.DataFrame
    figures: pd.DataFrame  # artifact, metric, value, observed_at, source_url
    contributions: pd.DataFrame
    flags: pd.DataFrame
    benchmarks: pd.DataFrame
    derivatives: pd.DataFrame
    members: pd.DataFrame = field(default_factory=empty_members)


def product_members_frame(store: Store, snap: Snapshot, product_id: str) -> pd.DataFrame:
    """The product's rows of the members export for the official scoring run (the snapshot's):
    the same rows and words as `ossimpact export --what members`, from the export's own builder
    (which takes the whole `Store`)."""
    from ossimpact.export import members_of_run

    run = snap.scoring_run
    if not run:
        return empty_members()
    return members_of_run(
        store, run["id"], run["as_of"], run["methodology_version"], product_ids=[product_id]
    )


def product_view(
    snap: Snapshot,
    product_id: str,
    score_rows: Sequence[ScoreRow] = (),
    members: pd.DataFrame | None = None,
) -> ProductView | None:
    """A product's page; `score_rows` are its full official score rows (`Store.product_scores`),
    `members` its rows of the members export (`product_members_frame`)."""
    found = snap.products[snap.products["product_id"] == product_id]
    if found.empty:
        return None
    product = found.iloc[0]
    org = snap.organizations[snap.organizations["organization"] == product["organization"]]
    organization = (
        org.iloc[0].to_dict() if not org.empty else {"organization": product["organization"]}
    )
    member_ids = {str(a) for a in snap.members_of(product_id)}
    artifacts = snap.artifacts[snap.artifacts["artifact"].isin(member_ids)].reset_index(drop=True)
    figures = snap.latest[snap.latest["artifact"].isin(member_ids)].sort_values(
        ["artifact", "metric"], ignore_index=True
    )
    score = snap.scores[snap.scores["product_id"] == product_id]
    benchmarks = (
        snap.benchmarks[snap.benchmarks["artifact"].isin(member_ids)].reset_index(drop=True)
        if not snap.benchmarks.empty
        else snap.benchmarks
    )
    contributions, flags = score_detail_frames(
        [r for r in score_rows if r.product_id == product_id]
    )
    derivatives = snap.edges
    if not derivatives.empty:
        derivatives = derivatives[derivatives["source"].isin(member_ids)].reset_index(drop=True)
    return ProductView(
        product_id=product_id,
        name=str(product["name"]),
        category=str(product["category"]),
        description=product["description"] if isinstance(product["description"], str) else None,
        organization=organization,
        score={str(k): v for k, v in score.iloc[0].items()} if not score.empty else None,
        artifacts=artifacts,
        figures=figures,
        contributions=contributions.sort_values("contribution", ascending=False).reset_index(
            drop=True
        ),
        flags=flags,
        benchmarks=benchmarks,
        derivatives=derivatives,
        members=members if members is not None else empty_members(),
    )
