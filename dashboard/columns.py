"""Every table's column configuration (st.column_config), with headers in the reader's language.

One function per table, called while the page draws so `t` reads the current language. Figures
that must read in the app's language (万/亿, K/M) arrive formatted by the page
(`board_pages.styled_page`, `format.figure`): no number format here would override the browser's.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.i18n import t

Columns = dict[str, Any]
SHANGHAI = "Asia/Shanghai"

LEADERBOARD_ORDER = [
    "rank_text",
    "name",
    "organization_name",
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


def _fetched_at() -> Any:
    return st.column_config.DatetimeColumn(t("product.fetched_at"), timezone=SHANGHAI)


def _source() -> Any:
    return st.column_config.LinkColumn(t("product.source"))


# ---------------------------------------------------------------- leaderboard and overview


def leaderboard_columns(max_total: float) -> Columns:
    # No number format here: the page's figures arrive formatted in the app's language
    # (board_pages.styled_page), which the browser's own locale would override.
    return {
        "rank_text": st.column_config.TextColumn(
            t("leaderboard.rank"), help=t("leaderboard.rank_help")
        ),
        "name": st.column_config.TextColumn(t("leaderboard.name")),
        "organization_name": st.column_config.TextColumn(t("leaderboard.organization")),
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


def top10_columns() -> Columns:
    return {
        "rank_text": st.column_config.TextColumn(t("leaderboard.rank")),
        "name": st.column_config.TextColumn(t("leaderboard.name")),
        "total": st.column_config.ProgressColumn(
            t("leaderboard.score"), min_value=0.0, max_value=1.0, format="%.2f"
        ),
    }


# ---------------------------------------------------------------- product


def contribution_columns(max_contribution: float) -> Columns:
    return {
        "signal_name": t("product.signal"),
        "contribution": st.column_config.ProgressColumn(
            t("product.contribution"),
            min_value=0.0,
            max_value=max(max_contribution, 1e-9),
            format="%.3f",
        ),
        "raw": t("product.raw"),
        "normalized": st.column_config.NumberColumn(t("product.normalized"), format="%.3f"),
        "weight": st.column_config.NumberColumn(t("product.weight"), format="%.2f"),
        "effective_weight": st.column_config.NumberColumn(
            t("product.effective_weight"), format="%.2f"
        ),
    }


def member_columns() -> Columns:
    # the members export's own column names, so the page and the file read alike
    return {"url": st.column_config.LinkColumn("url")}


def artifact_columns() -> Columns:
    return {
        "artifact": t("product.artifact"),
        "kind": t("product.kind"),
        "license": t("leaderboard.license"),
        "url": st.column_config.LinkColumn(t("leaderboard.link")),
        "description": t("product.description"),
    }


def figure_columns() -> Columns:
    return {
        "artifact": t("product.artifact"),
        "metric_name": t("product.metric"),
        "shown": t("product.value"),
        "value": st.column_config.NumberColumn(t("product.exact_value"), format="localized"),
        "observed_at": _fetched_at(),
        "source_url": _source(),
    }


def benchmark_columns() -> Columns:
    return {
        "benchmark": t("product.benchmark"),
        "metric": t("product.metric"),
        "value": st.column_config.NumberColumn(t("product.value"), format="%.2f"),
        "trust_label": t("product.trust"),
        "artifact": t("product.artifact"),
        "observed_at": _fetched_at(),
        "source_url": _source(),
    }


def derivative_count_columns() -> Columns:
    return {"relation_name": t("product.relation"), "count": t("product.count")}


def derivative_columns() -> Columns:
    return {
        "relation": t("product.relation"),
        "target": t("product.artifact"),
        "observed_at": _fetched_at(),
        "source_url": _source(),
    }


def flag_columns() -> Columns:
    return {
        "kind_name": t("product.flag_kind"),
        "artifact": t("product.artifact"),
        "evidence": t("product.flag_evidence"),
        "window_start": st.column_config.DatetimeColumn(
            t("product.window_start"), timezone=SHANGHAI
        ),
        "window_end": st.column_config.DatetimeColumn(t("product.window_end"), timezone=SHANGHAI),
        "excluded": st.column_config.CheckboxColumn(t("product.flag_excluded")),
    }


def eligibility_columns() -> Columns:
    return {
        "artifact": t("product.artifact"),
        "license": t("leaderboard.license"),
        "openness_name": t("leaderboard.openness"),
        "gated_text": t("eligibility.gated"),
        "released": t("eligibility.released"),
    }


# ---------------------------------------------------------------- what-if and methodology


def what_if_columns() -> Columns:
    return {
        "what_if_rank": st.column_config.NumberColumn(t("what_if.new_rank")),
        "rank": st.column_config.NumberColumn(t("what_if.official_rank")),
        "movement": t("what_if.change"),
        "name": t("leaderboard.name"),
        "what_if_total": st.column_config.NumberColumn(t("what_if.new_score"), format="%.3f"),
        "total": st.column_config.NumberColumn(t("what_if.official_score"), format="%.3f"),
    }


def methodology_columns() -> Columns:
    return {
        "signal": st.column_config.TextColumn(t("product.signal")),
        "meaning": st.column_config.TextColumn(t("methodology.meaning")),
        "group": st.column_config.TextColumn(t("methodology.group")),
        "weight": st.column_config.NumberColumn(t("methodology.weight"), format="%.2f"),
        "transform": st.column_config.TextColumn(t("methodology.transform")),
    }


# ---------------------------------------------------------------- data health


def staleness_columns() -> Columns:
    return {
        "source_name": t("health.source"),
        "last_success": t("health.last_success"),
        "age": t("health.age"),
    }


def run_columns() -> Columns:
    return {
        "id": st.column_config.NumberColumn(t("health.run"), format="%d"),
        "source_name": t("health.source"),
        "status_name": t("health.status"),
        "started": t("health.started_at"),
        "duration": t("health.duration"),
        "requests": st.column_config.NumberColumn(t("health.requests"), format="localized"),
        "rate_limit_waits": st.column_config.NumberColumn(t("health.rate_limit_waits")),
        "rate_limit_wait_seconds": st.column_config.NumberColumn(
            t("health.rate_limit_wait_seconds"), format="%.0f"
        ),
        "paced_seconds": st.column_config.NumberColumn(t("health.paced_seconds"), format="%.0f"),
        "stopped": t("health.stopped_reason"),
    }


def failure_columns() -> Columns:
    return {
        "subject": t("product.artifact"),
        "source_name": t("health.source"),
        "reason_name": t("health.reason"),
        "detail": t("health.detail"),
    }


def registry_check_columns() -> Columns:
    return {
        "subject": t("health.registry_subject"),
        "reason_name": t("health.reason"),
        "detail": t("health.registry_fix"),
    }
