"""What-if: other weights for the methodology's signals, the resulting ranking beside the official.

Nothing here is written to the store; the weights live in the page's link.
"""

from __future__ import annotations

import streamlit as st

from dashboard import columns, data
from dashboard.frames.what_if import decode_weights, default_weights, encode_weights
from dashboard.i18n import current_language, label, t
from dashboard.widgets import category_picker, synthetic_banner

lang = current_language()
snap = data.current()
version = data.data_version()

st.title(t("what_if.title"))
synthetic_banner(snap)
st.info(t("what_if.not_saved"))
category = category_picker()
defaults = default_weights(data.category_contributions(version, category))
if not defaults:
    st.warning(t("what_if.no_scores"))
    st.stop()

from_link = decode_weights(st.query_params.get("weights"), defaults)
weights: dict[str, float] = {}
sliders = st.columns(min(len(defaults), 4))
for index, signal in enumerate(defaults):
    key = f"weight_{category}_{signal}"
    if key not in st.session_state:
        st.session_state[key] = float(from_link[signal])
    weights[signal] = float(
        sliders[index % len(sliders)].slider(label("signal", signal), 0.0, 1.0, step=0.05, key=key)
    )
if st.button(t("what_if.reset"), key="what_if_reset"):
    for signal, value in defaults.items():
        st.session_state[f"weight_{category}_{signal}"] = value
    st.query_params.pop("weights", None)
    st.rerun()

encoded = encode_weights(weights)
if weights != defaults:
    st.query_params["weights"] = encoded
st.caption(t("what_if.link"))
st.code(f"?category={category}&weights={encoded}", language=None)

if sum(weights.values()) <= 0:
    st.warning(t("what_if.all_zero"))
    st.stop()
ranking = data.what_if(version, category, tuple(sorted(weights.items())))
ranking = ranking.assign(
    movement=[
        ("▲ " if c > 0 else "▼ " if c < 0 else "= ") + str(abs(int(c))) for c in ranking["change"]
    ]
)
st.dataframe(
    ranking[["what_if_rank", "rank", "movement", "name", "what_if_total", "total"]],
    hide_index=True,
    column_config=columns.what_if_columns(),
    key="what_if_table",
    width="stretch",
)
