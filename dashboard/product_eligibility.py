"""The product page's eligibility block (资格): licence and openness of every member, gated or not,
the organisation's Shanghai evidence and confidence, first release against the award window."""

from __future__ import annotations

import streamlit as st

from dashboard import columns, data, format
from dashboard.eligibility import first_release, member_licences
from dashboard.frames.product import ProductView
from dashboard.i18n import label, t
from scoring.openness import most_restrictive


def eligibility_block(view: ProductView, lang: str) -> None:
    members = member_licences(view.artifacts)
    openness = most_restrictive(members["openness"]) if not members.empty else "unknown"
    mixed = members["openness"].nunique() > 1
    text = t("eligibility.summary", openness=label("openness", openness))
    if mixed:
        text += t("eligibility.mixed")
    if openness == "open":
        st.success(text)
    else:
        st.warning(text)

    org = view.organization
    confidence = str(org.get("confidence") or "unknown")
    st.markdown(
        f"**{t('product.confidence')}**: {t('confidence.' + confidence)}"
        + ("" if confidence == "high" else f" · {t('eligibility.attribution_doubt')}")
    )
    evidence = org.get("evidence") or []
    for line in evidence[:3]:
        st.text(f"• {line}")

    released = first_release(view.artifacts)
    window = data.award_window()
    when = format.date(released, lang)
    if released is not None and window is not None:
        inside = window[0] <= released.replace(tzinfo=window[0].tzinfo) <= window[1]
        where = t("eligibility.in_window" if inside else "eligibility.before_window")
        if released.replace(tzinfo=window[0].tzinfo) > window[1]:
            where = t("eligibility.after_window")
        st.markdown(f"**{t('eligibility.first_release')}**: {when} · {where}")
    else:
        st.markdown(f"**{t('eligibility.first_release')}**: {when}")

    shown = members.assign(
        openness_name=[label("openness", o) for o in members["openness"]],
        gated_text=[
            "—" if g is None else t("eligibility.gated_yes" if g else "eligibility.gated_no")
            for g in members["gated"]
        ],
        released=[format.date(c, lang) for c in members["created_at"]],
    )
    st.dataframe(
        shown[["artifact", "license", "openness_name", "gated_text", "released"]],
        hide_index=True,
        column_config=columns.eligibility_columns(),
        key="product_eligibility",
    )
