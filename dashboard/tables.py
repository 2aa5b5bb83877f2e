"""Column configurations of the tables, with translated headers."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.i18n import t

LEADERBOARD_ORDER = [
    "rank_text",
    "name",
    "organisation",
    "total",
    "downloads_30d",
    "downloads_all_time",
    "likes",
    "stars",
    "license",
    "openness_name",
    "size_class",
    "flags",
    "url",
]


def leaderboard_columns(max_total: float) -> dict[str, Any]:
    # No number format here: the page's figures arrive formatted in the app's language
    # (board_pages.styled_page), which the browser's own locale would override.
    return {
        "rank_text": st.column_config.TextColumn(
            t("leaderboard.rank"), help=t("leaderboard.rank_help")
        ),
        "name": st.column_config.TextColumn(t("leaderboard.name")),
        "organisation": st.column_config.TextColumn(t("leaderboard.organisation")),
        "total": st.column_config.ProgressColumn(
            t("leaderboard.score"), min_value=0.0, max_value=max(max_total, 1e-9), format="%.3f"
        ),
        "downloads_30d": st.column_config.NumberColumn(t("metric.downloads_30d")),
        "downloads_all_time": st.column_config.NumberColumn(t("metric.downloads_all_time")),
        "likes": st.column_config.NumberColumn(t("metric.likes")),
        "stars": st.column_config.NumberColumn(t("metric.stars")),
        "license": st.column_config.TextColumn(t("leaderboard.license")),
        "openness_name": st.column_config.TextColumn(t("leaderboard.openness")),
        "size_class": st.column_config.TextColumn(t("leaderboard.size_class")),
        "flags": st.column_config.TextColumn(
            t("leaderboard.flags"), help=t("leaderboard.flags_help")
        ),
        "url": st.column_config.LinkColumn(
            t("leaderboard.link"), display_text=t("leaderboard.open_link")
        ),
    }
