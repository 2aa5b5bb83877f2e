"""P4 — scoring speed at scale, each case in its own process so peak memory is its own.

Scoring: N products (one artifact each: models, corpora, repositories in a 5:2:3 mix) with a year
of daily history of their two main figures (30-day downloads and likes; stars and forks),
`score_products(..., draws=0)`. Intervals: `rank_intervals` with 1,000 draws over 10,000 products
of one category, as the engine calls it (the methodology's weights, transforms and noise).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from benchmarks.results import Figure
from ossimpact.domain import ArtifactId, ArtifactRecord, Organization, Product

if TYPE_CHECKING:
    from benchmarks.context import BenchContext

SCORING_TARGET = 5.0
INTERVALS_TARGET = 5.0
AS_OF = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def synthetic_inputs(products: int, days: int, seed: int = 11) -> Any:
    """ScoringInputs of `products` one-artifact products with `days` of daily history."""
    from scoring import ScoringInputs

    rng = np.random.default_rng(seed)
    kinds = np.array(["model"] * 5 + ["corpus"] * 2 + ["community"] * 3)[np.arange(products) % 10]
    ids: list[ArtifactId] = []
    for i, kind in enumerate(kinds):
        owner = f"org{i % 50}"
        if kind == "model":
            ids.append(ArtifactId.hf_model(f"{owner}/model-{i}"))
        elif kind == "corpus":
            ids.append(ArtifactId.hf_dataset(f"{owner}/corpus-{i}"))
        else:
            ids.append(ArtifactId.gh_repo(f"{owner}/repo-{i}"))
    names = [str(a) for a in ids]
    organizations = {
        f"org{k}": Organization(f"org{k}", f"org{k}", huggingface=(f"org{k}",), github=(f"org{k}",))
        for k in range(50)
    }
    product_list = [
        Product(name, a.repo_id, a.default_category, f"org{i % 50}", implicit=True)
        for i, (name, a) in enumerate(zip(names, ids, strict=True))
    ]
    created = AS_OF - timedelta(days=days + 30)
    artifacts = {a: ArtifactRecord(a, a.owner, created_at=created) for a in ids}
    # two daily series per artifact: a heavy-tailed level growing a little every day
    level = np.exp(rng.normal(6.0, 2.0, products))
    growth = 1.0 + np.arange(days)[None, :] * rng.uniform(0.0, 0.003, products)[:, None]
    first = np.round(level[:, None] * growth)
    second = np.round(first * rng.uniform(0.005, 0.05, products)[:, None])
    hf = kinds != "community"
    metrics = np.where(hf, "downloads_30d", "stars")
    others = np.where(hf, "likes", "forks")
    stamps = pd.date_range(end=AS_OF - timedelta(hours=1), periods=days, freq="D", tz="UTC")
    # typed as the store's reader (`observation_history`) returns the history: artifact and metric
    # categoricals over the sorted names, values float64, observed_at datetime64[ns, UTC]; rows in
    # (artifact, metric, time) order as the reader sorts them
    by_name = np.argsort(np.array(names, dtype=object), kind="stable")  # artifacts in name order
    metric_names = sorted(["downloads_30d", "likes", "stars", "forks"])
    code_of = {m: k for k, m in enumerate(metric_names)}
    first_code = np.array([code_of[m] for m in metrics], dtype=np.int8)
    second_code = np.array([code_of[m] for m in others], dtype=np.int8)
    # per artifact, its two series one after the other, the smaller metric name first
    low_first = first_code < second_code
    series_values = np.stack(
        [np.where(low_first[:, None], first, second), np.where(low_first[:, None], second, first)],
        axis=1,
    )  # products × 2 × days
    series_metrics = np.stack(
        [np.minimum(first_code, second_code), np.maximum(first_code, second_code)], axis=1
    )
    artifact_col = pd.Categorical.from_codes(
        np.repeat(np.arange(products, dtype=np.int32), 2 * days),
        categories=pd.Index(np.array(names, dtype=object)[by_name]),
    )
    metric_col = pd.Categorical.from_codes(
        np.repeat(series_metrics[by_name].ravel(), days), categories=pd.Index(metric_names)
    )
    stamp_ns = stamps.as_unit("ns").asi8
    history = pd.DataFrame(
        {
            "artifact": artifact_col,
            "metric": metric_col,
            "value": series_values[by_name].ravel(),
            "observed_at": pd.DatetimeIndex(
                np.tile(stamp_ns, products * 2).view("datetime64[ns]")
            ).tz_localize("UTC"),
        }
    )
    return ScoringInputs(
        as_of=AS_OF,
        products=product_list,
        members={p.id: [ArtifactId.parse(p.id)] for p in product_list},
        organizations=organizations,
        artifacts=artifacts,
        history=history,
        edges=[],
        benchmarks=[],
        synthetic=True,
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def work_scoring(products: int, days: int) -> dict[str, Any]:
    from scoring import load_methodology, score_products

    started = time.perf_counter()
    inputs = synthetic_inputs(products, days)
    built = time.perf_counter() - started
    rows = len(inputs.history)
    before = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = score_products(inputs, load_methodology(), draws=0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "inputs_seconds": built,
        "history_rows": rows,
        "rows": len(result.rows),
        "peak_mb": _peak_mb(),
        "peak_mb_before_scoring": before,
    }


def work_intervals(products: int, draws: int) -> dict[str, Any]:
    from scoring import load_methodology
    from scoring.intervals import rank_intervals
    from scoring.normalize import apply_transform
    from scoring.rank import ranking_key, ranks, weighted_totals

    methodology = load_methodology()
    configs = methodology.signals("model")
    rng = np.random.default_rng(3)
    raw = np.exp(rng.normal(5.0, 2.5, (products, len(configs))))
    raw[rng.random(raw.shape) < 0.1] = np.nan  # some figures not received
    normalized = np.column_stack(
        [apply_transform(raw[:, j], s.transform) for j, s in enumerate(configs)]
    )
    weights = np.array([s.weight for s in configs], dtype=float)
    totals = weighted_totals(normalized, weights)
    point = ranks(ranking_key(totals.total, totals.coverage, methodology.min_coverage))
    noisy = {
        j: (raw[:, j], s.transform)
        for j, s in enumerate(configs)
        if s.name in methodology.intervals.noisy_signals
    }
    below = (totals.coverage < methodology.min_coverage) | (totals.coverage <= 0)
    started, cpu = time.perf_counter(), time.process_time()
    rank_intervals(
        normalized,
        weights,
        noisy,
        point_ranks=point,
        below_coverage=below,
        settings=methodology.intervals,
        rng=np.random.default_rng(5),
        draws=draws,
        top_n=10,
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "signals": len(configs),
        "peak_mb": _peak_mb(),
    }


def _in_subprocess(case: str, *args: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.scoring_speed", case, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {done.returncode}: {tail[0]}"}
    parsed: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def measure(ctx: BenchContext) -> list[Figure]:
    products, days = (1_000, 30) if ctx.options.quick else (100_000, 365)
    interval_products, draws = (1_000, 100) if ctx.options.quick else (10_000, 1_000)
    if ctx.options.quick:  # in process: a fresh interpreter per case costs more than the case
        scoring = work_scoring(products, days)
        intervals = work_intervals(interval_products, draws)
    else:
        scoring = _in_subprocess("scoring", products, days)
        intervals = _in_subprocess("intervals", interval_products, draws)
    full = not ctx.options.quick
    figures = [
        Figure(
            "P4",
            f"scoring {products:,} products × {days} days (draws=0)",
            scoring.get("seconds"),
            "s",
            target=f"≤ {SCORING_TARGET:.0f} s" + ("" if full else " (at 100,000 × 365)"),
            met=(scoring.get("seconds", float("inf")) <= SCORING_TARGET) if full else None,
            note=scoring.get("error", "")
            or f"{scoring['history_rows']:,} history rows; peak memory {scoring['peak_mb']:,.0f} MB",
            details=scoring,
        ),
        Figure(
            "P4",
            f"rank intervals, {draws:,} draws × {interval_products:,} products",
            intervals.get("seconds"),
            "s",
            target=f"≤ {INTERVALS_TARGET:.0f} s" + ("" if full else " (at 1,000 × 10,000)"),
            met=(intervals.get("seconds", float("inf")) <= INTERVALS_TARGET) if full else None,
            note=intervals.get("error", "") or f"peak memory {intervals['peak_mb']:,.0f} MB",
            details=intervals,
        ),
    ]
    return figures


def main(argv: list[str]) -> int:
    case, first, second = argv[0], int(argv[1]), int(argv[2])
    result = work_scoring(first, second) if case == "scoring" else work_intervals(first, second)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
