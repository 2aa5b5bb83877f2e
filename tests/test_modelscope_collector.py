"""The ModelScope collector with real httpx against the fake ModelScope: listings, limits, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from collectors.modelscope import ModelScopeCollector
from collectors.pacing import polite_pacer
from ossimpact.domain import ArtifactId, Metric
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.mainland import MainlandCatalogue, MainlandOwners, MsRepo, derive_catalogue
from ossimpact.sandbox.model import World
from ossimpact.sandbox.modelscope import ModelScopeQuirks, make_modelscope_app

OWNER = "Shanghai_AI_Laboratory"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _repo(owner: str, index: int, *, downloads: int | None = None) -> MsRepo:
    return MsRepo(
        "model",
        owner,
        f"model-{index:05d}",
        downloads if downloads is not None else 1000 + index,
        index % 50,
        T0,
        T0,
        "Apache License 2.0",
        ("llm",),
        ("text-generation",),
        None,
    )


def _catalogue(count: int, owner: str = OWNER) -> MainlandCatalogue:
    catalogue = MainlandCatalogue()
    for index in range(count):
        repo = _repo(owner, index)
        catalogue.ms_models[repo.repo_id.casefold()] = repo
    return catalogue


class Hub:
    """A fake ModelScope on a local port, its quirks, and the collector's recorded sleeps."""

    def __init__(self, catalogue: MainlandCatalogue, plan: FaultPlan | None = None) -> None:
        self.quirks = ModelScopeQuirks()
        self.plan = plan or FaultPlan()
        world = World(seed=0, size=0, today=date(2026, 1, 1), history_days=0)
        self.server = FakeServer(
            lambda url: make_modelscope_app(world, url, quirks=self.quirks, catalogue=catalogue),
            self.plan,
            name="modelscope",
        ).start()
        self.sleeps: list[float] = []

    def collector(self, token: str | None = None) -> ModelScopeCollector:
        return ModelScopeCollector(self.server.url, token, sleep=self.sleeps.append)

    def listing_params(self) -> list[dict[str, list[str]]]:
        return [
            parse_qs(urlsplit(path).query)
            for method, path in self.server.request_log
            if urlsplit(path).path in ("/openapi/v1/models", "/openapi/v1/datasets")
        ]


@pytest.fixture
def small_hub() -> Iterator[Hub]:
    hub = Hub(_catalogue(120))
    yield hub
    hub.server.stop()


def test_lists_every_item_with_its_figures_in_pages_of_50(small_hub: Hub) -> None:
    result = small_hub.collector().collect([OWNER])
    assert not result.failures
    assert len(result.artifacts) == 120
    first = ArtifactId.ms_model(f"{OWNER}/model-00007")
    figures = {(o.metric, o.value) for o in result.observations if o.artifact == first}
    assert figures == {(Metric.DOWNLOADS_ALL_TIME, 1007.0), (Metric.LIKES, 7.0)}
    record = next(a for a in result.artifacts if a.id == first)
    assert record.license == "Apache License 2.0"
    assert record.extra["likes_field"] == "likes"
    assert record.tracked is True  # scored: one product with its Hugging Face twin (cross-hub)
    # 3 model pages + 1 dataset page for 120 items: no request per model
    assert result.stats.requests == 4
    assert all(p["page_size"] == ["50"] for p in small_hub.listing_params())


def test_an_owner_past_the_offset_limit_is_split_by_sort() -> None:
    hub = Hub(_catalogue(3120))
    try:
        result = hub.collector().collect([OWNER])
    finally:
        hub.server.stop()
    assert not result.failures, result.failures
    assert len({a.id for a in result.artifacts}) == 3120
    params = hub.listing_params()
    assert all(int(p["page_size"][0]) <= 50 for p in params)
    assert all(int(p["page_number"][0]) * int(p["page_size"][0]) <= 3000 for p in params)
    assert {p.get("sort", ["default"])[0] for p in params} >= {"default", "downloads"}
    assert hub.server.status_counts.get(400, 0) == 0  # never asked past the limit
    assert result.stats.requests / 3120 <= 0.05


def test_an_item_moving_between_pages_is_neither_lost_nor_doubled(small_hub: Hub) -> None:
    small_hub.quirks.move_after_first_page = True
    result = small_hub.collector().collect([OWNER])
    ids = [a.id for a in result.artifacts]
    assert len(ids) == len(set(ids)) == 120
    assert not result.failures
    assert result.stats.requests > 4  # the short first pass was paged once more


def test_rate_limit_with_a_float_retry_after_is_waited_out(small_hub: Hub) -> None:
    small_hub.plan.add(Fault("rate_limit", path_pattern=r"page_number=2", seconds=1.5))
    result = small_hub.collector().collect([OWNER])
    assert len(result.artifacts) == 120
    assert not result.failures
    assert 1.5 in small_hub.sleeps
    assert result.stats.rate_limit_waits == 1


def test_server_errors_are_retried(small_hub: Hub) -> None:
    small_hub.plan.add(Fault("server_error", path_pattern=r"/models\?", status=503, times=2))
    result = small_hub.collector().collect([OWNER])
    assert len(result.artifacts) == 120
    assert not result.failures
    assert small_hub.server.status_counts[503] == 2


def test_success_false_under_200_fails_that_listing_only() -> None:
    catalogue = _catalogue(30)
    for index in range(5):
        repo = _repo("OpenGVLab", index)
        catalogue.ms_models[repo.repo_id.casefold()] = repo
    hub = Hub(catalogue)
    hub.quirks.success_false = 1  # the very first answer: Shanghai_AI_Laboratory's models
    try:
        result = hub.collector().collect([OWNER, "OpenGVLab"])
    finally:
        hub.server.stop()
    assert {a.id.owner for a in result.artifacts} == {"OpenGVLab"}
    (failure,) = result.failures
    assert failure.subject == f"ms:org:{OWNER}"
    assert failure.source == "modelscope"
    assert "InternalServerError" in failure.detail


def test_a_missing_named_model_fails_alone(small_hub: Hub) -> None:
    present = ArtifactId.ms_model("Shanghai_AI_Laboratory/model-00001")
    missing = ArtifactId.ms_model("Shanghai_AI_Laboratory/only-on-modelscope-ai")
    result = small_hub.collector().collect([], [present, missing])
    assert [a.id for a in result.artifacts] == [present]
    (failure,) = result.failures
    assert failure.subject == str(missing)
    assert failure.reason == "not_found"


def test_a_decreased_count_is_recorded_as_seen(small_hub: Hub) -> None:
    target = f"{OWNER}/model-00003".casefold()
    first = small_hub.collector().collect([OWNER])
    small_hub.quirks.decreased[target] = 5
    second = small_hub.collector().collect([OWNER])

    def downloads(result: Any) -> float:
        return next(
            o.value
            for o in result.observations
            if str(o.artifact).casefold() == f"ms:model:{target}"
            and o.metric == Metric.DOWNLOADS_ALL_TIME
        )

    assert (downloads(first), downloads(second)) == (1003.0, 5.0)


def test_mainland_heavy_catalogue_with_other_owner_names(small_world: World) -> None:
    owners = MainlandOwners(modelscope={"internlm": OWNER})
    catalogue = derive_catalogue(small_world, owners)
    twins = [r for r in catalogue.ms_models.values() if r.hf_twin]
    assert twins
    assert all(r.owner != "internlm" for r in twins)
    internlm = [r for r in twins if r.hf_twin and r.hf_twin.startswith("internlm/")]
    assert internlm
    assert all(r.owner == OWNER for r in internlm)
    for repo in twins:
        assert repo.hf_twin is not None
        assert repo.downloads >= 1.5 * small_world.models[repo.hf_twin].downloads_all_time - 1


def test_the_token_goes_to_the_modelscope_host_only() -> None:
    """Sent as a bearer token to the configured host; a redirect elsewhere is refused, so the
    other host never sees a request, let alone the token."""
    seen: dict[str, list[str | None]] = {"modelscope": [], "elsewhere": []}
    page = {"success": True, "data": {"models": [], "total_count": 0}}

    def elsewhere_app(url: str) -> Any:
        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            seen["elsewhere"].append(environ.get("HTTP_AUTHORIZATION"))
            start_response("200 OK", [("Content-Type", "application/json")])
            datasets = {"success": True, "data": {"datasets": [], "total_count": 0}}
            return [json.dumps(datasets).encode()]

        return app

    elsewhere = FakeServer(elsewhere_app, name="elsewhere").start()

    def modelscope_app(url: str) -> Any:
        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            seen["modelscope"].append(environ.get("HTTP_AUTHORIZATION"))
            if environ["PATH_INFO"] == "/openapi/v1/datasets":
                location = f"{elsewhere.url}/openapi/v1/datasets?{environ['QUERY_STRING']}"
                start_response("302 Found", [("Location", location)])
                return [b""]
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(page).encode()]

        return app

    modelscope = FakeServer(modelscope_app, name="modelscope").start()
    try:
        collector = ModelScopeCollector(modelscope.url, "ms-secret-token")
        result = collector.collect([OWNER])
    finally:
        modelscope.stop()
        elsewhere.stop()
    [refused] = result.failures  # the dataset listing that tried to leave the host
    assert refused.subject == f"ms:org:{OWNER}"
    assert "redirected to" in refused.detail
    assert "ms-secret-token" not in refused.detail
    assert seen["modelscope"]
    assert all(h == "Bearer ms-secret-token" for h in seen["modelscope"])
    assert seen["elsewhere"] == []


def test_a_rate_limit_past_the_budget_stops_the_source_cleanly(small_hub: Hub) -> None:
    small_hub.plan.add(Fault("rate_limit", path_pattern=r"page_number=2", seconds=30.5))
    collector = ModelScopeCollector(
        small_hub.server.url, max_rate_limit_wait=10, sleep=small_hub.sleeps.append
    )
    result = collector.collect([OWNER])
    assert result.stats.stopped_reason is not None
    assert "ModelScope rate limit" in result.stats.stopped_reason
    assert small_hub.sleeps == []  # the wait was refused, not slept
    assert len(result.artifacts) == 50  # the first page, listed before the limit, is kept


def test_requests_per_artifact_in_the_demo_world() -> None:
    """The demo's world over the shipped registry: listings only, at most 0.05 requests each."""
    from ossimpact.registry import load_registry
    from ossimpact.sandbox.runner import start_sandbox, world_for_registry
    from ossimpact.settings import DEFAULT_REGISTRY

    registry = load_registry(DEFAULT_REGISTRY)
    world = world_for_registry(registry, size=600, seed=20251)
    with start_sandbox(world, only=("modelscope",)) as sandbox:
        collector = ModelScopeCollector(sandbox.url("modelscope"))
        result = collector.collect(registry.ms_handles())
    assert not result.failures
    assert len(result.artifacts) > 200
    assert result.stats.requests / len(result.artifacts) <= 0.05


def test_the_token_never_reaches_failures_or_settings_output(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that echoes the credential back: the failure and the logs show *** instead."""
    from ossimpact.settings import Settings

    def echo_app(url: str) -> Any:
        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            body = {"success": False, "code": "InvalidAuthentication", "message": "bad "}
            body["message"] += str(environ.get("HTTP_AUTHORIZATION"))
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]

        return app

    server = FakeServer(echo_app, name="modelscope").start()
    try:
        with caplog.at_level("DEBUG"):
            collector = ModelScopeCollector(server.url, "ms-secret-token")
            result = collector.collect([OWNER])
    finally:
        server.stop()
    assert result.failures
    assert all(f.reason == "unauthorized" for f in result.failures)
    assert all("ms-secret-token" not in f.detail for f in result.failures)
    assert any("***" in f.detail for f in result.failures)
    assert "ms-secret-token" not in caplog.text
    settings = Settings(modelscope_token="ms-secret-token")
    assert "ms-secret-token" not in str(settings.effective())
    assert settings.effective()["modelscope_token"] == "**********"


def test_every_request_pays_the_shared_polite_pacer(small_hub: Hub) -> None:
    # The pipeline's pacer (one request a second), on a clock that moves only when it waits.
    now = [0.0]
    pacer = polite_pacer(
        "modelscope", clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    collector = ModelScopeCollector(small_hub.server.url, pacer=pacer)
    result = collector.collect([OWNER])
    asked = len(small_hub.server.request_log)
    assert len(result.artifacts) == 120
    assert asked >= 3  # 120 models in pages of 50, and the (empty) dataset listing
    assert pacer.stats.requests == asked
    assert now[0] == pytest.approx(asked - 1)  # one a second, the first at once
