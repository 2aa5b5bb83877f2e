"""Contract tests: ModelScope and OpenDataLab parsers against the shapes of tests/contracts, and
the fake servers' answers against the same parsers (the fakes must speak what we parse)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import httpx
import pytest

from collectors.modelscope.parse import (
    MalformedPayload,
    ModelScopeApiError,
    legacy_data,
    parse_legacy_dataset_page,
    parse_legacy_model_page,
    parse_openapi_page,
    parse_openapi_single,
    parse_time,
)
from collectors.opendatalab.parse import DatasetNotFound, parse_dataset_info
from collectors.opendatalab.parse import MalformedPayload as OdlMalformed
from ossimpact.domain import ArtifactId, InvalidArtifactId
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.mainland import MainlandOwners, derive_catalogue
from ossimpact.sandbox.model import World
from ossimpact.sandbox.modelscope import make_modelscope_app
from ossimpact.sandbox.opendatalab import make_opendatalab_app
from tests.contracts import mainland as samples


def test_openapi_model_page() -> None:
    page = parse_openapi_page(samples.OPENAPI_MODEL_PAGE, "model")
    assert page.total_count == 2
    assert page.page_size == 50
    chat, small = page.items
    assert (chat.owner, chat.name) == ("Shanghai_AI_Laboratory", "internlm2_5-7b-chat")
    assert (chat.downloads, chat.likes, chat.likes_field) == (1283411, 212, "likes")
    assert chat.created_at == datetime(2024, 7, 3, 8, 12, 45, tzinfo=UTC)
    assert chat.license == "Apache License 2.0"
    assert chat.tasks == ("text-generation",)
    assert small.created_at == datetime.fromtimestamp(1720000000, UTC)  # seconds
    assert small.last_modified == datetime.fromtimestamp(1736906400, UTC)  # milliseconds
    assert small.license is None  # "" is no licence


def test_openapi_dataset_page_uses_its_own_list_key() -> None:
    page = parse_openapi_page(samples.OPENAPI_DATASET_PAGE, "dataset")
    assert [item.repo_id for item in page.items] == ["OpenDataLab/OmniDocBench"]
    with pytest.raises(MalformedPayload, match="'models'"):
        parse_openapi_page(samples.OPENAPI_DATASET_PAGE, "model")


@pytest.mark.parametrize("body", [samples.OPENAPI_NOT_FOUND, samples.OPENAPI_FALSE_UNDER_200])
def test_success_false_is_an_error_whatever_the_status(body: dict[str, object]) -> None:
    with pytest.raises(ModelScopeApiError) as raised:
        parse_openapi_single(body, "model")
    assert raised.value.code == body["code"]
    assert raised.value.not_found == (body["code"] == "ResourceNotFound")


def test_openapi_bad_items_are_named() -> None:
    broken = copy.deepcopy(samples.OPENAPI_MODEL_PAGE)
    broken["data"]["models"][0]["downloads"] = "many"
    with pytest.raises(MalformedPayload, match="downloads"):
        parse_openapi_page(broken, "model")
    broken["data"]["models"][0] = {"id": "no-slash"}
    with pytest.raises(MalformedPayload, match="owner/name"):
        parse_openapi_page(broken, "model")


def test_legacy_model_page_reads_stars_as_likes_and_keeps_utc() -> None:
    page = parse_legacy_model_page(samples.LEGACY_MODEL_PAGE)
    (item,) = page.items
    assert item.repo_id == "Shanghai_AI_Laboratory/internlm2_5-7b-chat"
    assert (item.downloads, item.likes, item.likes_field) == (1283411, 212, "Stars")
    assert item.last_modified == datetime(2025, 1, 15, 2, 0, tzinfo=UTC)  # +08:00 → UTC
    assert item.tasks == ("text-generation",)
    assert item.private is False


def test_legacy_dataset_page_reads_likes_and_tag_objects() -> None:
    page = parse_legacy_dataset_page(samples.LEGACY_DATASET_PAGE)
    (item,) = page.items
    assert (item.owner, item.likes_field, item.likes) == ("OpenDataLab", "Likes", 33)
    assert item.tags == ("document",)
    assert item.created_at == datetime.fromtimestamp(1733788800, UTC)


def test_legacy_error_keeps_the_numeric_code_and_request_id() -> None:
    with pytest.raises(ModelScopeApiError) as raised:
        legacy_data(samples.LEGACY_ERROR)
    assert raised.value.code == "10010200001"
    assert raised.value.not_found  # 模型不存在
    assert "5d1f0a2e" in str(raised.value)


def test_parse_time_refuses_garbage() -> None:
    assert parse_time(None) is None
    assert parse_time("") is None
    with pytest.raises(MalformedPayload):
        parse_time("yesterday")


def test_opendatalab_info_says_which_field_each_count_came_from() -> None:
    dataset = parse_dataset_info(samples.OPENDATALAB_INFO)
    assert dataset.counts == {
        "downloads": 10321,
        "views": 88210,
        "downloads_7d": 210,
        "views_7d": 1980,
    }
    assert dataset.fields["downloads"] == "downloadCount"
    assert dataset.license == "Apache-2.0"
    assert dataset.publisher == ("OpenDataLab",)


def test_opendatalab_tolerates_other_count_names() -> None:
    dataset = parse_dataset_info(samples.OPENDATALAB_OTHER_FIELDS)
    assert dataset.counts == {"downloads": 1200, "views": 99000}
    assert dataset.fields == {"downloads": "download_count", "views": "viewNum"}
    assert dataset.license == "CC-BY-4.0"


def test_opendatalab_id_zero_is_not_found_and_junk_is_malformed() -> None:
    with pytest.raises(DatasetNotFound):
        parse_dataset_info(samples.OPENDATALAB_NOT_FOUND)
    with pytest.raises(OdlMalformed):
        parse_dataset_info({"data": {"id": 5, "name": "x", "viewCount": -1}})
    with pytest.raises(OdlMalformed):
        parse_dataset_info({"msg": "no data"})


@pytest.mark.parametrize(
    ("text", "platform", "kind"),
    [
        ("ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat", "ms", "model"),
        ("ms:dataset:OpenDataLab/OmniDocBench", "ms", "dataset"),
        ("odl:dataset:OpenDataLab/OmniDocBench", "od", "dataset"),
    ],
)
def test_mainland_artifact_ids_round_trip(text: str, platform: str, kind: str) -> None:
    artifact = ArtifactId.parse(text)
    assert (artifact.platform, artifact.kind) == (platform, kind)
    assert str(artifact) == text
    assert len(artifact.platform) <= 2  # the store's platform column is String(2)
    assert artifact.web_url.startswith(("https://modelscope.cn/", "https://opendatalab.com/"))


@pytest.mark.parametrize("text", ["odl:model:a/b", "ms:repo:a/b", "od:dataset:a/b", "ms:a/b"])
def test_malformed_mainland_ids_are_refused(text: str) -> None:
    with pytest.raises(InvalidArtifactId):
        ArtifactId.parse(text)


# -- the fakes speak the shapes we parse ---------------------------------------------------------


def test_fake_modelscope_answers_parse(small_world: World) -> None:
    owners = MainlandOwners(modelscope={"internlm": "Shanghai_AI_Laboratory"})
    catalogue = derive_catalogue(small_world, owners)
    owner_repo = next(r for r in catalogue.ms_models.values() if r.hf_twin)
    server = FakeServer(
        lambda url: make_modelscope_app(small_world, url, catalogue=catalogue), name="ms"
    ).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            listing = client.get(
                "/openapi/v1/models", params={"owner": owner_repo.owner, "page_size": 50}
            )
            page = parse_openapi_page(listing.json(), "model")
            assert owner_repo.repo_id in {item.repo_id for item in page.items}
            one = client.get(f"/openapi/v1/models/{owner_repo.repo_id}").json()
            assert parse_openapi_single(one, "model").downloads == owner_repo.downloads
            legacy = client.put(
                "/api/v1/models/", json={"Path": owner_repo.owner, "PageNumber": 1, "PageSize": 5}
            )
            assert parse_legacy_model_page(legacy.json()).total_count == page.total_count
            missing = client.get("/api/v1/models/nobody/nothing")
            assert missing.status_code == 404
            with pytest.raises(ModelScopeApiError) as raised:
                legacy_data(missing.json())
            assert raised.value.code.isdigit()
            assert raised.value.not_found
            too_big = client.get("/openapi/v1/models", params={"owner": "x", "page_size": 51})
            assert too_big.status_code == 400
            past = client.get(
                "/openapi/v1/models", params={"owner": "x", "page_size": 50, "page_number": 61}
            )
            assert past.status_code == 400
            assert past.json()["code"] == "InputParameterError"
            owner_datasets = {r.owner for r in catalogue.ms_datasets.values()}
            for owner in owner_datasets:
                answer = client.get("/api/v1/datasets", params={"owner": owner, "PageSize": 50})
                assert parse_legacy_dataset_page(answer.json()).items
    finally:
        server.stop()


def test_fake_opendatalab_answers_parse(small_world: World) -> None:
    catalogue = derive_catalogue(small_world, MainlandOwners())
    entry = next(iter(catalogue.odl_datasets.values()))
    server = FakeServer(
        lambda url: make_opendatalab_app(small_world, url, catalogue=catalogue), name="odl"
    ).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            path = f"/datasets/api/v2/datasets/{entry.owner}%2C{entry.name}"
            dataset = parse_dataset_info(client.get(path).json())
            assert dataset.counts["downloads"] == entry.downloads
            gone = client.get("/datasets/api/v2/datasets/nobody%2Cnothing")
            assert gone.status_code == 200
            with pytest.raises(DatasetNotFound):
                parse_dataset_info(gone.json())
    finally:
        server.stop()


def test_export_links_of_mainland_products() -> None:
    from ossimpact.domain import Product
    from ossimpact.export.links import product_url

    family = Product(
        "internlm-ms", "InternLM", "model", "lab", ("ms:model:Shanghai_AI_Laboratory/internlm3-*",)
    )
    assert product_url(family.id, family, list) == (
        "https://modelscope.cn/organization/Shanghai_AI_Laboratory"
    )
    stored = [ArtifactId.ms_model("Shanghai_AI_Laboratory/internlm3-8b-instruct")]
    assert product_url(family.id, family, lambda: stored) == (
        "https://modelscope.cn/models/Shanghai_AI_Laboratory/internlm3-8b-instruct"
    )
    corpus = Product("c", "C", "corpus", "lab", ("odl:dataset:OpenDataLab/OmniDocBench",))
    assert (
        product_url(corpus.id, corpus, list) == "https://opendatalab.com/OpenDataLab/OmniDocBench"
    )
