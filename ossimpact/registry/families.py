"""Release families: an organisation's builds of one release, told apart by their names.

Organisations publish a release as many repositories: one per size (`InternVL2-1B` … `-76B`),
per precision or format (`-AWQ`, `-GGUF`, `-FP8`, `-hf`) and per variant (`-chat`, `-base`,
`-7b-chat-1m`). Counted one by one, a release with twelve builds is twelve "products". A release
family is what is left of a name once those parts are taken off: its stem.

The name is read as `-`-separated parts; the first part is the release itself and always stays
(`InternVL2_5` keeps its `_5`: a minor version is another release). Any later part that is a
size, a build or a variant is dropped; every other part stays, so `InternVL2_5-78B-MPO` is the
family `InternVL2_5-MPO` and a bare number (`Model-8`, `MinerU2.0-2505-0.9B`) is a release, not
a size. Inference is limited to Hugging Face models: dataset and repository names carry no such
habits reliably (a `-v2` corpus is a new corpus), so each of those stays a product of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ossimpact.domain import ArtifactId, Edge

# 7b, 1_8b, 0.9B, 241B, 300M, 20B-A4B (the A4B part), 8x7B; million/billion/trillion parameters.
_SIZE = re.compile(r"^(?:a?\d+(?:[._]\d+)?[bmt]|\d+x\d+(?:[._]\d+)?[bm])$")
# precision, quantisation and format builds, and ports to another library
_BUILD = re.compile(
    r"^(?:awq|gguf|gptq|int[248]|fp8|fp16|bf16|fp32|[248]bits?|w[48]a(?:8|16)|hf|mlx|onnx"
    r"|exl2|q[2-8](?:_k(?:_[sml])?|_0)?|turbomind)$"
)
# training variants of one release, and context lengths (1m, 200k, 32k)
_VARIANT = re.compile(r"^(?:chat|base|instruct|sft|reward|preview|pretrained|\d+[km]|\d+px)$")
# derivative relations that make a model a build of its base (a merge has several parents)
JOINING_RELATIONS = frozenset({"quantized", "finetune", "adapter"})


def stem(name: str) -> str:
    """The release a model name belongs to, as the organisation writes it.

    `internlm2_5-1_8b-chat` → `internlm2_5`; `InternVL3_5-241B-A28B-HF` → `InternVL3_5`;
    `InternVL2_5-78B-MPO-AWQ` → `InternVL2_5-MPO`; `Model-57` → `Model-57`.
    """
    first, *rest = name.split("-")
    kept = [part for part in rest if not _dropped(part)]
    return "-".join([first, *kept])


def _dropped(part: str) -> bool:
    folded = part.casefold()
    return bool(_SIZE.match(folded) or _BUILD.match(folded) or _VARIANT.match(folded))


def family_id(artifact: ArtifactId, family_stem: str) -> str:
    """A family's product id: `family:hf:model:OpenGVLab/InternVL2` (stable while the stem is)."""
    return f"family:{artifact.platform}:{artifact.kind}:{artifact.owner}/{family_stem}"


def can_infer(artifact: ArtifactId) -> bool:
    return artifact.platform == "hf" and artifact.kind == "model"


@dataclass(frozen=True)
class Family:
    id: str
    name: str
    members: tuple[ArtifactId, ...]  # sorted by id text


class _Union:
    def __init__(self, items: Iterable[ArtifactId]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: ArtifactId) -> ArtifactId:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: ArtifactId, b: ArtifactId) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller id text leads, so the result does not depend on the order of joins
            low, high = sorted((ra, rb), key=str)
            self.parent[high] = low


def infer_families(
    artifacts: Iterable[ArtifactId],
    edges: Sequence[Edge] = (),
    *,
    separate: Iterable[ArtifactId] = (),
) -> list[Family]:
    """Families of two or more artifacts among `artifacts` (all unclaimed by explicit products).

    Artifacts group by (platform, kind, owner, stem), case-insensitively. A model whose one base
    model (quantized, finetune or adapter) is a model of the same owner joins its base's family
    when its own name makes no family (a lone derivative); an edge never merges two families of
    two or more names, so no release is merged into another through a relation. Artifacts in
    `separate` are never grouped. Families come sorted by id; a lone artifact is no family.
    """
    kept = set(separate)
    candidates = sorted({a for a in artifacts if can_infer(a) and a not in kept}, key=str)
    by_key: dict[tuple[str, str, str, str], list[ArtifactId]] = {}
    for artifact in candidates:
        key = (artifact.platform, artifact.kind, artifact.owner.casefold(), stem(artifact.name))
        by_key.setdefault((*key[:3], key[3].casefold()), []).append(artifact)
    union = _Union(candidates)
    for group in by_key.values():
        for other in group[1:]:
            union.join(group[0], other)
    named = {a: len(g) for g in by_key.values() for a in g}
    for derivative, base in _single_bases(edges, set(candidates)).items():
        if named[derivative] == 1:
            union.join(base, derivative)
    components: dict[ArtifactId, list[ArtifactId]] = {}
    for artifact in candidates:
        components.setdefault(union.find(artifact), []).append(artifact)
    families = [_family(members) for members in components.values() if len(members) > 1]
    return sorted(families, key=lambda f: f.id)


def _single_bases(edges: Sequence[Edge], known: set[ArtifactId]) -> dict[ArtifactId, ArtifactId]:
    """derivative → its base, for derivatives with exactly one base edge of a joining relation,
    both of the same owner and both among `known` (ids compared case-insensitively: a model card
    may spell its base model in other case than the Hub)."""
    by_key = {str(a).casefold(): a for a in known}
    bases: dict[str, set[str]] = {}
    joining: set[tuple[str, str]] = set()
    for edge in edges:
        if edge.relation in ("finetune", "adapter", "quantized", "merge"):
            target, source = str(edge.target).casefold(), str(edge.source).casefold()
            bases.setdefault(target, set()).add(source)
            if edge.relation in JOINING_RELATIONS:
                joining.add((target, source))
    found: dict[ArtifactId, ArtifactId] = {}
    for derivative, sources in bases.items():
        if len(sources) != 1 or derivative not in by_key:
            continue
        (base,) = sources
        same_owner = base in by_key and (
            by_key[base].owner.casefold() == by_key[derivative].owner.casefold()
        )
        if same_owner and (derivative, base) in joining:
            found[by_key[derivative]] = by_key[base]
    return found


def _family(members: list[ArtifactId]) -> Family:
    """The family's name is the stem most of its members share (ties: the shorter, then the
    first in id order), spelt as its first member in id order spells it."""
    stems: dict[str, list[str]] = {}
    for artifact in members:
        written = stem(artifact.name)
        stems.setdefault(written.casefold(), []).append(written)
    best = min(stems.items(), key=lambda item: (-len(item[1]), len(item[0]), item[0]))
    name = best[1][0]
    leader = next(a for a in members if stem(a.name).casefold() == best[0])
    return Family(family_id(leader, name), name, tuple(sorted(members, key=str)))


def family_yaml(families: Sequence[Family], organization: str) -> str:
    """Registry `products:` entries for families, for an operator to review, rename and freeze."""
    lines = ["products:"]
    for family in families:
        first = family.members[0]
        slug = re.sub(r"[^a-z0-9._-]+", "-", f"{first.owner}-{family.name}".casefold()).strip("-")
        category = first.default_category
        lines += [
            f"  - id: {slug}",
            f'    name: "{family.name}"',
            f"    category: {category}",
            f"    organization: {organization}",
            "    # inferred family: review the members below, then keep, rename or split",
            "    include:",
            *(f'      - "{member}"' for member in family.members),
        ]
    return "\n".join(lines) + "\n"
