"""The registry: safe loading, every validation problem on its line, grouping into products."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ossimpact.domain import ArtifactId
from ossimpact.registry import (
    MAX_FILE_BYTES,
    Registry,
    RegistryError,
    RegistryProblem,
    check_registry,
    load_registry,
)
from ossimpact.settings import DEFAULT_REGISTRY
from tests.shared_dir import SHARED

DATA = Path(__file__).parent / "data" / "registries"

ORG = """\
organizations:
  - id: lab
    name: A Shanghai lab
    huggingface: [OpenGVLab]
    github: [OpenGVLab]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def marked_line(text: str, marker: str = "# <-") -> int:
    """The 1-based line of the only line that carries the marker comment."""
    lines = [n for n, line in enumerate(textwrap.dedent(text).splitlines(), 1) if marker in line]
    assert len(lines) == 1, lines
    return lines[0]


def only_problem(path: Path) -> RegistryProblem:
    problems = check_registry(path)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def assert_problem_at(tmp_path: Path, text: str, field: str, words: str) -> RegistryProblem:
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.line == marked_line(text), str(problem)
    assert problem.field == field, str(problem)
    assert words in problem.message, str(problem)
    assert problem.file == str(path)
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    assert raised.value.problems == [problem]
    return problem


# --- the shapes that must be accepted -------------------------------------------------------------


def test_the_issue_example_loads() -> None:
    registry = load_registry(DATA / "minimal.yaml")
    lab = registry.organizations["shanghai-ai-lab"]
    assert lab.name_zh == "上海人工智能实验室"
    assert lab.huggingface == ("internlm", "OpenGVLab")
    assert registry.products["internvl3"].include == (
        "hf:model:OpenGVLab/InternVL3-*",
        "gh:OpenGVLab/InternVL",
    )
    assert registry.source == DATA / "minimal.yaml"
    assert registry.excluded == []


# The 2025-09 platform review (issue 14) corrected the seed's handles: organisation id ->
# (Hugging Face handles added, removed; GitHub handles added, removed), plus one new organisation.
REVIEW_2025_09: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {
    "shanghai-ai-lab": (
        {"OpenDILabCommunity"},
        set(),
        {"opendilab", "openmedlab", "OpenEarthLab"},
        set(),
    ),
    "sensetime": ({"lightx2v"}, set(), set(), {"opendilab"}),
    "fudan-university": (set(), {"fnlp"}, {"fudan-zvg"}, set()),
    "sjtu": (set(), set(), {"MVIG-SJTU"}, set()),
    "sii": ({"sii-research", "SII-GAIR-NLP"}, set(), set(), set()),
    "fourier": ({"FourierIntelligence"}, set(), set(), set()),
    "ecnu": (set(), set(), set(), {"icalk-nlp"}),
    "memtensor": ({"MemTensor"}, set(), set(), set()),
}
ADDED_BY_REVIEW = {"inf-technology"}


def test_default_registry_is_valid_and_built_from_the_seed() -> None:
    assert check_registry(DEFAULT_REGISTRY) == []
    registry = load_registry(DEFAULT_REGISTRY)
    seed = yaml.safe_load((SHARED / "registry-seed.yaml").read_text(encoding="utf-8"))
    kept = [org for org in seed["organizations"] if org["confidence"] in {"high", "medium"}]
    assert set(registry.organizations) == {org["id"] for org in kept} | ADDED_BY_REVIEW
    for org in kept:
        loaded = registry.organizations[org["id"]]
        assert loaded.confidence == org["confidence"]
        assert set(org["evidence"]) <= set(loaded.evidence)  # verbatim
        hf_added, hf_removed, gh_added, gh_removed = REVIEW_2025_09.get(
            org["id"], (set(), set(), set(), set())
        )
        assert set(loaded.huggingface) == set(org["huggingface"]) - hf_removed | hf_added
        assert set(loaded.github) == set(org["github"]) - gh_removed | gh_added
        if org["id"] in REVIEW_2025_09:  # each correction carries its evidence line
            assert any("2025-09 platform review" in line for line in loaded.evidence), org["id"]
    excluded_ids = {entry.id for entry in registry.excluded}
    assert {entry["id"] for entry in seed["not_shanghai"]} <= excluded_ids
    assert registry.is_excluded(ArtifactId.hf_model("deepseek-ai/DeepSeek-V3"))
    assert registry.is_excluded(ArtifactId.gh_repo("QwenLM/Qwen3"))
    internvl = registry.product_for(ArtifactId.hf_model("OpenGVLab/InternVL3-8B"))
    assert internvl is not None
    assert internvl.id == "internvl3"
    assert registry.product_for(ArtifactId.gh_repo("opendatalab/MinerU")).id == "mineru"  # type: ignore[union-attr]
    assert len(registry.products) >= 40


def test_default_registry_groups_code_and_weights_of_a_family() -> None:
    registry = load_registry(DEFAULT_REGISTRY)
    grouping = registry.group(
        [
            ArtifactId.hf_model("OpenGVLab/InternVL3-2B"),
            ArtifactId.hf_model("OpenGVLab/InternVL3-78B-AWQ"),
            ArtifactId.gh_repo("OpenGVLab/InternVL"),
            ArtifactId.hf_model("OpenGVLab/InternVL3_5-8B"),
        ]
    )
    assert grouping.conflicts == []
    assert len(grouping.members["internvl3"]) == 3
    assert grouping.members["internvl3-5"] == [ArtifactId.hf_model("OpenGVLab/InternVL3_5-8B")]


# --- every kind of problem, on its line -----------------------------------------------------------


def test_unknown_key(tmp_path: Path) -> None:
    text = ORG + "    colour: blue  # <-\n"
    problem = assert_problem_at(tmp_path, text, "organizations[0].colour", "unknown key 'colour'")
    assert str(problem) == f"{problem.file}:{problem.line}: {problem.field}: {problem.message}"


def test_unknown_top_level_key(tmp_path: Path) -> None:
    assert_problem_at(tmp_path, ORG + "organisations: []  # <-\n", "organisations", "unknown key")


def test_duplicate_organization_id(tmp_path: Path) -> None:
    text = ORG + "  - id: lab  # <-\n    name: Again\n"
    problem = assert_problem_at(tmp_path, text, "organizations[1].id", "duplicate organisation id")
    assert "first at line 2" in problem.message


def test_duplicate_product_id(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        products:
          - {id: p, name: P, category: model, organization: lab, include: ["hf:model:OpenGVLab/A"]}
          - {id: p, name: P, category: model, organization: lab, include: ["hf:model:OpenGVLab/B"]}  # <-
        """)
    assert_problem_at(tmp_path, text, "products[1].id", "duplicate product id 'p'")


def test_unknown_organization_in_a_product(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        products:
          - id: p
            name: P
            category: model
            organization: nobody  # <-
            include: ["hf:model:OpenGVLab/A"]
        """)
    assert_problem_at(tmp_path, text, "products[0].organization", "unknown organisation 'nobody'")


def test_bad_category(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        products:
          - id: p
            name: P
            category: software  # <-
            organization: lab
            include: ["hf:model:OpenGVLab/A"]
        """)
    assert_problem_at(tmp_path, text, "products[0].category", "bad category 'software'")


@pytest.mark.parametrize(
    "pattern",
    [
        "hf:space:OpenGVLab/A",
        "OpenGVLab/InternVL",
        "gh:OpenGVLab",
        "gh:OpenGVLab/Intern VL",
        "hf:model:Open*/InternVL3",
        "gh:OpenGVLab/InternVL/extra",
    ],
)
def test_bad_include_pattern(tmp_path: Path, pattern: str) -> None:
    text = ORG + textwrap.dedent(f"""\
        products:
          - id: p
            name: P
            category: model
            organization: lab
            include:
              - "hf:model:OpenGVLab/fine"
              - "{pattern}"  # <-
        """)
    assert_problem_at(tmp_path, text, "products[0].include[1]", "bad pattern")


def test_pattern_owner_must_be_a_handle_of_the_products_organization(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        products:
          - id: p
            name: P
            category: model
            organization: lab
            include:
              - "hf:model:opengvlab/InternVL3-*"
              - "hf:model:internlm/internlm3-*"  # <-
        """)
    problem = assert_problem_at(
        tmp_path, text, "products[0].include[1]", "not a Hugging Face handle"
    )
    assert "OpenGVLab" in problem.message


def test_platform_matters_for_pattern_owners(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        organizations:
          - {id: lab, name: Lab, huggingface: [only-on-hf]}
        products:
          - {id: p, name: P, category: community, organization: lab, include: ["gh:only-on-hf/x"]}  # <-
        """)
    assert_problem_at(tmp_path, text, "products[0].include[0]", "not a GitHub handle")


@pytest.mark.parametrize("handle", ["-leading-dash", "has space", "a/b"])
def test_malformed_handle(tmp_path: Path, handle: str) -> None:
    text = textwrap.dedent(f"""\
        organizations:
          - id: lab
            name: Lab
            github:
              - ok-handle
              - "{handle}"  # <-
        """)
    assert_problem_at(tmp_path, text, "organizations[0].github[1]", "malformed GitHub handle")


def test_a_handle_with_a_trailing_line_break_is_refused(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        organizations:
          - id: lab
            name: Lab
            github:
              - ok-handle
              - "internlm\\n"  # <-
        """)
    problem = assert_problem_at(tmp_path, text, "organizations[0].github[1]", "line break")
    assert "'internlm\\n'" in problem.message


def test_an_over_long_handle_is_quoted_short(tmp_path: Path) -> None:
    text = textwrap.dedent(f"""\
        organizations:
          - id: lab
            name: Lab
            github:
              - ok-handle
              - "{"x" * 5000}"  # <-
        """)
    problem = assert_problem_at(tmp_path, text, "organizations[0].github[1]", "5,000 characters")
    assert len(problem.message) < 200


def test_malformed_id(tmp_path: Path) -> None:
    text = "organizations:\n  - id: Shanghai AI Lab  # <-\n    name: Lab\n"
    assert_problem_at(tmp_path, text, "organizations[0].id", "malformed id")


def test_yaml_syntax_error_line_comes_from_the_parser(tmp_path: Path) -> None:
    text = ORG + '    notes: "unterminated\n  - id: other  # <-\n'
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.message.startswith("YAML syntax")
    assert problem.line == marked_line(text) + 1  # the parser notices at the end of the stream


def test_yaml_syntax_error_bad_indentation(tmp_path: Path) -> None:
    text = ORG + "   products: []  # <-\n"
    problem = only_problem(write(tmp_path, text))
    assert problem.line == marked_line(text)
    assert problem.message.startswith("YAML syntax")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = ORG + "    name: Again  # <-\n"
    problem = assert_problem_at(tmp_path, text, "organizations[0].name", "duplicate key 'name'")
    assert "first at line 3" in problem.message


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    path = write(tmp_path, text)
    started = time.perf_counter()
    problems = check_registry(path)
    assert time.perf_counter() - started < 2
    assert len(problems) == 1
    assert "alias" in problems[0].message
    assert problems[0].line == 9  # 9 aliases a line from line 2: the 65th is on line 9
    assert not problems[0].message.startswith("YAML syntax")


def test_aliases_within_budget_that_expand_too_far_are_refused(tmp_path: Path) -> None:
    # 2 aliases per level double the size: 30 levels → 2**30 values from 60 aliases.
    lines = ["l0: &l0 [x, x]"]
    lines += [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 31)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    started = time.perf_counter()
    problems = check_registry(path)
    assert time.perf_counter() - started < 5
    assert len(problems) == 1
    assert "values" in problems[0].message or "alias" in problems[0].message


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "organizations: &loop [*loop]\n")
    problems = check_registry(path)
    assert len(problems) == 1
    assert problems[0].line == 1
    assert "deep" in problems[0].message


def test_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    path = write(tmp_path, "organizations: " + "[" * 5000 + "]" * 5000 + "\n")
    problems = check_registry(path)
    assert len(problems) == 1
    assert "deep" in problems[0].message


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            ORG.replace("github: [OpenGVLab]", "github: OpenGVLab  # <-"),
            "organizations[0].github",
            "expected a list",
        ),
        (
            ORG + "    evidence: [https://a.example, 42]  # <-\n",
            "organizations[0].evidence[1]",
            "expected text",
        ),
        (ORG + "    evidence: [{url: x}]  # <-\n", "organizations[0].evidence[0]", "expected text"),
        (
            ORG.replace("name: A Shanghai lab", "name: yes  # <-"),
            "organizations[0].name",
            "quote it",
        ),
        ("organizations:\n  - just-a-string  # <-\n", "organizations[0]", "expected a mapping"),
        ("organizations: {id: lab}  # <-\n", "organizations", "expected a list"),
        ("- id: lab  # <-\n", "", "must be a mapping"),
        (
            ORG
            + "products:\n  - {id: p, name: P, category: model, organization: lab, include: []}  # <-\n",
            "products[0].include",
            "at least one",
        ),
        (
            ORG + "    confidence: certain  # <-\n",
            "organizations[0].confidence",
            "bad value 'certain'",
        ),
        (
            ORG + "    notes: !!binary aGVsbG8=  # <-\n",
            "organizations[0].notes",
            "unsupported YAML tag",
        ),
        (
            ORG + "    notes: !!python/object:os.system {}  # <-\n",
            "organizations[0].notes",
            "unsupported YAML tag",
        ),
        (ORG + "    <<: {kind: lab}  # <-\n", "organizations[0]", "merge keys"),
    ],
)
def test_wrong_types(tmp_path: Path, text: str, field: str, words: str) -> None:
    assert_problem_at(tmp_path, text, field, words)


def test_missing_required_key_points_at_its_entry(tmp_path: Path) -> None:
    text = "organizations:\n  - id: lab  # <-\n    github: [x]\n"
    assert_problem_at(tmp_path, text, "organizations[0].name", "required key 'name'")


def test_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(ORG + "#" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    problem = only_problem(path)
    assert problem.line == 1
    assert "larger than" in problem.message


def test_too_many_values_stop_before_composing(tmp_path: Path) -> None:
    path = write(tmp_path, "organizations: [" + "x, " * 120_000 + "x]\n")
    started = time.perf_counter()
    problem = only_problem(path)
    assert time.perf_counter() - started < 10
    assert "more than 100000 YAML values" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    problem = only_problem(write(tmp_path, text))
    assert problem.line == 1
    assert "empty" in problem.message


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "absent.yaml")
    assert "cannot read" in problem.message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_bytes(ORG.encode() + b"    notes: caf\xe9\n")
    problem = only_problem(path)
    assert problem.line == 6
    assert "UTF-8" in problem.message


def test_handle_claimed_by_two_organizations(tmp_path: Path) -> None:
    text = ORG + "  - id: other\n    name: Other\n    huggingface: [opengvlab]  # <-\n"
    problem = assert_problem_at(
        tmp_path, text, "organizations[1].huggingface[0]", "already claimed"
    )
    assert "'lab'" in problem.message
    assert "line 4" in problem.message


def test_handle_on_exclusion_list_and_in_an_organization(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        excluded:
          - id: look-alike
            name: Look-alike
            reason: Not in Shanghai
            github: [opengvlab]  # <-
        """)
    assert_problem_at(tmp_path, text, "excluded[0].github[0]", "on the exclusion list")


def test_same_exact_artifact_in_two_products(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        products:
          - {id: a, name: A, category: community, organization: lab, include: ["gh:OpenGVLab/InternVL"]}
          - {id: b, name: B, category: community, organization: lab, include: ["gh:opengvlab/internvl"]}  # <-
        """)
    assert_problem_at(tmp_path, text, "products[1].include[0]", "also included by product 'a'")


def test_exact_artifact_matched_by_another_products_pattern(tmp_path: Path) -> None:
    text = ORG + textwrap.dedent("""\
        products:
          - {id: a, name: A, category: model, organization: lab, include: ["hf:model:OpenGVLab/InternVL3-*"]}
          - {id: b, name: B, category: model, organization: lab, include: ["hf:model:OpenGVLab/InternVL3-8B"]}  # <-
        """)
    assert_problem_at(tmp_path, text, "products[1].include[0]", "also matched by")


def test_all_problems_are_listed_at_once() -> None:
    problems = check_registry(DATA / "many_problems.yaml")
    assert [(p.line, p.field) for p in problems] == [
        (4, "organizations[0].colour"),
        (5, "organizations[0].github[1]"),
        (6, "organizations[1].id"),
        (11, "products[0].category"),
        (12, "products[0].organization"),
        (13, "products[0].include[0]"),
    ]
    with pytest.raises(RegistryError) as raised:
        load_registry(DATA / "many_problems.yaml")
    text = str(raised.value)
    assert text.startswith("the registry has 6 problems:")
    assert all(str(problem) in text for problem in problems)


def test_nothing_is_written_when_checking(tmp_path: Path) -> None:
    path = write(tmp_path, ORG + "    colour: blue\n")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    check_registry(path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


# --- grouping -------------------------------------------------------------------------------------


@pytest.fixture
def grouping_registry() -> Registry:
    return load_registry(DATA / "grouping.yaml")


def test_handles_and_owners(grouping_registry: Registry) -> None:
    registry = grouping_registry
    assert registry.hf_handles() == ["OpenGVLab", "opendatalab", "MiniMaxAI"]
    assert registry.gh_handles() == ["OpenGVLab", "open-compass", "MiniMax-AI"]
    assert registry.organization_for(ArtifactId.gh_repo("minimax-ai/MiniMax-M1")).id == "startup"  # type: ignore[union-attr]
    assert registry.organization_for(ArtifactId.hf_model("MiniMax-AI/x")) is None  # gh handle only
    assert registry.organization_for(ArtifactId.gh_repo("MiniMax-AI-Dev/x")) is None


def test_explicit_artifacts_are_the_entries_without_wildcards(grouping_registry: Registry) -> None:
    assert [str(a) for a in grouping_registry.explicit_artifacts()] == [
        "gh:OpenGVLab/InternVL",
        "hf:dataset:opendatalab/OmniDocBench",
        "gh:open-compass/opencompass",
        "gh:open-compass/VLMEvalKit",
    ]


def test_product_for_explicit_implicit_and_third_party(grouping_registry: Registry) -> None:
    registry = grouping_registry
    assert registry.product_for(ArtifactId.hf_model("opengvlab/internvl3-2b")).id == "internvl3"  # type: ignore[union-attr]
    assert registry.product_for(ArtifactId.gh_repo("OPENGVLAB/InternVL")).id == "internvl3"  # type: ignore[union-attr]
    implicit = registry.product_for(ArtifactId.hf_model("MiniMaxAI/MiniMax-M1-80k"))
    assert implicit is not None
    assert implicit.implicit
    assert implicit.id == "hf:model:MiniMaxAI/MiniMax-M1-80k"
    assert (implicit.name, implicit.category, implicit.organization) == (
        "MiniMax-M1-80k",
        "model",
        "startup",
    )
    assert implicit.include == ("hf:model:MiniMaxAI/MiniMax-M1-80k",)
    assert registry.product_for(ArtifactId.hf_dataset("opendatalab/Other")).category == "corpus"  # type: ignore[union-attr]
    assert registry.product_for(ArtifactId.gh_repo("OpenGVLab/Other")).category == "community"  # type: ignore[union-attr]
    # Same name, other kind: an InternVL3 *dataset* is not the model family.
    assert registry.product_for(ArtifactId.hf_dataset("OpenGVLab/InternVL3-data")).implicit  # type: ignore[union-attr]
    assert registry.product_for(ArtifactId.hf_model("someone/InternVL3-2B-finetune")) is None
    assert registry.product_for(ArtifactId.hf_model("deepseek-ai/DeepSeek-V3")) is None


def test_group(grouping_registry: Registry) -> None:
    artifacts = [
        ArtifactId.hf_model("OpenGVLab/InternVL3-2B"),
        ArtifactId.gh_repo("OpenGVLab/InternVL"),
        ArtifactId.hf_model("OpenGVLab/InternVL3-8B-AWQ"),  # both internvl3 and internvl3-8b
        ArtifactId.hf_dataset("opendatalab/omnidocbench"),
        ArtifactId.gh_repo("open-compass/opencompass"),
        ArtifactId.gh_repo("open-compass/VLMEvalKit"),
        ArtifactId.hf_model("MiniMaxAI/MiniMax-M1-80k"),
        ArtifactId.hf_model("MiniMaxAI/MiniMax-M1-80k"),  # repeated: counted once
        ArtifactId.hf_model("deepseek-ai/DeepSeek-V3"),
        ArtifactId.gh_repo("someone/InternVL"),
    ]
    grouping = grouping_registry.group(artifacts)
    assert grouping.members == {
        "internvl3": [artifacts[0], artifacts[1]],
        "omnidocbench": [artifacts[3]],
        "opencompass": [artifacts[4], artifacts[5]],
        "hf:model:MiniMaxAI/MiniMax-M1-80k": [artifacts[6]],
    }
    assert set(grouping.products) == set(grouping.members)
    assert grouping.products["hf:model:MiniMaxAI/MiniMax-M1-80k"].implicit
    assert not grouping.products["internvl3"].implicit
    assert grouping.conflicts == [(artifacts[2], ["internvl3", "internvl3-8b"])]
    assert grouping.third_party == [artifacts[8], artifacts[9]]
    assert grouping_registry.product_for(artifacts[2]) is None


def test_exclusion_list(grouping_registry: Registry) -> None:
    registry = grouping_registry
    (deepseek,) = registry.excluded
    assert (deepseek.id, deepseek.reason) == ("deepseek", "Not in Shanghai (Hangzhou)")
    assert deepseek.handles == ("hf:deepseek-ai", "gh:deepseek-ai")
    assert registry.is_excluded(ArtifactId.hf_model("DeepSeek-AI/DeepSeek-R1"))
    assert registry.is_excluded(ArtifactId.gh_repo("deepseek-ai/DeepSeek-V3"))
    assert not registry.is_excluded(ArtifactId.hf_model("OpenGVLab/InternVL3-2B"))
    assert registry.product_for(ArtifactId.hf_model("deepseek-ai/DeepSeek-R1")) is None


# --- fuzz: anything in, a Registry or problems out ------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["lab", "model", "corpus", "hf:model:lab/x*", "gh:lab/y", "OpenGVLab"]),
)
_keys = st.one_of(
    st.sampled_from(
        [
            "organizations",
            "products",
            "excluded",
            "id",
            "name",
            "category",
            "organization",
            "include",
            "huggingface",
            "github",
            "evidence",
            "reason",
            "confidence",
        ]
    ),
    st.text(max_size=8),
)
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=5),
    max_leaves=30,
)


def _assert_problems_or_registry(path: Path) -> None:
    started = time.perf_counter()
    problems = check_registry(path)
    assert time.perf_counter() - started < 2
    assert all(isinstance(p, RegistryProblem) and p.line >= 1 for p in problems)
    if problems:
        with pytest.raises(RegistryError):
            load_registry(path)
    else:
        assert isinstance(load_registry(path), Registry)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=_documents)
def test_fuzz_structures(tmp_path: Path, document: object) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _assert_problems_or_registry(path)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`, \n\t?<=~\x00é上")), max_size=120
    )
)
def test_fuzz_yamlish_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_problems_or_registry(path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=2000), junk=st.text(max_size=5))
def test_fuzz_damaged_default_registry(tmp_path: Path, cut: int, junk: str) -> None:
    text = DEFAULT_REGISTRY.read_text(encoding="utf-8")
    start = min(cut * 11, len(text))
    path = tmp_path / "fuzz.yaml"
    path.write_text(text[:start] + junk + text[start + 7 :], encoding="utf-8")
    _assert_problems_or_registry(path)
