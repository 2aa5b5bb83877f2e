"""Small pieces several pages share: the category picker, product labels, escaped text."""

from __future__ import annotations

import re
from collections.abc import Mapping

import streamlit as st

from dashboard.frames.picking import matching_products
from dashboard.frames.snapshot import Snapshot
from dashboard.i18n import t
from ossimpact.domain import CATEGORIES

CATEGORY_KEY = "category"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Platform text made inert for st.markdown/st.header: every markdown character escaped."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def category_picker() -> str:
    value = st.selectbox(
        t("common.category"),
        CATEGORIES,
        format_func=lambda c: t(f"category.{c}"),
        key=CATEGORY_KEY,
        bind="query-params",
    )
    return str(value or CATEGORIES[0])


PICKER_LIMIT = 50


def product_picker(labels: Mapping[str, str], key: str = "product") -> str | None:
    """Search, then pick: a text filter and a picker of at most PICKER_LIMIT matching products.

    Only the matches go to the browser (thousands of labels on every rerun made the page slow);
    the product already on screen (`st.session_state[key]`) is always among them.
    """
    selected = st.session_state.get(key)
    if selected is not None and selected not in labels:
        del st.session_state[key]
        selected = None
    left, right = st.columns([1, 2])
    query = left.text_input(
        t("product.search"), key=f"{key}_search", placeholder=t("product.search_placeholder")
    )
    options = matching_products(labels, query or "", keep=selected, limit=PICKER_LIMIT)
    chosen = right.selectbox(
        t("product.pick"),
        options,
        format_func=labels.__getitem__,
        index=None,
        placeholder=t("product.pick_placeholder"),
        key=key,
    )
    if query and all(option == selected for option in options):
        st.caption(t("product.no_match", query=plain(query)))
    elif len(options) >= PICKER_LIMIT:
        st.caption(t("product.more_matches", shown=PICKER_LIMIT, total=len(labels)))
    return None if chosen is None else str(chosen)


def products_picker(
    labels: Mapping[str, str], key: str, title: str, max_selections: int | None = None
) -> list[str]:
    """Several products, search then pick: the picked ones plus at most PICKER_LIMIT matches."""
    picked = [p for p in st.session_state.get(key, []) if p in labels]
    st.session_state[key] = picked
    left, right = st.columns([1, 2])
    query = left.text_input(
        t("product.search"), key=f"{key}_search", placeholder=t("product.search_placeholder")
    )
    matches = matching_products(labels, query or "", limit=PICKER_LIMIT)
    chosen = right.multiselect(
        title,
        [*picked, *(m for m in matches if m not in picked)],
        format_func=labels.__getitem__,
        max_selections=max_selections,
        key=key,
        placeholder=t("common.choose"),
    )
    if query and not matches:
        st.caption(t("product.no_match", query=plain(query)))
    return [str(c) for c in chosen]


def synthetic_banner(snap: Snapshot) -> None:
    """Demo numbers are labelled on every page, so no screenshot passes them off as real."""
    if snap.synthetic:
        st.warning(t("app.synthetic_banner"), icon="🧪")
