"""The Open LLM Leaderboard archive (`open-llm-leaderboard/contents`), read from a local Parquet.

The leaderboard was retired in 2025; its last table is a historical, independent source. The
operator downloads the dataset's Parquet file and points `OSSIMPACT_OPEN_LLM_PARQUET` at it; no
file, no results (and no failure).

Columns used (the v2 table): `fullname` (the Hub model id), one column per benchmark with the
leaderboard's own normalised score (0–100: `IFEval`, `BBH`, `MATH Lvl 5`, `GPQA`, `MUSR`,
`MMLU-PRO`) and, when present, `<benchmark> Raw` with the raw accuracy (0–1), plus `Flagged`.
A result stores the raw accuracy as its value when the archive has it (metric "raw", else the
normalised score with metric "normalized"), and the leaderboard's normalised score / 100 as
`scaled` — the leaderboard normalised per subtask, which an aggregate cannot redo. Rows the
leaderboard flagged (contamination, wrong metadata) are skipped and named in the report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from collectors.core.errors import Malformed
from ossimpact.domain import ArtifactId, BenchmarkResult

SOURCE = "open_llm_leaderboard"
DATASET_URL = "https://huggingface.co/datasets/open-llm-leaderboard/contents"
MODEL_COLUMN = "fullname"
BENCHMARK_COLUMNS = ("IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO")
FLAGGED_COLUMN = "Flagged"


class OpenLlmArchiveError(Malformed):
    """The archive file cannot be read, or lacks the columns of the leaderboard's table."""


@dataclass
class OpenLlmParse:
    results: list[BenchmarkResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    untracked: int = 0


def read_archive(path: Path) -> pa.Table:
    if not path.is_file():
        raise OpenLlmArchiveError(f"Open LLM Leaderboard archive {path} does not exist")
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as err:
        raise OpenLlmArchiveError(f"{path} is not a readable Parquet file: {err}") from err
    names = set(schema.names)
    present = [c for c in BENCHMARK_COLUMNS if c in names]
    if MODEL_COLUMN not in names or not present:
        raise OpenLlmArchiveError(
            f"{path} is not the Open LLM Leaderboard table: it needs `{MODEL_COLUMN}` and at "
            f"least one of {', '.join(BENCHMARK_COLUMNS)} (found {', '.join(schema.names[:12])})"
        )
    wanted = [MODEL_COLUMN, *present]
    wanted += [f"{c} Raw" for c in present if f"{c} Raw" in names]
    wanted += [FLAGGED_COLUMN] if FLAGGED_COLUMN in names else []
    try:
        return pq.read_table(path, columns=wanted)
    except (pa.ArrowException, OSError) as err:
        raise OpenLlmArchiveError(f"{path}: cannot read its columns: {err}") from err


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def parse_archive(
    table: pa.Table, tracked: Mapping[str, ArtifactId], *, observed_at: datetime
) -> OpenLlmParse:
    """Results of the tracked models (`tracked`: Hub model id → artifact)."""
    parsed = OpenLlmParse()
    columns = set(table.column_names)
    for number, row in enumerate(table.to_pylist(), 1):
        parsed.rows += 1
        model = row.get(MODEL_COLUMN)
        if not isinstance(model, str) or "/" not in model:
            parsed.problems.append(f"row {number}: `{MODEL_COLUMN}` {model!r} is not a model id")
            continue
        artifact = tracked.get(model)
        if artifact is None:
            parsed.untracked += 1
            continue
        if row.get(FLAGGED_COLUMN) is True:
            parsed.problems.append(f"{model}: flagged by the leaderboard, skipped")
            continue
        for benchmark in BENCHMARK_COLUMNS:
            if benchmark not in columns:
                continue
            normalised = _finite(row.get(benchmark))
            if normalised is None:
                if row.get(benchmark) is not None:
                    parsed.problems.append(
                        f"{model} {benchmark}: {row.get(benchmark)!r} is not a number, skipped"
                    )
                continue
            raw = _finite(row.get(f"{benchmark} Raw"))
            parsed.results.append(
                BenchmarkResult(
                    artifact=artifact,
                    benchmark=benchmark,
                    raw_name=benchmark,
                    metric="raw" if raw is not None else "normalized",
                    value=raw if raw is not None else normalised,
                    source=SOURCE,
                    trust="independent",
                    observed_at=observed_at,
                    source_url=DATASET_URL,
                    scaled=min(1.0, max(0.0, normalised / 100.0)),
                )
            )
    return parsed
