"""Hugging Face benchmark leaderboards (`GET /api/datasets/{id}/leaderboard`) and trust labels.

The Hub builds a benchmark dataset's leaderboard from the `.eval_results/` files of model repos
(the same entries the `evalResults` expand shows per model, which the Hugging Face collector
reads). Rows are parsed by huggingface_hub's `DatasetLeaderboardEntry`, the client's own reader.

Trust of a Hub result, strongest first:
- "independent" when the benchmark's owner produced it: the result's source is the owner's
  namespace on the Hub (`huggingface.co/OWNER`, `…/datasets/OWNER/…`, `…/spaces/OWNER/…`) or
  names the owner as its organisation;
- "verified" when the Hub verified it (a verify token / `verified: true`);
- "self_reported" otherwise (the model's authors wrote it into their own repo).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from huggingface_hub import DatasetLeaderboardEntry

from collectors.core.errors import Malformed
from ossimpact.domain import ArtifactId, BenchmarkResult, Trust

SOURCE = "hf_leaderboard"
_NAMESPACE_PREFIXES = ("datasets", "spaces")


class LeaderboardFormatError(Malformed):
    """A leaderboard answer that is not a list of rows: its shape changed."""


def produced_by_owner(dataset_id: str, source: Mapping[str, Any] | None) -> bool:
    """True when a result's source is the benchmark owner's Hub namespace or organisation."""
    if not source:
        return False
    owner = dataset_id.split("/", 1)[0].casefold()
    for key in ("org", "organization"):
        value = source.get(key)
        if isinstance(value, str) and value.casefold() == owner:
            return True
    url = source.get("url")
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if not parts.netloc.casefold().endswith("huggingface.co"):
        return False
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] in _NAMESPACE_PREFIXES:
        segments = segments[1:]
    return bool(segments) and segments[0].casefold() == owner


def hub_trust(dataset_id: str, *, verified: bool, source: Mapping[str, Any] | None) -> Trust:
    if produced_by_owner(dataset_id, source):
        return "independent"
    return "verified" if verified else "self_reported"


@dataclass
class LeaderboardParse:
    results: list[BenchmarkResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rows skipped, with the reason
    untracked: int = 0  # rows of models outside the registry (expected: most of the board)


def parse_leaderboard(
    payload: object,
    dataset_id: str,
    tracked: Mapping[str, ArtifactId],
    *,
    observed_at: datetime,
    source_url: str,
) -> LeaderboardParse:
    """Rows of tracked models (`tracked`: HF model id → artifact) as benchmark results.

    Raises LeaderboardFormatError when the answer is not a list (nothing of it is usable); a
    malformed row is skipped and named in `problems`.
    """
    if isinstance(payload, Mapping) and isinstance(payload.get("data"), list):
        payload = payload["data"]
    if not isinstance(payload, list):
        raise LeaderboardFormatError(
            f"leaderboard of {dataset_id} is a {type(payload).__name__}, not a list of rows"
        )
    parsed = LeaderboardParse()
    for position, row in enumerate(payload, 1):
        if not isinstance(row, Mapping):
            parsed.problems.append(f"{dataset_id} row {position}: not an object, skipped")
            continue
        try:
            entry = DatasetLeaderboardEntry(**row)
        except (KeyError, TypeError, ValueError) as err:
            parsed.problems.append(
                f"{dataset_id} row {position}: {type(err).__name__} {err}, skipped"
            )
            continue
        artifact = tracked.get(entry.model_id) if isinstance(entry.model_id, str) else None
        if artifact is None:
            parsed.untracked += 1
            continue
        value = entry.value
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            parsed.problems.append(
                f"{dataset_id} row {position} ({entry.model_id}): value {value!r} "
                "is not a number, skipped"
            )
            continue
        source = entry.source if isinstance(entry.source, Mapping) else None
        task = row.get("taskId") or row.get("task_id")
        parsed.results.append(
            BenchmarkResult(
                artifact=artifact,
                benchmark=dataset_id,
                raw_name=dataset_id,
                metric=task if isinstance(task, str) and task else "score",
                value=float(value),
                source=SOURCE,
                trust=hub_trust(dataset_id, verified=entry.verified is True, source=source),
                observed_at=observed_at,
                source_url=source_url,
            )
        )
    return parsed
