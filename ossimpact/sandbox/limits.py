"""The platforms' published rate limits, enforced by the fake servers (a WSGI middleware).

Wrapped around a platform app, `EnforcedLimits` counts requests in fixed windows and answers the
way the platform does once a window is spent: GitHub with a 403 "secondary rate limit" (per-minute
REST and GraphQL points, concurrency) or "API rate limit exceeded" (the hourly primary limit, which
a 304 does not spend); the Hub with a 429 and its `RateLimit` headers; ModelScope with a 429 and a
`Retry-After`. Successful answers carry the platform's limit headers as the enforcer counts them, so
a paced client sees what a real one would. `time_scale` shrinks every period: at 60 a "minute"
lasts a second, so tests and benchmarks run in seconds.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from wsgiref.types import StartResponse, WSGIEnvironment

WsgiApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Window:
    """`amount` requests (points) per `period` seconds, in fixed windows."""

    name: str
    amount: int
    period: float


@dataclass(frozen=True)
class LimitPolicy:
    platform: str  # github | huggingface | modelscope | opendatalab
    windows: tuple[Window, ...]
    max_concurrency: int | None = None
    time_scale: float = 1.0


def github_policy(time_scale: float = 1.0) -> LimitPolicy:
    """GitHub's published figures: 900 REST and 2,000 GraphQL points a minute, 5,000 requests an
    hour, 100 concurrent requests."""
    return LimitPolicy(
        "github",
        (Window("rest", 900, 60), Window("graphql", 2000, 60), Window("hourly", 5000, 3600)),
        max_concurrency=100,
        time_scale=time_scale,
    )


def hub_policy(time_scale: float = 1.0) -> LimitPolicy:
    """The Hub's api bucket: 500 requests per 300-second window."""
    return LimitPolicy("huggingface", (Window("api", 500, 300),), time_scale=time_scale)


def polite_policy(platform: str, per_second: int = 2, time_scale: float = 1.0) -> LimitPolicy:
    """A mainland hub's unpublished limit, set a little above the polite pace we keep."""
    return LimitPolicy(platform, (Window("polite", per_second, 1),), time_scale=time_scale)


@dataclass
class _Captured:
    status: str = "500 Internal Server Error"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        self.status, self.headers = status, list(headers)
        return lambda _chunk: None


@dataclass
class _Count:
    index: int = -1
    used: int = 0


@dataclass
class LimitLog:
    """What the enforcer saw: requests, and how many it refused with a limit answer."""

    requests: int = 0
    limited: int = 0
    by_window: dict[str, int] = field(default_factory=dict)


class EnforcedLimits:
    """A platform app behind the platform's own limits."""

    def __init__(
        self, app: WsgiApp, policy: LimitPolicy, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.policy = policy
        self._clock = clock
        self._counts = {w.name: _Count() for w in policy.windows}
        self._windows = {w.name: w for w in policy.windows}
        self._active = 0
        self._lock = threading.Lock()
        self.log = LimitLog()

    def _period(self, window: Window) -> float:
        return window.period / self.policy.time_scale

    def _position(self, window: Window, now: float) -> tuple[int, float]:
        """The window's index at `now` and the seconds until it ends."""
        period = self._period(window)
        index = math.floor(now / period)
        return index, (index + 1) * period - now

    def _charged_windows(self, environ: WSGIEnvironment) -> list[str]:
        path = str(environ.get("PATH_INFO", ""))
        if self.policy.platform == "github":
            # the REST hour (5,000 requests); GraphQL's hour is a points budget of its own
            if path.rstrip("/").endswith("/graphql"):
                return ["graphql"]
            return ["rest", "hourly"]
        return [w.name for w in self.policy.windows]

    def _take(self, names: list[str], now: float) -> str | None:
        """Spend a point of each window; the name of the first that is spent, if any."""
        for name in names:
            window = self._windows.get(name)
            if window is None:
                continue
            count = self._counts[name]
            index, _ = self._position(window, now)
            if count.index != index:
                count.index, count.used = index, 0
            if count.used >= window.amount:
                return name
        for name in names:
            if name in self._counts:
                self._counts[name].used += 1
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        now = self._clock()
        with self._lock:
            self.log.requests += 1
            names = self._charged_windows(environ)
            spent = self._take(names, now)
            crowded = (
                self.policy.max_concurrency is not None
                and self._active >= self.policy.max_concurrency
            )
            if spent is None and crowded:
                spent = "concurrency"
                for name in names:  # a refused request spends nothing
                    if name in self._counts:
                        self._counts[name].used -= 1
            if spent is not None:
                self.log.limited += 1
                self.log.by_window[spent] = self.log.by_window.get(spent, 0) + 1
                status, headers, body = self._refusal(spent, now)
            else:
                self._active += 1
        if spent is not None:
            start_response(status, headers)
            return [body]
        try:
            return self._answer(environ, start_response, names, now)
        finally:
            with self._lock:
                self._active -= 1

    def _answer(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        names: list[str],
        now: float,
    ) -> Iterable[bytes]:
        answered = _Captured()
        body = b"".join(self.app(environ, answered.start_response))
        status, headers = answered.status, answered.headers
        if status.startswith("304") and "hourly" in names:
            with self._lock:  # GitHub: a conditional request answered 304 is free for the hour
                self._counts["hourly"].used -= 1
        start_response(status, self._limit_headers(headers, now, names))
        return [body]

    def _remaining(self, name: str, now: float) -> tuple[int, int, float]:
        window = self._windows[name]
        index, left = self._position(window, now)
        count = self._counts[name]
        used = count.used if count.index == index else 0
        return window.amount, max(0, window.amount - used), left

    def _limit_headers(
        self, headers: list[tuple[str, str]], now: float, names: list[str]
    ) -> list[tuple[str, str]]:
        platform = self.policy.platform
        if platform == "github" and "hourly" in self._windows and "hourly" in names:
            limit, remaining, left = self._remaining("hourly", now)
            ours = {
                "x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(remaining),
                "x-ratelimit-used": str(limit - remaining),
                "x-ratelimit-reset": str(math.ceil(now + left)),
                "x-ratelimit-resource": "core",
            }
        elif platform == "huggingface" and "api" in self._windows:
            limit, remaining, left = self._remaining("api", now)
            window = self._windows["api"]
            ours = {
                "ratelimit": f'"api";r={remaining};t={math.ceil(left)}',
                "ratelimit-policy": f'"fixed window";"api";q={limit};w={math.ceil(self._period(window))}',
            }
        else:
            return headers
        kept = [(k, v) for k, v in headers if k.lower() not in ours]
        return kept + list(ours.items())

    def _refusal(self, spent: str, now: float) -> tuple[str, list[tuple[str, str]], bytes]:
        platform = self.policy.platform
        window = self._windows.get(spent)
        left = self._position(window, now)[1] if window is not None else 1.0
        if platform == "github" and spent == "hourly":
            body = {
                "message": "API rate limit exceeded for user ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            }
            headers = [
                ("x-ratelimit-limit", str(window.amount if window else 0)),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", str(math.ceil(now + left))),
            ]
            return "403 Forbidden", [*headers, ("content-type", "application/json")], _json(body)
        if platform == "github":
            body = {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            }
            headers = [
                ("retry-after", str(max(1, math.ceil(left)))),
                ("content-type", "application/json"),
            ]
            return "403 Forbidden", headers, _json(body)
        if platform == "huggingface":
            headers = [
                ("ratelimit", f'"api";r=0;t={math.ceil(left)}'),
                ("content-type", "application/json"),
            ]
            return "429 Too Many Requests", headers, _json({"error": "Too many requests"})
        headers = [("retry-after", f"{left:.2f}"), ("content-type", "application/json")]
        body_text = {"success": False, "code": 429, "message": "too many requests"}
        return "429 Too Many Requests", headers, _json(body_text)


def _json(payload: object) -> bytes:
    return json.dumps(payload).encode()
