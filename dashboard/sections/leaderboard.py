"""Leaderboard per category: filters, sortable table, a selected row opens the product."""

from __future__ import annotations

import streamlit as st

from dashboard import board_pages, columns, data
from dashboard.frames.leaderboard import filter_leaderboard
from dashboard.hubs import HUBS
from dashboard.i18n import current_language, label, t
from dashboard.widgets import category_picker, synthetic_banner
from scoring.openness import OPENNESS_CLASSES

lang = current_language()
version = data.data_version()

snap = data.current()
st.title(t("leaderboard.title"))
synthetic_banner(snap)
category = category_picker()
board = data.leaderboard(version, category, lang)

with st.expander(t("leaderboard.filters"), expanded=True):
    search = st.text_input(t("leaderboard.search"), key="lb_search", bind="query-params")
    c1, c2, c5, c3, c4 = st.columns([3, 3, 3, 2, 3])
    organizations = c1.multiselect(
        t("leaderboard.organization"),
        sorted(board["organization_name"].dropna().unique()),
        key="lb_org",
        placeholder=t("common.choose"),
    )
    openness = c2.multiselect(
        t("leaderboard.openness"),
        [o for o in OPENNESS_CLASSES if o in set(board["openness"].dropna())],
        format_func=lambda o: label("openness", o),
        key="lb_openness",
        placeholder=t("common.choose"),
    )
    published = set(",".join(board["hubs"].dropna()).split(","))
    hubs = c5.multiselect(
        t("leaderboard.hubs"),
        [h for h in HUBS if h in published],
        format_func=lambda h: label("hub", h),
        key="lb_hubs",
        placeholder=t("common.choose"),
    )
    sizes = c3.multiselect(
        t("leaderboard.size_class"),
        sorted(board["size_class"].dropna().unique()),
        key="lb_size",
        placeholder=t("common.choose"),
    )
    flagged = c4.radio(
        t("leaderboard.integrity"),
        ("all", "flagged", "unflagged"),
        format_func=lambda v: t(f"leaderboard.flagged_{v}"),
        key="lb_flagged",
        horizontal=True,
    )

shown = filter_leaderboard(
    board,
    organizations=organizations,
    openness=openness,
    hubs=hubs,
    size_classes=sizes,
    flagged=str(flagged),
    search=search or "",
)
left, right = st.columns([3, 1])
sort_key = left.selectbox(
    t("leaderboard.sort_by"),
    board_pages.SORT_KEYS,
    format_func=lambda k: t("leaderboard.sort_rank") if k == "rank" else label("metric", k),
    key="lb_sort",
)
pages = board_pages.page_count(len(shown))
page_number = right.number_input(
    t("leaderboard.page", pages=pages), min_value=1, max_value=pages, step=1, key="lb_page"
)
page = board_pages.board_page(board_pages.sorted_board(shown, str(sort_key)), int(page_number))
first = (min(int(page_number), pages) - 1) * board_pages.PAGE_SIZE
st.caption(
    t("leaderboard.count", shown=len(shown), total=len(board))
    + (t("leaderboard.rows", first=first + 1, last=first + len(page)) if pages > 1 else "")
)
event = st.dataframe(
    # Only one page goes to the browser; a selected row is found again in `page` here.
    board_pages.styled_page(page[columns.LEADERBOARD_ORDER], lang),
    hide_index=True,
    key="leaderboard_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config=columns.leaderboard_columns(float(board["total"].max()) if len(board) else 1.0),
    width="stretch",
)
st.caption(t("leaderboard.hint"))

rows = event.selection.rows if event is not None else []
if rows:
    product_id = str(page.iloc[rows[0]]["product_id"])
    st.session_state["product"] = product_id
    st.switch_page("sections/product.py", query_params={"product": product_id})
