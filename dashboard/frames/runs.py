"""Runs and their failures as the data health page shows them."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.frames.records import field_of, records_frame
from ossimpact.domain import ArtifactFailure

RUN_COLUMNS = [
    "id",
    "kind",
    "source",
    "status",
    "started_at",
    "finished_at",
    "requests",
    "rate_limit_waits",
    "rate_limit_wait_seconds",
    "paced_seconds",
    "stopped_reason",
    "message",
]


def runs_frame(runs: Iterable[object]) -> pd.DataFrame:
    """Runs newest first, with their duration in seconds (empty while a run has not finished)."""
    frame = pd.DataFrame(
        [{column: field_of(run, column) for column in RUN_COLUMNS} for run in runs],
        columns=RUN_COLUMNS,
    )
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["duration_seconds"] = (frame["finished_at"] - frame["started_at"]).dt.total_seconds()
    return frame.sort_values("started_at", ascending=False, ignore_index=True)


def failures_frame(failures: Iterable[ArtifactFailure]) -> pd.DataFrame:
    return records_frame(failures, ["subject", "source", "reason", "detail"])
