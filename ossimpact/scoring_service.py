"""Scoring glue: the store's observations and the registry's products → scores → the store.

Everything that decides a score lives in `scoring/` (pure); this module only reads, groups and
writes, so the CLI, the pipeline and the scheduler share one path.
"""

from __future__ import annotations

from datetime import datetime

from ossimpact.domain import utcnow
from ossimpact.registry import Registry
from ossimpact.store import Store
from scoring import Methodology, ScoringInputs, ScoringResult, score_products


def build_inputs(store: Store, registry: Registry, as_of: datetime | None) -> ScoringInputs:
    """What the store knew at `as_of` (None: now), grouped into the registry's products.

    Third-party artifacts (kept only for counts and edges) are not products; artifacts claimed by
    two products stay out of both, as the registry reports.
    """
    when = as_of or utcnow()
    records = store.artifacts()
    tracked = [r.id for r in records if r.tracked]
    grouping = registry.group(tracked)
    history = store.observation_history(until=when)
    organizations = dict(registry.organizations)
    for org in store.organizations():
        organizations.setdefault(org.id, org)
    return ScoringInputs(
        as_of=when,
        products=sorted(grouping.products.values(), key=lambda p: p.id),
        members={pid: list(ms) for pid, ms in grouping.members.items()},
        organizations=organizations,
        artifacts={r.id: r for r in records},
        history=history,
        edges=store.edges(when),
        benchmarks=store.benchmark_results(when),
    )


def input_run_ids(inputs: ScoringInputs) -> list[int]:
    """The collection runs whose observations went into the scores."""
    if "run_id" not in inputs.history.columns or inputs.history.empty:
        return []
    return sorted(int(r) for r in inputs.history["run_id"].dropna().unique())


def run_scoring(
    store: Store,
    registry: Registry,
    methodology: Methodology,
    as_of: datetime | None,
    *,
    seed: int = 0,
    draws: int = 1000,
    purpose: str | None = None,
) -> tuple[int, ScoringResult]:
    """Score at `as_of` and record a scoring run; returns (scoring run id, result).

    `purpose` None: official when scoring the newest data (no as-of), else as_of. A caller
    scoring with a methodology other than the configured one passes "trial".
    """
    purpose = purpose or ("official" if as_of is None else "as_of")
    run_id = store.start_run("score")
    try:
        inputs = build_inputs(store, registry, as_of)
        result = score_products(inputs, methodology, seed=seed, draws=draws)
        scoring_run_id = store.record_scores(
            run_id,
            result.methodology_version,
            inputs.as_of,
            input_run_ids(inputs),
            result.rows,
            purpose=purpose,
            methodology_hash=methodology.content_hash or None,
        )
    except Exception as exc:
        store.finish_run(run_id, "failed", message=f"scoring failed: {type(exc).__name__}: {exc}")
        raise
    except BaseException:
        store.finish_run(run_id, "interrupted", message="scoring interrupted")
        raise
    store.finish_run(run_id, "succeeded")
    return scoring_run_id, result
