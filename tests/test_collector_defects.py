"""The collector defects of issue 17, each against the fake servers with the fault that showed it.

3. a token echoed by a server (a 401 quoting `Authorization`) is never kept in a failure;
4. a listing whose `Link: rel=next` points to itself ends, as a failure of that listing, and a
   stop request lands within seconds while a listing is being paged;
5. one malformed item of a Hugging Face listing is one failure, the rest is collected;
6. unusable rate-limit headers (nan, inf) fall back to the default wait within the budget;
and the minor ones: an HTTP-date Retry-After, back-offs charged to the wait budget, answers over
the size limit refused, GitHub redirects to another host refused.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from collectors.core.errors import BudgetExceeded
from collectors.core.politeness import github_rate_limit, hub_rate_limit, seconds_from
from collectors.core.secrets import redact
from collectors.http import HttpClient, HttpError
from collectors.huggingface import HuggingFaceCollector
from ossimpact.domain import ArtifactId, CollectionResult
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.huggingface import HubOptions
from tests.fixtures.gh_sandbox import ServeGitHub, build_github_world
from tests.fixtures.hf_sandbox import hf_dataset, hf_model, hf_world

HF_TOKEN = "hf_EchoedTokenValue0123456789abcdef"
GH_TOKEN = "ghp_EchoedTokenValue0123456789abcdef"
OTHER_TOKEN = "ghs_SomeoneElsesToken0123456789abcd"


def org_world(n_models: int = 3):  # type: ignore[no-untyped-def]
    models = [hf_model(f"shlab/model-{i}", downloads_30d=100 + i) for i in range(n_models)]
    return hf_world(models, [hf_dataset("shlab/corpus")])


def models(result: CollectionResult) -> list[str]:
    return sorted(str(r.id) for r in result.artifacts if r.id.kind == "model" and r.tracked)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# -- 3. tokens echoed by a server ---------------------------------------------------------------


def test_redact_masks_known_and_token_shaped_secrets() -> None:
    text = f"Bearer {HF_TOKEN} and {GH_TOKEN}, github_pat_{'A1' * 15} and token {OTHER_TOKEN}"
    clean = redact(text, "s3cret-known")
    for secret in (HF_TOKEN, GH_TOKEN, OTHER_TOKEN, "github_pat_A1A1"):
        assert secret not in clean
    assert (
        redact("the model hf_tiny and the word Bearer") == "the model hf_tiny and the word Bearer"
    )
    assert "s3cret-known" not in redact("value s3cret-known here", "s3cret-known")


def test_hf_401_echoing_the_token_is_stored_redacted(hf_hub) -> None:  # type: ignore[no-untyped-def]
    hub = hf_hub(org_world())
    hub.plan.add(Fault("echo_token", path_pattern=r"^/api/models\?", times=None))
    result = HuggingFaceCollector(hub.url, token=HF_TOKEN).collect(["shlab"])
    assert result.failures, "the 401 was not recorded"
    assert any(f.reason == "unauthorized" for f in result.failures)
    for failure in result.failures:
        assert HF_TOKEN not in failure.detail
        assert "EchoedTokenValue" not in failure.detail
    assert [str(r.id) for r in result.artifacts if r.id.kind == "dataset"] == [
        "hf:dataset:shlab/corpus"
    ]


def test_github_401_echoing_another_token_is_redacted(serve_github: ServeGitHub) -> None:
    world = build_github_world(1, 2, specials=False)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("echo_token", path_pattern=r"^/users/", times=None))
    # the client's own token is masked by value, any other one by its shape
    client = HttpClient(base_url=server.url, token=OTHER_TOKEN[::-1], sleep=Sleeps())
    with client, pytest.raises(HttpError) as raised:
        client.get_json("/users/someone", params={"note": OTHER_TOKEN})
    assert raised.value.reason == "unauthorized"
    assert OTHER_TOKEN not in str(raised.value)
    assert OTHER_TOKEN[::-1] not in str(raised.value)


def test_store_redacts_a_failure_detail_a_collector_forgot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ossimpact.domain import ArtifactFailure
    from ossimpact.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    run_id = store.start_run("collect", "huggingface")
    result = CollectionResult(source="huggingface")
    result.failures.append(
        ArtifactFailure("hf:org:x", "huggingface", "unauthorized", f"401: Bearer {HF_TOKEN}")
    )
    result.stats.stopped_reason = f"stopped with {GH_TOKEN}"
    store.record_collection(run_id, result)
    details = [f.detail for f in store.failures(run_id)]
    assert details
    assert all(HF_TOKEN not in d for d in details)
    store.close()


# -- 4. a listing that links to itself; stopping while paging -----------------------------------


def test_hf_self_linking_listing_ends_as_a_failure(hf_hub) -> None:  # type: ignore[no-untyped-def]
    hub = hf_hub(org_world(3))
    hub.plan.add(Fault("self_link", path_pattern=r"^/api/models\?author=shlab", times=None))
    started = time.monotonic()
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    assert time.monotonic() - started < 20
    assert hub.server.requests < 20, hub.server.requests
    assert ("hf:org:shlab", "malformed") in {(f.subject, f.reason) for f in result.failures}
    assert "hf:dataset:shlab/corpus" in {str(r.id) for r in result.artifacts}


def test_hf_listing_pages_are_capped(hf_hub) -> None:  # type: ignore[no-untyped-def]
    from collectors.huggingface import collector as hf_collector

    hub = hf_hub(org_world(12), HubOptions(page_size=1))
    original = hf_collector.MAX_PAGES
    hf_collector.MAX_PAGES = 5
    try:
        result = HuggingFaceCollector(hub.url, page_size=1).collect(["shlab"])
    finally:
        hf_collector.MAX_PAGES = original
    assert ("hf:org:shlab", "malformed") in {(f.subject, f.reason) for f in result.failures}
    assert hub.server.request_log.count  # the server answered
    listing_pages = [p for _, p in hub.server.request_log if p.startswith("/api/models?")]
    assert len(listing_pages) <= 5 + 1


class _StopOnAdvance:
    """The pipeline's stop check (cli sets an event on SIGTERM; progress raises on the next call)."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def _check(self) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt("stop requested")

    def begin(self, label: str, total: int | None) -> None:
        self._check()

    def advance(self, amount: int = 1) -> None:
        self._check()

    def note(self, message: str) -> None:
        return None


def test_hf_stop_request_lands_within_seconds_while_paging(hf_hub) -> None:  # type: ignore[no-untyped-def]
    hub = hf_hub(org_world(400), HubOptions(page_size=1))
    hub.plan.latency_seconds = 0.05  # 400 pages: 20 s or more to list them all
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        HuggingFaceCollector(hub.url, page_size=1, concurrency=2).collect(
            ["shlab"], progress=_StopOnAdvance(stop)
        )
    assert time.monotonic() - started < 5


# -- 5. a malformed item in a listing ---------------------------------------------------------------


def test_hf_malformed_ids_in_a_listing_are_single_failures(hf_hub) -> None:  # type: ignore[no-untyped-def]
    hub = hf_hub(org_world(3))
    hub.plan.add(Fault("malformed_ids", path_pattern=r"^/api/models\?author=shlab", times=None))
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    assert models(result) == [f"hf:model:shlab/model-{i}" for i in range(3)]
    malformed = [f for f in result.failures if f.reason == "malformed"]
    assert len(malformed) == 2, result.failures
    assert all(f.subject == "hf:org:shlab" for f in malformed)


# -- 6. unusable rate-limit headers ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-5", "soon", "1e400"])
def test_unusable_retry_after_falls_back_to_the_default_wait(value: str) -> None:
    signal = github_rate_limit(429, httpx.Headers({"retry-after": value}), b"")
    assert signal is not None
    assert signal.seconds == 60.0
    hub = hub_rate_limit(429, httpx.Headers({"retry-after": value}), b"")
    assert hub is not None
    assert hub.seconds == 60.0


def test_unusable_reset_epoch_falls_back_to_the_default_wait() -> None:
    for value in ("nan", "inf", "1e400", "never"):
        headers = httpx.Headers({"x-ratelimit-remaining": "0", "x-ratelimit-reset": value})
        signal = github_rate_limit(403, headers, b"")
        assert signal is not None
        assert signal.seconds == 61.0


def test_retry_after_as_an_http_date() -> None:
    moment = datetime.now(UTC) + timedelta(seconds=120)
    seconds = seconds_from(format_datetime(moment, usegmt=True))
    assert seconds is not None
    assert 110 <= seconds <= 121
    assert seconds_from("2.5") == 2.5


@pytest.mark.parametrize(
    ("style", "value"),
    [("secondary", "nan"), ("secondary_429", "inf"), ("primary", "nan"), ("primary", "inf")],
)
def test_github_source_survives_nan_rate_limit_headers(
    serve_github: ServeGitHub, style: str, value: str
) -> None:
    from collectors.github import GitHubCollector

    world = build_github_world(1, 2, specials=False)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("rate_limit", r"^/orgs/shlab0$", github_style=style, raw_header=value))  # type: ignore[arg-type]
    sleeps = Sleeps()
    result = GitHubCollector(server.url, None, sleep=sleeps, max_rate_limit_wait=900).collect(
        ["shlab0"]
    )
    assert len(result.artifacts) == 2, result.failures
    assert sleeps
    assert all(s in (60.0, 61.0) for s in sleeps[:1])
    assert result.stats.stopped_reason is None


def test_github_nan_headers_beyond_the_budget_stop_cleanly(serve_github: ServeGitHub) -> None:
    from collectors.github import GitHubCollector

    world = build_github_world(1, 2, specials=False)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("rate_limit", r"^/orgs/shlab0$", times=None, raw_header="nan"))
    result = GitHubCollector(server.url, None, sleep=Sleeps(), max_rate_limit_wait=30).collect(
        ["shlab0"]
    )
    assert result.stats.stopped_reason
    assert "budget" in result.stats.stopped_reason


# -- minor: budget for back-offs, size limit, foreign redirects ---------------------------------------


def test_backoffs_of_5xx_retries_are_charged_to_the_budget(serve_github: ServeGitHub) -> None:
    world = build_github_world(1, 2, specials=False)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("server_error", r"^/orgs/shlab0$", times=None, status=503))
    sleeps = Sleeps()
    client = HttpClient(base_url=server.url, token=None, sleep=sleeps, max_rate_limit_wait=1.0)
    with client, pytest.raises(BudgetExceeded):
        client.get_json("/orgs/shlab0")
    assert sum(sleeps) <= 1.0


def test_an_answer_over_the_size_limit_is_refused(serve_github: ServeGitHub) -> None:
    world = build_github_world(1, 2, specials=False)
    server = serve_github(world)
    with HttpClient(base_url=server.url, token=None, sleep=Sleeps(), max_body_bytes=200) as c:
        with pytest.raises(HttpError) as raised:
            c.get_json("/orgs/shlab0/repos")
        assert raised.value.reason == "malformed"
        assert "size limit" in str(raised.value)


def test_github_redirect_to_another_host_is_refused(serve_github: ServeGitHub) -> None:
    from collectors.github import GitHubCollector

    world = build_github_world(2, 2, specials=False)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("foreign_redirect", r"^/orgs/shlab0$", times=None))
    result = GitHubCollector(server.url, None, sleep=Sleeps()).collect(["shlab0", "shlab1"])
    failures = {(f.subject, f.reason) for f in result.failures}
    assert ("gh:org:shlab0", "other") in failures
    assert {r.id.owner for r in result.artifacts} == {"shlab1"}
    assert not any(p.startswith("/orgs/moved") for _, p in server.request_log)


def test_http_client_refuses_a_redirect_to_another_host(serve_github: ServeGitHub) -> None:
    world = build_github_world(1, 2, specials=False)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("foreign_redirect", r"^/users/x$", times=None))
    client = HttpClient(base_url=server.url, token=None, sleep=Sleeps())
    with client, pytest.raises(HttpError) as raised:
        client.get_json("/users/x")
    assert "elsewhere.invalid" in str(raised.value)


def test_artifact_ids_of_the_listing_fault_are_invalid() -> None:
    # the fault's ids are the ones of the issue: a space, and a 97-character name
    from ossimpact.domain import InvalidArtifactId

    for bad in ("internlm/bad name", f"internlm/{'x' * 97}"):
        with pytest.raises(InvalidArtifactId):
            ArtifactId.hf_model(bad)


def test_hf_backoffs_of_5xx_retries_are_charged_to_the_budget(hf_hub) -> None:  # type: ignore[no-untyped-def]
    hub = hf_hub(org_world(3))
    hub.plan.add(Fault("server_error", r"^/api/models\?author=shlab", times=None, status=503))
    started = time.monotonic()
    result = HuggingFaceCollector(hub.url, max_rate_limit_wait=2).collect(["shlab"])
    # http_backoff alone would sleep 1 + 2 + 4 + 8 + 8 s before giving up
    assert time.monotonic() - started < 6
    assert result.stats.stopped_reason
    assert "budget" in result.stats.stopped_reason


def test_github_stop_request_lands_within_seconds(serve_github: ServeGitHub) -> None:
    from collectors.github import GitHubCollector

    world = build_github_world(1, 1, specials=False)
    # every request slow: the one repository alone takes ten seconds and more, with no
    # progress call in between
    plan = FaultPlan(latency_seconds=1.5)
    server = serve_github(world, plan=plan)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        GitHubCollector(server.url, None, sleep=Sleeps(), concurrency=1).collect(
            ["shlab0"], progress=_StopOnAdvance(stop)
        )
    assert time.monotonic() - started < 5


def test_hf_answer_over_the_size_limit_is_refused() -> None:
    import httpx2

    from collectors.core.errors import TooLarge
    from collectors.huggingface.client import HubLedger

    ledger = HubLedger("http://127.0.0.1:9", max_wait=10)
    request = httpx2.Request("GET", "http://127.0.0.1:9/api/models")
    huge = httpx2.Response(200, headers={"content-length": str(60 * 1024 * 1024)}, request=request)
    with pytest.raises(TooLarge):
        ledger.on_response(huge)
    ledger.on_response(httpx2.Response(200, headers={"content-length": "10"}, request=request))


def test_log_records_of_the_http_libraries_are_redacted() -> None:
    import logging

    import collectors.huggingface.client  # noqa: F401 - installs the filter, as a run does

    class Kept(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    kept = Kept()
    for name in ("httpx", "huggingface_hub.utils._http", "urllib3.connectionpool"):
        logger = logging.getLogger(name)
        # a handler of our own on each logger: another test's logging set-up (a dictConfig
        # that disables existing loggers, a quieter level, a propagate flag) must not hide them
        was_disabled, logger.disabled = logger.disabled, False
        was_level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(kept)
        try:
            logger.warning("401 for %s: Bearer %s", name, HF_TOKEN)
        finally:
            logger.removeHandler(kept)
            logger.setLevel(was_level)
            logger.disabled = was_disabled
    assert len(kept.records) == 3
    assert all(HF_TOKEN not in record.getMessage() for record in kept.records)
