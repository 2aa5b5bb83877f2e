"""The methodology file's signal lists in the committee's words (a table row per signal)."""

from __future__ import annotations

from typing import Any

from dashboard.i18n import catalogue, label, text
from scoring.catalogue import SIGNALS


def _number(value: object) -> str:
    return f"{value:,.10g}" if isinstance(value, int | float) else str(value)


def transform_text(spec: object, lang: str) -> str:
    """`{kind: log_cap, cap: 10000000}` → "对数，封顶 10,000,000" / "log, capped at 10,000,000"."""
    if not isinstance(spec, dict):
        return "—"
    kind = str(spec.get("kind", ""))
    cap = _number(spec.get("cap", "—"))
    if kind in {"log_cap", "linear", "percentile"}:
        found = text(f"methodology.transform_{kind}", lang, cap=cap)
    else:
        found = kind or "—"
    if spec.get("smaller_is_better"):
        found += text("methodology.smaller_is_better", lang)
    return found


def signal_rows(spec: object, lang: str) -> list[dict[str, Any]]:
    """One row per signal of a category's spec: name, meaning, group, weight, transform."""
    signals = spec.get("signals") if isinstance(spec, dict) else None
    if not isinstance(signals, list):
        return []
    rows: list[dict[str, Any]] = []
    for entry in signals:
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name", ""))
        known = SIGNALS.get(name)
        meaning = (known.description_zh if lang == "zh" else known.description) if known else ""
        group = str(entry.get("group", ""))
        weight = entry.get("weight")
        rows.append(
            {
                "signal": label("signal", name),
                "meaning": meaning,
                "group": catalogue(lang).get(f"group.{group}", group) if group else "—",
                "weight": float(weight) if isinstance(weight, int | float) else None,
                "transform": transform_text(entry.get("transform"), lang),
            }
        )
    return rows
