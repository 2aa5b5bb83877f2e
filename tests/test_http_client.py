"""The shared HTTP client against local servers: retries, waits, budgets, 304s, redaction."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx
import pytest

from collectors.base import MemoryResponseCache
from collectors.http import (
    HttpClient,
    HttpError,
    RateLimitBudgetExceeded,
    github_rate_limit,
    hf_rate_limit,
)
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.http import FakeServer

TOKEN = "ghp_SECRETtoken1234567890distinctive"


def tiny_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if path == "/not-json":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"<html>surprise</html>"]
    if path == "/json":
        body = json.dumps({"ok": True, "auth": environ.get("HTTP_AUTHORIZATION", "")}).encode()
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [("ETag", etag)])
            return []
        headers = [
            ("Content-Type", "application/json"),
            ("ETag", etag),
            ("X-UA", environ.get("HTTP_USER_AGENT", "")),
        ]
        start_response("200 OK", headers)
        return [body]
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [json.dumps({"message": "Not Found"}).encode()]


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def server(plan: FaultPlan) -> Iterator[FakeServer]:
    with FakeServer(lambda url: tiny_app, plan, name="tiny") as fake:
        yield fake


def client_for(server: FakeServer, sleeps: Sleeps, **kw: object) -> HttpClient:
    options: dict[str, object] = {"token": TOKEN, "sleep": sleeps, "timeout": 2.0}
    options.update(kw)
    return HttpClient(base_url=server.url, **options)  # type: ignore[arg-type]


def test_get_json_counts_requests_and_sends_identity(server: FakeServer) -> None:
    with client_for(server, Sleeps()) as client:
        answer = client.get_json("/json")
    assert answer.data["ok"] is True
    assert answer.data["auth"] == f"Bearer {TOKEN}"
    assert answer.headers["X-UA"].startswith("ossimpact/")
    assert client.stats.requests == 1


def test_conditional_get_reuses_the_cached_body_on_304(server: FakeServer) -> None:
    cache = MemoryResponseCache()
    with client_for(server, Sleeps(), cache=cache) as client:
        first = client.get_json("/json", conditional=True)
        second = client.get_json("/json", conditional=True)
    assert not first.from_cache
    assert second.from_cache
    assert second.data == first.data
    assert (client.stats.requests, client.stats.not_modified) == (2, 1)


def test_server_errors_are_retried_with_backoff_then_succeed(
    server: FakeServer, plan: FaultPlan
) -> None:
    plan.add(Fault("server_error", path_pattern="/json", times=2, status=503))
    sleeps = Sleeps()
    with client_for(server, sleeps) as client:
        assert client.get_json("/json").data["ok"] is True
    assert client.stats.requests == 3
    assert sleeps == [0.5, 1.0]


def test_persistent_server_errors_end_in_a_clear_error(server: FakeServer, plan: FaultPlan) -> None:
    plan.add(Fault("server_error", path_pattern="/json", times=None, status=502))
    with client_for(server, Sleeps(), max_retries=2) as client, pytest.raises(HttpError) as error:
        client.get_json("/json")
    assert error.value.reason == "server_error"
    assert error.value.status == 502
    assert client.stats.requests == 3


def test_timeouts_and_truncated_bodies_are_retried(server: FakeServer, plan: FaultPlan) -> None:
    plan.add(Fault("timeout", path_pattern="/json", times=1, seconds=1.5))
    plan.add(Fault("truncated", path_pattern="/json", times=1))
    with client_for(server, Sleeps(), timeout=0.5) as client:
        assert client.get_json("/json").data["ok"] is True
    assert client.stats.requests == 3


def test_a_body_that_is_not_json_is_malformed(server: FakeServer) -> None:
    with client_for(server, Sleeps()) as client, pytest.raises(HttpError) as error:
        client.get_json("/not-json")
    assert error.value.reason == "malformed"
    assert "not JSON" in str(error.value)


def test_token_never_appears_in_errors_or_logs(
    server: FakeServer, plan: FaultPlan, caplog: pytest.LogCaptureFixture
) -> None:
    plan.add(Fault("server_error", times=1, status=500))
    caplog.set_level(logging.DEBUG)
    with client_for(server, Sleeps()) as client:
        with pytest.raises(HttpError) as missing:
            client.get_json(f"/items/{TOKEN}", params={"q": TOKEN})
        with pytest.raises(HttpError) as malformed:
            client.get_json("/not-json", params={"token": TOKEN})
    texts = [str(missing.value), missing.value.url, str(malformed.value), caplog.text]
    assert all(TOKEN not in text for text in texts)
    assert "***" in str(missing.value)
    assert missing.value.reason == "not_found"


def test_connection_refused_is_a_connection_error() -> None:
    with (
        HttpClient(
            base_url="http://127.0.0.1:9", token=TOKEN, sleep=Sleeps(), max_retries=1
        ) as client,
        pytest.raises(HttpError) as error,
    ):
        client.get_json("/x")
    assert error.value.reason == "connection"
    assert TOKEN not in str(error.value)


def test_budget_is_shared_and_stops_with_a_reason(server: FakeServer) -> None:
    from collectors.http import RateLimitSignal

    sleeps = Sleeps()
    with client_for(server, sleeps, max_rate_limit_wait=100) as client:
        client.rate_limit_pause(RateLimitSignal(60, "secondary rate limit"))
        with pytest.raises(RateLimitBudgetExceeded) as stop:
            client.rate_limit_pause(RateLimitSignal(60, "secondary rate limit"))
    assert sleeps == [60]
    assert client.stats.rate_limit_waits == 1
    assert "budget" in (client.stats.stopped_reason or "")
    assert "rate limited until" in str(stop.value)


def test_a_wait_seen_by_another_thread_is_not_waited_twice(server: FakeServer) -> None:
    from collectors.http import RateLimitSignal

    sleeps = Sleeps()
    with client_for(server, sleeps) as client:
        generation = client.wait_generation
        client.rate_limit_pause(RateLimitSignal(5, "secondary rate limit"), generation)
        client.rate_limit_pause(RateLimitSignal(5, "secondary rate limit"), generation)
    assert sleeps == [5]


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({key.replace("_", "-"): value for key, value in values.items()})


def test_github_policy_reads_primary_and_secondary_limits() -> None:
    import time

    primary = github_rate_limit(
        403, headers(x_ratelimit_remaining="0", x_ratelimit_reset=str(int(time.time()) + 30)), b""
    )
    assert primary is not None
    assert 29 <= primary.seconds <= 32
    assert primary.reason == "primary rate limit"
    retry = github_rate_limit(429, headers(retry_after="7"), b"")
    assert retry is not None
    assert retry.seconds == 7
    message = github_rate_limit(
        403, headers(), b'{"message":"You have exceeded a secondary rate limit."}'
    )
    assert message is not None
    assert message.seconds == 60
    assert github_rate_limit(403, headers(), b'{"message":"Resource not accessible"}') is None
    assert github_rate_limit(404, headers(retry_after="3"), b"") is None


def test_hf_policy_reads_the_ratelimit_header() -> None:
    signal = hf_rate_limit(429, headers(ratelimit='"api";r=0;t=12'), b"")
    assert signal is not None
    assert signal.seconds == 13
    fallback = hf_rate_limit(429, headers(retry_after="4"), b"")
    assert fallback is not None
    assert fallback.seconds == 4
    assert hf_rate_limit(200, headers(ratelimit='"api";r=0;t=12'), b"") is None
