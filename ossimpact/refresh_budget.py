"""What a refresh will cost before it starts: requests per source and the time the limits impose.

The figures come from the last finished run of each source (requests, 304s, GraphQL points); a
source never run yet is estimated from the registry (a request per tracked artifact, as a first
guess). Printed by `refresh` before any request, so an operator knows whether a refresh fits the
night ("GitHub: ~4,900 requests, ≥ 5.4 min at 900/min").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from collectors.pacing import (
    GITHUB_GRAPHQL,
    GITHUB_HOURLY,
    GITHUB_REST,
    PublishedRates,
    source_pacer,
)
from ossimpact.store.records import RunRecord

FINISHED = frozenset({"succeeded", "partial"})
_NAMES = {
    "huggingface": "Hugging Face",
    "github": "GitHub",
    "modelscope": "ModelScope",
    "opendatalab": "OpenDataLab",
    "opendigger": "OpenDigger",
    "benchmarks": "Leaderboards",
}


@dataclass(frozen=True)
class SourceEstimate:
    source: str
    requests: int
    not_modified: int
    graphql_points: int
    minimum_seconds: float  # the least time the limits allow (0: no published limit)
    pace: str  # the limit that decides, in words ("900/min"), empty without one
    basis: str  # "run #12" or "registry"

    def line(self) -> str:
        name = _NAMES.get(self.source, self.source)
        text = f"{name}: ~{self.requests:,} requests"
        if self.minimum_seconds > 0:
            text += f", ≥ {_duration(self.minimum_seconds)} at {self.pace}"
        return f"{text} ({self.basis})"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _rate_words(amount: float, period: float) -> str:
    if period == 60:
        return f"{amount:,.0f}/min"
    if period == 3600:
        return f"{amount:,.0f}/h"
    if period == 1:
        return f"{amount:g}/s"
    return f"{amount:,.0f}/{period / 60:g} min"


def _last_runs(runs: Sequence[RunRecord]) -> dict[str, RunRecord]:
    last: dict[str, RunRecord] = {}
    for run in sorted(runs, key=lambda r: r.id, reverse=True):
        if run.kind == "collect" and run.source and run.status in FINISHED:
            last.setdefault(run.source, run)
    return last


def estimate_refresh(
    sources: Sequence[str],
    runs: Sequence[RunRecord],
    rates: PublishedRates,
    tracked: Mapping[str, int],
) -> list[SourceEstimate]:
    """One estimate per source, in the order given. `tracked`: artifacts per source known from
    the registry and the store, for sources never run."""
    last = _last_runs(runs)
    out: list[SourceEstimate] = []
    for source in sources:
        run = last.get(source)
        if run is not None:
            requests, not_modified, points = run.requests, run.not_modified, run.graphql_points
            basis = f"run #{run.id}"
        else:
            requests, not_modified, points = tracked.get(source, 0), 0, 0
            basis = "registry"
        seconds, pace = 0.0, ""
        pacer = source_pacer(source, rates)
        if pacer is not None:
            needs: dict[str, float] = {name: float(requests) for name in pacer.limits}
            if source == "github":
                # GraphQL answers are counted in points; a 304 is free only for the hour, and
                # GraphQL's hour is a points budget of its own (a query costs at least a point,
                # so less its points the REST hour's count is a floor, as the estimate is)
                needs = {
                    GITHUB_REST: float(requests),
                    GITHUB_GRAPHQL: float(points),
                    GITHUB_HOURLY: float(max(requests - not_modified - points, 0)),
                }
            for name, points_needed in needs.items():
                limit = pacer.limits[name]
                took = pacer.minimum_seconds({name: points_needed})
                if took > seconds:
                    seconds, pace = took, _rate_words(limit.amount, limit.period)
        out.append(SourceEstimate(source, requests, not_modified, points, seconds, pace, basis))
    return out
