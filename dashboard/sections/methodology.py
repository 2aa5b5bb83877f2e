"""Methodology: the versioned file the scores were computed with, laid out for reading."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.i18n import label, t
from dashboard.widgets import plain, synthetic_banner

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
    signals = spec.get("signals") if isinstance(spec, dict) else None
    if isinstance(signals, dict):
        rows = [
            {"signal": name, **(value if isinstance(value, dict) else {"weight": value})}
            for name, value in signals.items()
        ]
    elif isinstance(signals, list):
        rows = [s if isinstance(s, dict) else {"signal": s} for s in signals]
    else:
        rows = []
    if rows:
        frame = pd.DataFrame(rows)
        name_column = (
            "signal" if "signal" in frame.columns else ("name" if "name" in frame.columns else None)
        )
        if name_column:
            frame.insert(
                0, t("product.signal"), [label("signal", str(s)) for s in frame[name_column]]
            )
        st.dataframe(frame.astype(str), hide_index=True, key=f"methodology_{category}")
    others = {k: v for k, v in spec.items() if k != "signals"} if isinstance(spec, dict) else {}
    if others:
        st.json(others, expanded=False)

rest = {k: v for k, v in document.items() if k not in {"categories", "version"}}
if rest:
    st.subheader(t("methodology.other"))
    st.json(rest, expanded=True)
