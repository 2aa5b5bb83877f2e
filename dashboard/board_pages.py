"""The leaderboard a page at a time: sorted here by the numbers, shown in the language's units.

The browser formats numbers in its own locale ("2.3M" in an English browser on a Chinese page), so
figures are formatted here (万/亿 in Chinese, K/M/B in English) as display values over the numbers,
which keeps clicking a column header a numeric sort. Formatting every row costs about 0.15 ms, so
only one page of rows goes to the browser; the order across pages is decided here, by the sort
the committee picks.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial

import pandas as pd
from pandas.io.formats.style import Styler

from dashboard.format import Lang, compact_number

SORT_KEYS = ("rank", "downloads_30d", "downloads_all_time", "likes", "stars")
NUMBER_COLUMNS = ("downloads_30d", "downloads_all_time", "likes", "stars")
PAGE_SIZE = 100
MISSING = "—"


def sorted_board(board: pd.DataFrame, key: str) -> pd.DataFrame:
    """Best first by `key`: the ranking's own order, or a figure, largest first, missing last
    (ties keep the ranking's order)."""
    if key == "rank" or key not in board.columns:
        return board
    return board.sort_values(key, ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


def page_count(rows: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-rows // size))


def board_page(board: pd.DataFrame, number: int, size: int = PAGE_SIZE) -> pd.DataFrame:
    """Rows of page `number` (from 1; out-of-range numbers give the nearest page)."""
    number = min(max(1, number), page_count(len(board), size))
    return board.iloc[(number - 1) * size : number * size].reset_index(drop=True)


def styled_page(frame: pd.DataFrame, lang: Lang) -> Styler:
    """Figures in the language's units and "—" for anything missing, over the numbers."""
    numbers = [c for c in NUMBER_COLUMNS if c in frame.columns]
    texts: list[Hashable] = [
        c for c in frame.columns if c not in numbers and frame[c].dtype.kind in "OUSc"
    ]
    styler = frame.style.format(
        {c: partial(compact_number, lang=lang) for c in numbers}, na_rep=MISSING
    )
    if texts:
        styler = styler.format(na_rep=MISSING, subset=texts)
    return styler
