"""The dashboard's only door to the store and the scoring: cached reads, keyed on the data version.

Every cached function takes `data_version` (the store's token of its latest finished run) as a
hashed argument, so a refresh shows on the next rerun without a restart while repeated reruns of
the same data stay fast. The store is opened read-only; the one write the dashboard makes (saving
a shortlist) goes through a separate, short-lived writable handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import views
from ossimpact.settings import load_settings


class DashboardDataError(RuntimeError):
    """The store cannot be read (missing database, unmigrated schema...): shown, not a traceback."""


def database_url() -> str:
    return load_settings().database_url


@st.cache_resource(max_entries=4, show_spinner=False)  # no internal name on screen
def _reader(url: str) -> Any:
    from ossimpact.store import StoreError, open_store

    try:
        return open_store(url, read_only=True, migrate=False)
    except StoreError as exc:
        raise DashboardDataError(str(exc)) from exc


def store() -> Any:
    return _reader(database_url())


SCORING_RUN_KEY = "scoring_run"  # session state (and ?run=): a scoring run a reader chose
_RUN_MARK = "@run:"


def chosen_scoring_run() -> int | None:
    """The scoring run a reader chose (a backdated or trial one); None: the official ranking."""
    value = st.session_state.get(SCORING_RUN_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def data_version() -> str:
    """Cheap, uncached: the token every cached read below is keyed on.

    A chosen scoring run is part of it, so every cached read of that run is its own entry."""
    token = str(store().data_version())
    chosen = chosen_scoring_run()
    return token if chosen is None else f"{token}{_RUN_MARK}{chosen}"


def scoring_run_choices() -> dict[int, str]:
    """Finished scoring runs other than the official one, newest first: id → label."""
    from sqlalchemy.exc import SQLAlchemyError

    from ossimpact.store import StoreError
    from ossimpact.store.errors import database_fault

    try:
        official = store().official_scoring_run_id()
        runs = store().scoring_runs(50)
    except StoreError as exc:
        raise DashboardDataError(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise DashboardDataError(database_fault(exc)) from exc
    return {
        run.id: f"#{run.id} {run.purpose} {run.as_of:%Y-%m-%d} ({run.methodology_version})"
        for run in runs
        if run.id != official and run.run_status in ("succeeded", "partial")
    }


def _run_of(data_version: str) -> int | None:
    _, mark, run = data_version.partition(_RUN_MARK)
    return int(run) if mark else None


# Shared, not copied: cache_data would unpickle the whole snapshot (every latest figure of every
# artifact) on each call, several times per rerun. Pages treat it as read-only.
@st.cache_resource(max_entries=2, show_spinner=False)
def snapshot(data_version: str) -> views.Snapshot:
    """The small tables of the latest data, read once per data version (no contributions)."""
    return views.load_snapshot(store(), _run_of(data_version))


def current() -> views.Snapshot:
    """The snapshot; a database that fails while being read (a file replaced by garbage, a
    server gone) is a DashboardDataError with the driver's one line, which the app shows in its
    own words instead of Streamlit's redacted exception box."""
    from sqlalchemy.exc import SQLAlchemyError

    from ossimpact.store import StoreError
    from ossimpact.store.errors import database_fault

    try:
        return snapshot(data_version())
    except StoreError as exc:
        raise DashboardDataError(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise DashboardDataError(database_fault(exc)) from exc


# Shared, read-only: every picker's labels, built once per data version rather than per rerun.
@st.cache_resource(max_entries=2, show_spinner=False)
def product_labels(data_version: str) -> dict[str, str]:
    return views.product_labels(snapshot(data_version))


# Shared like the snapshot: 10,000 rows copied on every rerun would cost more than the table.
@st.cache_resource(max_entries=16, show_spinner=False)
def leaderboard(data_version: str, category: str, lang: str) -> pd.DataFrame:
    return views.leaderboard_frame(snapshot(data_version), category, lang)


@st.cache_data(ttl="15m", max_entries=256, show_spinner=False)
def product(data_version: str, product_id: str) -> views.ProductView | None:
    """One product's page: its own score row is the only contributions JSON read."""
    snap = snapshot(data_version)
    return views.product_view(
        snap,
        product_id,
        store().product_scores([product_id], _run_of(data_version)),
        views.product_members_frame(store(), snap, product_id),
    )


@st.cache_data(ttl="15m", max_entries=64, show_spinner=False)
def product_contributions(data_version: str, product_ids: tuple[str, ...]) -> pd.DataFrame:
    contributions, _ = views.score_detail_frames(
        store().product_scores(list(product_ids), _run_of(data_version))
    )
    return contributions


@st.cache_data(ttl="15m", max_entries=8, show_spinner=False)
def category_contributions(data_version: str, category: str) -> pd.DataFrame:
    return views.category_contributions(store(), snapshot(data_version), category)


@st.cache_data(ttl="15m", max_entries=256, show_spinner=False)
def product_history(
    data_version: str, product_id: str, metrics: tuple[str, ...], until: datetime | None = None
) -> pd.DataFrame:
    """Daily sums over the product's artifacts since `history_since()`."""
    members = snapshot(data_version).members_of(product_id)
    if not members:
        return views.empty_history()
    frame = store().product_history(members, list(metrics), history_since(), until)
    return views.product_history_frame(frame)


@st.cache_data(ttl="15m", max_entries=64, show_spinner=False)
def what_if(
    data_version: str, category: str, weights: tuple[tuple[str, float], ...]
) -> pd.DataFrame:
    """The ranking under other weights beside the official one; nothing is written."""
    return views.what_if_frame(
        snapshot(data_version),
        category_contributions(data_version, category),
        category,
        dict(weights),
        methodology().min_coverage,
    )


@st.cache_data(ttl="15m", max_entries=64, show_spinner=False)
def run_failures(data_version: str, run_id: int) -> pd.DataFrame:
    return views.failures_frame(store().failures(run_id))


@st.cache_data(ttl="1h", max_entries=4, show_spinner=False)
def methodology_document(path: str) -> views.MethodologyView:
    return views.load_methodology_view(path)


def methodology() -> views.MethodologyView:
    return methodology_document(str(load_settings().methodology_path))


def shortlist_names() -> list[str]:
    # Shortlists change between reruns without a new collection run: read them uncached.
    return list(
        store().shortlists_names()
        if hasattr(store(), "shortlists_names")
        else views.shortlist_names(store().shortlists())
    )


def saved_shortlist(name: str) -> views.ShortlistView | None:
    return views.shortlist_view(store().shortlist(name))


def save_shortlist(name: str, created_by: str, items: Sequence[tuple[str, str]]) -> None:
    from ossimpact.store import open_store

    # The only write the dashboard makes; everything else reads through the read-only handle.
    writer = open_store(database_url(), read_only=False, migrate=False)
    try:
        writer.save_shortlist(name, created_by, list(items))
    finally:
        writer.close()


def shortlist_csv(items: Sequence[tuple[str, str]]) -> bytes:
    """The export's own builder (one implementation): sanitised, Excel-ready CSV with notes."""
    from ossimpact.export import csv_bytes, picked_rows

    return csv_bytes(picked_rows(store(), list(items)))


def award_window() -> tuple[datetime, datetime] | None:
    return methodology().window


CONTEXT_BEFORE_WINDOW = timedelta(days=90)


def history_since() -> datetime | None:
    """Charts show the award window and the 90 days before it (all history without a window)."""
    window = award_window()
    return None if window is None else window[0] - CONTEXT_BEFORE_WINDOW
