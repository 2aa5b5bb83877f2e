"""Products from artifacts, missing signals, contributions: small hand-computed examples."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ossimpact.domain import Metric, Organization
from scoring import score_products
from scoring.cohorts import relative_adoption
from tests.test_scoring_support import LOG, T0, inputs, methodology, product

DL30 = str(Metric.DOWNLOADS_30D)
LIKES = str(Metric.LIKES)
STARS = str(Metric.STARS)


def _signals(result_raw: pd.DataFrame, pid: str, name: str) -> float:
    return float(result_raw[name].to_numpy()[list(result_raw.index).index(pid)])


def test_downloads_are_summed_over_a_products_artifacts() -> None:
    data = inputs(
        [product("fam"), product("solo")],
        {"fam": ["hf:model:lab/a-7b", "hf:model:lab/a-7b-gguf"], "solo": ["hf:model:lab/b"]},
        [
            ("hf:model:lab/a-7b", DL30, 1000.0, T0),
            ("hf:model:lab/a-7b-gguf", DL30, 250.0, T0),
            ("hf:model:lab/b", DL30, 10.0, T0),
        ],
    )
    result = score_products(data, methodology(), draws=0)
    assert _signals(result.raw_signals, "fam", "downloads_30d") == 1250.0
    assert _signals(result.raw_signals, "solo", "downloads_30d") == 10.0


def test_latest_value_wins_over_earlier_observations() -> None:
    later = T0.replace(month=7)
    data = inputs(
        [product("p")],
        {"p": ["hf:model:lab/a"]},
        [("hf:model:lab/a", DL30, 5.0, later), ("hf:model:lab/a", DL30, 900.0, T0)],
    )
    assert (
        _signals(score_products(data, methodology(), draws=0).raw_signals, "p", "downloads_30d")
        == 5.0
    )


@pytest.mark.parametrize(("how", "expected"), [("max", 900.0), ("sum", 1000.0)])
def test_stars_max_or_sum_as_the_methodology_says(how: str, expected: float) -> None:
    m = methodology(
        {"community": [("stars", 1.0, LOG)]},
    )
    data_m = m.model_dump(mode="json")
    data_m["categories"]["community"]["signals"][0]["aggregate"] = how
    from scoring.methodology import parse_methodology

    m = parse_methodology(data_m)
    data = inputs(
        [product("c", "community")],
        {"c": ["gh:lab/core", "gh:lab/docs"]},
        [("gh:lab/core", STARS, 900.0, T0), ("gh:lab/docs", STARS, 100.0, T0)],
    )
    assert _signals(score_products(data, m, draws=0).raw_signals, "c", "stars") == expected


def test_derivatives_count_once_and_only_third_party() -> None:
    data = inputs(
        [product("fam"), product("other")],
        {"fam": ["hf:model:lab/a-7b", "hf:model:lab/a-7b-instruct"], "other": ["hf:model:lab/z"]},
        [],
        edges=[
            # one outside finetune reachable from both artifacts of the family: counts once
            ("hf:model:lab/a-7b", "hf:model:alice/a-ft", "finetune"),
            ("hf:model:lab/a-7b-instruct", "hf:model:alice/a-ft", "finetune"),
            # quantised by a third party: weight 0.5
            ("hf:model:lab/a-7b", "hf:model:bob/a-gguf", "quantized"),
            # the family's own instruct model, and a same-organisation derivative: not influence
            ("hf:model:lab/a-7b", "hf:model:lab/a-7b-instruct", "finetune"),
            ("hf:model:lab/a-7b", "hf:model:lab/a-7b-awq", "quantized"),
        ],
    )
    result = score_products(data, methodology(), draws=0)
    assert _signals(result.raw_signals, "fam", "derivatives") == 1.5
    assert math.isnan(_signals(result.raw_signals, "other", "derivatives"))


def test_same_org_under_another_handle_is_not_third_party() -> None:
    orgs = {"lab": Organization("lab", "Lab", huggingface=("lab", "lab-community"))}
    data = inputs(
        [product("p")],
        {"p": ["hf:model:lab/a"]},
        [],
        edges=[
            ("hf:model:lab/a", "hf:model:lab-community/a-ft", "finetune"),
            ("hf:model:lab/a", "hf:model:carol/a-merge", "merge"),
        ],
        organizations=orgs,
    )
    assert (
        _signals(score_products(data, methodology(), draws=0).raw_signals, "p", "derivatives")
        == 0.5
    )


def test_models_trained_on_a_corpus_are_distinct() -> None:
    data = inputs(
        [product("corp", "corpus")],
        {"corp": ["hf:dataset:lab/text", "hf:dataset:lab/text-v2"]},
        [],
        edges=[
            ("hf:dataset:lab/text", "hf:model:x/m1", "trained_on"),
            ("hf:dataset:lab/text-v2", "hf:model:x/m1", "trained_on"),
            ("hf:dataset:lab/text-v2", "hf:model:y/m2", "trained_on"),
        ],
    )
    raw = score_products(data, methodology(), draws=0).raw_signals
    assert _signals(raw, "corp", "models_trained_on") == 2.0


def test_code_stars_come_from_hosting_repositories() -> None:
    data = inputs(
        [product("p")],
        {"p": ["hf:model:lab/a"]},
        [("gh:lab/a-code", STARS, 321.0, T0)],
        edges=[("gh:lab/a-code", "hf:model:lab/a", "hosts_code")],
    )
    assert (
        _signals(score_products(data, methodology(), draws=0).raw_signals, "p", "code_stars")
        == 321.0
    )


def test_benchmarks_weigh_independent_results_more() -> None:
    data = inputs(
        [product("p")],
        {"p": ["hf:model:lab/a", "hf:model:lab/a-small"]},
        [],
        benchmarks=[
            ("hf:model:lab/a", "mmlu", 70.0, "independent", 0.6),
            ("hf:model:lab/a-small", "mmlu", 50.0, "independent", 0.4),  # the family's best counts
            ("hf:model:lab/a", "ceval", 90.0, "self_reported", 0.9),
        ],
    )
    raw = score_products(data, methodology(), draws=0).raw_signals
    # (1.0·0.6 + 0.5·0.9) / 1.5
    assert _signals(raw, "p", "benchmark_score") == pytest.approx(0.7)


def test_missing_signal_weight_is_renormalised_and_coverage_shown() -> None:
    m = methodology(
        {
            "model": [
                ("downloads_30d", 0.5, {"kind": "log_cap", "cap": 99}),
                ("likes", 0.3, {"kind": "log_cap", "cap": 9}),
                ("spaces", 0.2, LOG),
            ]
        },
        min_coverage=0.0,
    )
    data = inputs(
        [product("p")],
        {"p": ["hf:model:lab/a"]},
        [("hf:model:lab/a", DL30, 9.0, T0), ("hf:model:lab/a", LIKES, 9.0, T0)],
    )
    (row,) = score_products(data, m, draws=0).rows
    by = {c.signal: c for c in row.contributions}
    assert row.coverage == pytest.approx(0.8)
    assert by["spaces"].raw is None
    assert by["spaces"].normalized is None
    assert by["spaces"].contribution == 0.0
    assert by["downloads_30d"].effective_weight == pytest.approx(0.625)
    assert by["likes"].effective_weight == pytest.approx(0.375)
    # downloads: ln(10)/ln(100) = 0.5; likes: ln(10)/ln(10) = 1
    assert row.total == pytest.approx(0.625 * 0.5 + 0.375 * 1.0)
    assert sum(c.contribution for c in row.contributions) == pytest.approx(row.total, abs=1e-12)


def test_low_coverage_products_rank_after_covered_ones() -> None:
    m = methodology({"model": [("downloads_30d", 0.5, LOG), ("likes", 0.5, LOG)]}, min_coverage=0.6)
    data = inputs(
        [product("full"), product("half")],
        {"full": ["hf:model:lab/f"], "half": ["hf:model:lab/h"]},
        [
            ("hf:model:lab/f", DL30, 5.0, T0),
            ("hf:model:lab/f", LIKES, 5.0, T0),
            ("hf:model:lab/h", DL30, 999.0, T0),
        ],
    )
    rows = score_products(data, m, draws=0).rows
    assert [r.product_id for r in rows] == ["full", "half"]
    assert rows[1].total > rows[0].total


def test_a_product_without_any_signal_scores_zero_with_zero_coverage() -> None:
    data = inputs([product("empty")], {"empty": []}, [])
    (row,) = score_products(data, methodology(), draws=0).rows
    assert row.total == 0.0
    assert row.coverage == 0.0
    assert all(c.raw is None for c in row.contributions)


def test_relative_adoption_divides_by_the_cohorts_leader() -> None:
    downloads = pd.Series({"a": 100.0, "b": 50.0, "c": 10.0, "d": 40.0, "e": float("nan")})
    cohort = pd.Series({"a": "small", "b": "small", "c": "small", "d": "big", "e": "small"})
    ram = relative_adoption(downloads, cohort, leaders=2)
    # small: 2nd best = 50; big has one member: itself
    assert ram["a"] == pytest.approx(2.0)
    assert ram["b"] == pytest.approx(1.0)
    assert ram["c"] == pytest.approx(0.2)
    assert ram["d"] == pytest.approx(1.0)
    assert math.isnan(ram["e"])


def test_cohort_label_uses_size_and_age() -> None:
    from datetime import UTC, datetime

    data = inputs(
        [product("tiny"), product("huge")],
        {"tiny": ["hf:model:lab/t-1b"], "huge": ["hf:model:lab/h-70b"]},
        [
            ("hf:model:lab/t-1b", str(Metric.PARAMETERS), 1.0e9, T0),
            ("hf:model:lab/h-70b", str(Metric.PARAMETERS), 7.0e10, T0),
            ("hf:model:lab/t-1b", str(Metric.DOWNLOADS_ALL_TIME), 1000.0, T0),
            ("hf:model:lab/h-70b", str(Metric.DOWNLOADS_ALL_TIME), 900000.0, T0),
        ],
        created={
            "hf:model:lab/t-1b": datetime(2026, 10, 1, tzinfo=UTC),
            "hf:model:lab/h-70b": datetime(2025, 6, 1, tzinfo=UTC),
        },
    )
    result = score_products(data, methodology(), draws=0)
    assert result.row("tiny").cohort == "<3B, <90 days"
    assert result.row("huge").cohort == "≥40B, ≥365 days"
    # each alone in its cohort: on a par with its leaders
    assert result.raw_signals.loc["tiny", "relative_adoption"] == 1.0
