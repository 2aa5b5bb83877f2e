"""Integrity detectors on synthetic daily series: bursts flagged, smooth growth not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from ossimpact.domain import (
    STARGAZERS_LOW_ACTIVITY,
    STARGAZERS_SAMPLED,
    IntegrityFlag,
    Metric,
)
from scoring import score_products
from scoring.eligibility import ELIGIBILITY_FLAGS
from scoring.integrity import (
    decreasing_downloads,
    ratio_outliers,
    series_findings,
    stargazer_flags,
)
from scoring.methodology import Integrity, RatioRule, StargazerRule
from tests.test_scoring_support import inputs, methodology, product

DAY0 = datetime(2026, 6, 1, 3, tzinfo=UTC)
STARS = str(Metric.STARS)
DL = str(Metric.DOWNLOADS_ALL_TIME)
DL30 = str(Metric.DOWNLOADS_30D)


def _series(
    artifact: str, metric: str, values: np.ndarray
) -> list[tuple[str, str, float, datetime]]:
    return [(artifact, metric, float(v), DAY0 + timedelta(days=i)) for i, v in enumerate(values)]


def _frame(rows: list[tuple[str, str, float, datetime]]) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["artifact", "metric", "value", "observed_at"])
    f["observed_at"] = pd.to_datetime(f["observed_at"], utc=True)
    return f


def _noisy_daily(rng: np.random.Generator, days: int, level: float) -> np.ndarray:
    return rng.poisson(level, size=days).astype(float)


def test_star_burst_is_flagged_with_its_window() -> None:
    rng = np.random.default_rng(1)
    daily = _noisy_daily(rng, 90, 12)
    daily[60:63] += [700, 800, 500]
    rows = _series("gh:lab/repo", STARS, 300 + np.cumsum(daily))
    findings = series_findings(
        _frame(rows), pd.DataFrame(columns=["artifact", "metric", "value"]), Integrity()
    )
    ((artifact, flag),) = findings.flags
    assert artifact == "gh:lab/repo"
    assert flag.kind == "star_burst"
    assert flag.window_start == DAY0.replace(hour=0) + timedelta(days=60)
    assert flag.window_end == DAY0.replace(hour=0) + timedelta(days=62)
    assert "stars rose by" in flag.evidence
    (excess,) = findings.excess
    assert excess.days.sum() == pytest.approx(2000, rel=0.05)


def test_smooth_growth_is_not_flagged() -> None:
    rng = np.random.default_rng(2)
    days = 180
    level = 5 * np.exp(np.arange(days) * 0.02)  # steady 2 % daily growth, 36× over the period
    daily = rng.poisson(level).astype(float)
    rows = _series("gh:lab/grower", STARS, np.cumsum(daily) + 50)
    rows += _series("hf:model:lab/m", DL, np.cumsum(rng.poisson(level * 40)) + 1000.0)
    findings = series_findings(
        _frame(rows), pd.DataFrame(columns=["artifact", "metric", "value"]), Integrity()
    )
    assert findings.flags == []


def test_a_new_artifact_taking_off_is_not_a_burst() -> None:
    values = np.concatenate([np.zeros(40), np.cumsum(np.full(30, 300.0))])
    rows = _series("gh:lab/new", STARS, values)
    findings = series_findings(
        _frame(rows), pd.DataFrame(columns=["artifact", "metric", "value"]), Integrity()
    )
    assert findings.flags == []


def test_download_spike_in_30_day_counts_is_flagged() -> None:
    rng = np.random.default_rng(3)
    daily = rng.poisson(100, size=150).astype(float)
    daily[100:104] *= 20
    rolling = pd.Series(daily).rolling(30).sum().to_numpy()[29:]
    rows = _series("hf:model:lab/m", DL30, rolling)
    findings = series_findings(
        _frame(rows), pd.DataFrame(columns=["artifact", "metric", "value"]), Integrity()
    )
    kinds = [f.kind for _, f in findings.flags]
    assert kinds == ["download_spike"]


def test_decreasing_all_time_downloads_are_flagged() -> None:
    rows = _series("hf:model:lab/m", DL, np.array([100.0, 200.0, 150.0, 300.0]))
    rows += _series("hf:model:lab/ok", DL, np.array([100.0, 200.0, 300.0]))
    flags = decreasing_downloads(_frame(rows), tolerance=0.0)
    assert [a for a, _ in flags] == ["hf:model:lab/m"]
    assert "fell from 200 " in flags[0][1].evidence
    assert "to 150 " in flags[0][1].evidence


def test_ratio_outlier_within_category() -> None:
    rng = np.random.default_rng(4)
    downloads = pd.Series(rng.lognormal(8, 1, size=40), index=[f"p{i}" for i in range(40)])
    likes = downloads * 0.02 * rng.lognormal(0, 0.3, size=40) + 60
    likes["p7"] = downloads["p7"] * 3
    flags = ratio_outliers(likes, downloads, RatioRule(), "likes/downloads")
    assert list(flags) == ["p7"]
    assert flags["p7"].kind == "ratio_outlier"
    assert ratio_outliers(likes[:10], downloads[:10], RatioRule(), "x") == {}  # too few to judge


def test_stargazer_heuristics() -> None:
    latest = pd.DataFrame(
        [
            ("gh:lab/fake", STARGAZERS_SAMPLED, 400.0),
            ("gh:lab/fake", STARGAZERS_LOW_ACTIVITY, 120.0),
            ("gh:lab/fake", STARS, 3000.0),
            ("gh:lab/clean", STARGAZERS_SAMPLED, 400.0),
            ("gh:lab/clean", STARGAZERS_LOW_ACTIVITY, 3.0),
            ("gh:lab/clean", STARS, 900.0),
        ],
        columns=["artifact", "metric", "value"],
    )
    flags = stargazer_flags(latest, StargazerRule())
    assert [a for a, _ in flags] == ["gh:lab/fake"]
    assert "120 low-activity stargazers" in flags[0][1].evidence


def _integrity(flags: tuple[IntegrityFlag, ...]) -> list[IntegrityFlag]:
    return [f for f in flags if f.kind not in ELIGIBILITY_FLAGS]


def test_flags_are_shown_but_not_applied_unless_the_methodology_says_so() -> None:
    rng = np.random.default_rng(5)
    daily = _noisy_daily(rng, 90, 10)
    daily[70:73] += [700, 800, 500]
    stars = 100 + np.cumsum(daily)
    rows = _series("gh:lab/r", STARS, stars)
    data = inputs(
        [product("r", "community")], {"r": ["gh:lab/r"]}, rows, as_of=DAY0 + timedelta(days=100)
    )
    shown = score_products(data, methodology(), draws=0)
    (flag,) = _integrity(shown.rows[0].flags)
    assert flag.excluded is False
    assert shown.raw_signals.loc["r", "stars"] == stars[-1]
    excluded = score_products(
        data, methodology(integrity={"exclude_flagged_window": True}), draws=0
    )
    (flag,) = _integrity(excluded.rows[0].flags)
    assert flag.excluded is True
    assert float(excluded.raw_signals["stars"].iloc[0]) == pytest.approx(stars[-1] - 2000, abs=60)


def test_a_one_day_jump_in_30_day_counts_is_not_a_spike() -> None:
    rng = np.random.default_rng(6)
    daily = rng.poisson(100, size=150).astype(float)
    daily[100] *= 20
    rolling = pd.Series(daily).rolling(30).sum().to_numpy()[29:]
    rows = _series("hf:model:lab/m", DL30, rolling)
    findings = series_findings(
        _frame(rows), pd.DataFrame(columns=["artifact", "metric", "value"]), Integrity()
    )
    assert findings.flags == []


def _mixed_history(seed: int) -> pd.DataFrame:
    """Bursts, a spike, drops, gaps, two rows on one day and rows out of order: the cases where
    the typed fast path and the generic one could part."""
    rng = np.random.default_rng(seed)
    stars = 300 + np.cumsum(_noisy_daily(rng, 90, 12))
    stars[60:] += 2000.0  # a burst
    spiky = np.cumsum(rng.poisson(400, 120)).astype(float) + 1000.0
    spiky[80:84] += np.array([6000.0, 12000.0, 15000.0, 16000.0])
    rows = _series("gh:lab/burst", STARS, stars)
    rows += _series("gh:lab/calm", STARS, 50 + np.cumsum(_noisy_daily(rng, 90, 3)))
    rows += _series("hf:model:lab/spike", DL, spiky)
    rows += _series("hf:model:lab/drop", DL, np.array([100.0, 200.0, 150.0, 300.0, 250.0]))
    rows += _series("hf:model:lab/spike", DL30, np.diff(spiky, prepend=spiky[0]) * 30)
    rows += [("hf:model:lab/drop", "likes", 3.0, DAY0), ("hf:model:lab/drop", "likes", 4.0, DAY0)]
    gappy = [r for i, r in enumerate(_series("gh:lab/gaps", STARS, stars * 2)) if i % 9 != 4]
    order = rng.permutation(len(rows + gappy))
    return _frame([(rows + gappy)[i] for i in order])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_series_shared_by_the_detectors_change_nothing(seed: int) -> None:
    from scoring.aggregate import latest_values
    from scoring.inputs import checked_history, series_segments
    from scoring.integrity import daily_series
    from scoring.signals import window_gain

    raw = _mixed_history(seed)
    checked = checked_history(raw, DAY0 + timedelta(days=400))
    assert isinstance(checked["artifact"].dtype, pd.CategoricalDtype)
    segments = series_segments(checked)
    assert segments is not None
    # the typed, ordered history with its segments against the text frame as it came
    latest = latest_values(raw)
    pd.testing.assert_frame_equal(latest_values(checked, segments), latest_values(checked))
    pd.testing.assert_frame_equal(
        latest_values(checked, segments).sort_values(["artifact", "metric"], ignore_index=True),
        latest.sort_values(["artifact", "metric"], ignore_index=True),
    )
    for metric in (STARS, DL, DL30, "likes"):
        pd.testing.assert_frame_equal(
            daily_series(checked, metric, segments), daily_series(raw, metric)
        )
    fast = series_findings(checked, latest, Integrity(), segments)
    slow = series_findings(raw, latest, Integrity())
    assert fast.flags == slow.flags
    assert {f.kind for _, f in fast.flags} >= {
        "star_burst",
        "download_spike",
        "downloads_decreased",
    }
    assert [(e.artifact, e.metric, list(e.days.items())) for e in fast.excess] == [
        (e.artifact, e.metric, list(e.days.items())) for e in slow.excess
    ]
    membership = pd.DataFrame(
        {"product_id": ["p", "p", "q"], "artifact": ["gh:lab/burst", "gh:lab/gaps", "gh:lab/calm"]}
    )
    created = pd.Series(dtype="datetime64[ns, UTC]")
    for first, last in ((20, 70), (-5, 3), (85, 200)):  # inside; before the data; past its end
        start = pd.Timestamp(DAY0 + timedelta(days=first))
        end = pd.Timestamp(DAY0 + timedelta(days=last))
        pd.testing.assert_series_equal(
            window_gain(checked, membership, STARS, start, end, created, segments),
            window_gain(raw, membership, STARS, start, end, created),
        )
