"""ScoreRow contributions and flags to JSON and back (JSON has no NaN and no datetimes)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, cast

from ossimpact.domain import ArtifactId, IntegrityFlag, SignalContribution


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def contributions_to_json(items: tuple[SignalContribution, ...]) -> list[dict[str, Any]]:
    return [
        {
            "signal": item.signal,
            "raw": _number(item.raw),
            "normalized": _number(item.normalized),
            "weight": _number(item.weight),
            "effective_weight": _number(item.effective_weight),
            "contribution": _number(item.contribution),
        }
        for item in items
    ]


def contributions_from_json(data: Any) -> tuple[SignalContribution, ...]:
    return tuple(
        SignalContribution(
            signal=str(item["signal"]),
            raw=item["raw"],
            normalized=item["normalized"],
            weight=item["weight"] if item["weight"] is not None else math.nan,
            effective_weight=(
                item["effective_weight"] if item["effective_weight"] is not None else math.nan
            ),
            contribution=item["contribution"] if item["contribution"] is not None else math.nan,
        )
        for item in cast(list[dict[str, Any]], data)
    )


def flags_to_json(flags: tuple[IntegrityFlag, ...]) -> list[dict[str, Any]]:
    return [
        {
            "kind": flag.kind,
            "artifact": None if flag.artifact is None else str(flag.artifact),
            "evidence": flag.evidence,
            "window_start": _time(flag.window_start),
            "window_end": _time(flag.window_end),
            "excluded": flag.excluded,
        }
        for flag in flags
    ]


def flags_from_json(data: Any) -> tuple[IntegrityFlag, ...]:
    return tuple(
        IntegrityFlag(
            kind=str(item["kind"]),
            artifact=None if item["artifact"] is None else ArtifactId.parse(item["artifact"]),
            evidence=str(item["evidence"]),
            window_start=_parse_time(item["window_start"]),
            window_end=_parse_time(item["window_end"]),
            excluded=bool(item["excluded"]),
        )
        for item in cast(list[dict[str, Any]], data)
    )
