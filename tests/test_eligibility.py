"""Eligibility flags: not-open licences, gated members and doubtful attribution, with evidence."""

from __future__ import annotations

from ossimpact.domain import ArtifactId, ArtifactRecord, Organization, Product
from scoring.eligibility import (
    ATTRIBUTION_DOUBT,
    GATED,
    LICENCE_NOT_OPEN,
    eligibility_flags,
    product_licence,
)

LAB = Organization(
    id="shanghai-ai-lab",
    name="Shanghai AI Laboratory",
    confidence="high",
    evidence=("Shanghai AI Laboratory, Xuhui District, Shanghai",),
    huggingface=("OpenGVLab", "internlm"),
)
STARTUP = Organization(
    id="some-startup",
    name="Some Startup",
    confidence="medium",
    evidence=("an office address in Shanghai on its website",),
    huggingface=("some-startup",),
)


def _artifact(text: str, **fields: object) -> tuple[ArtifactId, ArtifactRecord]:
    artifact = ArtifactId.parse(text)
    return artifact, ArtifactRecord(id=artifact, owner_handle=artifact.owner, **fields)  # type: ignore[arg-type]


def _product(pid: str, organization: str = "shanghai-ai-lab") -> Product:
    return Product(id=pid, name=pid, category="model", organization=organization, include=())


def test_an_open_product_of_a_high_confidence_organization_has_no_flag() -> None:
    a, ra = _artifact("hf:model:internlm/internlm2_5-7b-chat", license="apache-2.0")
    b, rb = _artifact("hf:model:internlm/internlm2_5-1_8b-chat", license="Apache-2.0")
    flags = eligibility_flags(
        [_product("p")], {"p": [a, b]}, {a: ra, b: rb}, {"shanghai-ai-lab": LAB}
    )
    assert flags == {}
    summary = product_licence([a, b], {a: ra, b: rb})
    assert (summary.licence, summary.openness, summary.mixed) == ("Apache-2.0", "open", False)


def test_a_product_is_flagged_by_its_most_restrictive_member_with_each_licence_as_evidence() -> (
    None
):
    a, ra = _artifact("hf:model:OpenGVLab/InternVL2-8B", license="mit")
    b, rb = _artifact("hf:model:OpenGVLab/InternVL2-Llama3-76B", license="llama3")
    c, rc = _artifact(
        "hf:model:OpenGVLab/InternVL2-40B",
        license="other",
        extra={"license_name": "qwen-research"},
    )
    records = {a: ra, b: rb, c: rc}
    flags = eligibility_flags([_product("p")], {"p": [a, b, c]}, records, {"shanghai-ai-lab": LAB})
    (flag,) = flags["p"]
    assert flag.kind == LICENCE_NOT_OPEN
    assert flag.evidence.startswith("openness non-commercial, the most restrictive member decides")
    assert "hf:model:OpenGVLab/InternVL2-8B: MIT (open)" in flag.evidence
    assert "InternVL2-Llama3-76B: llama3 (open-restricted)" in flag.evidence
    assert "InternVL2-40B: qwen-research (non-commercial)" in flag.evidence
    summary = product_licence([a, b, c], records)
    assert summary.licence == "MIT; llama3; qwen-research"
    assert summary.mixed


def test_gated_members_and_a_medium_confidence_organization_are_flagged() -> None:
    a, ra = _artifact(
        "hf:model:some-startup/Model-7B",
        license="apache-2.0",
        gated=True,
        extra={"gated_mode": "manual"},
    )
    b, rb = _artifact("hf:model:some-startup/Model-7B-AWQ", license="apache-2.0", gated=False)
    flags = eligibility_flags(
        [_product("p", "some-startup")], {"p": [a, b]}, {a: ra, b: rb}, {"some-startup": STARTUP}
    )
    kinds = {f.kind: f for f in flags["p"]}
    assert set(kinds) == {GATED, ATTRIBUTION_DOUBT}
    assert kinds[GATED].evidence == (
        "1 of 2 members need access approval: hf:model:some-startup/Model-7B (manual approval)"
    )
    assert "medium" in kinds[ATTRIBUTION_DOUBT].evidence
    assert "office address in Shanghai" in kinds[ATTRIBUTION_DOUBT].evidence


def test_a_member_nothing_is_known_about_is_unknown_and_long_evidence_is_counted() -> None:
    members = [ArtifactId.parse(f"hf:model:internlm/m-{i}") for i in range(12)]
    flags = eligibility_flags([_product("p")], {"p": members}, {}, {"shanghai-ai-lab": LAB})
    (flag,) = flags["p"]
    assert flag.evidence.startswith("openness unknown: ")
    assert flag.evidence.endswith("; and 4 more")


def test_an_organization_missing_from_the_registry_is_a_doubt() -> None:
    a, ra = _artifact("hf:model:internlm/x", license="mit")
    flags = eligibility_flags([_product("p", "gone")], {"p": [a]}, {a: ra}, {})
    assert [f.kind for f in flags["p"]] == [ATTRIBUTION_DOUBT]
