"""The dashboard's only door to the store and the scoring: cached reads, keyed on the data version.

Every cached function takes `data_version` (the store's token of its latest finished run) as a
hashed argument, so a refresh shows on the next rerun without a restart while repeated reruns of
the same data stay fast. The store is opened read-only; the one write the dashboard makes (saving
a shortlist) goes through a separate, short-lived writable handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from dashboard.frames import picking, scores, shortlists
from dashboard.frames.history import empty_history, product_history_frame
from dashboard.frames.leaderboard import leaderboard_frame
from dashboard.frames.methodology import MethodologyView, load_methodology_view
from dashboard.frames.product import ProductView, product_members_frame, product_view
from dashboard.frames.runs import failures_frame
from dashboard.frames.shortlists import ShortlistView, shortlist_view
from dashboard.frames.snapshot import Snapshot, load_snapshot
from dashboard.frames.what_if import what_if_frame
from ossimpact.settings import Settings, load_settings

if TYPE_CHECKING:
    from ossimpact.store import Store


class DashboardDataError(RuntimeError):
    """The store cannot be read (missing database, unmigrated schema...): shown, not a traceback."""


def settings() -> Settings:
    """The operator's settings: `ossimpact/settings.py` is the dashboard's only reader of the
    environment too."""
    return load_settings()


def database_url() -> str:
    return settings().database_url


@st.cache_resource(max_entries=4, show_spinner=False)  # no internal name on screen
def _reader(url: str) -> Store:
    from ossimpact.store import StoreError, open_store

    try:
        return open_store(url, read_only=True, migrate=False)
    except StoreError as exc:
        raise DashboardDataError(str(exc)) from exc


def store() -> Store:
    """The read-only handle: a `DashboardReader` (dashboard/reader.py) and more, since the
    members of a run and the shortlist CSV come from builders the exports share, which take it."""
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
def snapshot(data_version: str) -> Snapshot:
    """The small tables of the latest data, read once per data version (no contributions)."""
    return load_snapshot(store(), _run_of(data_version), synthetic=settings().synthetic)


def current() -> Snapshot:
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
    return picking.product_labels(snapshot(data_version))


# Shared like the snapshot: 10,000 rows copied on every rerun would cost more than the table.
@st.cache_resource(max_entries=16, show_spinner=False)
def leaderboard(data_version: str, category: str, lang: str) -> pd.DataFrame:
    return leaderboard_frame(snapshot(data_version), category, lang)


@st.cache_data(ttl="15m", max_entries=256, show_spinner=False)
def product(data_version: str, product_id: str) -> ProductView | None:
    """One product's page: its own score row is the only contributions JSON read."""
    snap = snapshot(data_version)
    return product_view(
        snap,
        product_id,
        store().product_scores([product_id], _run_of(data_version)),
        product_members_frame(store(), snap, product_id),
    )


@st.cache_data(ttl="15m", max_entries=64, show_spinner=False)
def product_contributions(data_version: str, product_ids: tuple[str, ...]) -> pd.DataFrame:
    contributions, _ = scores.score_detail_frames(
        store().product_scores(list(product_ids), _run_of(data_version))
    )
    return contributions


@st.cache_data(ttl="15m", max_entries=8, show_spinner=False)
def category_contributions(data_version: str, category: str) -> pd.DataFrame:
    return scores.category_contributions(store(), snapshot(data_version), category)


@st.cache_data(ttl="15m", max_entries=256, show_spinner=False)
def product_history(
    data_version: str, product_id: str, metrics: tuple[str, ...], until: datetime | None = None
) -> pd.DataFrame:
    """Daily sums over the product's artifacts since `history_since()`."""
    members = snapshot(data_version).members_of(product_id)
    if not members:
        return empty_history()
    frame = store().product_history(members, list(metrics), history_since(), until)
    return product_history_frame(frame)


@st.cache_data(ttl="15m", max_entries=64, show_spinner=False)
def what_if(
    data_version: str, category: str, weights: tuple[tuple[str, float], ...]
) -> pd.DataFrame:
    """The ranking under other weights beside the official one; nothing is written."""
    return what_if_frame(
        snapshot(data_version),
        category_contributions(data_version, category),
        category,
        dict(weights),
        methodology().min_coverage,
    )


@st.cache_data(ttl="15m", max_entries=64, show_spinner=False)
def run_failures(data_version: str, run_id: int) -> pd.DataFrame:
    return failures_frame(store().failures(run_id))


@st.cache_data(ttl="1h", max_entries=4, show_spinner=False)
def methodology_document(path: str) -> MethodologyView:
    return load_methodology_view(path)


def methodology() -> MethodologyView:
    return methodology_document(str(settings().methodology_path))


def shortlist_names() -> list[str]:
    # Shortlists change between reruns without a new collection run: read them uncached.
    return shortlists.shortlist_names(store().shortlists())


def saved_shortlist(name: str) -> ShortlistView | None:
    return shortlist_view(store().shortlist(name))


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
