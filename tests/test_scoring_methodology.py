"""The methodology file: the default loads, every kind of mistake is reported with its path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scoring import MethodologyError, load_methodology, methodology_markdown
from scoring.docs import DOCS_PATH
from scoring.methodology import parse_methodology
from tests.test_scoring_support import default_data


def _problems(data: Any) -> list[str]:
    with pytest.raises(MethodologyError) as info:
        parse_methodology(data, "test.yaml")
    return info.value.problems


def test_default_methodology_loads_with_weights_summing_to_one() -> None:
    m = load_methodology()
    assert m.version == "2026.2"
    for category in ("model", "corpus", "community"):
        assert sum(m.weights(category).values()) == pytest.approx(1.0)
    assert str(m.award_window.start) == "2026-01-01"


def test_the_export_signals_are_in_the_default() -> None:
    m = load_methodology()
    for category, needed in {
        "model": {"downloads_30d", "downloads_all_time", "likes", "derivatives", "benchmark_score"},
        "corpus": {"downloads_30d", "downloads_all_time", "likes"},
        "community": {"stars", "forks", "contributors"},
    }.items():
        assert needed <= set(m.weights(category))  # type: ignore[arg-type]


def test_unknown_signal_is_named() -> None:
    data = copy.deepcopy(default_data())
    data["categories"]["model"]["signals"][0]["name"] = "downlods_30d"
    problems = _problems(data)
    assert any("categories.model.signals.0 (downlods_30d): unknown signal" in p for p in problems)


def test_signal_of_another_category_is_refused() -> None:
    data = copy.deepcopy(default_data())
    data["categories"]["model"]["signals"][0]["name"] = "bus_factor"
    assert any("does not apply to model" in p for p in _problems(data))


def test_negative_weight_and_bad_sum_are_both_reported() -> None:
    data = copy.deepcopy(default_data())
    data["categories"]["corpus"]["signals"][0]["weight"] = -0.15
    problems = _problems(data)
    assert any(
        "categories.corpus.signals.0 (downloads_30d).weight: must be a non-negative number" in p
        for p in problems
    )
    assert any("categories.corpus: weights sum to 0.7, not 1" in p for p in problems)


def test_bad_transforms_are_reported() -> None:
    data = copy.deepcopy(default_data())
    signals = data["categories"]["community"]["signals"]
    signals[0]["transform"] = {"kind": "sqrt"}
    signals[1]["transform"] = {"kind": "log_cap"}
    signals[2]["transform"] = {"kind": "log_cap", "cap": -5}
    signals[3]["transform"] = {"kind": "percentile", "cap": 10}
    problems = _problems(data)
    assert any("signals.0 (stars).transform.kind: unknown transform 'sqrt'" in p for p in problems)
    assert any("signals.1 (forks).transform.cap: log_cap needs a cap" in p for p in problems)
    assert any("signals.2 (stars_growth).transform.cap: must be positive" in p for p in problems)
    assert any(
        "signals.3 (contributors).transform.cap: percentile takes no cap" in p for p in problems
    )


def test_structural_errors_carry_field_paths() -> None:
    data = copy.deepcopy(default_data())
    data["categories"]["model"]["signals"][0]["weight"] = "a lot"
    data["award_window"].pop("end")
    data["surprise"] = 1
    problems = _problems(data)
    assert any(p.startswith("categories.model.signals.0.weight:") for p in problems)
    assert any(p.startswith("award_window.end:") for p in problems)
    assert any(p.startswith("surprise:") for p in problems)


def test_missing_category_and_reversed_window() -> None:
    data = copy.deepcopy(default_data())
    del data["categories"]["corpus"]
    data["award_window"] = {"start": "2026-12-31", "end": "2026-01-01"}
    problems = _problems(data)
    assert "categories.corpus: missing (every category needs its signals)" in problems
    assert "award_window: end must be after start" in problems


def test_unquoted_version_is_refused_with_a_hint() -> None:
    data = copy.deepcopy(default_data())
    data["version"] = 2026.1
    (problem,) = _problems(data)
    assert 'version: "2026.1"' in problem


def test_file_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(MethodologyError, match="cannot read the file"):
        load_methodology(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: '1'\ncategories: [\n", encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"broken.yaml:3: YAML syntax"):
        load_methodology(broken)


def test_generated_page_is_up_to_date_and_names_every_signal() -> None:
    m = load_methodology()
    page = methodology_markdown(m)
    assert DOCS_PATH.read_text(encoding="utf-8") == page, "run python -m scoring.docs"
    for category in ("model", "corpus", "community"):
        for name in m.weights(category):
            assert f"`{name}`" in page
    assert "2026.2" in page
    assert "ln(1+min(S,T)) / ln(1+T)" in page


def test_ratio_pairs_excludable_and_noisy_signals_are_checked() -> None:
    data = copy.deepcopy(default_data())
    data["integrity"]["ratio_pairs"]["corpus"][0]["denominator"] = "forks"
    data["integrity"]["ratio_pairs"]["art"] = []
    data["integrity"]["excludable"] = ["star_burst", "ratio_outlier"]
    data["intervals"]["noisy_signals"] = ["downloads_30d", "downlods"]
    problems = _problems(data)
    assert "integrity.ratio_pairs.corpus.0.denominator: forks does not apply to corpus" in problems
    assert any(p.startswith("integrity.ratio_pairs.art: unknown category") for p in problems)
    assert any(
        p.startswith("integrity.excludable.1: 'ratio_outlier' has no window") for p in problems
    )
    assert "intervals.noisy_signals.1: unknown signal 'downlods'" in problems


def test_rules_made_data_leave_the_recorded_hash_of_an_unchanged_file_alone() -> None:
    """The ratio pairs, excludable flags and noisy signals were code when 2026.2 was recorded:
    stated as the code had them they hash as a file without them; changed, they count."""
    stated = default_data()
    omitted = copy.deepcopy(stated)
    for section, name in (
        ("integrity", "ratio_pairs"),
        ("integrity", "excludable"),
        ("intervals", "noisy_signals"),
    ):
        del omitted[section][name]
    default = load_methodology()
    assert default.integrity.ratio_pairs["community"][0].label == "stars/forks"
    assert parse_methodology(omitted).content_hash == default.content_hash
    assert parse_methodology(stated).content_hash == default.content_hash
    changed = copy.deepcopy(stated)
    changed["intervals"]["noisy_signals"] = ["downloads_30d"]
    assert parse_methodology(changed).content_hash != default.content_hash
