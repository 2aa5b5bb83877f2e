"""P1 — requests per artifact for a full refresh, counted server side, beside the naive loop.

Bulk figures: the listing requests that bring downloads, all-time downloads, likes, stars and
forks (Hub listings by author, GitHub's GraphQL organisation pages or REST organisation listing),
divided by the tracked artifacts. All included: every request of the refresh ÷ tracked artifacts.
"""

from __future__ import annotations

from benchmarks.context import DAILY_SOURCES, MAINLAND_SOURCES, BenchContext
from benchmarks.results import Figure
from benchmarks.traffic import BULK, total

BULK_TARGET = 0.05
ALL_TARGET = 1.5


def measure(ctx: BenchContext) -> list[Figure]:
    first = ctx.first_refresh()
    monthly = ctx.monthly_refresh()
    mainland = ctx.mainland_refresh()
    naive = ctx.naive()
    tracked = ctx.tracked()
    by_platform = {"hf": ctx.tracked("hf"), "gh": ctx.tracked("gh")}
    bulk = total(first.traffic, servers=DAILY_SOURCES, route=BULK)
    daily = total(first.traffic, servers=DAILY_SOURCES)
    everything = daily + total(monthly.traffic) + total(mainland.traffic)
    per_server = {
        name: sum(total(r.traffic, servers=(name,)) for r in (first, monthly, mainland))
        for name in ("huggingface", "github", "opendigger", "opencompass", *MAINLAND_SOURCES)
    }
    ms_tracked = ctx.tracked("ms")
    ms_requests = total(mainland.traffic, servers=("modelscope",))
    details = {
        "tracked_artifacts": tracked,
        "tracked_by_platform": {**by_platform, "ms": ms_tracked, "od": ctx.tracked("od")},
        "bulk_requests": bulk,
        "daily_requests": daily,
        "all_sources_requests": everything,
        "requests_by_server": per_server,
        "github_rest_requests_daily": total(first.traffic, servers=("github",), method="GET"),
        "github_graphql_requests_daily": total(first.traffic, servers=("github",), method="POST"),
        "naive_sample": naive.artifacts,
        "naive_requests": naive.requests,
        "naive_failures": naive.failures,
        "modelscope_requests": ms_requests,
        "modelscope_listing_requests": total(mainland.traffic, servers=("modelscope",), route=BULK),
    }
    ms_rate = ms_requests / ms_tracked if ms_tracked else None
    bulk_rate = bulk / tracked if tracked else None
    daily_rate = daily / tracked if tracked else None
    all_rate = everything / tracked if tracked else None
    naive_bulk = naive.bulk_requests / naive.artifacts if naive.artifacts else None
    return [
        Figure(
            "P1",
            "requests/artifact, bulk figures",
            bulk_rate,
            "req/artifact",
            target=f"≤ {BULK_TARGET}",
            met=bulk_rate is not None and bulk_rate <= BULK_TARGET,
            baseline=naive_bulk,
            baseline_label="naive: one info call per artifact",
            details=details,
        ),
        Figure(
            "P1",
            "requests/artifact, all included (daily: HF + GitHub)",
            daily_rate,
            "req/artifact",
            target=f"≤ {ALL_TARGET}",
            met=daily_rate is not None and daily_rate <= ALL_TARGET,
            baseline=naive.requests_per_artifact,
            baseline_label=f"naive on {naive.artifacts} sampled",
        ),
        Figure(
            "P1",
            "requests/artifact, ModelScope (owner listings carry every figure)",
            ms_rate,
            "req/artifact",
            target=f"≤ {BULK_TARGET}",
            met=ms_rate is not None and ms_rate <= BULK_TARGET,
            note=f"{ms_requests} requests for {ms_tracked} ModelScope models and datasets",
        ),
        Figure(
            "P1",
            "requests/artifact, all sources (+ mainland hubs daily, OpenDigger monthly, "
            "benchmarks weekly)",
            all_rate,
            "req/artifact",
            note="context: OpenDigger reads a few metric files per repository once a month",
        ),
    ]
