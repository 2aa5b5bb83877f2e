"""Numbers and times as the committee reads them, and the leaderboard a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from dashboard import board_pages
from dashboard.format import compact_number, date, figure, timestamp


def test_numbers_in_the_language_units() -> None:
    assert compact_number(2_300_000, "zh") == "230万"
    assert compact_number(13_000, "zh") == "1.3万"
    assert compact_number(350_000_000, "zh") == "3.5亿"
    assert compact_number(2_300_000, "en") == "2.3M"
    assert compact_number(13_000, "en") == "13K"
    assert compact_number(6049, "zh") == "6,049"
    assert compact_number(None, "zh") == compact_number(float("nan"), "en") == "—"


def test_raw_signal_values_whatever_their_unit() -> None:
    assert figure(27808.0243, "zh") == "2.78万"
    assert figure(27808.0243, "en") == "27.8K"
    assert figure(0.04861, "zh") == "0.0486"
    assert figure(12.0, "en") == "12"
    assert figure(float("nan"), "zh") == "—"


def test_times_are_shown_in_shanghai_with_the_zone_named() -> None:
    late_utc = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)  # already the next day in Shanghai
    assert timestamp(late_utc, "zh") == "2026-12-06 07:30（北京时间）"
    assert timestamp(late_utc, "en") == "2026-12-06 07:30 (UTC+8)"
    assert timestamp(datetime(2026, 12, 5, 23, 30), "en") == "2026-12-06 07:30 (UTC+8)"  # naive=UTC
    assert date(late_utc, "zh") == "2026年12月6日"
    assert date(late_utc, "en") == "2026-12-06"
    assert timestamp(None, "zh") == date(None, "en") == "—"


def _board() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2, 3, 4, 5],
            "name": ["a", "b", "c", "d", None],
            "downloads_30d": [10.0, np.nan, 3_000_000.0, 500.0, 3_000_000.0],
            "stars": [np.nan, 2.0, 1.0, np.nan, 5.0],
        }
    )


def test_sorting_by_a_figure_puts_the_largest_first_and_missing_last() -> None:
    board = _board()
    assert board_pages.sorted_board(board, "rank")["rank"].tolist() == [1, 2, 3, 4, 5]
    by_downloads = board_pages.sorted_board(board, "downloads_30d")
    assert by_downloads["rank"].tolist() == [3, 5, 4, 1, 2]  # ties keep the ranking's order


def test_pages_cover_every_row_once_and_clamp_out_of_range_numbers() -> None:
    board = pd.DataFrame({"rank": range(1, 251)})
    assert board_pages.page_count(250) == 3
    assert board_pages.page_count(0) == 1
    seen = [r for n in (1, 2, 3) for r in board_pages.board_page(board, n)["rank"]]
    assert seen == list(range(1, 251))
    assert board_pages.board_page(board, 99)["rank"].tolist() == list(range(201, 251))
    assert board_pages.board_page(board, 0)["rank"].iloc[0] == 1


def test_a_page_shows_figures_in_the_language_units_over_the_numbers() -> None:
    styled = board_pages.styled_page(_board(), "zh")
    text = styled.to_string()
    assert "300万" in text
    assert "nan" not in text.lower()
    assert "None" not in text
    assert "—" in text
    assert styled.data["downloads_30d"].dtype == float  # type: ignore[attr-defined]  # numbers stay
    assert "3M" in board_pages.styled_page(_board(), "en").to_string()
