"""Product: identity and evidence, score breakdown, histories, benchmarks, derivatives, flags."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import charts, columns, data, format
from dashboard.frames.history import HISTORY_METRICS
from dashboard.frames.scores import flag_icon
from dashboard.hubs import HUBS, downloads_breakdown, hub_downloads
from dashboard.i18n import current_language, label, t
from dashboard.product_eligibility import eligibility_block
from dashboard.widgets import plain, product_picker, synthetic_banner

lang = current_language()
snap = data.current()
version = data.data_version()
labels = data.product_labels(version)

st.title(t("product.title"))
synthetic_banner(snap)
# Bound by hand, not with bind=: the leaderboard hands over the product through switch_page.
linked = st.query_params.get("product")
if linked in labels and "product" not in st.session_state:
    st.session_state["product"] = linked
product_id = product_picker(labels)
if product_id is not None:
    st.query_params["product"] = str(product_id)
if product_id is None:
    st.info(t("product.none_selected"))
    st.stop()
view = data.product(version, str(product_id))
if view is None:
    st.warning(t("product.unknown", product=plain(product_id)))
    st.stop()

st.header(plain(view.name))
org = view.organization
st.markdown(
    f"**{t('product.organization')}**: {plain(org.get('org_name_zh' if lang == 'zh' else 'org_name') or org.get('organization'))} · "
    f"**{t('common.category')}**: {t(f'category.{view.category}')} · "
    f"**{t('product.confidence')}**: {t('confidence.' + str(org.get('confidence') or 'unknown'))}"
)
if view.description:
    st.text(view.description)

picked = st.session_state.setdefault("shortlist_items", {})
if view.product_id in picked:
    st.success(t("product.in_shortlist"))
elif st.button(t("product.add_to_shortlist"), key="add_to_shortlist"):
    picked[view.product_id] = ""
    st.rerun()

with st.expander(t("product.evidence"), expanded=False):
    evidence = org.get("evidence") or []
    if not evidence:
        st.text(t("product.no_evidence"))
    for line in evidence:
        st.text(f"• {line}")

score = view.score
if score:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        t("leaderboard.rank"),
        format.rank_with_interval(
            int(score["rank"]), int(score["rank_low"]), int(score["rank_high"])
        ),
    )
    c2.metric(t("leaderboard.score"), f"{score['total']:.3f}")
    c3.metric(t("product.top_n_share"), format.percent(score["top_n_share"]))
    c4.metric(t("product.coverage"), format.percent(score["coverage"]))
if not view.flags.empty:
    kinds = view.flags["kind"].value_counts()
    st.warning(
        t(
            "product.flag_summary",
            flags=" · ".join(
                f"{flag_icon(str(k))} {label('flag', str(k))} ×{n}" for k, n in kinds.items()
            ),
        )
    )

# Only the open tab runs and reaches the browser: each table and chart costs the page's first
# paint, and most readers look at one section at a time. The open section is remembered by name,
# not by its translated label, so switching the language keeps it.
SECTIONS = (
    "breakdown",
    "eligibility",
    "history",
    "artifacts",
    "benchmarks",
    "derivatives",
    "flags",
)
tab_labels = {name: t(f"product.tab_{name}") for name in SECTIONS}
tab_key = f"product_tab_{lang}"


section = str(st.session_state.get("product_section", SECTIONS[0]))
# A widget's identity includes its default: the default is fixed when this language's tabs are
# first drawn (to the section open before), so later reruns keep the same tab widget.
default_key = f"product_tab_default_{lang}"
if tab_key not in st.session_state:
    st.session_state[default_key] = tab_labels.get(section, tab_labels[SECTIONS[0]])
tabs = dict(
    zip(
        SECTIONS,
        st.tabs(
            list(tab_labels.values()),
            key=tab_key,
            default=st.session_state.get(default_key, tab_labels[SECTIONS[0]]),
            on_change="rerun",
        ),
        strict=True,
    )
)
st.session_state["product_section"] = next(
    (name for name, text in tab_labels.items() if text == st.session_state.get(tab_key)), section
)
if tabs["breakdown"].open:
    with tabs["breakdown"]:
        if score:
            contributions = view.contributions.assign(
                signal_name=[label("signal", s) for s in view.contributions["signal"]]
            )
            # The evidence first, as bars inside the table; the chart only when asked for.
            st.dataframe(
                contributions[
                    [
                        "signal_name",
                        "contribution",
                        "raw",
                        "normalized",
                        "weight",
                        "effective_weight",
                    ]
                ]
                .style.format(partial(format.figure, lang=lang), subset=["raw"])
                .format(na_rep="—"),
                hide_index=True,
                column_config=columns.contribution_columns(
                    float(contributions["contribution"].max() or 0.0)
                ),
                key="product_contributions",
            )
            # a downloads signal adds every hub the product is published on: say what each gave
            for signal, by_hub in downloads_breakdown(snap.latest, view.artifacts).items():
                if len(by_hub) > 1:
                    parts = " · ".join(
                        f"{label('hub', hub)} {format.figure(by_hub[hub], lang=lang)}"
                        for hub in HUBS
                        if hub in by_hub
                    )
                    st.caption(t("product.by_hub", signal=label("signal", signal), parts=parts))
            if st.toggle(t("product.show_chart"), key="product_chart"):
                st.altair_chart(
                    charts.contributions_chart(
                        contributions, t("product.signal"), t("product.contribution")
                    ),
                    width="stretch",
                )
        else:
            st.info(t("product.not_scored"))
if tabs["eligibility"].open:
    with tabs["eligibility"]:
        eligibility_block(view, lang)
if tabs["history"].open:
    with tabs["history"]:
        history = data.product_history(version, view.product_id, HISTORY_METRICS)
        if history.empty:
            st.info(t("product.no_history"))
        else:
            history = history.assign(metric=[label("metric", m) for m in history["metric"]])
            st.altair_chart(
                charts.history_chart(
                    history,
                    value_label=t("product.value"),
                    date_label=t("product.date"),
                    window=data.award_window(),
                ),
                width="stretch",
            )
            st.caption(t("product.window_caption"))
if tabs["artifacts"].open:
    with tabs["artifacts"]:
        per_hub = hub_downloads(snap.latest, view.artifacts)
        if len(per_hub) > 1:
            st.subheader(t("product.per_hub"))
            st.altair_chart(
                charts.hub_bar(
                    per_hub.assign(name=[label("hub", h) for h in per_hub["hub"]]),
                    t("leaderboard.hubs"),
                    t("metric.downloads_all_time"),
                ),
                width="stretch",
            )
        # The members export's own rows and column names, so the page and the file read alike.
        st.subheader(t("product.members"))
        st.caption(t("product.members_caption"))
        st.dataframe(
            view.members,
            hide_index=True,
            column_config=columns.member_columns(),
            key="product_members",
        )
        st.subheader(t("product.artifacts"))
        st.dataframe(
            view.artifacts[["artifact", "kind", "license", "url", "description"]],
            hide_index=True,
            column_config=columns.artifact_columns(),
            key="product_artifacts",
        )
        st.subheader(t("product.figures"))
        figures = view.figures.assign(
            metric_name=[label("metric", m) for m in view.figures["metric"]],
            shown=[format.compact_number(v, lang) for v in view.figures["value"]],
        )
        st.dataframe(
            figures[["artifact", "metric_name", "shown", "value", "observed_at", "source_url"]],
            hide_index=True,
            column_config=columns.figure_columns(),
            key="product_figures",
        )
if tabs["benchmarks"].open:
    with tabs["benchmarks"]:
        if view.benchmarks.empty:
            st.info(t("product.no_benchmarks"))
        else:
            benchmarks = view.benchmarks.assign(
                trust_label=[label("trust", x) for x in view.benchmarks["trust"]]
            )
            st.dataframe(
                benchmarks[
                    [
                        "benchmark",
                        "metric",
                        "value",
                        "trust_label",
                        "artifact",
                        "observed_at",
                        "source_url",
                    ]
                ],
                hide_index=True,
                column_config=columns.benchmark_columns(),
                key="product_benchmarks",
            )
if tabs["derivatives"].open:
    with tabs["derivatives"]:
        if view.derivatives.empty:
            st.info(t("product.no_derivatives"))
        else:
            counts = view.derivatives.groupby("relation", as_index=False).agg(
                count=("target", "count")
            )
            counts["relation_name"] = [label("relation", r) for r in counts["relation"]]
            st.dataframe(
                counts[["relation_name", "count"]],
                hide_index=True,
                column_config=columns.derivative_count_columns(),
                key="product_derivative_counts",
            )
            st.dataframe(
                view.derivatives[["relation", "target", "observed_at", "source_url"]],
                hide_index=True,
                column_config=columns.derivative_columns(),
                key="product_derivatives",
            )
if tabs["flags"].open:
    with tabs["flags"]:
        if view.flags.empty:
            st.success(t("product.no_flags"))
        else:
            flags = view.flags.assign(
                kind_name=[f"{flag_icon(k)} {label('flag', k)}" for k in view.flags["kind"]]
            )
            st.dataframe(
                flags[
                    ["kind_name", "artifact", "evidence", "window_start", "window_end", "excluded"]
                ],
                hide_index=True,
                column_config=columns.flag_columns(),
                key="product_flags",
            )
