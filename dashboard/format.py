"""Numbers, ranks and times as a committee member reads them: 万/亿 in Chinese, K/M/B in English."""

from __future__ import annotations

import math
from datetime import UTC, datetime

Lang = str  # "zh" | "en"; kept as str so catalogue lookups stay simple

_ZH_UNITS = ((1e8, "亿"), (1e4, "万"))
_EN_UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "K"))


def _trim(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact_number(value: float | None, lang: Lang) -> str:
    """1234567 → "123.5万" (zh) or "1.2M" (en); missing → "—" (a missing figure is never zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    units = _ZH_UNITS if lang == "zh" else _EN_UNITS
    for threshold, suffix in units:
        if magnitude >= threshold:
            return f"{sign}{_trim(magnitude / threshold, 1 if magnitude / threshold >= 10 else 2)}{suffix}"
    if float(magnitude).is_integer():
        return f"{sign}{int(magnitude):,}"
    return f"{sign}{_trim(magnitude, 2)}"


def rank_with_interval(rank: int, low: int, high: int) -> str:
    """3, 2, 5 → "3 (2–5)"; a rank the draws never moved is shown alone."""
    if low == high == rank:
        return str(rank)
    return f"{rank} ({low}–{high})"


def percent(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value * 100:.0f}%"


def timestamp(value: datetime | None, lang: Lang) -> str:
    """Times in UTC with the zone named, so a screenshot is unambiguous."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if lang == "zh":
        return value.strftime("%Y年%m月%d日 %H:%M UTC")
    return value.strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: float | None, lang: Lang) -> str:
    if seconds is None or math.isnan(seconds):
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    if lang == "zh":
        return f"{minutes}分{secs}秒" if minutes else f"{secs}秒"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"
