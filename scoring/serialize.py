"""The canonical CSV of score rows: byte-identical for identical inputs (the as-of check)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from ossimpact.domain import ScoreRow

COLUMNS = (
    "category",
    "rank",
    "product_id",
    "methodology_version",
    "total",
    "rank_low",
    "rank_high",
    "top_n_share",
    "coverage",
    "cohort",
    "flags",
    "contributions",
)


def _num(x: float | None, digits: int = 6) -> str:
    if x is None or math.isnan(x):
        return ""
    text = f"{x:.{digits}f}"
    return "0." + "0" * digits if text == "-0." + "0" * digits else text


def scores_csv_bytes(rows: Sequence[ScoreRow]) -> bytes:
    """One line per row, in (category, rank, product id) order; floats at fixed precision;
    contributions as `signal=raw|normalised|contribution` joined by `;` (empty raw = missing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in sorted(rows, key=lambda r: (r.category, r.rank, r.product_id)):
        contributions = ";".join(
            f"{c.signal}={_num(c.raw)}|{_num(c.normalized)}|{_num(c.contribution)}"
            for c in r.contributions
        )
        flags = ";".join(
            f"{f.kind}:{f.artifact or ''}{':excluded' if f.excluded else ''}" for f in r.flags
        )
        writer.writerow(
            (
                r.category,
                r.rank,
                r.product_id,
                r.methodology_version,
                _num(r.total),
                r.rank_low,
                r.rank_high,
                _num(r.top_n_share, 4),
                _num(r.coverage, 4),
                r.cohort or "",
                flags,
                contributions,
            )
        )
    return buffer.getvalue().encode("utf-8")
