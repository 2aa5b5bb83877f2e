"""The Hugging Face collector: the real huggingface_hub client against the fake Hub."""

from __future__ import annotations

import time
from collections import Counter

from collectors.huggingface import HuggingFaceCollector
from ossimpact.domain import ArtifactId, CollectionResult, Metric
from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.huggingface import REMOVE, HubOptions
from ossimpact.sandbox.model import HfCollection, HfEvalResult
from tests.fixtures.hf_sandbox import hf_dataset, hf_model, hf_world


def figures(result: CollectionResult, artifact: str) -> dict[str, float]:
    aid = ArtifactId.parse(artifact)
    return {o.metric: o.value for o in result.observations if o.artifact == aid}


def org_world(n_models: int = 3):
    models = [
        hf_model(
            f"shlab/model-{i}",
            downloads_30d=100 + i,
            downloads_all_time=1000 + i,
            likes=i,
            datasets=["shlab/corpus"],
        )
        for i in range(n_models)
    ]
    return hf_world(models, [hf_dataset("shlab/corpus")])


def test_normal_org_figures_equal_the_world(hf_hub):
    world = org_world(3)
    world.models["shlab/model-0"].eval_results = [
        HfEvalResult("cais/mmlu", "mmlu", 71.5, verified=True),
        HfEvalResult("openai/gsm8k", "gsm8k", 60.0, verified=False, in_model_index=False),
    ]
    world.models["shlab/model-0"].spaces = ["someone/demo"]
    hub = hf_hub(world)
    result = HuggingFaceCollector(hub.url).collect(["shlab"])

    assert not result.failures
    for model in world.models.values():
        got = figures(result, f"hf:model:{model.id}")
        assert got[Metric.DOWNLOADS_30D] == model.downloads_30d
        assert got[Metric.DOWNLOADS_ALL_TIME] == model.downloads_all_time
        assert got[Metric.LIKES] == model.likes
        assert got[Metric.PARAMETERS] == model.parameters
    assert figures(result, "hf:model:shlab/model-0")[Metric.SPACES] == 1
    corpus = figures(result, "hf:dataset:shlab/corpus")
    assert corpus[Metric.DOWNLOADS_30D] == 300
    assert corpus[Metric.MODELS_TRAINED_ON] == 3
    records = {r.id: r for r in result.artifacts}
    model0 = records[ArtifactId.parse("hf:model:shlab/model-0")]
    assert model0.tracked
    assert model0.license == "apache-2.0"
    assert model0.gated is False
    assert model0.pipeline_tag == "text-generation"
    assert model0.library == "transformers"
    trained = {(e.source, e.target) for e in result.edges if e.relation == "trained_on"}
    assert (ArtifactId.parse("hf:dataset:shlab/corpus"), model0.id) in trained
    benchmarks = {(b.source, b.benchmark, b.trust) for b in result.benchmark_results}
    assert ("hf_eval_results", "mmlu", "verified") in benchmarks
    assert ("hf_eval_results", "gsm8k", "self_reported") in benchmarks
    assert ("model_index", "mmlu", "self_reported") in benchmarks
    assert all(o.source_url.startswith(hub.url + "/api/") for o in result.observations)
    assert result.stats.requests == hub.server.requests


def test_absent_figure_stays_absent(hf_hub):
    world = org_world(2)
    options = HubOptions(item_overrides={"shlab/model-1": {"downloadsAllTime": REMOVE}})
    hub = hf_hub(world, options)
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    got = figures(result, "hf:model:shlab/model-1")
    assert Metric.DOWNLOADS_ALL_TIME not in got
    assert got[Metric.DOWNLOADS_30D] == 101
    assert not result.failures


def test_pagination_over_several_pages(hf_hub):
    world = org_world(23)
    hub = hf_hub(world, HubOptions(page_size=5))
    result = HuggingFaceCollector(hub.url, page_size=5).collect(["shlab"])
    tracked = [r for r in result.artifacts if r.tracked and r.id.kind == "model"]
    assert len(tracked) == 23
    assert hub.app.requests["list_models"] >= 5  # 23 models at 5 a page, plus trained-on pages


def test_requests_grow_with_pages_not_with_models(hf_hub):
    def requests_for(n: int) -> int:
        hub = hf_hub(org_world(n), HubOptions(page_size=100))
        result = HuggingFaceCollector(hub.url, page_size=100).collect(["shlab"])
        assert len([r for r in result.artifacts if r.id.kind == "model"]) == n
        return result.stats.requests

    small, large = requests_for(50), requests_for(500)
    # 450 more models cost 4 more model pages and 4 more trained-on pages, not 450 requests
    assert large - small <= 10


def test_mirror_endpoint_is_the_only_host_reached(hf_hub):
    decoy = hf_hub(org_world(2))
    mirror = hf_hub(org_world(2))
    result = HuggingFaceCollector(mirror.url).collect(["shlab"])
    assert decoy.server.requests == 0
    assert mirror.server.requests == result.stats.requests > 0
    assert all(o.source_url.startswith(mirror.url) for o in result.observations)


def test_explicit_repos_not_found_gated_disabled_renamed(hf_hub):
    world = hf_world(
        [
            hf_model("other/gated-model", gated="manual"),
            hf_model("other/off", disabled=True),
            hf_model("old/name", renamed_to="new/name", downloads_30d=77),
        ]
    )
    hub = hf_hub(world)
    explicit = [
        ArtifactId.parse("hf:model:other/missing"),
        ArtifactId.parse("hf:model:other/gated-model"),
        ArtifactId.parse("hf:model:other/off"),
        ArtifactId.parse("hf:model:old/name"),
        ArtifactId.parse("hf:dataset:other/missing-corpus"),
    ]
    result = HuggingFaceCollector(hub.url).collect([], explicit)
    reasons = {(f.subject, f.reason) for f in result.failures}
    assert ("hf:model:other/missing", "not_found") in reasons
    assert ("hf:dataset:other/missing-corpus", "not_found") in reasons
    assert ("hf:model:other/off", "disabled") in reasons
    assert ("hf:model:old/name", "renamed") in reasons
    records = {str(r.id): r for r in result.artifacts}
    assert records["hf:model:other/gated-model"].gated is True  # info is public when gated
    assert records["hf:model:other/gated-model"].extra["gated_mode"] == "manual"
    renamed = records["hf:model:new/name"]
    assert renamed.renamed_from == ArtifactId.parse("hf:model:old/name")
    assert figures(result, "hf:model:new/name")[Metric.DOWNLOADS_ALL_TIME] == 5000
    assert "hf:model:old/name" not in records


def test_gated_repo_refused_is_marked_gated(hf_hub):
    world = hf_world([hf_model("other/gated-model", gated="auto")])
    hub = hf_hub(world, HubOptions(refuse_gated_info=True))
    result = HuggingFaceCollector(hub.url).collect(
        [], [ArtifactId.parse("hf:model:other/gated-model")]
    )
    assert [(f.subject, f.reason) for f in result.failures] == [
        ("hf:model:other/gated-model", "gated")
    ]


def test_429_with_retry_after_on_a_list_page(hf_hub):
    hub = hf_hub(org_world(12), HubOptions(page_size=5))
    hub.plan.add(Fault("rate_limit", path_pattern=r"/api/models\?.*cursor", retry_after=0))
    started = time.monotonic()
    result = HuggingFaceCollector(hub.url, page_size=5).collect(["shlab"])
    assert time.monotonic() - started < 10
    assert result.stats.rate_limit_waits == 1
    assert result.stats.rate_limit_wait_seconds == 1.0  # http_backoff sleeps t + 1
    assert len([r for r in result.artifacts if r.id.kind == "model"]) == 12
    assert not result.failures
    assert result.stats.stopped_reason is None


def test_wait_budget_exhausted_stops_cleanly_keeping_data(hf_hub):
    hub = hf_hub(org_world(12), HubOptions(page_size=5))
    hub.plan.add(Fault("rate_limit", path_pattern=r"cursor", retry_after=30, times=None))
    started = time.monotonic()
    result = HuggingFaceCollector(hub.url, page_size=5, max_rate_limit_wait=5).collect(
        ["shlab", "other"]
    )
    assert time.monotonic() - started < 5
    assert result.stats.stopped_reason
    assert "budget" in result.stats.stopped_reason
    assert result.stats.rate_limit_waits == 0
    # the first page was kept
    assert len([r for r in result.artifacts if r.id.kind == "model"]) == 5


def test_polite_wait_when_quota_used_up(hf_hub):
    hub = hf_hub(org_world(2), HubOptions(quota=2, window_seconds=1))
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    assert not result.failures
    assert result.stats.rate_limit_waits >= 1
    assert len([r for r in result.artifacts if r.id.kind == "model"]) == 2


def test_malformed_items_are_marked_and_the_rest_kept(hf_hub):
    world = org_world(4)
    options = HubOptions(
        item_overrides={
            "shlab/model-1": {"downloads": "lots"},
            "shlab/model-2": {"id": REMOVE},
        }
    )
    hub = hf_hub(world, options)
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    failures = {(f.subject, f.reason): f.detail for f in result.failures}
    assert "downloads_30d is 'lots'" in failures[("hf:model:shlab/model-1", "malformed")]
    assert "no usable id" in failures[("hf:org:shlab", "malformed")]
    assert Metric.DOWNLOADS_30D not in figures(result, "hf:model:shlab/model-1")
    assert figures(result, "hf:model:shlab/model-1")[Metric.LIKES] == 1
    kept = {str(r.id) for r in result.artifacts if r.tracked and r.id.kind == "model"}
    assert kept == {"hf:model:shlab/model-0", "hf:model:shlab/model-1", "hf:model:shlab/model-3"}


def derivative_world():
    base = hf_model("shlab/base-7b")
    children = [
        hf_model("shlab/base-7b-awq", base_model="shlab/base-7b", base_relation="quantized"),
        hf_model("fan/base-7b-gguf", base_model="shlab/base-7b", base_relation="quantized"),
        hf_model("fan/base-7b-chat", base_model="shlab/base-7b", base_relation="finetune"),
        hf_model("lab/base-lora", base_model="shlab/base-7b", base_relation="adapter"),
        hf_model("lab/merged", base_model="shlab/base-7b", base_relation="merge"),
        hf_model("lab/merged-2", base_model="shlab/base-7b", base_relation="merge"),
    ]
    return hf_world([base, *children])


def check_derivatives(result: CollectionResult) -> None:
    got = figures(result, "hf:model:shlab/base-7b")
    assert got[Metric.DERIVATIVES_QUANTIZED] == 2
    assert got[Metric.DERIVATIVES_FINETUNE] == 1
    assert got[Metric.DERIVATIVES_ADAPTER] == 1
    assert got[Metric.DERIVATIVES_MERGE] == 2
    assert got[Metric.DERIVATIVES_THIRD_PARTY] == 5  # the awq quantisation is official
    base = ArtifactId.parse("hf:model:shlab/base-7b")
    edges = Counter(e.relation for e in result.edges if e.source == base)
    assert edges == {"quantized": 2, "finetune": 1, "adapter": 1, "merge": 2}
    records = {str(r.id): r for r in result.artifacts}
    assert records["hf:model:fan/base-7b-gguf"].tracked is False
    assert records["hf:model:shlab/base-7b-awq"].tracked is True


def test_derivatives_per_relation_same_org_and_outside(hf_hub):
    hub = hf_hub(derivative_world())
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    check_derivatives(result)
    assert hub.app.requests["model_info"] == 0
    # the derivative of the org's own derivative has no children: no children listing for it
    assert not figures(result, "hf:model:shlab/base-7b-awq").get(Metric.DERIVATIVES_FINETUNE)


def test_derivatives_when_listing_refuses_children_counts(hf_hub):
    hub = hf_hub(derivative_world(), HubOptions(listing_refuses=frozenset({"childrenModelCount"})))
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    check_derivatives(result)
    # info calls only for models that may have children (the awq quantisation is a leaf)
    assert hub.app.requests["model_info"] == 1


def test_models_trained_on_a_corpus_across_the_hub(hf_hub):
    world = hf_world(
        [
            hf_model("shlab/m", datasets=["shlab/corpus"]),
            hf_model("fan/x", datasets=["shlab/corpus"]),
            hf_model("fan/y", datasets=["shlab/corpus", "other/c"]),
            hf_model("fan/z", datasets=["other/c"]),
        ],
        [hf_dataset("shlab/corpus")],
    )
    hub = hf_hub(world)
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    assert figures(result, "hf:dataset:shlab/corpus")[Metric.MODELS_TRAINED_ON] == 3
    corpus = ArtifactId.parse("hf:dataset:shlab/corpus")
    targets = {str(e.target) for e in result.edges if e.source == corpus}
    assert targets == {"hf:model:shlab/m", "hf:model:fan/x", "hf:model:fan/y"}
    assert "hf:model:fan/z" not in {str(r.id) for r in result.artifacts}


def test_collections_become_suggested_groups(hf_hub):
    world = org_world(6)
    world.collections = [
        HfCollection(
            "shlab/Family-0123abcd", "shlab", "Family", [f"shlab/model-{i}" for i in range(6)]
        ),
        HfCollection("shlab/Data-4567abcd", "shlab", "Data", ["shlab/corpus"], item_type="dataset"),
        HfCollection("fan/Mine-89abcdef", "fan", "Mine", ["shlab/model-0"]),
    ]
    hub = hf_hub(world)
    result = HuggingFaceCollector(hub.url).collect(["shlab"])
    groups = result.suggested_groups
    assert set(groups) == {"shlab/Family", "shlab/Data"}
    assert len(groups["shlab/Family"]) == 6  # the truncated listing was completed
    assert groups["shlab/Data"] == [ArtifactId.parse("hf:dataset:shlab/corpus")]


def test_token_is_sent_but_never_in_results(hf_hub):
    hub = hf_hub(hf_world([hf_model("shlab/m")]))
    secret = "hf_secret_token_value"
    collector = HuggingFaceCollector(hub.url, token=secret)
    result = collector.collect(["shlab"], [ArtifactId.parse("hf:model:shlab/missing")])
    assert secret not in repr(collector)
    assert secret not in repr(result)


def test_generated_world_costs_under_one_request_per_artifact(hf_hub, small_world):
    hub = hf_hub(small_world)
    result = HuggingFaceCollector(hub.url).collect(list(small_world.hf_authors))
    tracked = [r for r in result.artifacts if r.tracked]
    assert tracked
    assert result.stats.requests / len(tracked) < 1.0
    assert result.stats.stopped_reason is None
