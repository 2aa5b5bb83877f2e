"""A refresh whose hourly budget cannot cover it stops cleanly and resumes on the next run.

GitHub's hourly budget is spent with its reset further off than a run may wait: the source
stops before the platform has to say no, the run is `partial` with the reason "hourly budget
spent; resumes at next run", what was read is kept, and the next run reads the repositories
not reached first (least recently observed first). Against a fake GitHub that enforces a small
hourly limit on a fast clock (an "hour" of 6 s), two refreshes together read everything one
unlimited refresh reads, and neither meets a limit answer.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.base import ResponseCache
from collectors.github import GitHubCollector
from collectors.github.collector import least_recent_first
from collectors.github.repository import RepoWork
from collectors.pacing import (
    GITHUB_HOURLY,
    RESUMES_NEXT_RUN,
    HourlyBudgetSpent,
    github_pacer,
    source_pacer,
)
from ossimpact.collector_setup import Collector, published_rates
from ossimpact.domain import CollectionStats, Metric
from ossimpact.pipeline import SourceOutcome, collect, make_collector
from ossimpact.registry import Registry, load_registry
from ossimpact.resume import resume_order
from ossimpact.sandbox.limits import LimitPolicy, Window
from ossimpact.sandbox.runner import start_sandbox, world_for_registry
from ossimpact.settings import Settings
from ossimpact.store import open_store

REGISTRY = """
organizations:
  - id: shanghai-ai-lab
    name: Shanghai Artificial Intelligence Laboratory
    city: Shanghai
    huggingface: [internlm, OpenGVLab]
    github: [InternLM, OpenGVLab, open-compass]
"""

SCALE = 600.0  # an "hour" lasts 6 s
HOUR = 3600 / SCALE
HOURLY = 120  # requests an "hour": about two thirds of what one refresh needs


def _policy(hourly: int | None) -> LimitPolicy:
    windows = [Window("rest", 900, 60), Window("graphql", 2000, 60)]
    if hourly is not None:
        windows.append(Window("hourly", hourly, 3600))
    return LimitPolicy("github", tuple(windows), max_concurrency=20, time_scale=SCALE)


def _factory(source: str, settings: Settings, cache: ResponseCache) -> Collector:
    """GitHub without the stargazer sample, so the budget goes to the repositories."""
    if source != "github":
        return make_collector(source, settings, cache)
    return GitHubCollector(
        settings.github_api_url,
        settings.github_token.get_secret_value() if settings.github_token else None,
        graphql_url=settings.github_graphql_url,
        cache=cache,
        concurrency=settings.concurrency,
        max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
        pacer=source_pacer(source, published_rates(settings)),
        stargazer_repos_per_run=0,
    )


def _refresh(
    tmp_path: Path, registry: Registry, hourly: int | None, runs: int
) -> tuple[list[SourceOutcome], set[str], int, str]:
    world = world_for_registry(registry, size=400)
    database_url = f"sqlite:///{tmp_path / f'hourly-{hourly}.db'}"
    with start_sandbox(world, only=("github",), limits={"github": _policy(hourly)}) as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            database_url_override=database_url,
            registry_path=registry.source,
            **{
                **sandbox.settings_overrides(),
                "pacing_time_scale": SCALE,
                "github_max_concurrency": 6,
                # any wait for the reset is too long here: the "hour" resets within seconds
                "hourly_budget_max_wait_seconds": 0,
            },
        )
        outcomes = []
        for _ in range(runs):
            time.sleep(HOUR - time.time() % HOUR + 0.05)  # a fresh "hour" for each refresh
            (outcome,) = collect(
                settings, ["github"], registry=registry, collector_factory=_factory
            )
            outcomes.append(outcome)
        enforcer = sandbox.enforcers["github"]
        limited, windows = enforcer.log.limited, str(enforcer.log.by_window)
    store = open_store(database_url, read_only=True)
    try:
        observed = {
            str(artifact)
            for artifact, metric in store.latest_observations(metrics=[Metric.STARS])
            if metric == Metric.STARS
        }
    finally:
        store.close()
    return outcomes, observed, limited, windows


def test_a_spent_hourly_budget_stops_the_run_and_the_next_one_reads_the_rest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY)
    registry = load_registry(path)
    (unlimited,), everything, _, _ = _refresh(tmp_path, registry, None, 1)
    assert unlimited.stats.stopped_reason is None
    assert len(everything) > HOURLY  # more repositories than one "hour" of requests

    (first, second), observed, limited, windows = _refresh(tmp_path, registry, HOURLY, 2)

    assert limited == 0, windows  # stopped before GitHub had to say no
    assert first.status == "partial"
    assert first.stats.stopped_reason is not None
    assert first.stats.stopped_reason.startswith(RESUMES_NEXT_RUN)
    assert first.message == first.stats.stopped_reason
    assert 0 < first.artifacts < len(everything)  # what it read is kept
    assert first.stats.requests < unlimited.stats.requests
    assert second.stats.stopped_reason is None, second.message
    assert observed == everything  # nothing lost: every repository has its figures


def test_the_next_run_reads_the_least_recently_observed_first() -> None:
    now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    observed = {
        "internlm/a": now,
        "internlm/b": now - timedelta(days=1),  # not reached by the run that stopped
    }
    work = [RepoWork(name, None, None, "") for name in ("InternLM/a", "InternLM/b", "InternLM/c")]
    ordered = least_recent_first([*work, RepoWork("internlm/A", None, None, "")], observed)
    # never observed, then the oldest; each repository once, as first listed
    assert [item.full_name for item in ordered] == ["InternLM/c", "InternLM/b", "InternLM/a"]


def test_the_pacer_stops_at_its_reserve_when_the_reset_is_far_and_waits_when_it_is_near() -> None:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    far = github_pacer(max_concurrency=4, clock=lambda: clock[0], sleep=sleep, resume_past_wait=900)
    far.observe_budget(GITHUB_HOURLY, remaining=50, reset_in=1800)
    far.wait(GITHUB_HOURLY)  # plenty left: goes on
    far.observe_budget(GITHUB_HOURLY, remaining=far.reserve, reset_in=1790)
    with pytest.raises(HourlyBudgetSpent, match=r"^hourly budget spent; resumes at next run"):
        far.wait(GITHUB_HOURLY)
    near = github_pacer(
        max_concurrency=4, clock=lambda: clock[0], sleep=sleep, resume_past_wait=900
    )
    near.observe_budget(GITHUB_HOURLY, remaining=3, reset_in=600)
    started = clock[0]
    near.wait(GITHUB_HOURLY)  # waits for the reset instead of meeting a limit answer
    assert clock[0] - started >= 600
    assert near.stats.paced_seconds >= 600


def test_only_a_run_stopped_for_its_hourly_budget_changes_the_order(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'order.db'}")
    try:
        assert resume_order(store, "github") is None  # never run
        run_id = store.start_run("collect", "github")
        store.finish_run(run_id, "partial", message="x")
        assert resume_order(store, "github") is None  # partial for another reason
        run_id = store.start_run("collect", "github")
        stats = CollectionStats(stopped_reason=f"{RESUMES_NEXT_RUN} (github: 8 left)")
        store.finish_run(run_id, "partial", stats, message=stats.stopped_reason)
        assert resume_order(store, "github") == {}  # resuming; nothing observed yet
        assert resume_order(store, "huggingface") is None
    finally:
        store.close()
