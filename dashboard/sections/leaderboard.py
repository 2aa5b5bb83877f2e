"""Leaderboard per category: filters, sortable table, a selected row opens the product."""

from __future__ import annotations

import streamlit as st

from dashboard import data, tables, views
from dashboard.i18n import current_language, t
from dashboard.widgets import category_picker, synthetic_banner

lang = current_language()
version = data.data_version()

snap = data.current()
st.title(t("leaderboard.title"))
synthetic_banner(snap)
category = category_picker()
board = data.leaderboard(version, category, lang)

with st.expander(t("leaderboard.filters"), expanded=True):
    search = st.text_input(t("leaderboard.search"), key="lb_search", bind="query-params")
    c1, c2, c3, c4 = st.columns(4)
    organisations = c1.multiselect(
        t("leaderboard.organisation"), sorted(board["organisation"].dropna().unique()), key="lb_org"
    )
    licenses = c2.multiselect(
        t("leaderboard.license"), sorted(board["license"].dropna().unique()), key="lb_license"
    )
    sizes = c3.multiselect(
        t("leaderboard.size_class"), sorted(board["size_class"].dropna().unique()), key="lb_size"
    )
    flagged = c4.radio(
        t("leaderboard.integrity"),
        ("all", "flagged", "unflagged"),
        format_func=lambda v: t(f"leaderboard.flagged_{v}"),
        key="lb_flagged",
        horizontal=True,
    )

shown = views.filter_leaderboard(
    board,
    organisations=organisations,
    licenses=licenses,
    size_classes=sizes,
    flagged=str(flagged),
    search=search or "",
)
st.caption(t("leaderboard.count", shown=len(shown), total=len(board)))
event = st.dataframe(
    # Only what is shown goes to the browser; a selected row is found again in `shown` here.
    shown[tables.LEADERBOARD_ORDER],
    hide_index=True,
    key="leaderboard_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config=tables.leaderboard_columns(float(board["total"].max()) if len(board) else 1.0),
    width="stretch",
)
st.caption(t("leaderboard.hint"))

rows = event.selection.rows if event is not None else []
if rows:
    product_id = str(shown.iloc[rows[0]]["product_id"])
    st.session_state["product"] = product_id
    st.switch_page("sections/product.py", query_params={"product": product_id})
