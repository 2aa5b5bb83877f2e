"""Contract tests: our parsing of the Hub's recorded real answers, and the fake Hub's likeness."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from huggingface_hub import ModelInfo

from collectors.huggingface.derivatives import base_relations, children_by_relation
from collectors.huggingface.parse import (
    Fetch,
    MalformedItem,
    model_info_from_item,
    parse_model,
)
from ossimpact.domain import ArtifactId, Metric
from ossimpact.sandbox.huggingface import MODEL_INFO_DEFAULT, make_hf_app
from ossimpact.sandbox.model import HfEvalResult
from scoring.eligibility import artifact_licence
from tests.fixtures.hf_sandbox import hf_model, hf_world
from tests.shared_dir import API_SAMPLES

BODIES = API_SAMPLES / "huggingface" / "bodies"
FETCH = Fetch(datetime(2026, 11, 1, tzinfo=UTC), "https://huggingface.co/api/models/x")

ROBERTA = "model_info_deepset_roberta-base-squad2.json"
RECORDED = [
    ROBERTA,
    "model_info_google-bert_bert-base-uncased.json",
    "model_info_stabilityai_stable-diffusion-2-1.json",
]
# the keys of an info answer the collector reads
USED_KEYS = {
    "id",
    "author",
    "tags",
    "downloads",
    "likes",
    "lastModified",
    "createdAt",
    "gated",
    "disabled",
    "cardData",
    "pipeline_tag",
    "library_name",
    "spaces",
    "model-index",
    "private",
}


def recorded(name: str) -> dict[str, object]:
    return json.loads((BODIES / name).read_text())


def test_roberta_card_parses_to_figures_edges_and_17_results():
    parsed = parse_model(
        model_info_from_item(recorded(ROBERTA)), owner_handle="deepset", tracked=True, fetch=FETCH
    )
    assert not parsed.problems
    artifact = ArtifactId.parse("hf:model:deepset/roberta-base-squad2")
    figures = {o.metric: o.value for o in parsed.observations}
    body = recorded(ROBERTA)
    assert figures[Metric.DOWNLOADS_30D] == body["downloads"]
    assert figures[Metric.LIKES] == body["likes"]
    assert figures[Metric.PARAMETERS] == 124057092
    assert figures[Metric.SPACES] == 100
    assert Metric.DOWNLOADS_ALL_TIME not in figures  # not in this answer: absent, not zero
    assert parsed.record.license == "cc-by-4.0"
    assert parsed.record.language == "en"
    assert parsed.record.pipeline_tag == "question-answering"
    assert parsed.record.gated is False
    edges = {(str(e.source), e.relation) for e in parsed.edges}
    assert ("hf:model:FacebookAI/roberta-base", "finetune") in edges
    results = [b for b in parsed.benchmark_results if b.source == "model_index"]
    assert len(results) == 17
    first = results[0]
    assert (first.benchmark, first.metric, first.value) == ("squad_v2", "exact_match", 79.9309)
    assert first.trust == "self_reported"
    assert first.split == "validation"
    assert all(b.artifact == artifact for b in results)


def test_card_base_model_as_the_client_reads_it():
    info = ModelInfo(**recorded(ROBERTA))
    assert info.card_data is not None
    assert info.card_data.base_model == ["FacebookAI/roberta-base"]
    assert base_relations(info.id, info.tags or []) == [("finetune", "FacebookAI/roberta-base")]


@pytest.mark.parametrize("name", RECORDED)
def test_every_recorded_body_parses_without_problems(name):
    parsed = parse_model(
        model_info_from_item(recorded(name)), owner_handle="x", tracked=True, fetch=FETCH
    )
    assert not parsed.problems
    assert parsed.record.created_at is not None


def test_item_without_id_is_malformed():
    body = recorded(ROBERTA)
    del body["id"]
    with pytest.raises(MalformedItem, match="no usable id"):
        model_info_from_item(body)


def test_children_counts_by_relation():
    problems: list[str] = []
    assert children_by_relation({"adapter": 716, "quantized": 190}, problems) == {
        "adapter": 716,
        "quantized": 190,
    }
    assert children_by_relation(None, problems) is None
    assert children_by_relation({"merge": "many"}, problems) == {}
    assert problems == ["childrenModelCount['merge'] is 'many'"]


def sandbox_info(fields: list[str] | None = None) -> dict[str, object]:
    model = hf_model(
        "shlab/m",
        base_model="shlab/base",
        base_relation="finetune",
        datasets=["shlab/corpus"],
        eval_results=[HfEvalResult("cais/mmlu", "mmlu", 70.0, verified=True)],
    )
    world = hf_world([model, hf_model("shlab/base")])
    app = make_hf_app(world, "http://127.0.0.1:1")
    return app.index.model_item("shlab/m", fields or MODEL_INFO_DEFAULT)


@pytest.mark.parametrize("name", RECORDED)
def test_sandbox_info_has_the_recorded_keys_and_types(name):
    real = recorded(name)
    fake = sandbox_info()
    for key in sorted(USED_KEYS & set(real)):
        assert key in fake, key
        if real[key] is not None and fake[key] is not None:
            assert type(fake[key]) is type(real[key]), key
    assert set(real["cardData"]) & {"license", "datasets", "base_model"} <= set(fake["cardData"])


def test_sandbox_info_parses_like_a_real_one():
    parsed = parse_model(
        model_info_from_item(sandbox_info()), owner_handle="shlab", tracked=True, fetch=FETCH
    )
    assert not parsed.problems
    assert ("finetune", "shlab/base") in {(e.relation, e.source.repo_id) for e in parsed.edges}
    assert [b.metric for b in parsed.benchmark_results if b.source == "model_index"] == ["accuracy"]


def test_an_other_licence_keeps_its_name_and_file_for_the_eligibility_check():
    body = dict(recorded(ROBERTA))
    body["cardData"] = {
        **body.get("cardData", {}),
        "license": "other",
        "license_name": "qwen-research",
        "license_link": "https://huggingface.co/Qwen/Qwen2.5-3B/blob/main/LICENSE",
    }
    parsed = parse_model(
        model_info_from_item(body), owner_handle="deepset", tracked=True, fetch=FETCH
    )
    assert parsed.record.license == "other"
    assert parsed.record.extra["license_name"] == "qwen-research"
    assert parsed.record.extra["license_link"].endswith("/LICENSE")
    assert artifact_licence(parsed.record).openness == "non-commercial"
