"""Altair charts. Labels arrive translated; charts never compute scores, only draw them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import altair as alt
import pandas as pd


def contributions_chart(contributions: pd.DataFrame, signal_label: str, value_label: str) -> Any:
    """What each signal added to the total, largest first."""
    data = contributions.assign(label=contributions["signal_name"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title=value_label),
            y=alt.Y("label:N", title=signal_label, sort="-x"),
            tooltip=[
                alt.Tooltip("label:N", title=signal_label),
                alt.Tooltip("contribution:Q", format=".3f"),
                alt.Tooltip("normalized:Q", format=".3f"),
                alt.Tooltip("effective_weight:Q", format=".3f"),
            ],
        )
    )


def history_chart(
    history: pd.DataFrame,
    *,
    value_label: str,
    date_label: str,
    series: str = "metric",
    window: tuple[datetime, datetime] | None = None,
) -> Any:
    """Lines per series over time, the award window shaded behind them."""
    lines = (
        alt.Chart(history)
        .mark_line(point=False)
        .encode(
            x=alt.X("observed_at:T", title=date_label),
            y=alt.Y("value:Q", title=value_label),
            color=alt.Color(f"{series}:N", title=None),
            tooltip=[
                alt.Tooltip("observed_at:T", title=date_label),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip("value:Q", format=",.0f"),
            ],
        )
    )
    if window is None:
        return lines
    band = pd.DataFrame({"start": [window[0]], "end": [window[1]]})
    shade = alt.Chart(band).mark_rect(opacity=0.12, color="#c8102e").encode(x="start:T", x2="end:T")
    return alt.layer(shade, lines)


def category_bar(counts: pd.DataFrame, category_label: str, count_label: str) -> Any:
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            # Chinese labels read across, not turned on their side
            x=alt.X("label:N", title=category_label, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("products:Q", title=count_label),
            tooltip=["label:N", "products:Q"],
        )
    )


def compare_signals_chart(contributions: pd.DataFrame, signal_label: str, value_label: str) -> Any:
    """Side-by-side contributions: one bar group per signal, one colour per product."""
    return (
        alt.Chart(contributions)
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title=value_label),
            y=alt.Y("signal_name:N", title=signal_label),
            yOffset="product:N",
            color=alt.Color("product:N", title=None),
            tooltip=["product:N", "signal_name:N", alt.Tooltip("contribution:Q", format=".3f")],
        )
    )


def hub_bar(per_hub: pd.DataFrame, hub_label: str, value_label: str) -> Any:
    """One bar of a product's all-time downloads, stacked by hub."""
    return (
        alt.Chart(per_hub)
        .mark_bar()
        .encode(
            x=alt.X("downloads:Q", title=value_label, stack="zero"),
            color=alt.Color("name:N", title=hub_label, sort=None),
            order=alt.Order("hub:N"),
            tooltip=[
                alt.Tooltip("name:N", title=hub_label),
                alt.Tooltip("downloads:Q", title=value_label, format=",.0f"),
            ],
        )
        .properties(height=80)
    )
