"""The fake servers enforce the platforms' published limits, and a paced client never meets them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx
import pytest

from collectors.pacing import GITHUB_REST, HUB_API, Limit, Pacer, hub_pacer
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.limits import (
    EnforcedLimits,
    LimitPolicy,
    Window,
    github_policy,
    hub_policy,
    polite_policy,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _ok(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    if environ.get("HTTP_IF_NONE_MATCH") == '"same"':
        start_response("304 Not Modified", [("etag", '"same"')])
        return [b""]
    start_response("200 OK", [("content-type", "application/json"), ("x-ratelimit-limit", "1")])
    return [b"{}"]


def _serve(policy: LimitPolicy, clock: Clock | None = None) -> tuple[FakeServer, EnforcedLimits]:
    enforced = EnforcedLimits(_ok, policy, clock=clock or Clock())
    server = FakeServer(lambda _base: enforced, name=policy.platform).start()
    return server, enforced


SMALL_GITHUB = LimitPolicy(
    "github",
    (Window("rest", 5, 60), Window("graphql", 3, 60), Window("hourly", 8, 3600)),
    max_concurrency=100,
)


def test_github_answers_a_spent_minute_with_a_secondary_limit_and_a_new_minute_serves_again() -> (
    None
):
    clock = Clock()
    server, enforced = _serve(SMALL_GITHUB, clock)
    with server, httpx.Client(base_url=server.url) as client:
        statuses = [client.get("/repos/a/b").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [403]
        refused = client.get("/repos/a/b")
        assert "secondary rate limit" in refused.json()["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        served = client.get("/repos/a/b", headers={"if-none-match": '"x"'})
        assert served.status_code == 403
        clock.now += 60
        answer = client.get("/repos/a/b")
        assert answer.status_code == 200
        # the limit headers are the enforcer's count of the hour, not the app's own
        assert answer.headers["x-ratelimit-limit"] == "8"
        assert answer.headers["x-ratelimit-remaining"] == "2"
    assert enforced.log.limited == 3
    assert enforced.log.by_window == {"rest": 3}


def test_github_hourly_limit_spares_304s_and_answers_as_the_primary_limit() -> None:
    clock = Clock()
    server, _ = _serve(SMALL_GITHUB, clock)
    with server, httpx.Client(base_url=server.url) as client:
        for minute in range(3):
            clock.now += 60
            for _ in range(3):
                assert client.get("/x", headers={"if-none-match": '"same"'}).status_code == 304
            if minute < 2:
                assert client.post("/graphql", json={}).status_code == 200
        # 9 304s and 2 GraphQL answers: the REST hour has spent nothing (GraphQL's hour is a
        # budget of its own, of points)
        clock.now += 60
        statuses = [client.get("/x").status_code for _ in range(5)]
        assert statuses == [200] * 5
        clock.now += 60
        assert [client.get("/x").status_code for _ in range(3)] == [200] * 3  # the 8th
        refused = client.get("/x")
        assert refused.status_code == 403
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.json()["message"].startswith("API rate limit exceeded")


def test_github_refuses_more_concurrent_requests_than_allowed() -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        entered.set()
        release.wait(10)
        start_response("200 OK", [])
        return [b"{}"]

    policy = LimitPolicy("github", (Window("rest", 100, 60),), max_concurrency=1)
    enforced = EnforcedLimits(slow, policy)
    with FakeServer(lambda _b: enforced).start() as server:
        first: list[int] = []
        worker = threading.Thread(
            target=lambda: first.append(httpx.get(f"{server.url}/a").status_code)
        )
        worker.start()
        assert entered.wait(10)
        assert httpx.get(f"{server.url}/b").status_code == 403
        release.set()
        worker.join(10)
        assert first == [200]
    assert enforced.log.by_window == {"concurrency": 1}


def test_the_hub_answers_429_with_its_ratelimit_headers() -> None:
    clock = Clock()
    policy = LimitPolicy("huggingface", (Window("api", 3, 300),))
    server, _ = _serve(policy, clock)
    with server, httpx.Client(base_url=server.url) as client:
        first = client.get("/api/models")
        assert first.headers["ratelimit"].startswith('"api";r=2;t=')
        assert first.headers["ratelimit-policy"] == '"fixed window";"api";q=3;w=300'
        client.get("/api/models")
        client.get("/api/models")
        refused = client.get("/api/models")
        assert refused.status_code == 429
        assert refused.headers["ratelimit"].startswith('"api";r=0;t=')


def test_a_mainland_hub_answers_429_with_a_float_retry_after() -> None:
    clock = Clock()
    server, _ = _serve(polite_policy("modelscope", per_second=2), clock)
    with server, httpx.Client(base_url=server.url) as client:
        assert [client.get("/openapi/v1/models").status_code for _ in range(3)] == [200, 200, 429]
        refused = client.get("/openapi/v1/models")
        assert refused.json()["success"] is False
        assert 0 < float(refused.headers["retry-after"]) <= 1


class SharedTime:
    """One clock for the client's pacer and the server's windows; it moves when the pacer waits,
    so the test is exact however fast or slow the machine is."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _paced_run(
    policy: LimitPolicy, make_pacer: Callable[[SharedTime], Pacer] | None, limit: str, requests: int
) -> int:
    """Requests through the pacer (None: unpaced) to the enforcing server; the limit answers."""
    time_ = SharedTime()
    enforced = EnforcedLimits(_ok, policy, clock=time_.clock)
    pacer = make_pacer(time_) if make_pacer is not None else None
    with FakeServer(lambda _b: enforced).start() as server, httpx.Client() as client:
        for _ in range(requests):
            if pacer is None:
                client.get(f"{server.url}/x")
                continue
            with pacer.request(limit):
                client.get(f"{server.url}/x")
    assert enforced.log.requests == requests
    return enforced.log.limited


@pytest.mark.parametrize(
    ("policy", "make_pacer", "limit", "requests"),
    [
        (
            hub_policy(),
            lambda t: hub_pacer(clock=t.clock, sleep=t.sleep),
            HUB_API,
            1600,
        ),
        (
            github_policy(),
            lambda t: Pacer(
                "github",
                {GITHUB_REST: Limit(GITHUB_REST, 900, 60)},
                clock=t.clock,
                sleep=t.sleep,
            ),
            GITHUB_REST,
            2800,
        ),
    ],
)
def test_a_paced_client_meets_no_limit_answer_where_an_unpaced_one_does(
    policy: LimitPolicy, make_pacer: Callable[[SharedTime], Pacer], limit: str, requests: int
) -> None:
    assert _paced_run(policy, make_pacer, limit, requests) == 0
    assert _paced_run(policy, None, limit, requests) > 0
