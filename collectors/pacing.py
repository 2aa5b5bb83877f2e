"""Pacing: requests spent at the platforms' published rates, before a platform has to say no.

Rate limits, not our CPU, bound a refresh. GitHub documents a primary limit (5,000 requests an
hour per token, told in `x-ratelimit-*` headers), secondary limits (900 REST points and 2,000
GraphQL points a minute, at most 100 concurrent requests) and warns that sending on while limited
can get an integration banned. The Hub tells its window in `RateLimit-Policy: "fixed
window";"api";q=500;w=300` and what is left in `RateLimit: "api";r=<remaining>;t=<seconds>`.
ModelScope and OpenDataLab publish nothing: a polite request a second.

A `Pacer` holds one token bucket per limit and a concurrency cap; every request of a source takes
from it, through whichever client makes the request. A 304 still costs a point of the per-minute
limits (it is free only for GitHub's hourly one). `time_scale` shrinks every period for the
sandbox and the benchmarks: at 60, a "minute" lasts a second.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors.core.errors import BudgetExceeded

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class TokenBucket:
    """`rate` tokens a second up to `capacity`; `take` waits until there are enough.

    Thread-safe: waiting threads are served in turn, each paying for what it takes, so a burst of
    threads is spread over time instead of all waking together.
    """

    def __init__(
        self,
        rate: float,
        capacity: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("a token bucket needs a positive rate and capacity")
        self._rate = rate
        self._capacity = capacity
        self._tokens = capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        """A slower or faster rate from now on (the Hub's or GitHub's own figures)."""
        if rate <= 0:
            raise ValueError("a token bucket needs a positive rate")
        with self._lock:
            self._refill()
            self._rate = rate

    def set_capacity(self, capacity: float) -> None:
        """Hold at most `capacity` tokens from now on (a platform published another burst)."""
        if capacity <= 0:
            raise ValueError("a token bucket needs a positive capacity")
        with self._lock:
            self._refill()
            self._capacity = capacity
            self._tokens = min(self._tokens, capacity)

    def drain_to(self, tokens: float) -> None:
        """No more than `tokens` available now (a platform said less is left than we thought)."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, tokens)

    def top_up(self, tokens: float) -> None:
        """At least `tokens` available now, within the capacity (a platform said more is left
        than we counted: a budget renewed, or answers it did not charge)."""
        with self._lock:
            self._refill()
            self._tokens = max(self._tokens, min(self._capacity, tokens))

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def reserve(self, cost: float = 1.0) -> float:
        """Take `cost` tokens now; returns the seconds the taker must wait before using them."""
        with self._lock:
            self._refill()
            self._tokens -= cost
            # a debt is paid by waiting; the next taker sees the debt and waits behind it
            return -self._tokens / self._rate if self._tokens < 0 else 0.0

    def take(self, cost: float = 1.0) -> float:
        """Take `cost` tokens, waiting as long as needed; returns the seconds waited."""
        wait = self.reserve(cost)
        if wait > 0:
            self._sleep(wait)
        return wait


BURST_SHARE = 0.05  # of a limit's amount that may go at once
# A wait at least this long (wall seconds) is announced, so a progress bar says why it stands still.
ANNOUNCE_AFTER = 1.0
# (what is waited for, wall seconds): "rate limit", 38.0
WaitListener = Callable[[str, float], None]


@dataclass(frozen=True)
class Limit:
    """A published limit: `amount` points per `period` seconds (before time scaling).

    Paced as a token bucket holding `burst` points and refilled at `(amount - burst) / period`:
    then no stretch of `period` seconds, wherever it starts, carries more than `amount` points,
    so the platform's windows (fixed or sliding, aligned however) are never overrun, at the cost
    of running 5 % under the published rate.

    A `whole_window` limit is a budget the platform counts for us and tells what is left of
    (GitHub's hourly `x-ratelimit-remaining`): all of it may go at once, and `observe_budget`,
    not the bucket, keeps the run within it (spreading what is left, or stopping).
    """

    name: str
    amount: float
    period: float
    whole_window: bool = False

    @property
    def burst(self) -> float:
        if self.whole_window:
            return self.amount
        return max(1.0, self.amount * BURST_SHARE)

    def per_second(self, time_scale: float) -> float:
        if self.amount < 2 * self.burst:
            # a handful a period (the mainland hubs' polite second): one at a time at the rate
            return self.amount / self.period * time_scale
        return (self.amount - self.burst) / self.period * time_scale


# The stopped reason of a run whose hourly budget ran out far from its reset: the next run resumes.
RESUMES_NEXT_RUN = "hourly budget spent; resumes at next run"


class HourlyBudgetSpent(BudgetExceeded):
    """The platform's hourly budget is spent and its reset is further off than a run may wait:
    the source stops cleanly, keeping what it read, and the next scheduled run resumes."""


@dataclass
class PacingStats:
    """What pacing cost a run: requests paced, and seconds spent waiting for a limit."""

    requests: int = 0
    paced_seconds: float = 0.0


class Pacer:
    """The limits of one platform, shared by every request a source makes to it."""

    def __init__(
        self,
        platform: str,
        limits: Mapping[str, Limit],
        *,
        max_concurrency: int | None = None,
        time_scale: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        resume_past_wait: float | None = None,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.platform = platform
        # Seconds (published, before scaling) a run may wait for the hourly budget's reset; past
        # that it stops when the budget is spent and the next run resumes. None: always wait.
        self.resume_past_wait = resume_past_wait
        # requests that may still be on their way when the budget is read: kept in hand
        self.reserve = float(max_concurrency or 1) + 2.0
        self._spent: str | None = None  # why the run stops, once the budget is spent
        self.time_scale = time_scale
        self.limits = dict(limits)
        self._clock = clock
        self._sleep = sleep
        self._buckets = {
            name: TokenBucket(limit.per_second(time_scale), limit.burst, clock=clock, sleep=sleep)
            for name, limit in self.limits.items()
        }
        self._slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency else None
        self.stats = PacingStats()
        self._stats_lock = threading.Lock()
        # requests this run expects to make (from the last run); None: unknown, never spread
        self.planned: float | None = None
        # told of every wait of ANNOUNCE_AFTER or more, paced or a limit answer waited out
        self.on_wait: WaitListener | None = None

    def announce(self, what: str, seconds: float) -> None:
        """Tell the listener (the progress bar) that a wait of `seconds` starts now, if long."""
        listener = self.on_wait
        if listener is not None and seconds >= ANNOUNCE_AFTER:
            listener(what, seconds)

    def limits_for(self, method: str) -> tuple[str, ...]:
        """The limits one request pays: on GitHub a GraphQL query (POST) its points, a REST call
        a point of the minute and one of the hour; elsewhere each of the platform's limits."""
        if self.platform == "github":
            return (GITHUB_GRAPHQL,) if method.upper() == "POST" else (GITHUB_REST, GITHUB_HOURLY)
        return tuple(self.limits)

    def wait(self, limits: str | Sequence[str], cost: float = 1.0) -> float:
        """Pay `cost` points of each limit, waiting as long as needed (no concurrency slot:
        for clients whose requests this code only sees, like huggingface_hub's)."""
        names = (limits,) if isinstance(limits, str) else limits
        spent = self._spent
        if spent is not None and GITHUB_HOURLY in names:
            raise HourlyBudgetSpent(spent)
        started = self._clock()
        for name in names:
            bucket = self._buckets.get(name)
            if bucket is not None:
                wait = bucket.reserve(cost)
                if wait > 0:
                    self.announce("rate limit", wait)
                    self._sleep(wait)
        waited = self._clock() - started
        with self._stats_lock:
            self.stats.requests += 1
            self.stats.paced_seconds += waited
        return waited

    @contextmanager
    def request(self, limits: str | Sequence[str], cost: float = 1.0) -> Iterator[None]:
        """Hold a concurrency slot and pay `cost` points of each limit for one request."""
        started = self._clock()
        if self._slots is not None:
            self._slots.acquire()
        try:
            with self._stats_lock:  # waiting for a slot is pacing too
                self.stats.paced_seconds += self._clock() - started
            self.wait(limits, cost)
            yield
        finally:
            if self._slots is not None:
                self._slots.release()

    def observe_policy(self, limit: str, amount: float, period: float) -> None:
        """The platform's own published figure for a limit (the Hub's `RateLimit-Policy`,
        `q=500;w=300`): paced from now on instead of the configured one (a PRO account's larger
        quota, or a smaller one the platform now publishes). `period` is in seconds as the
        platform counts them, like `observe_budget`'s reset (a time-scaled fake counts faster)."""
        published = self.limits.get(limit)
        bucket = self._buckets.get(limit)
        if published is None or bucket is None or amount <= 0 or period <= 0:
            return
        told = Limit(limit, amount, period * self.time_scale, whole_window=published.whole_window)
        if (published.amount, published.period) == (told.amount, told.period):
            return
        self.limits[limit] = told
        bucket.set_capacity(told.burst)
        bucket.set_rate(told.per_second(self.time_scale))

    def observe_budget(self, limit: str, remaining: float, reset_in: float) -> None:
        """The platform's own word on what is left (`remaining` until `reset_in` seconds, on the
        wall clock as the platform counts them): when what this run still plans to ask exceeds
        it, spread what is left evenly over the time to the reset instead of spending it and
        then stopping. Nothing left is the limit handler's to wait out (within the run's wait
        budget), not a pace; without a plan nothing is spread.

        With `resume_past_wait` set, a reset further off than that is not waited for: what is
        left goes at the published pace, and once only the `reserve` is left the next request
        raises `HourlyBudgetSpent` (the run stops; the next one resumes). A nearer reset is
        waited for by the pacer itself, before the platform has to say no."""
        bucket = self._buckets.get(limit)
        published = self.limits.get(limit)
        if bucket is None or published is None or reset_in <= 0:
            return
        far = self.resume_past_wait is not None and reset_in * self.time_scale > (
            self.resume_past_wait
        )
        if self.resume_past_wait is not None and remaining <= self.reserve:
            if far:
                self._spend(remaining, reset_in)
            else:  # the next taker waits for the reset, the others behind it
                bucket.drain_to(-bucket.rate * reset_in)
            return
        if remaining < 1:
            return
        still = None if self.planned is None else self.planned - self.stats.requests
        if still is None or still <= remaining or far:
            if bucket.rate < published.per_second(self.time_scale):
                bucket.set_rate(published.per_second(self.time_scale))
            if published.whole_window:  # a renewed hour, or 304s it did not charge
                bucket.top_up(remaining - self.reserve)
            return
        even = remaining / reset_in
        fastest = published.per_second(self.time_scale)
        if even < fastest:
            if bucket.rate >= fastest:
                bucket.drain_to(1.0)  # no burst once spreading starts
            bucket.set_rate(even)
        elif bucket.rate < fastest:
            bucket.set_rate(fastest)

    def _spend(self, remaining: float, reset_in: float) -> None:
        if self._spent is not None:
            return
        resets = datetime.now(UTC) + timedelta(seconds=reset_in)
        waits = reset_in * self.time_scale / 60
        self._spent = (
            f"{RESUMES_NEXT_RUN} ({self.platform}: {remaining:.0f} requests left until "
            f"{resets:%H:%M:%S} UTC, {waits:.0f} min away, more than the "
            f"{(self.resume_past_wait or 0) / 60:.0f} min a run may wait)"
        )

    def minimum_seconds(self, requests: Mapping[str, float]) -> float:
        """The time the published limits impose on `requests` points of each limit (scaled):
        points over the published rate, the slowest limit deciding ("4,900 requests at 900 a
        minute: 5.4 min"); a whole-window budget costs a window for each budget beyond the first
        ("9,000 requests at 5,000 an hour: 1 h", "4,900: nothing")."""
        longest = 0.0
        for name, points in requests.items():
            limit = self.limits.get(name)
            if limit is None:
                continue
            if limit.whole_window:  # a window's budget at once, the rest after each reset
                took = math.floor(max(points - 1, 0) / limit.amount) * limit.period
                longest = max(longest, took / self.time_scale)
            else:
                rate = limit.amount / limit.period * self.time_scale
                longest = max(longest, points / rate)
        return longest


# The published figures (GitHub REST API docs, "Rate limits for the REST API"; the Hub's
# `RateLimit-Policy` header for the api bucket of a free account).
GITHUB_REST = "rest"
GITHUB_GRAPHQL = "graphql"
GITHUB_HOURLY = "hourly"
HUB_API = "api"
POLITE = "polite"


def github_pacer(
    *,
    requests_per_minute: float = 900,
    graphql_points_per_minute: float = 2000,
    requests_per_hour: float = 5000,
    max_concurrency: int = 20,
    time_scale: float = 1.0,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    resume_past_wait: float | None = None,
) -> Pacer:
    return Pacer(
        "github",
        {
            GITHUB_REST: Limit(GITHUB_REST, requests_per_minute, 60),
            GITHUB_GRAPHQL: Limit(GITHUB_GRAPHQL, graphql_points_per_minute, 60),
            GITHUB_HOURLY: Limit(GITHUB_HOURLY, requests_per_hour, 3600, whole_window=True),
        },
        max_concurrency=max_concurrency,
        time_scale=time_scale,
        clock=clock,
        sleep=sleep,
        resume_past_wait=resume_past_wait,
    )


def hub_pacer(
    *,
    requests_per_window: float = 500,
    window_seconds: float = 300,
    time_scale: float = 1.0,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> Pacer:
    return Pacer(
        "huggingface",
        {HUB_API: Limit(HUB_API, requests_per_window, window_seconds)},
        time_scale=time_scale,
        clock=clock,
        sleep=sleep,
    )


def polite_pacer(
    platform: str,
    *,
    requests_per_second: float = 1.0,
    time_scale: float = 1.0,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> Pacer:
    return Pacer(
        platform,
        {POLITE: Limit(POLITE, requests_per_second, 1.0)},
        max_concurrency=1,
        time_scale=time_scale,
        clock=clock,
        sleep=sleep,
    )


@dataclass(frozen=True)
class PublishedRates:
    """The published (or polite) figures pacing follows; settings may lower or raise them."""

    github_requests_per_minute: float = 900
    github_graphql_points_per_minute: float = 2000
    github_requests_per_hour: float = 5000
    github_max_concurrency: int = 20
    hf_requests_per_window: float = 500
    hf_window_seconds: float = 300
    modelscope_requests_per_second: float = 1.0
    opendatalab_requests_per_second: float = 1.0
    time_scale: float = 1.0
    # a wait for GitHub's hourly reset longer than this stops the run; the next one resumes
    github_resume_past_wait: float | None = 900.0


def source_pacer(source: str, rates: PublishedRates) -> Pacer | None:
    """The pacer of a source's platform, or None for a source with no published limit."""
    if source == "github":
        return github_pacer(
            requests_per_minute=rates.github_requests_per_minute,
            graphql_points_per_minute=rates.github_graphql_points_per_minute,
            requests_per_hour=rates.github_requests_per_hour,
            max_concurrency=rates.github_max_concurrency,
            time_scale=rates.time_scale,
            resume_past_wait=rates.github_resume_past_wait,
        )
    if source == "huggingface":
        return hub_pacer(
            requests_per_window=rates.hf_requests_per_window,
            window_seconds=rates.hf_window_seconds,
            time_scale=rates.time_scale,
        )
    if source == "modelscope":
        return polite_pacer(
            source,
            requests_per_second=rates.modelscope_requests_per_second,
            time_scale=rates.time_scale,
        )
    if source == "opendatalab":
        return polite_pacer(
            source,
            requests_per_second=rates.opendatalab_requests_per_second,
            time_scale=rates.time_scale,
        )
    return None
