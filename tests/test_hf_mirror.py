"""Behind a mirror (HF_ENDPOINT=https://hf-mirror.com), the Hub's `Link: rel="next"` URLs still
name huggingface.co: they are followed on the configured endpoint, never off it."""

from __future__ import annotations

from collectors.huggingface import HuggingFaceCollector
from collectors.huggingface.client import on_endpoint
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.huggingface import make_hf_app
from tests.fixtures.hf_sandbox import hf_model, hf_world


def test_a_public_hub_link_is_rewritten_to_the_mirror() -> None:
    link = "https://huggingface.co/api/models?author=internlm&cursor=abc&limit=2"
    assert on_endpoint(link, "https://hf-mirror.com") == (
        "https://hf-mirror.com/api/models?author=internlm&cursor=abc&limit=2"
    )
    assert on_endpoint(link, "http://127.0.0.1:8080/hub") == (
        "http://127.0.0.1:8080/hub/api/models?author=internlm&cursor=abc&limit=2"
    )
    assert on_endpoint(link, "https://huggingface.co") == link  # no mirror: as it is
    other = "https://elsewhere.example/api/models?cursor=x"
    assert on_endpoint(other, "https://hf-mirror.com") == other  # refused later, not rewritten
    assert on_endpoint(None, "https://hf-mirror.com") is None


def test_a_listing_through_a_mirror_reads_every_page() -> None:
    world = hf_world([hf_model(f"internlm/model-{i}") for i in range(7)])
    # a mirror that passes the Hub's own absolute links through, as hf-mirror.com does
    mirror = FakeServer(lambda _url: make_hf_app(world, "https://huggingface.co")).start()
    try:
        result = HuggingFaceCollector(mirror.url, page_size=2).collect(["internlm"])
    finally:
        mirror.stop()
    assert not result.failures, result.failures
    found = {str(a.id) for a in result.artifacts if a.tracked}
    assert {f"hf:model:internlm/model-{i}" for i in range(7)} <= found
