"""What the dashboard reads from the store: a typed protocol instead of an untyped handle.

`ossimpact.store.Store` satisfies it structurally (mypy checks the assignment at the bottom), so the
frames in `dashboard/frames/` are written against these reads only and a test can hand them any
object that answers them. Two builders need the whole `Store` because they apply the project's one
rule shared with the exports (`run_members`, `members_of_run`) and say so in their signatures.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    BenchmarkResult,
    Edge,
    Organization,
    Product,
    ScoreRow,
)

if TYPE_CHECKING:
    from ossimpact.store import RunRecord, ScoringRunRecord, Shortlist, Store


class DashboardReader(Protocol):
    """The store's reads the dashboard makes: the data version, scores, figures, runs, shortlists."""

    def data_version(self) -> str: ...

    def official_scoring_run_id(self) -> int | None: ...

    def scoring_runs(self, limit: int = 20) -> list[ScoringRunRecord]: ...

    def score_summaries(self, scoring_run_id: int | None = None) -> pd.DataFrame: ...

    def product_scores(
        self, product_ids: Collection[str], scoring_run_id: int | None = None
    ) -> list[ScoreRow]: ...

    def organizations(self) -> list[Organization]: ...

    def products(self) -> list[Product]: ...

    def artifact_table(self) -> pd.DataFrame: ...

    def latest_figures(self, metrics: Collection[str] | None = None) -> pd.DataFrame: ...

    def product_history(
        self,
        artifacts: Collection[ArtifactId],
        metrics: Collection[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame: ...

    def edges(self, as_of: datetime | None = None) -> list[Edge]: ...

    def benchmark_results(self, as_of: datetime | None = None) -> list[BenchmarkResult]: ...

    def runs(self, limit: int = 50) -> list[RunRecord]: ...

    def failures(self, run_id: int) -> list[ArtifactFailure]: ...

    def meta(self, key: str) -> str | None: ...

    def shortlists(self) -> list[Shortlist]: ...

    def shortlist(self, name: str, version: int | None = None) -> Shortlist | None: ...


if TYPE_CHECKING:

    def _the_store_is_a_reader(store: Store) -> DashboardReader:
        return store  # mypy fails here when Store stops answering one of the reads above
