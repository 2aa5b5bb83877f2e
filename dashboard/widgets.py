"""Small pieces several pages share: the category picker, product labels, escaped text."""

from __future__ import annotations

import re

import streamlit as st

from dashboard.i18n import t
from dashboard.views import Snapshot
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


def product_label(snap: Snapshot) -> dict[str, str]:
    """product id → "name · organisation id", for pickers."""
    return {
        pid: f"{name} · {org}"
        for pid, name, org in zip(
            snap.products["product_id"],
            snap.products["name"],
            snap.products["organization"],
            strict=True,
        )
    }


def synthetic_banner(snap: Snapshot) -> None:
    """Demo numbers are labelled on every page, so no screenshot passes them off as real."""
    if snap.synthetic:
        st.warning(t("app.synthetic_banner"), icon="🧪")
