"""OpenDigger collector against the fake OpenDigger: latest complete month, 404 = not covered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from collectors.base import MemoryResponseCache
from collectors.opendigger import OpenDiggerCollector, latest_month_value
from ossimpact.domain import ArtifactId
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.model import OpenDiggerSeries, World
from ossimpact.sandbox.opendigger import make_opendigger_app

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def _world() -> World:
    world = World(seed=1, size=2, today=date(2026, 11, 28), history_days=1)
    months = {"2026-08": 10.0, "2026-09": 12.5, "2026-10": 14.25, "2026-11": 3.0}
    for metric in ("openrank", "activity", "bus_factor"):
        world.opendigger[("InternLM/lmdeploy", metric)] = OpenDiggerSeries(
            "InternLM/lmdeploy", metric, dict(months)
        )
    return world


@pytest.fixture
def opendigger() -> Iterator[FakeServer]:
    world = _world()
    with FakeServer(lambda base: make_opendigger_app(world, base), FaultPlan()) as server:
        yield server


def test_latest_complete_month_skips_the_running_month_and_aggregates() -> None:
    payload = {"2025": 99.0, "2025Q4": 50.0, "2026-09": 1.5, "2026-10": 2.5, "2026-11": 0.1}
    assert latest_month_value(payload, NOW) == ("2026-10", 2.5)


def test_nested_average_series_and_junk_are_tolerated() -> None:
    assert latest_month_value({"avg": {"2026-10": 30.0}, "levels": {}}, NOW) == ("2026-10", 30.0)
    assert latest_month_value({"2026-10": "n/a", "2026-09": True}, NOW) is None
    assert latest_month_value(["2026-10"], NOW) is None


def test_collects_covered_repositories_and_leaves_uncovered_absent(opendigger: FakeServer) -> None:
    covered = ArtifactId.gh_repo("InternLM/lmdeploy")
    uncovered = ArtifactId.gh_repo("InternLM/not-in-opendigger")
    result = OpenDiggerCollector(opendigger.url).collect([], [covered, uncovered])
    values = {(str(o.artifact), o.metric): o.value for o in result.observations}
    assert set(values) == {(str(covered), m) for m in ("openrank", "activity", "bus_factor")}
    assert all(value != 0 for value in values.values())
    assert result.failures == []  # not covered is not a failure, and no zero is invented
    assert result.stats.requests == 6
    source_urls = {o.source_url for o in result.observations}
    assert all(url.startswith(opendigger.url + "/github/InternLM/lmdeploy/") for url in source_urls)


def test_second_run_is_answered_304_and_marked_reobserved(opendigger: FakeServer) -> None:
    cache = MemoryResponseCache()
    repo = ArtifactId.gh_repo("InternLM/lmdeploy")
    first = OpenDiggerCollector(opendigger.url, cache=cache).collect([], [repo])
    second = OpenDiggerCollector(opendigger.url, cache=cache).collect([], [repo])
    assert second.stats.not_modified == 3
    assert {o.kind for o in second.observations} == {"reobserved"}
    assert [o.value for o in second.observations] == [o.value for o in first.observations]


def test_server_errors_mark_the_repository_and_the_run_goes_on(opendigger: FakeServer) -> None:
    opendigger.plan.add(Fault("server_error", path_pattern="openrank", times=None, status=502))
    repo = ArtifactId.gh_repo("InternLM/lmdeploy")
    result = OpenDiggerCollector(opendigger.url).collect([], [repo])
    assert {o.metric for o in result.observations} == {"activity", "bus_factor"}
    assert [(f.subject, f.reason) for f in result.failures] == [(str(repo), "server_error")]
