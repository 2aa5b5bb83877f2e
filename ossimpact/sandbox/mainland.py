"""The mainland hubs' share of a synthetic world: what ModelScope and OpenDataLab publish.

Derived from the Hugging Face part of a `World` (never stored in it, so `world.py` and its
fingerprint stay as they are), the same way every time: part of each organisation's models and
datasets is on ModelScope, some under another owner name (`Shanghai_AI_Laboratory/...` beside
Hugging Face's `internlm/...`), with mainland-heavy download figures and a few ModelScope-only
quantised variants; part of its datasets is on OpenDataLab. Which Hugging Face author publishes
under which mainland owner comes from the registry (`attach_owners`, done by
`world_for_registry`); without it an author keeps its own name.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ossimpact.registry import Registry
from ossimpact.sandbox.model import HfDataset, World

RepoKind = Literal["model", "dataset"]

MS_MODEL_SHARE = 0.7  # share of an organisation's models also published on ModelScope
MS_DATASET_SHARE = 0.5
ODL_DATASET_SHARE = 0.6
QUANTISED_SUFFIXES = ("GGUF", "AWQ", "GPTQ-Int4", "MLX")


@dataclass(frozen=True)
class MsRepo:
    """A ModelScope model or dataset."""

    kind: RepoKind
    owner: str
    name: str
    downloads: int  # all-time
    likes: int
    created_at: datetime
    last_modified: datetime
    license: str | None
    tags: tuple[str, ...]
    tasks: tuple[str, ...]
    hf_twin: str | None  # the Hugging Face id it mirrors, if any

    @property
    def repo_id(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class OdlDataset:
    """An OpenDataLab dataset with the counts its (unconfirmed) fields would carry."""

    id: int
    owner: str
    name: str
    downloads: int
    views: int
    downloads_week: int
    views_week: int
    license: str | None
    description: str | None
    hf_twin: str | None


@dataclass
class MainlandCatalogue:
    ms_models: dict[str, MsRepo] = field(default_factory=dict)  # casefold "owner/name" → repo
    ms_datasets: dict[str, MsRepo] = field(default_factory=dict)
    odl_datasets: dict[str, OdlDataset] = field(default_factory=dict)

    def ms_repos(self, kind: RepoKind) -> dict[str, MsRepo]:
        return self.ms_models if kind == "model" else self.ms_datasets

    @property
    def ms_count(self) -> int:
        return len(self.ms_models) + len(self.ms_datasets)


@dataclass(frozen=True)
class MainlandOwners:
    """Hugging Face author (casefold) → owner name on ModelScope / on OpenDataLab."""

    modelscope: Mapping[str, str] = field(default_factory=dict)
    opendatalab: Mapping[str, str] = field(default_factory=dict)
    # OpenDataLab datasets the registry names ("OWNER/NAME"): published whatever the draw says,
    # as the world plants the registry's Hugging Face and GitHub products.
    named_odl: tuple[str, ...] = ()


_LOCK = threading.Lock()
_OWNERS: dict[int, MainlandOwners] = {}
_CATALOGUES: dict[int, MainlandCatalogue] = {}


def _forget(key: int) -> None:
    with _LOCK:
        _OWNERS.pop(key, None)
        _CATALOGUES.pop(key, None)


def attach_owners(world: World, owners: MainlandOwners) -> None:
    """Say which mainland owner each Hugging Face author of `world` publishes under."""
    key = id(world)
    with _LOCK:
        fresh = key not in _OWNERS
        _OWNERS[key] = owners
        _CATALOGUES.pop(key, None)
    if fresh:
        weakref.finalize(world, _forget, key)


def catalogue_for(world: World) -> MainlandCatalogue:
    """The world's mainland catalogue, derived once per world."""
    key = id(world)
    with _LOCK:
        found = _CATALOGUES.get(key)
        owners = _OWNERS.get(key, MainlandOwners())
    if found is not None:
        return found
    catalogue = derive_catalogue(world, owners)
    with _LOCK:
        _CATALOGUES.setdefault(key, catalogue)
        if key not in _OWNERS:
            _OWNERS[key] = owners
            weakref.finalize(world, _forget, key)
        return _CATALOGUES[key]


def owners_from_registry(registry: Registry) -> MainlandOwners:
    """Pair each organisation's Hugging Face handles with its mainland handles.

    A mainland handle with the same name (case aside) as a Hugging Face handle is that handle's;
    the other Hugging Face handles publish under the organisation's first remaining mainland
    handle (InternLM's `internlm` under `Shanghai_AI_Laboratory`).
    """
    modelscope: dict[str, str] = {}
    opendatalab: dict[str, str] = {}
    for organization in registry.organizations.values():
        for target, handles in (
            (modelscope, organization.modelscope),
            (opendatalab, organization.opendatalab),
        ):
            if not handles:
                continue
            by_name = {handle.casefold(): handle for handle in handles}
            hf_names = {handle.casefold() for handle in organization.huggingface}
            others = [handle for handle in handles if handle.casefold() not in hf_names]
            fallback = others[0] if others else handles[0]
            for hf_handle in organization.huggingface:
                target[hf_handle.casefold()] = by_name.get(hf_handle.casefold(), fallback)
    named = tuple(a.repo_id for a in registry.explicit_artifacts() if a.platform == "od")
    return MainlandOwners(modelscope, opendatalab, named)


def _fraction(*parts: str) -> float:
    """A stable number in [0, 1) from text: the same world always publishes the same repos."""
    digest = hashlib.sha1("/".join(parts).encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def derive_catalogue(world: World, owners: MainlandOwners) -> MainlandCatalogue:
    catalogue = MainlandCatalogue()
    authors = {author.casefold() for author in world.hf_authors}
    for model in world.models.values():
        author = model.author.casefold()
        if author not in authors or model.disabled or model.renamed_to:
            continue
        if _fraction("ms", model.id) >= MS_MODEL_SHARE:
            continue
        owner = owners.modelscope.get(author, model.author)
        name = model.id.split("/", 1)[1]
        # Mainland-heavy: ModelScope's all-time downloads run 1.5x to 6x the Hub's.
        downloads = int(model.downloads_all_time * (1.5 + 4.5 * _fraction("dl", model.id)))
        likes = int(model.likes * (0.1 + 0.4 * _fraction("likes", model.id)))
        tasks = (model.pipeline_tag,) if model.pipeline_tag else ()
        repo = MsRepo(
            "model",
            owner,
            name,
            downloads,
            likes,
            model.created_at,
            model.last_modified,
            model.license,
            tuple(model.tags),
            tasks,
            model.id,
        )
        catalogue.ms_models[repo.repo_id.casefold()] = repo
        # The community's quantised builds are often published by the organisation itself there.
        for suffix in QUANTISED_SUFFIXES:
            if _fraction("quant", model.id, suffix) < 0.35:
                variant = MsRepo(
                    "model",
                    owner,
                    f"{name}-{suffix}",
                    int(downloads * 0.2 * _fraction("qdl", model.id, suffix)),
                    int(likes * 0.1),
                    model.created_at,
                    model.last_modified,
                    model.license,
                    ("quantized", suffix.lower()),
                    tasks,
                    None,
                )
                catalogue.ms_models[variant.repo_id.casefold()] = variant
    for dataset in world.datasets.values():
        author = dataset.author.casefold()
        if author not in authors or dataset.disabled:
            continue
        name = dataset.id.split("/", 1)[1]
        if _fraction("msd", dataset.id) < MS_DATASET_SHARE:
            owner = owners.modelscope.get(author, dataset.author)
            repo = MsRepo(
                "dataset",
                owner,
                name,
                int(dataset.downloads_all_time * (1.0 + 3.0 * _fraction("dsdl", dataset.id))),
                int(dataset.likes * (0.1 + 0.3 * _fraction("dslk", dataset.id))),
                dataset.created_at,
                dataset.last_modified,
                dataset.license,
                tuple(dataset.tags),
                (),
                dataset.id,
            )
            catalogue.ms_datasets[repo.repo_id.casefold()] = repo
        if _fraction("odl", dataset.id) < ODL_DATASET_SHARE:
            owner = owners.opendatalab.get(author, dataset.author)
            entry = _odl_dataset(
                owner, name, id_key=dataset.id, base=dataset.downloads_all_time, twin=dataset
            )
            catalogue.odl_datasets[f"{owner}/{name}".casefold()] = entry
    for repo_id in owners.named_odl:
        if repo_id.casefold() not in catalogue.odl_datasets:
            catalogue.odl_datasets[repo_id.casefold()] = _named_odl(world, repo_id)
    return catalogue


def _named_odl(world: World, repo_id: str) -> OdlDataset:
    """A registry-named OpenDataLab dataset, with figures from its Hugging Face twin if any."""
    owner, name = repo_id.split("/", 1)
    twin = next((d for d in world.datasets.values() if d.id.split("/", 1)[1] == name), None)
    base = twin.downloads_all_time if twin is not None else int(50_000 * _fraction("odl", repo_id))
    return _odl_dataset(owner, name, id_key=repo_id, base=base, twin=twin)


def _odl_dataset(
    owner: str, name: str, *, id_key: str, base: int, twin: HfDataset | None
) -> OdlDataset:
    """An OpenDataLab dataset: its id from `id_key`, downloads spread around `base`, the rest
    from its Hugging Face twin if any."""
    downloads = int(base * (0.5 + 2.0 * _fraction("odl-dl", name)))
    return OdlDataset(
        id=100_000 + int(_fraction("odl-id", id_key) * 900_000),
        owner=owner,
        name=name,
        downloads=downloads,
        views=downloads * 4 + 17,
        downloads_week=downloads // 50,
        views_week=downloads // 12,
        license=twin.license if twin is not None else "CC-BY-4.0",
        description=twin.description if twin is not None else None,
        hf_twin=twin.id if twin is not None else None,
    )
