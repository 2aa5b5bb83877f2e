"""Overview: how fresh the data is, products per category, the top 10 of each, runs at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, columns, data, format
from dashboard.frames.snapshot import category_counts
from dashboard.i18n import current_language, label, t
from dashboard.widgets import synthetic_banner
from ossimpact.domain import CATEGORIES

lang = current_language()
snap = data.current()
version = data.data_version()

st.title(t("overview.title"))
synthetic_banner(snap)
left, middle, right = st.columns(3)
# the day large, the time beneath it: a whole timestamp does not fit a third of the page
left.metric(
    t("overview.data_as_of"),
    format.date(snap.data_as_of, lang),
    delta=format.timestamp(snap.data_as_of, lang),
    delta_color="off",
    delta_arrow="off",
)
middle.metric(t("overview.methodology_version"), snap.scoring_run.get("methodology_version") or "—")
right.metric(t("overview.products"), format.compact_number(len(snap.products), lang))

counts = category_counts(snap)
counts["label"] = [t(f"category.{c}") for c in counts["category"]]
st.subheader(t("overview.per_category"))
st.altair_chart(
    charts.category_bar(counts, t("common.category"), t("overview.products")),
    width="stretch",
)

st.subheader(t("overview.top10"))
for column, category in zip(st.columns(len(CATEGORIES)), CATEGORIES, strict=True):
    board = data.leaderboard(version, category, lang).head(10)
    column.markdown(f"**{t(f'category.{category}')}**")
    column.dataframe(
        board[["rank_text", "name", "total"]],
        hide_index=True,
        column_config=columns.top10_columns(),
        key=f"top10_{category}",
    )

st.subheader(t("overview.runs_health"))
recent = snap.runs.head(5)
if recent.empty:
    st.info(t("overview.no_runs"))
for run in recent.to_dict("records"):
    icon = {"succeeded": "✅", "partial": "⚠️", "failed": "❌"}.get(str(run["status"]), "⏳")
    when = run["finished_at"] if pd.notna(run["finished_at"]) else run["started_at"]
    # a scoring run has no source (None, read back as NaN): it is named by its kind
    what = run["source"] if isinstance(run["source"], str) and run["source"] else run["kind"]
    st.text(
        f"{icon} #{run['id']} {label('source', str(what))} · "
        f"{label('status', str(run['status']))} · {format.timestamp(when.to_pydatetime(), lang)}"
    )
