"""The engine end to end on small inputs: intervals, what-if, explanation, canonical CSV."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ossimpact.domain import Metric
from scoring import explain, reweighted_totals, score_products, scores_csv_bytes
from scoring.engine import ScoringResult
from scoring.inputs import ScoringInputs
from scoring.methodology import Methodology
from tests.test_scoring_support import LOG, T0, inputs, methodology, product

DL30 = str(Metric.DOWNLOADS_30D)
LIKES = str(Metric.LIKES)


def _three_models() -> tuple[list, dict, list]:  # type: ignore[type-arg]
    products = [product("a"), product("b"), product("c")]
    members = {p.id: [f"hf:model:lab/{p.id}"] for p in products}
    rows = [
        ("hf:model:lab/a", DL30, 900.0, T0),
        ("hf:model:lab/a", LIKES, 100.0, T0),
        ("hf:model:lab/b", DL30, 100.0, T0),
        ("hf:model:lab/b", LIKES, 500.0, T0),
        ("hf:model:lab/c", DL30, 10.0, T0),
        ("hf:model:lab/c", LIKES, 10.0, T0),
    ]
    return products, members, rows


# a low concentration: weights drawn far from the methodology's, so ranks move
M2 = methodology(
    {"model": [("downloads_30d", 0.6, LOG), ("likes", 0.4, LOG)]},
    intervals={"concentration": 2.0},
)


def _result(seed: int = 0, draws: int = 200) -> ScoringResult:
    products, members, rows = _three_models()
    return score_products(inputs(products, members, rows), M2, seed=seed, draws=draws, top_n=1)


def test_rows_are_sorted_ranked_and_explained_by_contributions() -> None:
    result = _result()
    assert [r.product_id for r in result.rows] == ["a", "b", "c"]
    assert [r.rank for r in result.rows] == [1, 2, 3]
    for row in result.rows:
        assert sum(c.contribution for c in row.contributions) == pytest.approx(row.total, abs=1e-12)
        assert row.methodology_version == "2026.2"
    a = result.row("a")
    # downloads: ln(901)/ln(1001) ≈ 0.98475; likes: ln(101)/ln(1001) ≈ 0.66801
    expected = 0.6 * math.log(901) / math.log(1001) + 0.4 * math.log(101) / math.log(1001)
    assert a.total == pytest.approx(expected)


def test_rank_intervals_are_reproducible_and_contain_the_rank() -> None:
    first, again, other = _result(seed=3), _result(seed=3), _result(seed=4)
    assert scores_csv_bytes(first.rows) == scores_csv_bytes(again.rows)
    for row in first.rows:
        assert row.rank_low <= row.rank <= row.rank_high
        assert 0.0 <= row.top_n_share <= 1.0
    assert len(other.rows) == 3
    # a and b trade places under other weights; c, last on both signals, stays last
    assert first.row("a").rank_high >= 2
    assert first.row("c").rank_low == 3
    assert first.row("c").top_n_share == 0.0


def _what_if(result: ScoringResult, weights: dict[str, float]) -> list[tuple[str, int, float]]:
    """(product, what-if rank, what-if total) of the models, best first."""
    models = result.signals[result.signals["category"] == "model"]
    totals = reweighted_totals(models, weights, result.methodology.min_coverage)
    ranked = totals.sort_values(["what_if_rank", "product_id"])
    return list(
        zip(
            ranked["product_id"].tolist(),
            ranked["what_if_rank"].tolist(),
            ranked["what_if_total"].tolist(),
            strict=True,
        )
    )


def test_what_if_changes_ranks_and_leaves_the_result_untouched() -> None:
    result = _result()
    before = scores_csv_bytes(result.rows)
    signals_before = result.signals.copy()
    rows = _what_if(result, {"downloads_30d": 1.0, "likes": 9.0})
    assert [(pid, rank) for pid, rank, _ in rows] == [("b", 1), ("a", 2), ("c", 3)]
    b = result.row("b")
    normalized = {c.signal: c.normalized for c in b.contributions}
    assert rows[0][2] == pytest.approx(
        0.1 * normalized["downloads_30d"] + 0.9 * normalized["likes"]
    )
    assert scores_csv_bytes(result.rows) == before
    assert result.signals.equals(signals_before)
    same = _what_if(result, {"downloads_30d": 6.0, "likes": 4.0})
    # the methodology's own weights, scaled: the official ranks and totals again
    assert [(pid, rank) for pid, rank, _ in same] == [(r.product_id, r.rank) for r in result.rows]
    assert [total for _, _, total in same] == pytest.approx([r.total for r in result.rows])


def test_what_if_gives_unknown_and_negative_weights_nothing() -> None:
    result = _result(draws=0)
    only_downloads = _what_if(result, {"downloads_30d": 1.0})
    assert _what_if(result, {"downloads_30d": 1.0, "likes": -1.0, "stars": 5.0}) == only_downloads
    assert [pid for pid, _, _ in only_downloads] == ["a", "b", "c"]


def test_explanation_lists_every_signal_and_flag() -> None:
    result = _result()
    text = explain(result.row("b"), M2)
    assert "**b** (model)" in text
    assert "downloads_30d" in text
    assert "likes" in text
    assert "No integrity flags." in text
    # the test registry rates no organisation and gives no licence: both are eligibility doubts
    eligibility = text.split("Eligibility doubts (for the committee to decide):\n", 1)[1]
    assert "- attribution_doubt: Shanghai attribution of Lab is not rated" in eligibility
    assert "- licence_not_open: openness unknown: hf:model:lab/b: — (unknown)" in eligibility
    zh = explain(result.row("b"), M2, lang="zh")
    assert "得分" in zh
    assert "无数据可信度提示" in zh
    assert "参评资格疑点" in zh


def test_missing_signal_is_explained_as_missing() -> None:
    data = inputs([product("p")], {"p": ["hf:model:lab/p"]}, [("hf:model:lab/p", DL30, 5.0, T0)])
    result = score_products(data, M2, draws=0)
    assert "likes (Hugging Face likes" in explain(result.rows[0], M2)
    assert "missing; its weight 0.400 is shared" in explain(result.rows[0], M2)


def test_as_of_reproduces_a_past_ranking_byte_for_byte() -> None:
    products, members, rows = _three_models()
    past = datetime(2026, 7, 1, tzinfo=UTC)
    then = score_products(inputs(products, members, rows, as_of=past), M2, seed=1, draws=100)
    later_rows = [
        *copy.deepcopy(rows),
        ("hf:model:lab/c", DL30, 99999.0, past + timedelta(days=30)),
        ("hf:model:lab/c", LIKES, 99999.0, past + timedelta(seconds=1)),
    ]
    replay = score_products(
        inputs(products, members, later_rows, as_of=past), M2, seed=1, draws=100
    )
    assert scores_csv_bytes(replay.rows) == scores_csv_bytes(then.rows)
    now = score_products(
        inputs(products, members, later_rows, as_of=past + timedelta(days=31)),
        M2,
        seed=1,
        draws=100,
    )
    assert now.row("c").rank == 1


def test_csv_is_canonical() -> None:
    text = scores_csv_bytes(_result().rows).decode()
    header, first, *_ = text.split("\n")
    assert header.startswith("category,rank,product_id,methodology_version,total")
    assert first.startswith("model,1,a,2026.2,0.")
    assert "downloads_30d=900.000000|" in first
    assert text.endswith("\n")
    assert "\r" not in text


def test_signals_frame_offers_raw_values_for_the_export() -> None:
    result = _result(draws=0)
    frame = result.signals
    assert list(frame.columns) == [
        "product_id",
        "category",
        "signal",
        "group",
        "raw",
        "normalized",
        "weight",
    ]
    row = frame[(frame["product_id"] == "b") & (frame["signal"] == "likes")].iloc[0]
    assert row["raw"] == 500.0


@pytest.mark.parametrize("enabled", [True, False])
def test_scoring_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    import gc

    from benchmarks.scoring_speed import synthetic_inputs
    from scoring import load_methodology

    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        score_products(synthetic_inputs(30, 20), load_methodology(), draws=10)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def _star_burst_world() -> tuple[ScoringInputs, float]:
    rng = np.random.default_rng(5)
    daily = rng.poisson(10, size=90).astype(float)
    daily[70:73] += [700, 800, 500]
    stars = 100 + np.cumsum(daily)
    rows = [
        ("gh:lab/r", str(Metric.STARS), float(v), T0 + timedelta(days=i))
        for i, v in enumerate(stars)
    ]
    data = inputs(
        [product("r", "community")], {"r": ["gh:lab/r"]}, rows, as_of=T0 + timedelta(days=100)
    )
    return data, float(stars[-1])


def test_the_methodology_names_the_flags_whose_window_is_excluded() -> None:
    data, last = _star_burst_world()
    every = score_products(data, methodology(integrity={"exclude_flagged_window": True}), draws=0)
    (flag,) = [f for f in every.rows[0].flags if f.kind == "star_burst"]
    assert flag.excluded is True
    assert float(every.raw_signals.loc["r", "stars"]) < last - 1000
    only_downloads = methodology(
        integrity={"exclude_flagged_window": True, "excludable": ["download_spike"]}
    )
    kept = score_products(data, only_downloads, draws=0)
    (flag,) = [f for f in kept.rows[0].flags if f.kind == "star_burst"]
    assert flag.excluded is False
    assert float(kept.raw_signals.loc["r", "stars"]) == last


def test_the_ratio_pairs_checked_are_the_methodologys() -> None:
    rng = np.random.default_rng(4)
    products = [product(f"p{i}", "community") for i in range(30)]
    members = {p.id: [f"gh:lab/{p.id}"] for p in products}
    rows = []
    for i, p in enumerate(products):
        forks = float(rng.lognormal(6, 1))
        stars = forks * 3 * float(rng.lognormal(0, 0.2)) + 60
        if i == 7:
            stars = forks * 300
        rows += [(f"gh:lab/{p.id}", str(Metric.STARS), stars, T0)]
        rows += [(f"gh:lab/{p.id}", str(Metric.FORKS), forks, T0)]
    data = inputs(products, members, rows)

    def outliers(m: Methodology) -> dict[str, list[str]]:
        result = score_products(data, m, draws=0)
        return {
            r.product_id: [
                f.evidence.split(" ratio ")[0] for f in r.flags if f.kind == "ratio_outlier"
            ]
            for r in result.rows
            if any(f.kind == "ratio_outlier" for f in r.flags)
        }

    assert outliers(methodology()) == {"p7": ["stars/forks"]}
    renamed = {
        "community": [{"numerator": "stars", "denominator": "forks", "label": "stars per fork"}]
    }
    assert outliers(methodology(integrity={"ratio_pairs": renamed})) == {"p7": ["stars per fork"]}
    assert outliers(methodology(integrity={"ratio_pairs": {}})) == {}
