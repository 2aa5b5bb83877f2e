"""The one percentile scaling of benchmark results (scoring/signals.py): among the artifacts with
a result on the same benchmark and metric, each counted once with its best, compared as percents
of the full score."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from ossimpact.domain import ArtifactId, BenchmarkResult, Trust
from scoring.signals import benchmark_scores

WHEN = datetime(2026, 11, 1, tzinfo=UTC)
TRUST = {"independent": 1.0, "self_reported": 0.5}


def _result(
    name: str, value: float, *, percent: float | None, trust: Trust = "independent"
) -> BenchmarkResult:
    return BenchmarkResult(
        artifact=ArtifactId.hf_model(f"lab/{name}"),
        benchmark="bbh",
        raw_name="BBH",
        metric="acc",
        value=value,
        source="opencompass",
        trust=trust,
        observed_at=WHEN,
        source_url="http://example.invalid/board",
        percent=percent,
    )


def _scores(results: list[BenchmarkResult]) -> dict[str, float]:
    names = sorted({r.artifact.name for r in results})
    membership = pd.DataFrame(
        {"product_id": names, "artifact": [f"hf:model:lab/{n}" for n in names]}
    )
    return benchmark_scores(results, membership, TRUST, WHEN).to_dict()


def test_a_fraction_and_a_percent_of_one_benchmark_rank_together() -> None:
    scores = _scores(
        [
            _result("a", 0.45, percent=45.0),  # reported as a fraction
            _result("b", 50.0, percent=50.0),  # as a percent
            _result("c", 60.0, percent=60.0),
        ]
    )
    assert scores == {
        "a": pytest.approx(0.5 / 3),
        "b": pytest.approx(1.5 / 3),
        "c": pytest.approx(2.5 / 3),
    }
    mixed = _scores(
        [
            _result("a", 0.61, percent=61.0),  # the best, though its raw value is the smallest
            _result("b", 50.0, percent=50.0),
            _result("c", 60.0, percent=60.0),
        ]
    )
    assert mixed["a"] == pytest.approx(2.5 / 3)


def test_an_artifact_counts_once_among_its_peers_whatever_its_trust_levels() -> None:
    results = [
        _result("a", 40.0, percent=40.0),
        _result("a", 45.0, percent=45.0, trust="self_reported"),
        _result("b", 50.0, percent=50.0),
    ]
    scores = _scores(results)
    # peers: a (best 45) and b (50); a's independent 40 is below both, its own 45 half-counted
    independent_a = 0.0 / 2
    self_reported_a = 0.5 / 2
    assert scores["a"] == pytest.approx((1.0 * independent_a + 0.5 * self_reported_a) / 1.5)
    assert scores["b"] == pytest.approx(1.5 / 2)


def test_results_stored_without_a_percent_rank_by_their_value() -> None:
    scores = _scores([_result("a", 30.0, percent=None), _result("b", 70.0, percent=None)])
    assert scores == {"a": pytest.approx(0.25), "b": pytest.approx(0.75)}
