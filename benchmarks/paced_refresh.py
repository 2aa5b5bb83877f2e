"""P2 under the platforms' published limits: a daily refresh paced to them, against fake servers
that enforce them (`ossimpact/sandbox/limits.py`), on a clock shrunk by `SCALE`.

Measured: the wall time beside the least time the rate limits allow for the requests the run
made (the slowest source's, as Hugging Face and GitHub collect side by side: the Hub's 500 per
5 minutes, GitHub's 900 REST and 2,000 GraphQL points a minute), the ratio of the two (goal
≤ 1.1), and the limit answers the servers gave (goal 0). GitHub's hourly budget is not a rate:
the fake server's hours are clock-aligned windows, so a run may straddle two and need no wait,
where the real GitHub's hour starts at the first request (`refresh_budget`'s estimate, in the
details, counts a full hour per budget beyond the first). The fake servers run in threads of this
process: the process sandbox does not enforce limits.
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.context import DAILY_SOURCES, BenchContext, sandbox_settings
from benchmarks.results import Figure
from collectors.pacing import GITHUB_GRAPHQL, GITHUB_REST, PublishedRates, source_pacer
from ossimpact.collector_setup import published_rates
from ossimpact.pipeline import SourceOutcome, collect
from ossimpact.refresh_budget import estimate_refresh
from ossimpact.sandbox.limits import github_policy, hub_policy
from ossimpact.sandbox.runner import start_sandbox
from ossimpact.store import open_store

# A published minute lasts 3 s: at 10,000 artifacts the limits impose about three minutes.
SCALE = 20.0
GOAL_RATIO = 1.1


def measure(ctx: BenchContext) -> list[Figure]:
    world = ctx.world()
    limits = {"github": github_policy(SCALE), "huggingface": hub_policy(SCALE)}
    database = Path(ctx.workdir) / "paced" / "ossimpact.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    with start_sandbox(
        world, latency=ctx.options.latency, only=DAILY_SOURCES, limits=limits
    ) as sandbox:
        settings = sandbox_settings(sandbox, database.parent, database).model_copy(
            update={"pacing_time_scale": SCALE}
        )
        store = open_store(settings.database_url)
        try:
            started = time.perf_counter()
            outcomes = collect(settings, list(DAILY_SOURCES), store=store, registry=ctx.registry)
            seconds = time.perf_counter() - started
            estimates = estimate_refresh(
                DAILY_SOURCES, store.runs(10), published_rates(settings), {}
            )
        finally:
            store.close()
        answered = {name: e.log.requests for name, e in sandbox.enforcers.items()}
        refused = {name: e.log.limited for name, e in sandbox.enforcers.items()}
        by_window = {name: dict(e.log.by_window) for name, e in sandbox.enforcers.items()}
    minimum, deciding = _rate_minimum(outcomes, published_rates(settings))
    ratio = seconds / minimum if minimum else None
    paced = {o.source: round(o.stats.paced_seconds, 1) for o in outcomes}
    details = {
        "time_scale": SCALE,
        "wall_seconds": seconds,
        "minimum_seconds": minimum,
        "minimum_published_seconds": minimum * SCALE,
        "deciding_source": deciding,
        "estimates_with_the_hourly_budget": [e.line() for e in estimates],
        "requests_answered": answered,
        "limit_answers": refused,
        "limit_answers_by_window": by_window,
        "paced_seconds": paced,
        "source_status": {o.source: o.status for o in outcomes},
        "stopped": {o.source: o.stats.stopped_reason for o in outcomes},
        "sandbox": "threads of this process (limits enforced)",
    }
    note = (
        f"time scale {SCALE:g} (a published minute lasts {60 / SCALE:g} s); {deciding}'s rate "
        f"limit decides; paced {paced}; limit answers {refused}"
    )
    return [
        Figure(
            "P2",
            f"paced refresh under enforced limits: wall / limit minimum (×{SCALE:g} clock)",
            ratio,
            "×",
            target=f"≤ {GOAL_RATIO}",
            met=ratio is not None and ratio <= GOAL_RATIO,
            note=note,
            details=details,
        ),
        Figure(
            "P2",
            "paced refresh under enforced limits: limit answers",
            float(sum(refused.values())),
            "answers",
            target="0",
            met=sum(refused.values()) == 0,
            note=f"{sum(answered.values()):,} requests answered; wall {seconds:.1f} s, "
            f"minimum {minimum:.1f} s ({minimum * SCALE / 60:.1f} published minutes)",
        ),
    ]


def _rate_minimum(outcomes: list[SourceOutcome], rates: PublishedRates) -> tuple[float, str]:
    """The least time the rate limits allow for what each source asked (scaled seconds), and
    the source that decides. A 304 still costs a point of the per-minute limits."""
    longest, deciding = 0.0, ""
    for outcome in outcomes:
        pacer = source_pacer(outcome.source, rates)
        if pacer is None:
            continue
        stats = outcome.stats
        if outcome.source == "github":
            needs = {
                GITHUB_REST: float(stats.requests),
                GITHUB_GRAPHQL: float(stats.graphql_points),
            }
        else:
            needs = {name: float(stats.requests) for name in pacer.limits}
        seconds = pacer.minimum_seconds(needs)
        if seconds > longest:
            longest, deciding = seconds, outcome.source
    return longest, deciding
