"""Pacing to the published limits: token buckets, the hourly budget spread, the Hub's policy."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from collectors.core.politeness import quota_policy
from collectors.pacing import (
    GITHUB_GRAPHQL,
    GITHUB_HOURLY,
    GITHUB_REST,
    HUB_API,
    TokenBucket,
    github_pacer,
    hub_pacer,
    polite_pacer,
)


class FakeTime:
    """A clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_bucket_serves_its_capacity_at_once_then_its_rate() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=2.0, capacity=3, clock=fake.clock, sleep=fake.sleep)
    waits = [bucket.take() for _ in range(7)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == pytest.approx([0.5, 0.5, 0.5, 0.5])
    assert fake.now == pytest.approx(2.0)  # 4 requests past the burst at 2 a second


def test_a_bucket_refills_while_idle_but_never_beyond_its_capacity() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=1.0, capacity=2, clock=fake.clock, sleep=fake.sleep)
    bucket.take(2)
    fake.now += 100  # a long pause refills two tokens, not a hundred
    assert [bucket.take() for _ in range(3)] == pytest.approx([0.0, 0.0, 1.0])


def _most_in_any_stretch(times: list[float], period: float) -> int:
    """The most requests any stretch of `period` seconds holds, wherever it starts."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - period:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_github_rest_never_goes_past_900_in_any_minute_and_runs_near_that_pace() -> None:
    fake = FakeTime()
    pacer = github_pacer(clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(2700):
        with pacer.request(GITHUB_REST):
            sent.append(fake.now)
    assert _most_in_any_stretch(sent, 60.0) <= 900
    minimum = pacer.minimum_seconds({GITHUB_REST: 2700})
    assert minimum == pytest.approx(180.0)  # 2,700 at 900 a minute
    assert minimum <= fake.now <= 1.1 * minimum
    assert pacer.stats.requests == 2700
    assert pacer.stats.paced_seconds > 0


def test_graphql_points_are_paid_by_cost() -> None:
    fake = FakeTime()
    pacer = github_pacer(clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(60):
        with pacer.request(GITHUB_GRAPHQL, cost=100):
            sent.append(fake.now)
    assert _most_in_any_stretch(sent, 60.0) * 100 <= 2000
    assert fake.now == pytest.approx((6000 - 100) / ((2000 - 100) / 60))


def test_the_hourly_budget_is_spread_until_the_reset_instead_of_exhausted() -> None:
    fake = FakeTime()
    pacer = github_pacer(clock=fake.clock, sleep=fake.sleep)
    # this run plans 3,000 requests; GitHub says 600 left, reset in 1,200 s: half a request a
    # second from now on, no burst
    pacer.planned = 3000
    pacer.observe_budget(GITHUB_HOURLY, remaining=600, reset_in=1200)
    for _ in range(601):
        with pacer.request(GITHUB_HOURLY):
            pass
    assert fake.now == pytest.approx(600 / 0.5)  # the 600 left last until the reset
    # plenty left for what is planned, or no plan: the published pace stays the bound
    relaxed = github_pacer(clock=fake.clock, sleep=fake.sleep)
    relaxed.planned = 700
    relaxed.observe_budget(GITHUB_HOURLY, remaining=4999, reset_in=3599)
    unplanned = github_pacer(clock=fake.clock, sleep=fake.sleep)
    unplanned.observe_budget(GITHUB_HOURLY, remaining=10, reset_in=3599)
    assert unplanned._buckets[GITHUB_HOURLY].rate == unplanned.limits[GITHUB_HOURLY].per_second(1)
    started = fake.now
    for _ in range(100):
        with relaxed.request(GITHUB_HOURLY):
            pass
    assert fake.now - started == 0.0  # within the burst: nothing drained, nothing slowed


def test_time_scale_shrinks_every_period() -> None:
    fake = FakeTime()
    pacer = hub_pacer(time_scale=60, clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(1000):
        with pacer.request(HUB_API):
            sent.append(fake.now)
    # 500 per 300 s, a "second" lasting 1/60 s: 500 per 5 s
    assert _most_in_any_stretch(sent, 5.0) <= 500
    assert pacer.minimum_seconds({HUB_API: 1000}) == pytest.approx(10.0)
    assert 10.0 * 0.95 <= fake.now <= 10.0 * 1.1


def test_polite_hubs_get_one_request_a_second_one_at_a_time() -> None:
    fake = FakeTime()
    pacer = polite_pacer("modelscope", clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(11):
        with pacer.request("polite"):
            sent.append(fake.now)
    assert _most_in_any_stretch(sent, 1.0) == 1
    assert fake.now == pytest.approx(10.0)


def test_threads_share_one_pace() -> None:
    # real time, scaled: 10 a "second" at scale 10 → 100 a second; 60 requests past a burst of
    # 10 take at least half a second however the four threads interleave
    pacer = polite_pacer("opendatalab", requests_per_second=10, time_scale=10)

    def work() -> None:
        for _ in range(15):
            with pacer.request("polite"):
                pass

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 0.5 * 0.95
    assert pacer.stats.requests == 60


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"fixed window";"api";q=500;w=300', (500, 300)),
        ('"fixed window";"resolvers";q=3000;w=300', (3000, 300)),
        (None, None),
        ("", None),
        ("garbage", None),
    ],
)
def test_the_hubs_policy_header(header: str | None, expected: tuple[int, int] | None) -> None:
    headers = httpx.Headers({} if header is None else {"RateLimit-Policy": header})
    policy = quota_policy(headers)
    assert (None if policy is None else (policy.quota, policy.window_seconds)) == expected


def test_the_hubs_published_policy_replaces_the_configured_one() -> None:
    fake = FakeTime()
    pacer = hub_pacer(clock=fake.clock, sleep=fake.sleep)  # the default: 500 per 5 minutes
    default = pacer.minimum_seconds({"api": 3_000})
    pro = quota_policy(httpx.Headers({"RateLimit-Policy": '"fixed window";"api";q=1000;w=300'}))
    assert pro is not None
    pacer.observe_policy("api", pro.quota, pro.window_seconds)
    assert pacer.minimum_seconds({"api": 3_000}) == pytest.approx(default / 2, rel=0.02)
    sent = []
    for _ in range(400):
        with pacer.request(pacer.limits_for("GET")):
            sent.append(fake.now)
    assert _most_in_any_stretch(sent, 300.0) <= 1000
    pacer.observe_policy("api", 0, 300)  # nonsense is ignored
    assert pacer.minimum_seconds({"api": 3_000}) == pytest.approx(default / 2, rel=0.02)


def test_a_bucket_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(rate=0, capacity=1)
    with pytest.raises(ValueError, match="positive"):
        github_pacer(time_scale=0)


def test_an_hours_budget_that_covers_the_run_goes_at_the_minutes_pace() -> None:
    # GitHub's 5,000 an hour is a budget it counts for us: 4,930 requests of a fresh hour go at
    # 900 a minute (~5.5 min), not spread over the hour
    fake = FakeTime()
    pacer = github_pacer(clock=fake.clock, sleep=fake.sleep)
    pacer.planned = 4930
    pacer.observe_budget(GITHUB_HOURLY, remaining=5000, reset_in=3600)
    for _ in range(4930):
        with pacer.request(pacer.limits_for("GET")):
            pass
    minimum = pacer.minimum_seconds({GITHUB_REST: 4930, GITHUB_HOURLY: 4930})
    assert minimum == pytest.approx(4930 / 900 * 60)
    assert minimum <= fake.now <= 1.1 * minimum


def test_a_renewed_hour_is_spent_at_the_minutes_pace_again() -> None:
    # held for a near reset, then GitHub says the hour is whole again: its budget goes at once
    fake = FakeTime()
    pacer = github_pacer(clock=fake.clock, sleep=fake.sleep, resume_past_wait=900)
    pacer.observe_budget(GITHUB_HOURLY, remaining=3, reset_in=60)
    with pacer.request(pacer.limits_for("GET")):
        pass
    assert fake.now >= 60  # waited for the reset rather than meet a limit answer
    pacer.observe_budget(GITHUB_HOURLY, remaining=5000, reset_in=3600)
    started = fake.now
    for _ in range(900):
        with pacer.request(pacer.limits_for("GET")):
            pass
    assert fake.now - started <= 1.1 * 60  # the minute's 900 decide, not the hour's rate
