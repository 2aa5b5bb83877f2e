"""A refresh stopped by its hourly budget resumes on the next run, where it stopped.

When GitHub's hourly budget is spent and its reset is further off than a run may wait
(`OSSIMPACT_HOURLY_BUDGET_MAX_WAIT`), the pacer stops the source cleanly: the run is recorded
`partial` with the stopped reason `RESUMES_NEXT_RUN`, and what it read is kept. The next run of
that source reads the repositories it did not reach first: least recently observed first, those
never observed before all others.
"""

from __future__ import annotations

from datetime import datetime

from collectors.pacing import RESUMES_NEXT_RUN
from ossimpact.domain import ArtifactId, Metric
from ossimpact.store import Store

# The platforms whose collectors can take an order, and the figure every artifact of theirs has.
_ORDERED = {"github": ("gh", Metric.STARS)}


def resumes(store: Store, source: str) -> bool:
    """Whether the last finished run of `source` stopped for its hourly budget."""
    for run in store.runs(200):
        if run.kind != "collect" or run.source != source or run.status == "running":
            continue
        return (run.stopped_reason or "").startswith(RESUMES_NEXT_RUN)
    return False


def last_observed(store: Store, source: str) -> dict[str, datetime]:
    """When each artifact of the source's platform was last observed ("owner/name" in lower
    case, as the platform compares names); artifacts never observed are absent."""
    platform, metric = _ORDERED[source]
    figures = store.latest_figures([metric])
    seen: dict[str, datetime] = {}
    for text, observed_at in zip(figures["artifact"], figures["observed_at"], strict=True):
        artifact = ArtifactId.parse(str(text))
        if artifact.platform == platform:
            key = artifact.repo_id.lower()
            at = (
                observed_at.to_pydatetime()
                if hasattr(observed_at, "to_pydatetime")
                else observed_at
            )
            seen[key] = max(seen.get(key, at), at)
    return seen


def resume_order(store: Store, source: str) -> dict[str, datetime] | None:
    """The order the next run reads in (by when last observed), or None: the usual order."""
    if source not in _ORDERED or not resumes(store, source):
        return None
    return last_observed(store, source)
