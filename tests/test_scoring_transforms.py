"""Each transform on hand-computed values, and growth over the award window."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from ossimpact.domain import Metric
from scoring.methodology import Transform
from scoring.normalize import apply_transform, linear, log_cap, percentile
from scoring.signals import window_gain

NAN = float("nan")


def test_log_cap_matches_criticality_score() -> None:
    out = log_cap(np.array([0.0, 9.0, 99.0, 500.0, -3.0]), cap=99.0)
    assert out[0] == 0.0
    assert out[1] == pytest.approx(math.log(10) / math.log(100))  # 0.5
    assert out[1] == pytest.approx(0.5)
    assert out[2] == pytest.approx(1.0)
    assert out[3] == pytest.approx(1.0)  # capped
    assert out[4] == 0.0  # clamped


def test_missing_stays_missing() -> None:
    for t in (
        Transform(kind="log_cap", cap=10),
        Transform(kind="percentile"),
        Transform(kind="linear", cap=1),
    ):
        out = apply_transform(np.array([NAN, 1.0]), t)
        assert math.isnan(out[0])
        assert not math.isnan(out[1])


def test_percentile_is_mid_rank_among_present_values() -> None:
    out = percentile(np.array([10.0, 20.0, 20.0, 40.0, NAN]))
    # 10: 0 below, itself → 0.5/4; 20: 1 below + half of 2 equal → 2/4; 40: 3.5/4
    assert out[:4] == pytest.approx([0.125, 0.5, 0.5, 0.875])
    assert math.isnan(out[4])
    assert percentile(np.array([7.0])) == pytest.approx([0.5])


def test_percentile_ranks_each_draw_column() -> None:
    out = percentile(np.array([[1.0, 3.0], [2.0, 1.0]]))
    assert out == pytest.approx(np.array([[0.25, 0.75], [0.75, 0.25]]))


def test_smaller_is_better_inverts_after_the_log() -> None:
    t = Transform(kind="log_cap", cap=99.0, smaller_is_better=True)
    out = apply_transform(np.array([0.0, 9.0, 99.0, 1000.0]), t)
    assert out == pytest.approx([1.0, 0.5, 0.0, 0.0])
    p = apply_transform(np.array([1.0, 2.0]), Transform(kind="percentile", smaller_is_better=True))
    assert p == pytest.approx([0.75, 0.25])


def test_linear() -> None:
    assert linear(np.array([0.25, 2.0, -1.0]), 1.0) == pytest.approx([0.25, 1.0, 0.0])


def _frame(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["artifact", "metric", "value", "observed_at"])
    f["observed_at"] = pd.to_datetime(f["observed_at"], utc=True)
    return f


START = pd.Timestamp("2026-01-01", tz="UTC")
END = pd.Timestamp("2026-06-30", tz="UTC")
DL = str(Metric.DOWNLOADS_ALL_TIME)


def test_growth_counts_from_the_last_value_before_the_window() -> None:
    history = _frame(
        [
            ("hf:model:lab/a", DL, 100.0, "2025-12-20"),
            ("hf:model:lab/a", DL, 150.0, "2025-12-31"),
            ("hf:model:lab/a", DL, 400.0, "2026-03-01"),
            ("hf:model:lab/a", DL, 900.0, "2026-08-01"),  # after the window's end: ignored
            ("hf:model:lab/b", DL, 50.0, "2026-02-01"),  # created inside the window: from 0
            ("hf:model:lab/c", DL, 1000.0, "2026-02-01"),  # older, first seen inside: conservative
            ("hf:model:lab/c", DL, 1300.0, "2026-05-01"),
        ]
    )
    membership = pd.DataFrame(
        {
            "product_id": ["p", "p", "q"],
            "artifact": ["hf:model:lab/a", "hf:model:lab/b", "hf:model:lab/c"],
        }
    )
    created = pd.Series(
        {
            "hf:model:lab/a": pd.Timestamp("2025-06-01", tz="UTC"),
            "hf:model:lab/b": pd.Timestamp("2026-01-15", tz="UTC"),
            "hf:model:lab/c": pd.Timestamp("2025-01-01", tz="UTC"),
        }
    )
    gain = window_gain(history, membership, DL, START, END, created)
    assert gain["p"] == pytest.approx((400 - 150) + (50 - 0))
    assert gain["q"] == pytest.approx(300)


def test_growth_before_the_window_starts_is_missing() -> None:
    history = _frame([("hf:model:lab/a", DL, 100.0, "2025-12-20")])
    membership = pd.DataFrame({"product_id": ["p"], "artifact": ["hf:model:lab/a"]})
    gain = window_gain(
        history,
        membership,
        DL,
        START,
        pd.Timestamp("2025-12-25", tz="UTC"),
        pd.Series(dtype=object),
    )
    assert gain.empty


def test_as_of_clips_the_window_end() -> None:
    from scoring import load_methodology, score_products
    from tests.test_scoring_support import inputs, product

    rows = [
        ("hf:model:lab/a", DL, 100.0, datetime(2025, 12, 1, tzinfo=UTC)),
        ("hf:model:lab/a", DL, 300.0, datetime(2026, 5, 1, tzinfo=UTC)),
        ("hf:model:lab/a", DL, 1000.0, datetime(2026, 9, 1, tzinfo=UTC)),
    ]
    result = score_products(
        inputs(
            [product("p")], {"p": ["hf:model:lab/a"]}, rows, as_of=datetime(2026, 6, 1, tzinfo=UTC)
        ),
        load_methodology(),
        draws=10,
    )
    assert result.raw_signals.loc["p", "downloads_growth"] == 200.0
    assert result.raw_signals.loc["p", "downloads_all_time"] == 300.0
