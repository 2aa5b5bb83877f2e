"""Integrity flags on ModelScope series: a product published on the Hub and on ModelScope is
flagged for a spike or a decrease in its ModelScope downloads, naming the ModelScope artifact,
and an exclusion takes the spike out of the combined downloads signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from ossimpact.domain import IntegrityFlag, Metric, ScoreRow
from scoring import score_products
from scoring.eligibility import ELIGIBILITY_FLAGS
from tests.test_scoring_support import inputs, methodology, product

DAY0 = datetime(2026, 6, 1, 3, tzinfo=UTC)
HF = "hf:model:internlm/internlm2_5-7b-chat"
MS = "ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat"
DL = str(Metric.DOWNLOADS_ALL_TIME)
DAYS = 100


def _series(artifact: str, values: np.ndarray) -> list[tuple[str, str, float, datetime]]:
    return [(artifact, DL, float(v), DAY0 + timedelta(days=i)) for i, v in enumerate(values)]


def _integrity(flags: tuple[IntegrityFlag, ...]) -> list[IntegrityFlag]:
    return [f for f in flags if f.kind not in ELIGIBILITY_FLAGS]


def _rows(ms_daily: np.ndarray) -> list[tuple[str, str, float, datetime]]:
    rng = np.random.default_rng(11)
    hf = 50_000 + np.cumsum(rng.poisson(400, size=DAYS).astype(float))
    return _series(HF, hf) + _series(MS, 120_000 + np.cumsum(ms_daily))


def _score(
    rows: list[tuple[str, str, float, datetime]], **top: object
) -> tuple[ScoreRow, pd.DataFrame]:
    data = inputs(
        [product("internlm2_5", "model")],
        {"internlm2_5": [HF, MS]},
        rows,
        as_of=DAY0 + timedelta(days=DAYS),
    )
    result = score_products(data, methodology(**top), draws=0)
    return result.row("internlm2_5"), result.raw_signals


def test_a_spike_in_modelscope_downloads_flags_the_product_on_that_artifact() -> None:
    rng = np.random.default_rng(12)
    ms_daily = rng.poisson(1_500, size=DAYS).astype(float)
    ms_daily[70:73] += [90_000, 120_000, 60_000]
    row, _ = _score(_rows(ms_daily))
    (flag,) = _integrity(row.flags)
    assert flag.kind == "download_spike"
    assert str(flag.artifact) == MS
    assert flag.window_start == DAY0.replace(hour=0) + timedelta(days=70)


def test_smooth_modelscope_downloads_raise_no_flag() -> None:
    rng = np.random.default_rng(13)
    row, _ = _score(_rows(rng.poisson(1_500, size=DAYS).astype(float)))
    assert _integrity(row.flags) == []


def test_falling_modelscope_all_time_downloads_are_flagged() -> None:
    rng = np.random.default_rng(14)
    ms_daily = rng.poisson(1_500, size=DAYS).astype(float)
    ms_daily[80] = -40_000  # the hub recounted: the all-time figure fell
    row, _ = _score(_rows(ms_daily))
    kinds = {(f.kind, str(f.artifact)) for f in _integrity(row.flags)}
    assert ("downloads_decreased", MS) in kinds


def test_an_excluded_modelscope_spike_leaves_the_combined_downloads() -> None:
    rng = np.random.default_rng(12)
    ms_daily = rng.poisson(1_500, size=DAYS).astype(float)
    ms_daily[70:73] += [90_000, 120_000, 60_000]
    rows = _rows(ms_daily)
    _, shown = _score(rows)
    _, excluded = _score(rows, integrity={"exclude_flagged_window": True})
    combined = shown.loc["internlm2_5", "downloads_all_time"]
    assert combined == pytest.approx(rows[DAYS - 1][2] + rows[-1][2])  # both hubs added
    cut = combined - excluded.loc["internlm2_5", "downloads_all_time"]
    assert cut == pytest.approx(270_000, rel=0.05)
