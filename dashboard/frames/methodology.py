"""The methodology file as scoring validates it, for reading on the methodology page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class MethodologyView:
    version: str | None
    document: dict[str, Any]
    min_coverage: float = 0.0
    window: tuple[datetime, datetime] | None = None
    error: str | None = None


def load_methodology_view(path: str) -> MethodologyView:
    """The methodology file as scoring validates it; a broken file is reported, not raised."""
    from scoring.methodology import MethodologyError, load_methodology

    try:
        methodology = load_methodology(Path(path))
    except MethodologyError as exc:
        return MethodologyView(None, {}, error=str(exc))
    window = methodology.award_window
    return MethodologyView(
        version=methodology.version,
        document=methodology.model_dump(mode="json"),
        min_coverage=methodology.min_coverage,
        window=(
            datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC),
            datetime(window.end.year, window.end.month, window.end.day, 23, 59, 59, tzinfo=UTC),
        ),
    )
