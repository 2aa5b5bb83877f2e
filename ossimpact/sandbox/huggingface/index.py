"""The fake Hub's view of the world: indexed once by id, tag, author; each repo's full record.

A listing or info call then picks the fields asked for (`expand`) out of the full record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from ossimpact.sandbox.huggingface.options import REMOVE, HubOptions
from ossimpact.sandbox.huggingface.wire import hex_id, iso
from ossimpact.sandbox.model import HfDataset, HfModel, World


def model_tags(model: HfModel) -> list[str]:
    """The tags the Hub computes for a model: its own plus library, license, dataset, base_model."""
    tags: list[str] = []
    if model.library_name:
        tags.append(model.library_name)
    if model.pipeline_tag:
        tags.append(model.pipeline_tag)
    tags.extend(model.tags)
    tags.extend(f"dataset:{dataset}" for dataset in model.datasets)
    if model.base_model:
        tags.append(f"base_model:{model.base_model}")
        if model.base_relation:
            tags.append(f"base_model:{model.base_relation}:{model.base_model}")
    if model.license:
        tags.append(f"license:{model.license}")
    tags.append("region:us")
    return list(dict.fromkeys(tags))


def dataset_tags(dataset: HfDataset) -> list[str]:
    tags = list(dataset.tags)
    if dataset.license:
        tags.append(f"license:{dataset.license}")
    if dataset.benchmark:
        tags.append("benchmark:official")
    tags.append("region:us")
    return list(dict.fromkeys(tags))


class HubIndex:
    """Models (by their current id, renames apart), datasets, tags, authors, Spaces, children."""

    def __init__(self, world: World, options: HubOptions) -> None:
        self.world = world
        self.options = options
        self.models: dict[str, HfModel] = {}
        self.renamed: dict[str, str] = {}
        for key, model in world.models.items():
            current = model.renamed_to or model.id
            self.models[current] = model
            if model.renamed_to:
                self.renamed[key] = model.renamed_to
        self.datasets: dict[str, HfDataset] = dict(world.datasets)
        self.model_tags = {mid: model_tags(m) for mid, m in self.models.items()}
        self.dataset_tags = {did: dataset_tags(d) for did, d in self.datasets.items()}
        self.models_by_tag = self._by_tag(self.model_tags)
        self.datasets_by_tag = self._by_tag(self.dataset_tags)
        self.models_by_author: dict[str, list[str]] = defaultdict(list)
        for mid in self.models:
            self.models_by_author[mid.split("/")[0].lower()].append(mid)
        self.datasets_by_author: dict[str, list[str]] = defaultdict(list)
        for did in self.datasets:
            self.datasets_by_author[did.split("/")[0].lower()].append(did)
        spaces: dict[str, list[str]] = defaultdict(list)
        for mid, model in self.models.items():
            spaces[mid].extend(model.spaces)
        for space, used in world.spaces.items():
            for mid in used:
                spaces[self.renamed.get(mid, mid)].append(space)
        self.spaces = {mid: list(dict.fromkeys(ids)) for mid, ids in spaces.items()}
        children: dict[str, Counter[str]] = defaultdict(Counter)
        for model in self.models.values():
            if model.base_model:
                base = self.renamed.get(model.base_model, model.base_model)
                children[base][model.base_relation or "finetune"] += 1
        self.children = children

    @staticmethod
    def _by_tag(tags_of: Mapping[str, list[str]]) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for repo_id, tags in tags_of.items():
            for tag in tags:
                index[tag].append(repo_id)
        return index

    def model_full(self, repo_id: str) -> dict[str, object]:
        model = self.models[repo_id]
        card: dict[str, object] = {}
        if model.license:
            card["license"] = model.license
        if model.datasets:
            card["datasets"] = list(model.datasets)
        if model.base_model:
            card["base_model"] = model.base_model
            if model.base_relation:
                card["base_model_relation"] = model.base_relation
        index_results = [r for r in model.eval_results if r.in_model_index]
        model_index = (
            [
                {
                    "name": repo_id,
                    "results": [
                        {
                            "task": {"type": "text-generation", "name": "Text Generation"},
                            "dataset": {"name": r.task_id, "type": r.dataset_id},
                            "metrics": [
                                {
                                    "type": "accuracy",
                                    "value": r.value,
                                    "name": "accuracy",
                                    "verified": r.verified,
                                }
                            ],
                        }
                        for r in index_results
                    ],
                }
            ]
            if index_results
            else None
        )
        if model_index:
            card["model-index"] = model_index
        full: dict[str, object] = {
            "_id": hex_id(repo_id, 24),
            "id": repo_id,
            "modelId": repo_id,
            "author": model.author,
            "sha": hex_id(f"sha:{repo_id}", 40),
            "createdAt": iso(model.created_at),
            "lastModified": iso(model.last_modified),
            "private": False,
            "gated": model.gated,
            "disabled": model.disabled,
            "downloads": model.downloads_30d,
            "downloadsAllTime": model.downloads_all_time,
            "likes": model.likes,
            "trendingScore": model.trending_score,
            "tags": self.model_tags[repo_id],
            "cardData": card,
            "model-index": model_index,
            "config": {},
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}],
            "spaces": self.spaces.get(repo_id, []),
            "usedStorage": (model.parameters or 0) * 2,
            "evalResults": [
                {
                    "dataset": {"id": r.dataset_id, "task_id": r.task_id},
                    "value": r.value,
                    **(
                        {"verifyToken": hex_id(f"verify:{repo_id}:{r.task_id}", 32)}
                        if r.verified
                        else {}
                    ),
                    **(
                        {"source": {"url": r.source_url, "name": r.source_name}}
                        if r.source_url
                        else {}
                    ),
                }
                for r in model.eval_results
            ],
            "childrenModelCount": dict(self.children.get(repo_id, {})),
        }
        if model.pipeline_tag:
            full["pipeline_tag"] = model.pipeline_tag
        if model.library_name:
            full["library_name"] = model.library_name
        if model.parameters:
            full["safetensors"] = {
                "parameters": {"BF16": model.parameters},
                "total": model.parameters,
            }
        if model.base_model:
            base = self.renamed.get(model.base_model, model.base_model)
            full["baseModels"] = {
                "relation": model.base_relation or "finetune",
                "models": [{"_id": hex_id(base, 24), "id": base}],
            }
        return full

    def dataset_full(self, repo_id: str) -> dict[str, object]:
        dataset = self.datasets[repo_id]
        card: dict[str, object] = {}
        if dataset.license:
            card["license"] = dataset.license
        full: dict[str, object] = {
            "_id": hex_id(repo_id, 24),
            "id": repo_id,
            "author": dataset.author,
            "sha": hex_id(f"sha:{repo_id}", 40),
            "createdAt": iso(dataset.created_at),
            "lastModified": iso(dataset.last_modified),
            "private": False,
            "gated": dataset.gated,
            "disabled": dataset.disabled,
            "downloads": dataset.downloads_30d,
            "downloadsAllTime": dataset.downloads_all_time,
            "likes": dataset.likes,
            "trendingScore": dataset.trending_score,
            "tags": self.dataset_tags[repo_id],
            "cardData": card,
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}],
            "usedStorage": 1_000_000,
        }
        if dataset.description is not None:
            full["description"] = dataset.description
        return full

    def model_item(self, repo_id: str, fields: Iterable[str]) -> dict[str, object]:
        return self.item(repo_id, self.model_full(repo_id), fields)

    def dataset_item(self, repo_id: str, fields: Iterable[str]) -> dict[str, object]:
        return self.item(repo_id, self.dataset_full(repo_id), fields)

    def item(
        self, repo_id: str, full: Mapping[str, object], fields: Iterable[str]
    ) -> dict[str, object]:
        item: dict[str, object] = {"_id": full["_id"], "id": full["id"]}
        for key in fields:
            if key in full:
                item[key] = full[key]
        for key, value in self.options.item_overrides.get(repo_id, {}).items():
            if value is REMOVE:
                item.pop(key, None)
            else:
                item[key] = value
        return item
