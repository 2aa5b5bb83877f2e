"""The fake Hub speaks the wire format the real huggingface_hub client expects."""

from __future__ import annotations

import httpx2
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError, DisabledRepoError, RepositoryNotFoundError

from ossimpact.sandbox.huggingface import HubOptions
from tests.fixtures.hf_sandbox import hf_model, hf_world


def test_listing_pages_with_absolute_links_and_expand_only(hf_hub):
    hub = hf_hub(hf_world([hf_model(f"org/m{i}") for i in range(7)]), HubOptions(page_size=3))
    first = httpx2.get(f"{hub.url}/api/models", params={"author": "org", "expand": ["likes"]})
    assert first.links["next"]["url"].startswith(f"{hub.url}/api/models?")
    assert set(first.json()[0]) == {"_id", "id", "likes"}
    assert first.headers["RateLimit"].startswith('"api";r=')
    api = HfApi(endpoint=hub.url, token=False)
    ids = [m.id for m in api.list_models(author="org", expand=["downloads"])]
    assert ids == [f"org/m{i}" for i in range(7)]
    assert hub.app.requests["list_models"] == 1 + 3


def test_unknown_expand_is_refused(hf_hub):
    hub = hf_hub(hf_world([hf_model("org/m")]))
    api = HfApi(endpoint=hub.url, token=False)
    with pytest.raises(BadRequestError):
        list(api.list_models(author="org", expand=["stars"]))  # type: ignore[list-item]


def test_info_errors_map_to_the_clients_exceptions(hf_hub):
    hub = hf_hub(hf_world([hf_model("org/off", disabled=True), hf_model("a/b", renamed_to="c/d")]))
    api = HfApi(endpoint=hub.url, token=False)
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("org/missing")
    with pytest.raises(DisabledRepoError):
        api.model_info("org/off")
    assert api.model_info("a/b").id == "c/d"


def test_filters_by_relation_and_dataset(hf_hub):
    world = hf_world(
        [
            hf_model("org/base"),
            hf_model("x/q", base_model="org/base", base_relation="quantized"),
            hf_model("x/f", base_model="org/base", base_relation="finetune", datasets=["org/d"]),
        ]
    )
    api = HfApi(endpoint=hf_hub(world).url, token=False)
    assert [m.id for m in api.list_models(filter="base_model:quantized:org/base")] == ["x/q"]
    assert {m.id for m in api.list_models(filter="base_model:org/base")} == {"x/q", "x/f"}
    assert [m.id for m in api.list_models(trained_dataset="org/d")] == ["x/f"]
    info = api.model_info("org/base", expand=["childrenModelCount"])
    assert info.children_model_count == {"quantized": 1, "finetune": 1}
