"""Eligibility at a glance: each product's licence and openness, and the product page's block.

The classes come from `scoring.openness`, the rule the eligibility flags follow, so a leaderboard
row, its flag and its export say the same thing.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ossimpact.domain import IntegrityFlag
from scoring.eligibility import ELIGIBILITY_FLAGS
from scoring.openness import classify_licence, product_licence


def product_licences(artifacts: pd.DataFrame) -> pd.DataFrame:
    """Per product: its members' licences (SPDX ids where one fits, distinct, in member order),
    the most restrictive openness class, the first member's link and the member count."""
    tracked = artifacts.dropna(subset=["product_id"]).sort_values("artifact")
    rows = []
    for product_id, group in tracked.groupby("product_id", sort=False):
        summary = product_licence(
            [
                classify_licence(value if isinstance(value, str) else None)
                for value in group["license"]
            ],
            missing="—",
        )
        rows.append(
            {
                "product_id": product_id,
                "license": summary.licence,
                "openness": summary.openness,
                "url": group["url"].iloc[0],
                "artifacts": len(group),
            }
        )
    return pd.DataFrame(rows, columns=["product_id", "license", "openness", "url", "artifacts"])


def member_licences(members: pd.DataFrame) -> pd.DataFrame:
    """One row per member: artifact, licence as the platform writes it, SPDX id or text, class,
    gated, first release."""
    rows = []
    for row in members.itertuples(index=False):
        raw = getattr(row, "license", None)
        found = classify_licence(raw if isinstance(raw, str) else None)
        gated = getattr(row, "gated", None)
        created = getattr(row, "created_at", None)
        rows.append(
            {
                "artifact": row.artifact,
                "license": found.licence or "—",
                "openness": found.openness,
                "gated": bool(gated) if isinstance(gated, bool) else None,
                "created_at": created
                if isinstance(created, datetime) and pd.notna(created)
                else None,
            }
        )
    return pd.DataFrame(rows, columns=["artifact", "license", "openness", "gated", "created_at"])


def split_flags(kinds: list[str]) -> tuple[list[str], list[str]]:
    """(integrity kinds, eligibility kinds) of a row's flags."""
    return (
        [k for k in kinds if k not in ELIGIBILITY_FLAGS],
        [k for k in kinds if k in ELIGIBILITY_FLAGS],
    )


def eligibility_flags(flags: list[IntegrityFlag]) -> list[IntegrityFlag]:
    return [f for f in flags if f.kind in ELIGIBILITY_FLAGS]


def first_release(members: pd.DataFrame) -> datetime | None:
    """The earliest creation date among a product's members, if any is known."""
    if "created_at" not in members.columns:
        return None
    known = [c for c in members["created_at"] if isinstance(c, datetime) and pd.notna(c)]
    return min(known) if known else None
