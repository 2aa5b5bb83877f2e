"""One release on several hubs is one product (`cross-hub`), on real naming habits."""

from __future__ import annotations

from pathlib import Path

from ossimpact.domain import ArtifactId, Organization, Product
from ossimpact.registry import Registry

LAB = Organization(
    "shanghai-ai-lab",
    "Shanghai AI Lab",
    huggingface=("internlm", "OpenGVLab", "opendatalab"),
    modelscope=("Shanghai_AI_Laboratory", "OpenGVLab"),
    opendatalab=("OpenDataLab",),
)
OTHER = Organization("other-lab", "Other Lab", huggingface=("other",), modelscope=("other",))


def _registry(*products: Product) -> Registry:
    return Registry(
        {LAB.id: LAB, OTHER.id: OTHER}, {p.id: p for p in products}, [], Path("registry.yaml")
    )


def _how(registry: Registry, *ids: str) -> dict[str, tuple[str, str]]:
    grouping = registry.group([ArtifactId.parse(i) for i in ids])
    return {str(m.artifact): (m.product.id, m.grouped_by) for m in grouping.rows()}


def test_a_modelscope_release_joins_its_hugging_face_family_under_another_owner() -> None:
    found = _how(
        _registry(),
        "hf:model:internlm/internlm2_5-7b-chat",
        "hf:model:internlm/internlm2_5-1_8b-chat",
        "ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat",
        "ms:model:Shanghai_AI_Laboratory/InternLM2_5-1_8B-Chat",  # case differs on ModelScope
        "ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat-GPTQ-Int4",  # a build only there
        "ms:model:Shanghai_AI_Laboratory/internlm2-7b-chat-GPTQ-Int4",  # another release
    )
    family = "family:hf:model:internlm/internlm2_5"
    assert found["hf:model:internlm/internlm2_5-7b-chat"] == (family, "family")
    assert found["ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat"] == (family, "cross-hub")
    assert found["ms:model:Shanghai_AI_Laboratory/InternLM2_5-1_8B-Chat"] == (family, "cross-hub")
    assert found["ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat-GPTQ-Int4"] == (
        family,
        "cross-hub",
    )
    assert found["ms:model:Shanghai_AI_Laboratory/internlm2-7b-chat-GPTQ-Int4"][1] == "own"


def test_a_registry_product_takes_its_mainland_twin_and_its_own_patterns_win() -> None:
    internvl = Product(
        "internvl3", "InternVL3", "model", LAB.id, include=("hf:model:OpenGVLab/InternVL3-*",)
    )
    mineru = Product(
        "mineru",
        "MinerU",
        "model",
        LAB.id,
        include=("hf:model:opendatalab/MinerU*", "ms:model:OpenGVLab/MinerU*"),
    )
    found = _how(
        _registry(internvl, mineru),
        "hf:model:OpenGVLab/InternVL3-8B",
        "ms:model:OpenGVLab/InternVL3-8B",
        "ms:model:OpenGVLab/MinerU2.0-2505-0.9B",
    )
    assert found["ms:model:OpenGVLab/InternVL3-8B"] == ("internvl3", "cross-hub")
    assert found["ms:model:OpenGVLab/MinerU2.0-2505-0.9B"] == ("mineru", "registry")


def test_no_twin_of_the_same_organisation_no_join() -> None:
    found = _how(
        _registry(),
        "hf:model:other/shared-name-7b",
        "ms:model:Shanghai_AI_Laboratory/shared-name-7b",  # another organisation's release
        "ms:model:Shanghai_AI_Laboratory/only-on-modelscope",
        "ms:dataset:Shanghai_AI_Laboratory/shared-name-7b",  # a dataset is no model's twin
        "odl:dataset:OpenDataLab/WanJuan1.0",
    )
    assert found["ms:model:Shanghai_AI_Laboratory/shared-name-7b"] == (
        "ms:model:Shanghai_AI_Laboratory/shared-name-7b",
        "own",
    )
    assert found["ms:model:Shanghai_AI_Laboratory/only-on-modelscope"][1] == "own"
    assert found["ms:dataset:Shanghai_AI_Laboratory/shared-name-7b"][1] == "own"
    assert found["odl:dataset:OpenDataLab/WanJuan1.0"] == (
        "odl:dataset:OpenDataLab/WanJuan1.0",
        "own",
    )
