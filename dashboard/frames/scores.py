"""Score rows' details: per-signal contributions and integrity flags, and the flags' icons."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.frames.snapshot import Snapshot
from dashboard.reader import DashboardReader
from ossimpact.domain import ScoreRow

FLAG_ICONS: dict[str, str] = {
    "star_burst": "⭐",
    "download_spike": "📈",
    "ratio_outlier": "⚖️",
    "fake_stargazers": "👤",
    "downloads_decreased": "📉",
    "licence_not_open": "📜",
    "gated": "🔒",
    "attribution_doubt": "📍",
}

CONTRIBUTION_COLUMNS = [
    "product_id",
    "signal",
    "raw",
    "normalized",
    "weight",
    "effective_weight",
    "contribution",
]
FLAG_COLUMNS = [
    "product_id",
    "kind",
    "artifact",
    "evidence",
    "window_start",
    "window_end",
    "excluded",
]


def flag_icon(kind: str) -> str:
    return FLAG_ICONS.get(kind, "⚠️")


def score_detail_frames(rows: Sequence[ScoreRow]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contributions and integrity flags of some score rows, one row per signal / flag."""
    contributions = pd.DataFrame(
        [
            {
                "product_id": r.product_id,
                "signal": c.signal,
                "raw": c.raw,
                "normalized": c.normalized,
                "weight": c.weight,
                "effective_weight": c.effective_weight,
                "contribution": c.contribution,
            }
            for r in rows
            for c in r.contributions
        ],
        columns=CONTRIBUTION_COLUMNS,
    )
    flags = pd.DataFrame(
        [
            {
                "product_id": r.product_id,
                "kind": f.kind,
                "artifact": str(f.artifact) if f.artifact else None,
                "evidence": f.evidence,
                "window_start": f.window_start,
                "window_end": f.window_end,
                "excluded": f.excluded,
            }
            for r in rows
            for f in r.flags
        ],
        columns=FLAG_COLUMNS,
    )
    return contributions, flags


def category_contributions(reader: DashboardReader, snap: Snapshot, category: str) -> pd.DataFrame:
    """Every signal contribution of a category's scores in the snapshot's run (what-if's input)."""
    ids = snap.scores.loc[snap.scores["category"] == category, "product_id"]
    run = snap.scoring_run.get("id")
    contributions, _ = score_detail_frames(reader.product_scores(list(ids), run))
    return contributions
