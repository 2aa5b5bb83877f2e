"""Hub answers (ModelInfo / DatasetInfo) → our records: figures, descriptions, edges, benchmarks.

A figure the Hub did not return is absent, never zero. A figure of the wrong type (a string for a
count, a negative count) is left out and named in `problems`, so the run can mark the artifact
malformed while keeping what is sound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from huggingface_hub import DatasetInfo, ModelInfo
from huggingface_hub.repocard_data import EvalResult

from collectors.core.errors import Malformed
from collectors.huggingface.derivatives import base_relations, children_by_relation
from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    Edge,
    EdgeRelation,
    Metric,
    Observation,
)


class MalformedItem(Malformed):
    """A listing item or info answer that cannot be read as a repository at all."""


@dataclass
class ParsedArtifact:
    record: ArtifactRecord
    observations: list[Observation] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    benchmark_results: list[BenchmarkResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # childrenModelCount by relation, when the Hub returned it (models only)
    children: dict[str, int] | None = None


# What huggingface_hub's constructors raise on a field of the wrong type (e.g. `createdAt: -1` →
# AttributeError in its date parser): the item is malformed, the run goes on.
_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError)


def model_info_from_item(item: object) -> ModelInfo:
    """A listing item as huggingface_hub's ModelInfo; MalformedItem when it is not one."""
    fields = _item_fields(item)
    try:
        return ModelInfo(**fields)  # type: ignore[no-untyped-call]
    except _UNREADABLE as err:
        raise MalformedItem(f"{fields['id']}: {type(err).__name__}: {err}") from err


def dataset_info_from_item(item: object) -> DatasetInfo:
    fields = _item_fields(item)
    try:
        return DatasetInfo(**fields)  # type: ignore[no-untyped-call]
    except _UNREADABLE as err:
        raise MalformedItem(f"{fields['id']}: {type(err).__name__}: {err}") from err


def _item_fields(item: object) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise MalformedItem(f"listing item is a {type(item).__name__}, not an object")
    repo_id = item.get("id")
    if not isinstance(repo_id, str) or repo_id.count("/") != 1:
        raise MalformedItem(f"listing item has no usable id (id={repo_id!r})")
    return {"siblings": None, **item}


def _count(value: object, name: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{name} is {value!r}, not a number")
        return None
    number = _finite(value)
    if number is None or number < 0:
        problems.append(f"{name} is {value!r}, not a count")
        return None
    return number


def _finite(value: int | float) -> float | None:
    """The value as a finite float; None for NaN, infinity and integers beyond float range."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _when(value: object, name: str, problems: list[str]) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    problems.append(f"{name} is {value!r}, not a date")
    return None


def _text(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ",".join(value)
    return None


def _tags(value: object, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        problems.append("tags is not a list of strings")
        return []
    return value


def _license(card: object, tags: list[str]) -> str | None:
    from_card = _text(getattr(card, "license", None))
    if from_card:
        return from_card
    return next((t.removeprefix("license:") for t in tags if t.startswith("license:")), None)


def _extra(card: object, gated: object) -> dict[str, str]:
    """What else a committee reads about the artifact: how access is granted, and the name and
    file of an `other` licence (the card's `license_name` / `license_link`)."""
    extra = {"gated_mode": str(gated)} if isinstance(gated, str) else {}
    for key in ("license_name", "license_link"):
        value = _text(getattr(card, key, None))
        if value:
            extra[key] = value[:500]
    return extra


def benchmark_short_name(dataset_id: str) -> str:
    """`cais/mmlu` → `mmlu`: the canonical-id stand-in until benchmark aliases are normalised."""
    return dataset_id.rsplit("/", 1)[-1].lower()


@dataclass(frozen=True)
class Fetch:
    """When and where a set of figures was read."""

    observed_at: datetime
    source_url: str


def parse_model(
    info: ModelInfo, *, owner_handle: str, tracked: bool, fetch: Fetch
) -> ParsedArtifact:
    problems: list[str] = []
    artifact = ArtifactId.hf_model(info.id)
    tags = _tags(info.tags, problems)
    card = info.card_data
    gated = info.gated
    record = ArtifactRecord(
        id=artifact,
        owner_handle=owner_handle,
        created_at=_when(info.created_at, "createdAt", problems),
        last_modified=_when(info.last_modified, "lastModified", problems),
        license=_license(card, tags),
        pipeline_tag=_text(info.pipeline_tag),
        library=_text(info.library_name),
        language=_text(getattr(card, "language", None)),
        gated=None if gated is None else bool(gated),
        topics=tuple(tags),
        tracked=tracked,
        extra=_extra(card, gated),
    )
    parsed = ParsedArtifact(record=record, problems=problems)
    figures: dict[Metric, object] = {
        Metric.DOWNLOADS_30D: info.downloads,
        Metric.DOWNLOADS_ALL_TIME: info.downloads_all_time,
        Metric.LIKES: info.likes,
        Metric.TRENDING_SCORE: info.trending_score,
        Metric.PARAMETERS: info.safetensors.total if info.safetensors is not None else None,
    }
    if info.spaces is not None:
        if isinstance(info.spaces, list):
            figures[Metric.SPACES] = len(info.spaces)
        else:
            problems.append("spaces is not a list")
    _observe(parsed, artifact, figures, fetch)

    for dataset in (t.removeprefix("dataset:") for t in tags if t.startswith("dataset:")):
        if dataset.count("/") == 1:
            _edge(parsed, ArtifactId.hf_dataset(dataset), artifact, "trained_on", fetch)
    for relation, base in base_relations(info.id, tags, info.base_models):
        _edge(parsed, ArtifactId.hf_model(base), artifact, relation, fetch)

    parsed.children = children_by_relation(info.children_model_count, problems)
    _eval_results(parsed, artifact, info, fetch)
    _model_index(parsed, artifact, card, fetch)
    return parsed


def parse_dataset(
    info: DatasetInfo, *, owner_handle: str, tracked: bool, fetch: Fetch
) -> ParsedArtifact:
    problems: list[str] = []
    artifact = ArtifactId.hf_dataset(info.id)
    tags = _tags(info.tags, problems)
    card = info.card_data
    gated = info.gated
    record = ArtifactRecord(
        id=artifact,
        owner_handle=owner_handle,
        created_at=_when(info.created_at, "createdAt", problems),
        last_modified=_when(info.last_modified, "lastModified", problems),
        license=_license(card, tags),
        language=_text(getattr(card, "language", None)),
        gated=None if gated is None else bool(gated),
        description=_text(info.description),
        topics=tuple(tags),
        tracked=tracked,
        extra=_extra(card, gated),
    )
    parsed = ParsedArtifact(record=record, problems=problems)
    figures: dict[Metric, object] = {
        Metric.DOWNLOADS_30D: info.downloads,
        Metric.DOWNLOADS_ALL_TIME: info.downloads_all_time,
        Metric.LIKES: info.likes,
        Metric.TRENDING_SCORE: info.trending_score,
    }
    _observe(parsed, artifact, figures, fetch)
    return parsed


def _observe(
    parsed: ParsedArtifact, artifact: ArtifactId, figures: Mapping[Metric, object], fetch: Fetch
) -> None:
    for metric, raw in figures.items():
        value = _count(raw, metric.value, parsed.problems)
        if value is not None:
            parsed.observations.append(
                Observation(artifact, metric.value, value, fetch.observed_at, fetch.source_url)
            )


def _edge(
    parsed: ParsedArtifact,
    source: ArtifactId,
    target: ArtifactId,
    relation: EdgeRelation,
    fetch: Fetch,
) -> None:
    parsed.edges.append(Edge(source, target, relation, fetch.observed_at, fetch.source_url))


def _eval_results(
    parsed: ParsedArtifact, artifact: ArtifactId, info: ModelInfo, fetch: Fetch
) -> None:
    for entry in info.eval_results or []:
        value = entry.value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or _finite(value) is None:
            parsed.problems.append(f"evalResults {entry.dataset_id} value {value!r} not a number")
            continue
        parsed.benchmark_results.append(
            BenchmarkResult(
                artifact=artifact,
                benchmark=benchmark_short_name(entry.dataset_id),
                raw_name=entry.dataset_id,
                metric=entry.task_id,
                value=float(value),
                source="hf_eval_results",
                trust="verified" if entry.verify_token else "self_reported",
                observed_at=fetch.observed_at,
                source_url=fetch.source_url,
            )
        )


def _model_index(parsed: ParsedArtifact, artifact: ArtifactId, card: Any, fetch: Fetch) -> None:
    results: list[EvalResult] = list(getattr(card, "eval_results", None) or [])
    for result in results:
        value = result.metric_value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or _finite(value) is None:
            continue  # model-index values are free text on many cards ("N/A", "see paper")
        parsed.benchmark_results.append(
            BenchmarkResult(
                artifact=artifact,
                benchmark=benchmark_short_name(result.dataset_type),
                raw_name=result.dataset_name or result.dataset_type,
                metric=result.metric_type,
                value=float(value),
                source="model_index",
                trust="self_reported",
                observed_at=fetch.observed_at,
                source_url=fetch.source_url,
                split=result.dataset_split,
            )
        )
