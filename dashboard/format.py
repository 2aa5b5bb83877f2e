"""Numbers, ranks and times as a committee member reads them: 万/亿 in Chinese, K/M/B in English."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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


def figure(value: float | None, lang: Lang) -> str:
    """A signal's raw value, whatever its unit: counts in the language's units, shares and
    ratios with three significant digits (`0.0486`, `2.78万`), missing as "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 1000 or float(value).is_integer():
        return compact_number(value, lang)
    return f"{value:.3g}"


def rank_with_interval(rank: int, low: int, high: int) -> str:
    """3, 2, 5 → "3 (2–5)"; a rank the draws never moved is shown alone."""
    if low == high == rank:
        return str(rank)
    return f"{rank} ({low}–{high})"


def percent(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value * 100:.0f}%"


# The committee meets in Shanghai: times are shown there, with the zone named so that a screenshot
# is unambiguous. The store keeps UTC.
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime) -> datetime:
    """A stored time (UTC, or naive UTC) in Asia/Shanghai."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def timestamp(value: datetime | None, lang: Lang) -> str:
    """`2026-12-06 10:13 (UTC+8)`; in Chinese `2026-12-06 10:13（北京时间）`."""
    if value is None:
        return "—"
    text = local_time(value).strftime("%Y-%m-%d %H:%M")
    return f"{text}（北京时间）" if lang == "zh" else f"{text} (UTC+8)"


def date(value: datetime | None, lang: Lang) -> str:
    """The day in Asia/Shanghai: `2026年12月6日` / `2026-12-06`."""
    if value is None:
        return "—"
    local = local_time(value)
    return f"{local.year}年{local.month}月{local.day}日" if lang == "zh" else f"{local:%Y-%m-%d}"


def duration(seconds: float | None, lang: Lang) -> str:
    if seconds is None or math.isnan(seconds):
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    if lang == "zh":
        return f"{minutes}分{secs}秒" if minutes else f"{secs}秒"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"
