"""Benchmark results → canonical ids and 0..1 scores the scoring can compare.

`normalise` is pure: the pipeline applies it to every source's results (the Hugging Face
collector's too) before storing them.

Scaling, per benchmark:
- with a known random baseline, the Open LLM Leaderboard's method:
  `(value − baseline) / (max − baseline)`, clipped to 0..1 (below chance counts as 0);
- otherwise the mid-rank percentile of the artifact's value among peers of the same size class
  with the same benchmark and metric — `(peers below + ½ peers equal) / peers`, each artifact
  counted once with its best value. With fewer than two peer artifacts there is nothing to
  compare with and `scaled` stays None.

Units: sources give one benchmark as a fraction (0.412), a percent (41.2) or in its own unit
(OCRBench's final score out of 1000). Every value is read as a percent of the full score first: a
value ≤ 1 is a fraction; on a benchmark whose full score is not 100, a value ≤ 100 is already a
percent (no real OCRBench result is below 100/1000); otherwise it is in the benchmark's unit. A
value above the full score (e.g. the "total" sample count some model cards list as a metric) is
not a score: it is kept unscaled and named in the report. A result that arrives with `scaled`
already set (the Open LLM Leaderboard publishes its own normalised scores) keeps it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from collectors.benchmarks.aliases import BenchmarkCatalogue, BenchmarkSpec, default_catalogue
from ossimpact.domain import ArtifactId, BenchmarkResult

UNKNOWN_SIZE_CLASS = "unknown size"
DEFAULT_FULL_SCORE = 100.0


@dataclass
class UnknownReport:
    """What normalisation could not place: shown to the operator, never silently dropped."""

    # raw benchmark name → how many results carried it (kept under that name)
    unknown_names: dict[str, int] = field(default_factory=dict)
    # one line per result whose value is not a score on its benchmark's scale
    out_of_range: list[str] = field(default_factory=list)
    # "benchmark/metric/size class" groups with a single artifact: no percentile possible
    lone_peers: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.unknown_names or self.out_of_range or self.lone_peers)

    def lines(self) -> list[str]:
        out = [
            f"unknown benchmark {name!r} ({count} results, kept under that name)"
            for name, count in sorted(self.unknown_names.items())
        ]
        out.extend(self.out_of_range)
        out.extend(f"no peers to rank against: {group}" for group in self.lone_peers)
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


def mid_rank_percentile(value: float, peers: Sequence[float]) -> float:
    """Share of peers below `value`, counting ties as half: 0..1."""
    below = sum(1 for p in peers if p < value)
    equal = sum(1 for p in peers if p == value)
    return (below + 0.5 * equal) / len(peers)


def _usable(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))


def normalise(
    results: Sequence[BenchmarkResult],
    size_class: Mapping[ArtifactId, str] | None = None,
    *,
    catalogue: BenchmarkCatalogue | None = None,
) -> tuple[list[BenchmarkResult], UnknownReport]:
    """Canonical benchmark ids and `scaled` for every result, in the input order.

    `size_class` maps artifacts to their size class (e.g. "7–15B") for the percentile fallback;
    artifacts it does not name share the class "unknown size".
    """
    catalogue = catalogue or default_catalogue()
    classes = size_class or {}
    report = UnknownReport()
    named: list[BenchmarkResult] = []
    for result in results:
        canonical = catalogue.canonical(result.benchmark) or catalogue.canonical(result.raw_name)
        if canonical is None:
            report.unknown_names[result.raw_name] = report.unknown_names.get(result.raw_name, 0) + 1
            canonical = result.benchmark
        named.append(replace(result, benchmark=canonical))

    out: list[BenchmarkResult | None] = [None] * len(named)
    # (benchmark, metric, size class) → [(index, artifact, percent)] awaiting a percentile
    pending: dict[tuple[str, str, str], list[tuple[int, ArtifactId, float]]] = defaultdict(list)
    for index, result in enumerate(named):
        spec = catalogue.spec(result.benchmark)
        full = spec.max if spec is not None else DEFAULT_FULL_SCORE
        if result.scaled is not None or not _usable(result.value):
            out[index] = result
            continue
        percent = as_percent(result.value, full)
        if not 0.0 <= percent <= 100.0:
            report.out_of_range.append(
                f"{result.artifact} {result.benchmark}/{result.metric} = {result.value:g} from "
                f"{result.source}: not a score out of {full:g}, kept unscaled"
            )
            out[index] = result
            continue
        scaled = baseline_scaled(result.value, spec) if spec is not None else None
        if scaled is not None:
            out[index] = replace(result, scaled=scaled)
            continue
        group = (result.benchmark, result.metric, classes.get(result.artifact, UNKNOWN_SIZE_CLASS))
        pending[group].append((index, result.artifact, percent))

    for group, members in pending.items():
        best: dict[ArtifactId, float] = {}
        for _, artifact, percent in members:
            best[artifact] = max(percent, best.get(artifact, -math.inf))
        peers = list(best.values())
        for index, _, percent in members:
            result = named[index]
            if len(peers) < 2:
                out[index] = result
                continue
            out[index] = replace(result, scaled=mid_rank_percentile(percent, peers))
        if len(peers) < 2:
            report.lone_peers.append("/".join(group))
    return [r for r in out if r is not None], report
