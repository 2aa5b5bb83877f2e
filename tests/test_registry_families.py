"""Release families and the one membership rule, on real naming habits (no store)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from ossimpact.domain import ArtifactId, Edge, Organization, Product
from ossimpact.registry import Registry, check_registry, load_registry, stem
from ossimpact.registry.families import infer_families
from ossimpact.registry.suggest import suggested_families, suggestion_yaml
from ossimpact.sandbox.catalogue import CATALOGUE, catalogue_for
from ossimpact.sandbox.world import generate_world

NOW = datetime(2026, 11, 1, tzinfo=UTC)
LAB = Organization(
    "shanghai-ai-lab",
    "Shanghai AI Lab",
    huggingface=("OpenGVLab", "internlm", "opendatalab", "Alpha-VLLM"),
    github=("InternLM",),
)
STEP = Organization("stepfun", "StepFun", huggingface=("stepfun-ai",))
REGISTRY_YAML = Path(__file__).resolve().parents[1] / "ossimpact" / "data" / "registry.yaml"


def _model(repo_id: str) -> ArtifactId:
    return ArtifactId.hf_model(repo_id)


def _registry(
    *products: Product, options: dict[str, tuple[list[str], bool]] | None = None
) -> Registry:
    return Registry(
        {LAB.id: LAB, STEP.id: STEP},
        {p.id: p for p in products},
        [],
        Path("registry.yaml"),
        options,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("InternVL3_5-241B-A28B-HF", "InternVL3_5"),
        ("InternVL3_5-30B-A3B", "InternVL3_5"),
        ("internlm2_5-1_8b-chat", "internlm2_5"),
        ("internlm2_5-7b-chat-1m", "internlm2_5"),
        ("internlm2_5-20b-chat-gguf", "internlm2_5"),
        ("InternVL2-Llama3-76B-AWQ", "InternVL2-Llama3"),
        ("Mini-InternVL-Chat-2B-V1-5", "Mini-InternVL-V1-5"),
        ("MinerU2.0-2505-0.9B", "MinerU2.0-2505"),
        ("internlm-xcomposer2d5-7b", "internlm-xcomposer2d5"),
        ("Intern-S1-FP8", "Intern-S1"),
        ("InternVL2_5-78B-MPO-AWQ", "InternVL2_5-MPO"),
        ("internlm2-chat-20b-4bits", "internlm2"),
        ("InternVL3-8B-Instruct", "InternVL3"),
        ("InternVL3-2B-hf", "InternVL3"),
        ("internlm2-7b-reward", "internlm2"),
        ("Qwen3-30B-A3B-GPTQ-Int4", "Qwen3"),
        ("Model-8", "Model-8"),
        ("Model-57", "Model-57"),
        ("Step3-VL-10B", "Step3-VL"),
    ],
)
def test_stem_drops_sizes_builds_and_variants_but_keeps_releases(name: str, expected: str) -> None:
    assert stem(name) == expected


def test_four_internvl_releases_and_two_internlm_releases_stay_apart() -> None:
    names = [
        *(f"OpenGVLab/InternVL2-{s}" for s in ("1B", "2B", "8B", "8B-AWQ", "76B")),
        *(f"OpenGVLab/InternVL2_5-{s}" for s in ("1B", "8B", "78B-AWQ")),
        *(f"OpenGVLab/InternVL3-{s}" for s in ("2B", "8B-Instruct", "14B-hf")),
        *(f"OpenGVLab/InternVL3_5-{s}" for s in ("8B", "241B-A28B-HF", "20B-A4B")),
        *(f"internlm/internlm2-{s}" for s in ("1_8b", "chat-7b", "chat-20b-sft")),
        *(f"internlm/internlm2_5-{s}" for s in ("1_8b-chat", "7b-chat-1m", "20b")),
        "internlm/Model-8",
        "internlm/Model-57",
    ]
    grouping = _registry().group([_model(n) for n in names])
    families = {
        pid: sorted(a.name for a in members)
        for pid, members in grouping.members.items()
        if grouping.grouped_by[members[0]] == "family"
    }
    assert set(families) == {
        "family:hf:model:OpenGVLab/InternVL2",
        "family:hf:model:OpenGVLab/InternVL2_5",
        "family:hf:model:OpenGVLab/InternVL3",
        "family:hf:model:OpenGVLab/InternVL3_5",
        "family:hf:model:internlm/internlm2",
        "family:hf:model:internlm/internlm2_5",
    }
    assert families["family:hf:model:OpenGVLab/InternVL2"] == [
        "InternVL2-1B", "InternVL2-2B", "InternVL2-76B", "InternVL2-8B", "InternVL2-8B-AWQ",
    ]  # fmt: skip
    assert grouping.products["family:hf:model:OpenGVLab/InternVL3_5"].name == "InternVL3_5"
    assert grouping.products["family:hf:model:internlm/internlm2_5"].organization == LAB.id
    # a bare number is a release: each stays a product of its own, with its artifact id
    for lone in ("internlm/Model-8", "internlm/Model-57"):
        artifact = _model(lone)
        assert grouping.grouped_by[artifact] == "own"
        assert grouping.members[str(artifact)] == [artifact]


def test_explicit_products_win_and_exclude_and_separate_are_honoured() -> None:
    internvl3 = Product(
        "internvl3", "InternVL3", "model", LAB.id, include=("hf:model:opengvlab/internvl3-*",)
    )
    frozen = Product(
        "internvl2-5-apart", "InternVL2.5 builds", "model", LAB.id,
        include=("hf:model:OpenGVLab/InternVL2_5-*",),
    )  # fmt: skip
    registry = _registry(
        internvl3,
        frozen,
        options={
            "internvl3": (["hf:model:OpenGVLab/InternVL3-*-hf"], False),
            frozen.id: ([], True),
        },
    )
    artifacts = [
        _model("OpenGVLab/InternVL3-8B"),
        _model("OpenGVLab/internvl3-2b"),  # case-insensitive on owner and name
        _model("OpenGVLab/InternVL3-8B-hf"),
        _model("OpenGVLab/InternVL3-2B-hf"),
        _model("OpenGVLab/InternVL2_5-8B"),
        _model("OpenGVLab/InternVL2_5-8B-AWQ"),
    ]
    grouping = registry.group(artifacts)
    assert grouping.members["internvl3"] == artifacts[:2]
    assert all(grouping.grouped_by[a] == "registry" for a in artifacts[:2])
    # excluded from the explicit product: the -hf ports form their own family
    assert grouping.members["family:hf:model:OpenGVLab/InternVL3"] == artifacts[2:4]
    # separate: each stays alone, never inferred into a family
    assert grouping.members[str(artifacts[4])] == [artifacts[4]]
    assert grouping.members[str(artifacts[5])] == [artifacts[5]]
    assert grouping.grouped_by[artifacts[5]] == "own"
    assert frozen.id not in grouping.products


def test_membership_is_case_insensitive_where_the_old_dashboard_matcher_was_not() -> None:
    step3 = Product("step3", "Step3", "model", STEP.id, include=("hf:model:stepfun-ai/step3*",))
    grouping = _registry(step3).group([_model("stepfun-ai/Step3-VL-10B")])
    assert grouping.members == {"step3": [_model("stepfun-ai/Step3-VL-10B")]}


def test_relations_bring_a_lone_build_into_its_base_family_but_never_merge_releases() -> None:
    base, other = _model("OpenGVLab/InternVL2-8B"), _model("OpenGVLab/InternVL2-2B")
    build = _model("OpenGVLab/internvl2-eight-turbo")  # a name that makes no family
    vit = _model("OpenGVLab/InternViT-300M-448px")
    vit2 = _model("OpenGVLab/InternViT-6B-448px")
    v3 = [_model("OpenGVLab/InternVL3-8B"), _model("OpenGVLab/InternVL3-2B")]
    outside = _model("Qwen/Qwen2.5-7B")
    merged = _model("OpenGVLab/InternVL-merged-thing")
    edges = [
        Edge(_model("opengvlab/internvl2-8b"), build, "quantized", NOW, "x"),  # a card's case
        Edge(vit, v3[0], "finetune", NOW, "x"),  # a family of two names is never merged
        Edge(vit, merged, "finetune", NOW, "x"),  # two parents: a merge, not a build
        Edge(outside, merged, "finetune", NOW, "x"),
    ]
    families = infer_families([base, other, build, vit, vit2, *v3, merged], edges)
    members = {f.name: {a.name for a in f.members} for f in families}
    assert members == {
        "InternVL2": {"InternVL2-8B", "InternVL2-2B", "internvl2-eight-turbo"},
        "InternViT": {"InternViT-300M-448px", "InternViT-6B-448px"},
        "InternVL3": {"InternVL3-8B", "InternVL3-2B"},
    }


def test_datasets_and_repositories_are_not_inferred() -> None:
    artifacts = [
        ArtifactId.hf_dataset("opendatalab/OmniDocBench-v1"),
        ArtifactId.hf_dataset("opendatalab/OmniDocBench-7b"),
        ArtifactId.gh_repo("InternLM/lmdeploy"),
        ArtifactId.gh_repo("InternLM/lmdeploy-7b"),
    ]
    grouping = _registry().group(artifacts)
    assert all(grouping.grouped_by[a] == "own" for a in artifacts)
    assert sorted(grouping.members) == sorted(str(a) for a in artifacts)


def test_exclude_and_separate_load_from_yaml_and_bad_ones_are_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        yaml.safe_dump(
            {
                "organizations": [{"id": "lab", "name": "Lab", "huggingface": ["OpenGVLab"]}],
                "products": [
                    {
                        "id": "internvl3",
                        "name": "InternVL3",
                        "category": "model",
                        "organization": "lab",
                        "include": ["hf:model:OpenGVLab/InternVL3-*"],
                        "exclude": ["hf:model:OpenGVLab/InternVL3-*-hf"],
                    },
                    {
                        "id": "apart",
                        "name": "Apart",
                        "category": "model",
                        "organization": "lab",
                        "include": ["hf:model:OpenGVLab/InternVL3-8B-hf"],
                        "separate": True,
                    },
                ],
            }
        )
    )
    registry = load_registry(good)
    grouping = registry.group(
        [_model("OpenGVLab/InternVL3-8B"), _model("OpenGVLab/InternVL3-8B-hf")]
    )
    assert grouping.members["internvl3"] == [_model("OpenGVLab/InternVL3-8B")]
    assert grouping.grouped_by[_model("OpenGVLab/InternVL3-8B-hf")] == "own"
    bad = tmp_path / "bad.yaml"
    text = (
        good.read_text()
        .replace("hf:model:OpenGVLab/InternVL3-*-hf", "hf:model:someone/InternVL3-*")
        .replace("separate: true", "separate: maybe")
    )
    bad.write_text(text)
    messages = [p.message for p in check_registry(bad)]
    assert any("owner 'someone'" in m for m in messages), messages
    assert any("separate" in str(p) for p in check_registry(bad)), messages


def test_suggested_yaml_frozen_into_the_registry_groups_the_same_members(tmp_path: Path) -> None:
    artifacts = [_model(f"internlm/internlm2_5-{s}") for s in ("1_8b", "7b-chat", "7b-chat-1m")]
    found = suggested_families(_registry(), artifacts)
    text = suggestion_yaml(found)
    frozen = yaml.safe_load(text)["products"]
    assert frozen[0]["name"] == "internlm2_5"
    assert frozen[0]["include"] == sorted(str(a) for a in artifacts)
    registry_file = tmp_path / "registry.yaml"
    registry_file.write_text(
        yaml.safe_dump(
            {
                "organizations": [
                    {"id": LAB.id, "name": LAB.name, "huggingface": list(LAB.huggingface)}
                ],
                "products": frozen,
            }
        )
    )
    grouping = load_registry(registry_file).group(artifacts)
    [(product_id, members)] = grouping.members.items()
    assert product_id == frozen[0]["id"]
    assert sorted(members, key=str) == sorted(artifacts, key=str)
    assert {grouping.grouped_by[a] for a in artifacts} == {"registry"}


def _catalogue_models(registry: Registry) -> tuple[list[ArtifactId], list[Edge]]:
    patterns = [
        p
        for product in registry.products.values()
        for p in product.include
        if p.startswith(("hf:", "gh:"))  # the world plants these; the mainland hubs derive theirs
    ]
    world = generate_world(
        20251,
        600,
        hf_handles=registry.hf_handles(),
        gh_handles=registry.gh_handles(),
        product_patterns=patterns,
        catalogue=True,
        troublemakers=False,
    )
    handles = {h.casefold() for h in CATALOGUE}
    models = [m for m in world.models.values() if m.author.casefold() in handles]
    edges = [
        Edge(_model(m.base_model), _model(m.id), m.base_relation, NOW, "x")  # type: ignore[arg-type]
        for m in models
        if m.base_model and m.base_relation
    ]
    return [_model(m.id) for m in models], edges


def test_the_shanghai_ai_lab_catalogue_falls_by_more_than_40_percent_with_releases_apart() -> None:
    """The demo registry's explicit products plus inferred families against explicit products
    plus each artifact alone (the old rule), on the four catalogue handles."""
    registry = load_registry(REGISTRY_YAML)
    artifacts, edges = _catalogue_models(registry)
    published = {(a.owner, a.name) for a in artifacts}
    assert all((h, n) in published for h in CATALOGUE for n in catalogue_for(h))
    grouping = registry.group(artifacts, edges)
    how = Counter(grouping.grouped_by[ms[0]] for ms in grouping.members.values())
    unclaimed = Counter(grouping.grouped_by.values())
    # the old rule: the registry's products, every other artifact alone
    before = how["registry"] + unclaimed["family"] + unclaimed["own"]
    after = len(grouping.products)
    print(f"\n{len(artifacts)} models: {before} products before, {after} after ({dict(how)})")
    assert after < 0.6 * before, (before, after)
    # no release merged into another: every family's members share one stem
    for pid, members in grouping.members.items():
        if grouping.grouped_by[members[0]] == "family":
            assert len({stem(a.name).casefold() for a in members}) == 1, (pid, members)
    product_of = {a: pid for pid, ms in grouping.members.items() for a in ms}
    for left, right in (
        ("OpenGVLab/InternVL2-8B", "OpenGVLab/InternVL2_5-8B"),
        ("OpenGVLab/InternVL2_5-8B", "OpenGVLab/InternVL2_5-8B-MPO"),
        ("internlm/internlm2-chat-7b", "internlm/internlm2_5-7b-chat"),
        ("internlm/internlm2_5-7b-chat", "internlm/internlm3-8b-instruct"),
        ("Alpha-VLLM/Lumina-mGPT-7B-512", "Alpha-VLLM/Lumina-mGPT-7B-768"),
    ):
        assert product_of[_model(left)] != product_of[_model(right)], (left, right)
    for together in (
        ("OpenGVLab/InternVL2-1B", "OpenGVLab/InternVL2-40B-AWQ"),
        ("internlm/internlm2_5-1_8b-chat", "internlm/internlm2_5-7b-chat-1m"),
        ("internlm/internlm-xcomposer2d5-7b", "internlm/internlm-xcomposer2d5-7b-4bit"),
    ):
        assert product_of[_model(together[0])] == product_of[_model(together[1])], together


def _products_file(tmp_path: Path, products: list[dict[str, object]]) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "organizations": [{"id": "lab", "name": "Lab", "huggingface": ["OpenGVLab"]}],
                "products": [
                    {"category": "model", "organization": "lab", **product} for product in products
                ],
            }
        )
    )
    return path


def test_an_excluded_or_separate_artifact_is_no_conflict_but_a_double_claim_still_is(
    tmp_path: Path,
) -> None:
    broad = {"id": "broad", "name": "Broad", "include": ["hf:model:OpenGVLab/InternVL2-*"]}
    exact = {"id": "exact", "name": "Exact", "include": ["hf:model:OpenGVLab/InternVL2-76B"]}
    claimed = check_registry(_products_file(tmp_path, [broad, exact]))
    assert any("an artifact belongs to one product" in p.message for p in claimed), claimed
    excluded = {**broad, "exclude": ["hf:model:OpenGVLab/InternVL2-76B"]}
    assert check_registry(_products_file(tmp_path, [excluded, exact])) == []
    separate = {**broad, "separate": True}
    assert check_registry(_products_file(tmp_path, [separate, exact])) == []
    registry = load_registry(_products_file(tmp_path, [separate, exact]))
    grouping = registry.group([_model("OpenGVLab/InternVL2-76B"), _model("OpenGVLab/InternVL2-8B")])
    assert grouping.members["exact"] == [_model("OpenGVLab/InternVL2-76B")]
    assert grouping.grouped_by[_model("OpenGVLab/InternVL2-8B")] == "own"
