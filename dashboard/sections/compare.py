"""Compare 2–5 products side by side: signals, contributions, histories on one chart."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import charts, data, format
from dashboard.frames.history import HISTORY_METRICS
from dashboard.i18n import current_language, label, t
from dashboard.widgets import products_picker, synthetic_banner

lang = current_language()
snap = data.current()
version = data.data_version()
labels = data.product_labels(version)

st.title(t("compare.title"))
synthetic_banner(snap)
if "compare_pick" not in st.session_state:
    from_link = [p for p in st.query_params.get("products", "").split(",") if p in labels]
    st.session_state["compare_pick"] = from_link[:5]
chosen = products_picker(labels, "compare_pick", t("compare.pick"), max_selections=5)
st.query_params["products"] = ",".join(chosen)
if len(chosen) < 2:
    st.info(t("compare.need_two"))
    st.stop()

names = {pid: labels[pid] for pid in chosen}
contributions = data.product_contributions(version, tuple(chosen)).assign(
    product=lambda f: f["product_id"].map(names),
    signal_name=lambda f: [label("signal", s) for s in f["signal"]],
)
st.subheader(t("compare.signals"))
table = contributions.pivot_table(
    index="signal_name", columns="product", values="raw", aggfunc="first"
).rename_axis(index=t("product.signal"), columns=None)
st.dataframe(table.style.format(partial(format.figure, lang=lang)), key="compare_signals")
st.subheader(t("compare.contributions"))
st.altair_chart(
    charts.compare_signals_chart(contributions, t("product.signal"), t("product.contribution")),
    width="stretch",
)

st.subheader(t("compare.history"))
metric = st.selectbox(
    t("product.metric"),
    HISTORY_METRICS,
    format_func=lambda m: label("metric", m),
    key="compare_metric",
)
frames = []
for pid in chosen:
    history = data.product_history(version, pid, (str(metric),))
    if not history.empty:
        frames.append(history.assign(product=names[pid]))
if frames:
    import pandas as pd

    st.altair_chart(
        charts.history_chart(
            pd.concat(frames, ignore_index=True),
            value_label=label("metric", str(metric)),
            date_label=t("product.date"),
            series="product",
            window=data.award_window(),
        ),
        width="stretch",
    )
else:
    st.info(t("product.no_history"))
