"""The latest data as frames, read once per data version and shared read-only by every page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard.frames.records import records_frame
from dashboard.frames.runs import runs_frame
from dashboard.reader import DashboardReader
from ossimpact.domain import ArtifactId, Edge, Organization
from ossimpact.scoring_service import recorded_products, run_members

if TYPE_CHECKING:
    from ossimpact.store import ScoringMember, Store

ORGANIZATION_COLUMNS = [
    "organization",
    "org_name",
    "org_name_zh",
    "org_kind",
    "city",
    "confidence",
    "evidence",
]
BENCHMARK_COLUMNS = [
    "artifact",
    "benchmark",
    "metric",
    "value",
    "source",
    "trust",
    "observed_at",
    "source_url",
    "scaled",
]


@dataclass
class Snapshot:
    """The latest data as frames, read once per data version and shared read-only by every page.

    `scores` holds no contributions: those are read per product (`product_scores`) or per
    category (`category_contributions`) only where a page shows them.
    """

    products: pd.DataFrame
    organizations: pd.DataFrame
    artifacts: pd.DataFrame
    latest: pd.DataFrame
    scores: pd.DataFrame
    edges: pd.DataFrame
    benchmarks: pd.DataFrame
    runs: pd.DataFrame
    scoring_run: dict[str, Any]
    synthetic: bool
    members: dict[str, list[ArtifactId]] = field(default_factory=dict)

    def members_of(self, product_id: str) -> list[ArtifactId]:
        return self.members.get(product_id, [])

    @property
    def data_as_of(self) -> datetime | None:
        """When the latest successful collection finished."""
        if self.runs.empty:
            return None
        ok = self.runs[self.runs["status"].isin(["succeeded", "partial"])]
        finished = ok["finished_at"].dropna()
        return None if finished.empty else finished.max().to_pydatetime()


def members_by_product(members: Iterable[ScoringMember]) -> dict[str, list[ArtifactId]]:
    found: dict[str, list[ArtifactId]] = {}
    for member in members:
        found.setdefault(member.product_id, []).append(ArtifactId.parse(member.artifact))
    return found


def shown_scoring_run(
    reader: DashboardReader, scoring_run_id: int | None, scores: pd.DataFrame
) -> dict[str, Any]:
    """The run `scores` come from: the official one, not merely the newest (a backdated or trial
    run recorded later must not relabel the ranking), unless a reader chose another; {} when none."""
    shown = scoring_run_id if scoring_run_id is not None else reader.official_scoring_run_id()
    counted = [r for r in reader.scoring_runs(1000) if r.id == shown]
    if scores.empty or not counted:
        return {}
    run = counted[0]
    return {
        "id": run.id,
        "methodology_version": run.methodology_version,
        "as_of": run.as_of,
        "created_at": run.created_at,
        "purpose": run.purpose,
    }


def load_snapshot(
    store: Store, scoring_run_id: int | None = None, *, synthetic: bool = False
) -> Snapshot:
    """The official ranking (the store's own rule) unless a reader chose another scoring run.

    The whole `Store`, not only a `DashboardReader`: who belongs to which product is what the run
    scored, read by the function the exports use too (`run_members`); this matches nothing itself.
    `synthetic` is the operator's setting; a store the demo filled says so itself.
    """
    scores = store.score_summaries(scoring_run_id)
    scoring_run = shown_scoring_run(store, scoring_run_id, scores)
    recorded = run_members(store, scoring_run["id"], scoring_run["as_of"]) if scoring_run else []
    products = recorded_products(store.products(), recorded)
    artifact_frame = store.artifact_table()
    product_of = {m.artifact: m.product_id for m in recorded}
    artifact_frame.insert(1, "product_id", artifact_frame["artifact"].map(product_of))
    product_frame = records_frame(
        products, ["id", "name", "category", "organization", "description", "implicit"]
    ).rename(columns={"id": "product_id"})
    benchmarks = records_frame(store.benchmark_results(), BENCHMARK_COLUMNS)
    if not benchmarks.empty:
        benchmarks = benchmarks.assign(artifact=benchmarks["artifact"].map(str))
    return Snapshot(
        products=product_frame,
        organizations=organization_frame(store.organizations()),
        artifacts=artifact_frame,
        latest=store.latest_figures(),
        scores=scores,
        edges=edge_frame(store.edges()),
        benchmarks=benchmarks,
        runs=runs_frame(store.runs(200)),
        scoring_run=scoring_run,
        synthetic=is_synthetic(store, synthetic),
        members=members_by_product(recorded),
    )


def organization_frame(organizations: Iterable[Organization]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "organization": o.id,
                "org_name": o.name,
                "org_name_zh": o.name_zh or o.name,
                "org_kind": o.kind,
                "city": o.city,
                "confidence": o.confidence,
                "evidence": list(o.evidence),
            }
            for o in organizations
        ],
        columns=ORGANIZATION_COLUMNS,
    )


def is_synthetic(reader: DashboardReader, setting: bool) -> bool:
    """Demo data is labelled so on screen; the store (set by the demo) or the settings say so."""
    return reader.meta("synthetic") == "true" or setting


def edge_frame(edges: Iterable[Edge]) -> pd.DataFrame:
    frame = records_frame(edges, ["source", "target", "relation", "observed_at", "source_url"])
    if not frame.empty:
        frame = frame.assign(source=frame["source"].map(str), target=frame["target"].map(str))
    return frame


def category_counts(snap: Snapshot) -> pd.DataFrame:
    return (
        snap.products.groupby("category", as_index=False)
        .agg(products=("product_id", "count"))
        .sort_values("category", ignore_index=True)
    )
