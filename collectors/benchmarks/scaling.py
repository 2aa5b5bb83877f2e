"""Benchmark results → canonical ids, comparable units and, where a published method exists, a
0..1 score.

`normalise` is pure: the pipeline applies it to every source's results (the Hugging Face
collector's too) before storing them. It never ranks: scoring alone turns the results without a
baseline into percentiles, among every stored result of the same benchmark and metric
(`scoring/signals.py`), so there is one percentile scaling with one peer group.

Per result:
- `percent`: the value as a percent of the benchmark's full score. Sources give one benchmark as
  a fraction (0.412), a percent (41.2) or in its own unit (OCRBench's final score out of 1000):
  a value ≤ 1 is a fraction; on a benchmark whose full score is not 100, a value ≤ 100 is
  already a percent (no real OCRBench result is below 100/1000); otherwise it is in the
  benchmark's unit. A value above the full score (e.g. the "total" sample count some model cards
  list as a metric) is not a score: it gets no percent and is named in the report.
- `scaled`, with a known random baseline, the Open LLM Leaderboard's method:
  `(percent − baseline) / (100 − baseline)`, clipped to 0..1 (below chance counts as 0). A result
  that arrives with `scaled` already set (the Open LLM Leaderboard publishes its own normalised
  scores) keeps it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from collectors.benchmarks.aliases import BenchmarkCatalogue, BenchmarkSpec, default_catalogue
from ossimpact.domain import BenchmarkResult

DEFAULT_FULL_SCORE = 100.0


@dataclass
class UnknownReport:
    """What normalisation could not place: shown to the operator, never silently dropped."""

    # raw benchmark name → how many results carried it (kept under that name)
    unknown_names: dict[str, int] = field(default_factory=dict)
    # one line per result whose value is not a score on its benchmark's scale
    out_of_range: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.unknown_names or self.out_of_range)

    def lines(self) -> list[str]:
        out = [
            f"unknown benchmark {name!r} ({count} results, kept under that name)"
            for name, count in sorted(self.unknown_names.items())
        ]
        out.extend(self.out_of_range)
        return out


def as_percent(value: float, full_score: float = DEFAULT_FULL_SCORE) -> float:
    """A result value as a percent of the benchmark's full score (see the module's rules)."""
    if 0.0 <= value <= 1.0:
        return value * 100.0
    if full_score != DEFAULT_FULL_SCORE and value <= DEFAULT_FULL_SCORE:
        return value
    return value / full_score * 100.0


def baseline_scaled(value: float, spec: BenchmarkSpec) -> float | None:
    """`(value − random) / (max − random)` in 0..1; None without a baseline or off the scale."""
    if spec.random_baseline is None:
        return None
    percent = as_percent(value, spec.max)
    if not 0.0 <= percent <= 100.0:
        return None
    return min(1.0, max(0.0, (percent - spec.random_baseline) / (100.0 - spec.random_baseline)))


def _usable(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))


def normalise(
    results: Sequence[BenchmarkResult], *, catalogue: BenchmarkCatalogue | None = None
) -> tuple[list[BenchmarkResult], UnknownReport]:
    """Canonical benchmark ids, `percent` and (with a random baseline) `scaled` for every
    result, in the input order."""
    catalogue = catalogue or default_catalogue()
    report = UnknownReport()
    out: list[BenchmarkResult] = []
    for result in results:
        canonical = catalogue.canonical(result.benchmark) or catalogue.canonical(result.raw_name)
        if canonical is None:
            report.unknown_names[result.raw_name] = report.unknown_names.get(result.raw_name, 0) + 1
            canonical = result.benchmark
        result = replace(result, benchmark=canonical)
        spec = catalogue.spec(result.benchmark)
        full = spec.max if spec is not None else DEFAULT_FULL_SCORE
        if not _usable(result.value):
            out.append(result)
            continue
        percent = as_percent(result.value, full)
        if not 0.0 <= percent <= 100.0:
            report.out_of_range.append(
                f"{result.artifact} {result.benchmark}/{result.metric} = {result.value:g} from "
                f"{result.source}: not a score out of {full:g}, kept unscaled"
            )
            out.append(result)
            continue
        scaled = result.scaled
        if scaled is None and spec is not None:
            scaled = baseline_scaled(result.value, spec)
        out.append(replace(result, percent=percent, scaled=scaled))
    return out, report
