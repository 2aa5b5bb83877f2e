"""The estimate a refresh prints before it starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from collectors.pacing import PublishedRates
from ossimpact.refresh_budget import estimate_refresh
from ossimpact.store.records import RunRecord

T = datetime(2026, 12, 1, tzinfo=UTC)


def _run(
    run_id: int, source: str, requests: int, *, status: str = "succeeded", not_modified: int = 0
) -> RunRecord:
    return RunRecord(
        id=run_id,
        kind="collect",
        source=source,
        status=status,
        started_at=T,
        heartbeat_at=T,
        finished_at=T,
        requests=requests,
        not_modified=not_modified,
        graphql_points=0,
        rate_limit_waits=0,
        rate_limit_wait_seconds=0.0,
        stopped_reason=None,
        message=None,
        failure_count=0,
    )


def test_each_source_from_its_last_finished_run_and_the_limit_that_decides() -> None:
    runs = [
        _run(1, "github", 100),
        _run(5, "github", 4900, not_modified=4850),
        _run(6, "github", 10, status="failed"),  # not a basis: it stopped early
        _run(4, "huggingface", 3900),
        _run(3, "opendigger", 807),
    ]
    sources = ["huggingface", "github", "opendigger", "modelscope"]
    found = estimate_refresh(sources, runs, PublishedRates(), {"modelscope": 120})
    lines = [e.line() for e in found]
    assert lines == [
        "Hugging Face: ~3,900 requests, ≥ 39.0 min at 500/5 min (run #4)",
        "GitHub: ~4,900 requests, ≥ 5.4 min at 900/min (run #5)",
        "OpenDigger: ~807 requests (run #3)",
        "ModelScope: ~120 requests, ≥ 2.0 min at 1/s (registry)",
    ]


def test_github_hourly_budget_decides_when_little_is_answered_304() -> None:
    (github,) = estimate_refresh(["github"], [_run(2, "github", 9000)], PublishedRates(), {})
    assert github.pace == "5,000/h"
    # 5,000 at once in the first hour, the other 4,000 after its reset
    assert github.minimum_seconds == pytest.approx(3600)
    assert github.line().startswith("GitHub: ~9,000 requests, ≥ 1.0 h at 5,000/h")


def test_an_hours_budget_that_covers_the_refresh_costs_no_time() -> None:
    # 4,930 new answers fit GitHub's 5,000 an hour: the minute's 900 decide, not the hour
    (github,) = estimate_refresh(["github"], [_run(2, "github", 4930)], PublishedRates(), {})
    assert github.pace == "900/min"
    assert github.minimum_seconds == pytest.approx(4930 / 900 * 60)


def test_settings_change_the_pace() -> None:
    rates = PublishedRates(github_requests_per_minute=450)
    (github,) = estimate_refresh(["github"], [_run(2, "github", 900, not_modified=900)], rates, {})
    assert github.pace == "450/min"
    assert github.minimum_seconds == pytest.approx(120.0)


def test_graphql_queries_do_not_count_against_the_rest_hour() -> None:
    # 4,940 REST GETs and 68 GraphQL queries of a point each: the REST hour covers them
    run = replace(_run(2, "github", 5008), graphql_points=68)
    (github,) = estimate_refresh(["github"], [run], PublishedRates(), {})
    assert github.pace == "900/min"
