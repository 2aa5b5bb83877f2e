"""Methodology: the versioned file the scores were computed with, laid out for reading."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import columns, data, methodology_text
from dashboard.i18n import current_language, label, t
from dashboard.widgets import plain, synthetic_banner

lang = current_language()
snap = data.current()
st.title(t("methodology.title"))
synthetic_banner(snap)
view = data.methodology()
if view.error:
    st.error(t("methodology.unreadable", detail=plain(view.error)))
    st.stop()

st.metric(t("methodology.version"), view.version or "—")
document = view.document
window = data.award_window()
if window:
    st.markdown(f"**{t('methodology.window')}**: {window[0]:%Y-%m-%d} – {window[1]:%Y-%m-%d}")

categories: Any = document.get("categories") or {}
for category, spec in categories.items() if isinstance(categories, dict) else []:
    st.subheader(label("category", str(category)))
    rows = methodology_text.signal_rows(spec, lang)
    if rows:
        frame = pd.DataFrame(rows)
        st.dataframe(
            frame,
            hide_index=True,
            key=f"methodology_{category}",
            column_config=columns.methodology_columns(),
        )

rest = {k: v for k, v in document.items() if k not in {"categories", "version", "title"}}
if rest:
    # the remaining settings as the file writes them (its keys are the file's own words)
    with st.expander(t("methodology.other"), expanded=False):
        st.json(rest, expanded=True)
