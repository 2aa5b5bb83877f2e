"""Alias mapping, baseline scaling, percentile fallback and the unknown-name report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.benchmarks import normalise
from collectors.benchmarks.aliases import CatalogueError, default_catalogue, load_catalogue
from collectors.benchmarks.scaling import as_percent
from ossimpact.domain import ArtifactId, BenchmarkResult

WHEN = datetime(2026, 11, 1, tzinfo=UTC)
A = ArtifactId.hf_model("internlm/a-7b")
B = ArtifactId.hf_model("internlm/b-7b")
C = ArtifactId.hf_model("internlm/c-7b")
D = ArtifactId.hf_model("internlm/d-70b")


def result(
    name: str, value: float, artifact: ArtifactId = A, metric: str = "acc", **kw: object
) -> BenchmarkResult:
    fields: dict[str, object] = {
        "artifact": artifact,
        "benchmark": name,
        "raw_name": name,
        "metric": metric,
        "value": value,
        "source": "opencompass",
        "trust": "independent",
        "observed_at": WHEN,
        "source_url": "http://example.invalid/board",
    }
    fields.update(kw)
    return BenchmarkResult(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["MMLU", "mmlu", "cais/mmlu", "MMLU (5-shot)", "hendrycksTest"], "mmlu"),
        (["MMLU-Pro", "MMLU-PRO", "mmlu_pro", "TIGER-Lab/MMLU-Pro", "MMLU PRO"], "mmlu_pro"),
        (["C-Eval", "ceval", "ceval/ceval-exam", "CEVAL"], "ceval"),
        (["CMMLU", "haonan-li/cmmlu"], "cmmlu"),
        (["GSM8K", "gsm-8k", "openai/gsm8k"], "gsm8k"),
        (["MATH Lvl 5", "math_hard", "MATH"], "math"),
        (["GPQA", "gpqa_diamond", "Idavidrein/gpqa"], "gpqa"),
        (["HumanEval", "openai/openai_humaneval", "openai_humaneval"], "humaneval"),
        (["IFEval", "google/IFEval"], "ifeval"),
        (["BBH", "BIG-Bench Hard", "lukaemon/bbh"], "bbh"),
        (["MMBench", "MMBench_TEST_EN_V11", "opencompass/MMBench"], "mmbench"),
        (["MMMU", "MMMU_VAL", "MMMU/MMMU"], "mmmu"),
        (["OCRBench", "echo840/OCRBench", "ocr-bench"], "ocrbench"),
    ],
)
def test_many_spellings_map_to_one_canonical_id(spellings: list[str], canonical: str) -> None:
    catalogue = default_catalogue()
    assert {catalogue.canonical(s) for s in spellings} == {canonical}


def test_unknown_names_are_kept_and_reported() -> None:
    results = [result("SuperSecretBench", 50.0), result("SuperSecretBench", 60.0, B)]
    out, report = normalise(results)
    assert [r.benchmark for r in out] == ["SuperSecretBench", "SuperSecretBench"]
    assert report.unknown_names == {"SuperSecretBench": 2}
    assert "SuperSecretBench" in report.lines()[0]


def test_hf_collector_short_names_get_canonical_ids_from_the_raw_dataset_id() -> None:
    # the Hugging Face collector stores benchmark="mmlu-pro" (short name) and the dataset id raw
    hf = result("mmlu-pro", 40.0, raw_name="TIGER-Lab/MMLU-Pro", source="hf_eval_results")
    out, report = normalise([hf])
    assert out[0].benchmark == "mmlu_pro"
    assert report.empty


def test_baseline_scaling_hand_computed() -> None:
    out, _ = normalise(
        [
            result("MMLU", 62.5),  # (62.5 - 25) / (100 - 25) = 0.5
            result("MMLU-Pro", 0.55, B),  # a fraction: 55 % → (55 - 10) / 90 = 0.5
            result("GSM8K", 80.0, C),  # generative, baseline 0 → 0.8
            result("GPQA", 20.0, D),  # below chance → 0
            result("MMMU", 61.05),  # (61.05 - 22.1) / 77.9 = 0.5
        ]
    )
    assert [r.scaled for r in out] == pytest.approx([0.5, 0.5, 0.8, 0.0, 0.5])


def test_values_above_the_full_score_are_not_scores() -> None:
    # roberta's card lists the sample count ("total": 11869) among its metrics
    out, report = normalise([result("squad_v2", 11869.0, metric="total")])
    assert out[0].scaled is None
    assert "11869" in report.out_of_range[0]


def test_ocrbench_out_of_1000_and_in_percent_compare_alike() -> None:
    assert as_percent(880.0, 1000.0) == pytest.approx(88.0)
    assert as_percent(88.0, 1000.0) == pytest.approx(88.0)
    assert as_percent(0.88, 1000.0) == pytest.approx(88.0)


def test_without_a_baseline_units_are_made_comparable_and_nothing_is_ranked() -> None:
    # BBH has no single random baseline: the collector gives a percent of the full score and
    # leaves the ranking to scoring (one percentile, one peer group: scoring/signals.py)
    results = [
        result("BBH", 0.45, A),  # a fraction
        result("BBH", 50.0, B),  # a percent
        result("OCRBench", 880.0, C, metric="score"),  # out of 1000
        result("squad_v2", 11869.0, D, metric="total"),  # not a score
    ]
    out, report = normalise(results)
    assert [r.percent for r in out] == [pytest.approx(45.0), 50.0, pytest.approx(88.0), None]
    assert [r.scaled for r in out] == [None, None, None, None]
    assert len(report.out_of_range) == 1


def test_scaled_given_by_the_source_is_kept() -> None:
    out, _ = normalise([result("BBH", 0.61, metric="raw", scaled=0.42)])
    assert out[0].scaled == 0.42
    assert out[0].benchmark == "bbh"


def test_catalogue_refuses_a_spelling_claimed_twice(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "benchmarks:\n  - {id: a, aliases: [X-1]}\n  - {id: b, aliases: [x_1]}\n", encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match="already a spelling of 'a'"):
        load_catalogue(path)


def test_catalogue_names_a_bad_baseline(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("benchmarks:\n  - {id: a, random_baseline: lots}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"benchmark 'a'.*random_baseline"):
        load_catalogue(path)


def test_corpora_know_which_benchmark_a_dataset_is() -> None:
    catalogue = default_catalogue()
    assert catalogue.benchmark_of_dataset("TIGER-Lab/MMLU-Pro") == "mmlu_pro"
    assert catalogue.benchmark_of_dataset("opendatalab/OmniDocBench") is None
    assert all("/" in d for d in catalogue.datasets)
