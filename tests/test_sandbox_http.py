"""The fake-server runner: a plain httpx client against a trivial app, one fault kind at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx
import pytest

from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.http import FakeServer, SandboxServerError, WsgiApp

BODY = json.dumps({"items": list(range(500))}).encode()


def echo_app_factory(base_url: str) -> WsgiApp:
    """Answers BODY on /data, echoes the request on /echo, renders a platform 429 itself."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        fault = environ.get("ossimpact.fault")
        if fault is not None and fault.kind == "rate_limit":
            start_response("429 Too Many Requests", [("Retry-After", str(fault.retry_after))])
            return [b'{"error": "rate limited by the app"}']
        if environ["PATH_INFO"] == "/echo":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "query": environ["QUERY_STRING"],
                "body": environ["wsgi.input"].read(length).decode(),
                "auth": environ.get("HTTP_AUTHORIZATION"),
                "base_url": base_url,
            }
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(payload).encode()]
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("the app failed")
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Link", f'<{base_url}/data>; rel="next"')],
        )
        return [BODY[:100], BODY[100:]]

    return app


@pytest.fixture
def server(fault_plan: FaultPlan) -> Iterator[FakeServer]:
    with FakeServer(echo_app_factory, fault_plan, name="test") as running:
        yield running


@pytest.fixture
def client(server: FakeServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5) as http:
        yield http


def test_serves_the_app_with_its_own_url(server: FakeServer, client: httpx.Client) -> None:
    response = client.get("/data")
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["link"] == f'<{server.url}/data>; rel="next"'
    assert server.url.startswith("http://127.0.0.1:")


def test_request_reaches_the_app_whole(client: httpx.Client) -> None:
    response = client.post(
        "/echo?a=1&b=%20x", content=b"hello", headers={"Authorization": "Bearer t"}
    )
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/echo"
    assert echoed["query"] == "a=1&b=%20x"
    assert echoed["body"] == "hello"
    assert echoed["auth"] == "Bearer t"


def test_head_has_no_body(client: httpx.Client) -> None:
    response = client.head("/data")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(BODY))
    # the keep-alive stream stays in step after a bodyless answer
    assert client.get("/data").content == BODY


def test_keeps_connections_alive(server: FakeServer) -> None:
    ports = set()
    with httpx.Client(base_url=server.url) as http:
        for _ in range(5):
            response = http.get("/data", extensions={})
            stream = response.extensions["network_stream"]
            ports.add(stream.get_extra_info("client_addr")[1])
    assert len(ports) == 1
    assert server.requests == 5


def test_app_failure_answers_500_without_traceback(
    client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "sandbox app failed"}
    assert "Traceback" not in capsys.readouterr().err


def test_latency_applies_to_every_request(server: FakeServer, client: httpx.Client) -> None:
    server.plan.latency_seconds = 0.2
    started = time.perf_counter()
    client.get("/data")
    client.get("/data")
    assert time.perf_counter() - started >= 0.4


def test_server_error_then_recovery(server: FakeServer, client: httpx.Client) -> None:
    server.plan.add(Fault("server_error", path_pattern="/data", times=2, status=503))
    first, second, third = (client.get("/data") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert "error" in first.json()
    assert third.content == BODY
    assert client.get("/echo").status_code == 200


def test_fault_pattern_matches_the_query_too(server: FakeServer, client: httpx.Client) -> None:
    server.plan.add(Fault("server_error", path_pattern=r"page=2", times=None, status=502))
    assert client.get("/data?page=1").status_code == 200
    assert client.get("/data?page=2").status_code == 502
    assert client.get("/data?page=2").status_code == 502


def test_timeout_exceeds_the_client_timeout(server: FakeServer) -> None:
    server.plan.add(Fault("timeout", seconds=1.0))
    with httpx.Client(base_url=server.url, timeout=0.3) as http:
        with pytest.raises(httpx.TimeoutException):
            http.get("/data")
        # the fault was used once; the next request is answered
        assert http.get("/data").content == BODY


def test_slow_answer_within_the_client_timeout_arrives(
    server: FakeServer, client: httpx.Client
) -> None:
    server.plan.add(Fault("timeout", seconds=0.2))
    assert client.get("/data").content == BODY


def test_truncated_body_is_an_incomplete_read(server: FakeServer, client: httpx.Client) -> None:
    server.plan.add(Fault("truncated", path_pattern="/data"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/data")
    assert client.get("/data").content == BODY


def test_truncated_stream_declares_the_full_length(server: FakeServer) -> None:
    server.plan.add(Fault("truncated"))
    received: list[bytes] = []

    def read_all(response: httpx.Response) -> None:
        received.extend(response.iter_raw())

    with httpx.Client(base_url=server.url, timeout=5) as http, http.stream("GET", "/data") as r:
        assert r.headers["content-length"] == str(len(BODY))
        with pytest.raises(httpx.RemoteProtocolError):
            read_all(r)
    assert b"".join(received) == BODY[: len(BODY) // 2]


def test_reset_closes_without_an_answer(server: FakeServer, client: httpx.Client) -> None:
    server.plan.add(Fault("reset"))
    with pytest.raises(httpx.TransportError):
        client.get("/data")
    assert client.get("/data").content == BODY


@pytest.mark.parametrize("kind", ["rate_limit", "not_found", "graphql_errors"])
def test_platform_faults_pass_to_the_app(
    server: FakeServer, client: httpx.Client, kind: str
) -> None:
    fault = server.plan.add(Fault(kind, retry_after=7))  # type: ignore[arg-type]
    response = client.get("/data")
    if kind == "rate_limit":
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
    else:
        # this app renders only rate limits; the others reach it and it answers normally
        assert response.status_code == 200
    assert fault.hits == 1
    assert client.get("/data").status_code == 200


def test_counts_and_logs_requests(server: FakeServer, client: httpx.Client) -> None:
    server.plan.add(Fault("server_error", times=1))
    client.get("/data?page=1")
    client.post("/echo", content=b"x")
    assert server.requests == 2
    assert server.request_log == [("GET", "/data?page=1"), ("POST", "/echo")]
    server.reset_requests()
    assert server.requests == 0
    assert server.request_log == []


def test_serves_concurrent_requests(server: FakeServer) -> None:
    server.plan.latency_seconds = 0.2
    limits = httpx.Limits(max_connections=32)
    with httpx.Client(base_url=server.url, timeout=10, limits=limits) as http:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(lambda _: http.get("/data").status_code, range(20)))
        elapsed = time.perf_counter() - started
    assert statuses == [200] * 20
    assert elapsed < 20 * 0.2 / 4
    assert server.requests == 20


def test_stops_promptly_with_an_open_keep_alive_connection(fault_plan: FaultPlan) -> None:
    fake = FakeServer(echo_app_factory, fault_plan).start()
    http = httpx.Client(base_url=fake.url)
    assert http.get("/data").status_code == 200
    started = time.perf_counter()
    fake.stop()
    assert time.perf_counter() - started < 1.0
    with pytest.raises(httpx.TransportError):
        http.get("/data")
    http.close()


def test_app_before_start_is_a_clear_error() -> None:
    fake = FakeServer(echo_app_factory)
    with pytest.raises(SandboxServerError, match="not been started"):
        _ = fake.app


def test_busy_port_is_a_clear_error(server: FakeServer) -> None:
    with pytest.raises(SandboxServerError, match="cannot listen"):
        FakeServer(echo_app_factory, port=server.port).start()
