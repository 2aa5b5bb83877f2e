"""A product's downloads hub by hub in its explanation: the combined signal's raw figure is the
sum of the hub lines under it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ossimpact.domain import Metric
from scoring import score_products
from scoring.explain import explain
from scoring.hubs import downloads_by_hub
from tests.test_scoring_support import inputs, methodology, product

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
T = datetime(2026, 10, 30, tzinfo=UTC)
HF = "hf:model:internlm/internlm2_5-7b-chat"
HF_4BIT = "hf:model:internlm/internlm2_5-7b-chat-4bit"
MS = "ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat"
ODL = "odl:dataset:OpenDataLab/WanJuan1_0"
ALL_TIME = str(Metric.DOWNLOADS_ALL_TIME)
MONTH = str(Metric.DOWNLOADS_30D)

FIGURES = {
    (HF, ALL_TIME): 1_200_000.0,
    (HF_4BIT, ALL_TIME): 34_000.0,
    (MS, ALL_TIME): 5_600_000.0,
    (HF, MONTH): 90_000.0,
    (ODL, ALL_TIME): 8_013.0,
}


def test_each_hub_adds_up_its_own_members_and_a_hub_without_the_figure_is_left_out() -> None:
    by_hub = downloads_by_hub(FIGURES, [HF, HF_4BIT, MS])
    assert by_hub == {
        MONTH: {"hf": 90_000.0},  # ModelScope publishes no 30-day figure: absent, not zero
        ALL_TIME: {"hf": 1_234_000.0, "ms": 5_600_000.0},
    }
    assert downloads_by_hub(FIGURES, [ODL]) == {ALL_TIME: {"odl": 8_013.0}}
    assert downloads_by_hub(FIGURES, ["gh:InternLM/lmdeploy"]) == {}


def test_the_explanation_shows_the_hubs_under_the_combined_signal() -> None:
    members = [HF, HF_4BIT, MS]
    rows = [(a, metric, value, T) for (a, metric), value in FIGURES.items() if a in members]
    data = inputs([product("internlm2_5")], {"internlm2_5": members}, rows, as_of=AS_OF)
    m = methodology()
    result = score_products(data, m, draws=0)
    combined = result.raw_signals.loc["internlm2_5", "downloads_all_time"]
    by_hub = downloads_by_hub(FIGURES, members)
    assert combined == pytest.approx(sum(by_hub[ALL_TIME].values()))
    text = explain(result.row("internlm2_5"), m, hubs=by_hub)
    lines = text.splitlines()
    signal = next(i for i, line in enumerate(lines) if line.startswith("- downloads_all_time"))
    assert "raw 6,834,000" in lines[signal]
    assert lines[signal + 1] == "  - by hub: Hugging Face 1,234,000 · ModelScope 5,600,000"
    zh = explain(result.row("internlm2_5"), m, lang="zh", hubs=by_hub)
    assert "  - 各平台：Hugging Face 1,234,000 · 魔搭 ModelScope 5,600,000" in zh.splitlines()
    assert "by hub" not in explain(result.row("internlm2_5"), m)  # no breakdown given
