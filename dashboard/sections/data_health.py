"""Data health: runs with status, duration, requests, rate-limit waits, failures; staleness."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import columns, data, format
from dashboard.i18n import current_language, label, t
from dashboard.widgets import synthetic_banner

# The run source of live registry checks (ossimpact.registry.live.SOURCE; not imported, so the
# page does not load the HTTP clients).
REGISTRY_CHECK = "registry-check"

lang = current_language()
snap = data.current()
version = data.data_version()

st.title(t("health.title"))
synthetic_banner(snap)
runs = snap.runs
if runs.empty:
    st.info(t("overview.no_runs"))
    st.stop()

st.subheader(t("health.staleness"))
now = datetime.now(UTC)
ok = runs[runs["status"].isin(["succeeded", "partial"]) & runs["source"].notna()]
latest = ok.groupby("source", as_index=False)["finished_at"].max()
latest["source_name"] = [label("source", str(s)) for s in latest["source"]]
latest["last_success"] = [
    format.timestamp(f.to_pydatetime(), lang) if f is not None else "—"
    for f in latest["finished_at"]
]
latest["age"] = [
    format.duration((now - f).total_seconds(), lang) if f is not None else "—"
    for f in latest["finished_at"]
]
st.dataframe(
    latest[["source_name", "last_success", "age"]],
    hide_index=True,
    column_config=columns.staleness_columns(),
    key="health_staleness",
)

st.subheader(t("health.runs"))
shown = runs.assign(
    status_name=[label("status", s) for s in runs["status"]],
    duration=[format.duration(d, lang) for d in runs["duration_seconds"]],
    # a scoring run has no source: it is named by its kind
    source_name=[
        label("source", s if isinstance(s, str) and s else str(k))
        for s, k in zip(runs["source"], runs["kind"], strict=True)
    ],
    started=[format.timestamp(s.to_pydatetime(), lang) for s in runs["started_at"]],
    stopped=[r if isinstance(r, str) and r else "—" for r in runs["stopped_reason"]],
)
st.dataframe(
    shown[
        [
            "id",
            "source_name",
            "status_name",
            "started",
            "duration",
            "requests",
            "rate_limit_waits",
            "rate_limit_wait_seconds",
            "paced_seconds",
            "stopped",
        ]
    ],
    hide_index=True,
    column_config=columns.run_columns(),
    key="health_runs",
    width="stretch",
)

st.subheader(t("health.failures"))
run_id = st.selectbox(
    t("health.pick_run"),
    list(runs["id"]),
    format_func=lambda i: f"#{i}",
    key="health_run",
)
failures = data.run_failures(version, int(run_id)) if run_id is not None else None
if failures is None or failures.empty:
    st.success(t("health.no_failures"))
else:
    failures = failures.assign(
        reason_name=[label("reason", r) for r in failures["reason"]],
        source_name=[label("source", str(s)) for s in failures["source"]],
    )
    st.dataframe(
        failures[["subject", "source_name", "reason_name", "detail"]],
        hide_index=True,
        column_config=columns.failure_columns(),
        key="health_failures",
        width="stretch",
    )

# The latest live registry check (a refresh of Hugging Face or GitHub runs one): renamed,
# emptied or unknown handles and products matching nothing show here the day they happen.
checks = runs[runs["source"] == REGISTRY_CHECK]
if not checks.empty:
    st.subheader(t("health.registry"))
    latest_check = checks.sort_values("id").iloc[-1]
    st.caption(t("health.registry_caption", run=int(latest_check["id"])))
    findings = data.run_failures(version, int(latest_check["id"]))
    if latest_check["status"] == "failed":
        st.error(t("health.registry_failed"))
    elif findings.empty:
        st.success(t("health.registry_ok"))
    else:
        st.warning(t("health.registry_findings", count=len(findings)))
        findings = findings.assign(reason_name=[label("reason", r) for r in findings["reason"]])
        st.dataframe(
            findings[["subject", "reason_name", "detail"]],
            hide_index=True,
            column_config=columns.registry_check_columns(),
            key="health_registry",
            width="stretch",
        )
