"""The committee dashboard's entrypoint: language, login, data banner, navigation.

The page scripts live in `sections/`, deliberately not in `pages/`: Streamlit (1.67 checked:
`PagesManager.uses_pages_directory`, `_mpa_v1`) serves a `pages/` folder beside the entrypoint as
legacy multipage pages, and in a fresh server process a direct link such as /product then runs
that page alone, without this script's login. `tests/test_dashboard_page_folder.py` shows both.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data
from dashboard.auth import require_login
from dashboard.i18n import DEFAULT_LANGUAGE, LANG_KEY, LANGUAGE_NAMES, LANGUAGES, t
from dashboard.widgets import plain

_PAGES = Path(__file__).resolve().parent / "sections"

st.set_page_config(page_title=t("app.title"), page_icon="🏆", layout="wide")

# Bound to ?lang= by hand: bind="query-params" would write the shown name ("English").
if LANG_KEY not in st.session_state and st.query_params.get(LANG_KEY) in LANGUAGES:
    st.session_state[LANG_KEY] = st.query_params[LANG_KEY]
with st.sidebar:
    chosen = st.radio(
        "语言 / Language",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=LANG_KEY,
        horizontal=True,
    )
if chosen != DEFAULT_LANGUAGE:
    st.query_params[LANG_KEY] = str(chosen)
else:
    st.query_params.pop(LANG_KEY, None)

st.session_state["identity"] = require_login()

pages = [
    st.Page(
        _PAGES / "overview.py",
        title=t("nav.overview"),
        icon="🏠",
        url_path="overview",
        default=True,
    ),
    st.Page(
        _PAGES / "leaderboard.py", title=t("nav.leaderboard"), icon="🏆", url_path="leaderboard"
    ),
    st.Page(_PAGES / "product.py", title=t("nav.product"), icon="🔎", url_path="product"),
    st.Page(_PAGES / "compare.py", title=t("nav.compare"), icon="⚖️", url_path="compare"),
    st.Page(_PAGES / "what_if.py", title=t("nav.what_if"), icon="🎚️", url_path="what-if"),
    st.Page(_PAGES / "shortlist.py", title=t("nav.shortlist"), icon="📋", url_path="shortlist"),
    st.Page(
        _PAGES / "methodology.py", title=t("nav.methodology"), icon="📐", url_path="methodology"
    ),
    st.Page(
        _PAGES / "data_health.py", title=t("nav.data_health"), icon="🩺", url_path="data-health"
    ),
]
navigation = st.navigation(pages)

try:
    runs = data.scoring_run_choices()
    with st.sidebar:
        # The official ranking unless a reader asks for a backdated or trial run, labelled so.
        st.selectbox(
            t("app.scoring_run"),
            [None, *runs],
            format_func=lambda run: t("app.official_run") if run is None else runs[run],
            key=data.SCORING_RUN_KEY,
        )
    chosen_run = data.chosen_scoring_run()
    if chosen_run is not None:
        st.warning(t("app.not_official", run=plain(runs.get(chosen_run, chosen_run))), icon="🧪")
    data.current()
except data.DashboardDataError as exc:
    st.error(t("app.store_unavailable", detail=plain(str(exc))))
    st.stop()

navigation.run()
