"""A model card's `model-index` → self-reported benchmark results, read by huggingface_hub.

The card's authors write these numbers themselves, so every result is "self_reported", whatever
the card's own `verified` flag says (it is not checked against a signature here). huggingface_hub
flattens the index (one `EvalResult` per metric); values that are not numbers ("N/A", "see paper")
are skipped and named in `problems`, and an index the library cannot read is one problem, never
an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from huggingface_hub.repocard_data import EvalResult, model_index_to_eval_results

from ossimpact.domain import ArtifactId, BenchmarkResult

SOURCE = "model_index"


@dataclass
class ModelIndexParse:
    results: list[BenchmarkResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def eval_results_of(model_index: object) -> tuple[list[EvalResult], str | None]:
    """huggingface_hub's EvalResults of a model-index, or ([], why it could not be read)."""
    if model_index is None:
        return [], None
    if not isinstance(model_index, list):
        return [], f"model-index is a {type(model_index).__name__}, not a list"
    try:
        _, results = model_index_to_eval_results(model_index)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return [], f"model-index not readable: {type(err).__name__}: {err}"
    return results, None


def parse_model_index(
    model_index: object, artifact: ArtifactId, *, observed_at: datetime, source_url: str
) -> ModelIndexParse:
    parsed = ModelIndexParse()
    results, problem = eval_results_of(model_index)
    if problem:
        parsed.problems.append(f"{artifact}: {problem}")
    for result in results:
        value = result.metric_value
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            parsed.problems.append(
                f"{artifact}: {result.dataset_type} {result.metric_type} value {value!r} "
                "is not a number, skipped"
            )
            continue
        parsed.results.append(
            BenchmarkResult(
                artifact=artifact,
                benchmark=result.dataset_type,
                raw_name=result.dataset_name or result.dataset_type,
                metric=result.metric_type,
                value=float(value),
                source=SOURCE,
                trust="self_reported",
                observed_at=observed_at,
                source_url=result.source_url or source_url,
                split=result.dataset_split,
            )
        )
    return parsed
