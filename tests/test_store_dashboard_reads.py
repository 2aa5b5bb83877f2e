"""The store's frame-shaped reads for the dashboard hold exactly what the record reads hold."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ossimpact.store import open_store
from tests.fixtures.dashboard_store import dashboard_store_url

__all__ = ["dashboard_store_url"]


def _same(cell: Any, expected: Any) -> bool:
    """A missing text is missing in the frame too (pandas spells None as NaN)."""
    return bool(pd.isna(cell)) if expected is None else bool(cell == expected)


def test_latest_figures_are_the_latest_observations(dashboard_store_url: str) -> None:
    store = open_store(dashboard_store_url, read_only=True, migrate=False)
    try:
        records = store.latest_observations()
        frame = store.latest_figures()
        assert len(frame) == len(records) > 0
        for row in frame.itertuples(index=False):
            found = [
                o for (a, m), o in records.items() if str(a) == row.artifact and m == row.metric
            ]
            assert len(found) == 1, (row.artifact, row.metric)
            assert math.isclose(float(str(row.value)), float(found[0].value))
            assert row.observed_at == found[0].observed_at
            assert row.source_url == found[0].source_url
        only = store.latest_figures(["stars"])
        assert set(only["metric"]) == {"stars"}
        assert len(only) == sum(1 for _, m in records if m == "stars")
    finally:
        store.close()


def test_artifact_table_matches_the_artifact_records(dashboard_store_url: str) -> None:
    store = open_store(dashboard_store_url, read_only=True, migrate=False)
    try:
        records = store.artifacts()
        table = store.artifact_table()
        assert list(table["artifact"]) == [str(r.id) for r in records]
        for row, record in zip(table.itertuples(index=False), records, strict=True):
            assert (row.platform, row.kind, row.url) == (
                record.id.platform,
                record.id.kind,
                record.id.web_url,
            )
            assert _same(row.license, record.license)
            assert _same(row.pipeline_tag, record.pipeline_tag)
            assert _same(row.description, record.description)
            assert row.tracked == record.tracked
            assert _same(row.gated, record.gated)
            assert _same(row.created_at, record.created_at)
    finally:
        store.close()
