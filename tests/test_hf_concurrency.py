"""The Hugging Face collector on a thread pool: same result as one thread, fewer requests.

Listings run in parallel over base models and corpora; the result must not depend on the
concurrency, each figure must keep the URL of its own listing, every request must be counted once,
and a wait several threads sit out together must count (and spend the budget) once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import httpx2

from collectors.huggingface import HuggingFaceCollector
from collectors.huggingface.client import HubLedger
from ossimpact.domain import ArtifactId, CollectionResult, Metric
from ossimpact.sandbox.huggingface import HubOptions
from ossimpact.sandbox.model import World
from tests.fixtures.hf_sandbox import RunningHub, hf_model, hf_world


def _comparable(result: CollectionResult) -> dict[str, object]:
    return {
        "observations": sorted((str(o.artifact), o.metric, o.value) for o in result.observations),
        "edges": sorted((str(e.source), str(e.target), e.relation) for e in result.edges),
        "artifacts": sorted((str(a.id), a.tracked, a.owner_handle) for a in result.artifacts),
        "failures": sorted((f.subject, f.reason, f.detail) for f in result.failures),
        "groups": sorted((k, tuple(map(str, v))) for k, v in result.suggested_groups.items()),
    }


def _children_listings(hub: RunningHub) -> int:
    return sum("filter=base_model" in unquote(path) for _method, path in hub.server.request_log)


def test_eight_threads_collect_what_one_thread_collects(
    hf_hub: Callable[..., RunningHub], small_world: World
) -> None:
    handles = list(small_world.hf_authors)
    alone = hf_hub(small_world)
    one = HuggingFaceCollector(alone.url, concurrency=1).collect(handles)
    pooled = hf_hub(small_world)
    eight = HuggingFaceCollector(pooled.url, concurrency=8).collect(handles)
    assert one.observations
    assert _comparable(eight) == _comparable(one)
    assert [o.artifact for o in eight.observations] == [o.artifact for o in one.observations]
    assert eight.stats.requests == one.stats.requests == pooled.server.requests
    assert eight.stats.stopped_reason is None


def test_each_figure_keeps_the_url_of_its_own_listing(
    hf_hub: Callable[..., RunningHub], small_world: World
) -> None:
    hub = hf_hub(small_world)
    result = HuggingFaceCollector(hub.url, concurrency=8).collect(list(small_world.hf_authors))
    derived = [o for o in result.observations if o.metric == Metric.DERIVATIVES_THIRD_PARTY.value]
    trained = [o for o in result.observations if o.metric == Metric.MODELS_TRAINED_ON.value]
    assert derived
    assert trained
    for observation in derived:
        url = unquote(observation.source_url)
        own_listing = f"author={observation.artifact.owner}" in url
        assert own_listing or f"base_model:{observation.artifact.repo_id}&" in url, url
    for observation in trained:
        assert f"dataset:{observation.artifact.repo_id}&" in unquote(observation.source_url)


def test_children_listing_skipped_when_the_listings_hold_every_child(
    hf_hub: Callable[..., RunningHub],
) -> None:
    world = hf_world(
        [
            hf_model("shlab/base-7b"),
            hf_model("shlab/base-7b-awq", base_model="shlab/base-7b", base_relation="quantized"),
            hf_model("shlab/base-7b-chat", base_model="shlab/base-7b", base_relation="finetune"),
            hf_model("shlab/other-base"),
            hf_model("shlab/other-awq", base_model="shlab/other-base", base_relation="quantized"),
            hf_model("fan/other-gguf", base_model="shlab/other-base", base_relation="quantized"),
        ]
    )
    hub = hf_hub(world)
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    assert not result.failures
    # only the base with an outside derivative needs its children listing
    assert _children_listings(hub) == 1
    base = {o.metric: o.value for o in result.observations if o.artifact.repo_id == "shlab/base-7b"}
    assert base[Metric.DERIVATIVES_QUANTIZED] == 1
    assert base[Metric.DERIVATIVES_FINETUNE] == 1
    assert base[Metric.DERIVATIVES_ADAPTER] == 0
    assert base[Metric.DERIVATIVES_THIRD_PARTY] == 0
    other = {
        o.metric: o.value for o in result.observations if o.artifact.repo_id == "shlab/other-base"
    }
    assert other[Metric.DERIVATIVES_QUANTIZED] == 2
    assert other[Metric.DERIVATIVES_THIRD_PARTY] == 1
    edges = {(e.source.repo_id, e.target.repo_id, e.relation) for e in result.edges}
    assert ("shlab/base-7b", "shlab/base-7b-awq", "quantized") in edges
    assert ("shlab/base-7b", "shlab/base-7b-chat", "finetune") in edges
    assert ("shlab/other-base", "fan/other-gguf", "quantized") in edges
    records = {r.id: r for r in result.artifacts}
    assert records[ArtifactId.parse("hf:model:fan/other-gguf")].tracked is False


def test_children_listing_asked_when_counts_come_from_info_calls(
    hf_hub: Callable[..., RunningHub],
) -> None:
    world = hf_world(
        [
            hf_model("shlab/base-7b"),
            hf_model("shlab/base-7b-awq", base_model="shlab/base-7b", base_relation="quantized"),
            hf_model("fan/base-7b-chat", base_model="shlab/base-7b", base_relation="finetune"),
        ]
    )
    hub = hf_hub(world, HubOptions(listing_refuses=frozenset({"childrenModelCount"})))
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    base = {o.metric: o.value for o in result.observations if o.artifact.repo_id == "shlab/base-7b"}
    assert base[Metric.DERIVATIVES_QUANTIZED] == 1
    assert base[Metric.DERIVATIVES_FINETUNE] == 1
    assert base[Metric.DERIVATIVES_THIRD_PARTY] == 1
    assert _children_listings(hub) == 1


def _rate_limited(url: str) -> httpx2.Response:
    request = httpx2.Request("GET", url)
    return httpx2.Response(429, headers={"Retry-After": "0"}, request=request)


def test_a_wait_sat_out_by_several_threads_counts_once() -> None:
    endpoint = "http://127.0.0.1:9"
    # Two one-second waits side by side fit a 1.5 s budget only when counted as wall-clock time.
    ledger = HubLedger(endpoint, max_wait=1.5)
    both_told = threading.Barrier(2)

    def listing(path: str) -> None:
        ledger.on_response(_rate_limited(f"{endpoint}{path}"))  # http_backoff would sleep 1 s
        both_told.wait()
        ledger.on_request(httpx2.Request("GET", f"{endpoint}{path}"))  # held until the reset

    with ThreadPoolExecutor(2) as pool:
        for future in [
            pool.submit(listing, "/api/models?a"),
            pool.submit(listing, "/api/models?b"),
        ]:
            future.result()
    assert ledger.stats.requests == 2
    assert ledger.stats.rate_limit_waits == 1
    assert 1.0 <= ledger.stats.rate_limit_wait_seconds < 1.5


def test_each_thread_keeps_its_own_last_url() -> None:
    endpoint = "http://127.0.0.1:9"
    ledger = HubLedger(endpoint, max_wait=0)
    answered = threading.Barrier(2)

    def answer(path: str) -> str:
        url = f"{endpoint}{path}"
        ledger.on_response(httpx2.Response(200, request=httpx2.Request("GET", url)))
        answered.wait()  # both answers are in before either thread reads its URL
        return ledger.last_url

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(answer, "/api/models?filter=base_model:a/b")
        second = pool.submit(answer, "/api/models?filter=dataset:c/d")
        assert first.result().endswith("base_model:a/b")
        assert second.result().endswith("dataset:c/d")
