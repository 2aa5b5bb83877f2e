"""Shortlist: pick products, note why, save it in the store (who/when), download an Excel CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import data, format
from dashboard.i18n import current_language, t
from dashboard.widgets import plain, products_picker, synthetic_banner

lang = current_language()
snap = data.current()
labels = data.product_labels(data.data_version())

st.title(t("shortlist.title"))
synthetic_banner(snap)
picked: dict[str, str] = st.session_state.setdefault("shortlist_items", {})

saved_names = data.shortlist_names()
if saved_names:
    with st.expander(t("shortlist.load"), expanded=False):
        name_to_load = st.selectbox(t("shortlist.saved"), saved_names, key="shortlist_load_name")
        if st.button(t("shortlist.load_button"), key="shortlist_load") and name_to_load:
            saved = data.saved_shortlist(str(name_to_load))
            if saved is not None:
                picked.clear()
                picked.update({pid: note for pid, note in saved.items if pid in labels})
                st.session_state["shortlist_pick"] = list(picked)
                for pid, note in picked.items():
                    st.session_state[f"note_{pid}"] = note
                st.session_state["shortlist_name"] = saved.name
                st.caption(
                    t(
                        "shortlist.saved_by",
                        who=plain(saved.created_by),  # anyone's text: never Markdown
                        when=format.timestamp(saved.created_at, lang),
                    )
                )

if "shortlist_pick" not in st.session_state:
    st.session_state["shortlist_pick"] = [pid for pid in picked if pid in labels]
chosen = products_picker(labels, "shortlist_pick", t("shortlist.pick"))
for pid in list(picked):
    if pid not in chosen:
        del picked[pid]

if not chosen:
    st.info(t("shortlist.empty"))
    st.stop()

for pid in chosen:
    picked[pid] = (
        st.text_area(
            t("shortlist.note_for", product=plain(labels[pid])),
            value=picked.get(pid, ""),
            key=f"note_{pid}",
            max_chars=4000,
            height=80,
        )
        or ""
    )
items = [(pid, picked.get(pid, "")) for pid in chosen]

st.download_button(
    t("shortlist.download"),
    data=lambda: data.shortlist_csv(items),
    file_name=f"shortlist-{datetime.now(UTC):%Y%m%d}.csv",
    mime="text/csv",
    key="shortlist_download",
    on_click="ignore",
)

st.subheader(t("shortlist.save_title"))
with st.form("shortlist_save_form"):
    name = st.text_input(t("shortlist.name"), key="shortlist_name")
    who = st.text_input(
        t("shortlist.created_by"), value=st.session_state.get("identity") or "", key="shortlist_who"
    )
    submitted = st.form_submit_button(t("shortlist.save"))
if submitted:
    if not (name or "").strip() or not (who or "").strip():
        st.error(t("shortlist.need_name"))
    else:
        data.save_shortlist(name.strip(), who.strip(), items)
        st.success(t("shortlist.saved_ok", name=plain(name.strip()), count=len(items)))
