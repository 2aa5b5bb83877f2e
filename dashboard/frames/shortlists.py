"""Saved shortlists as the shortlist page lists and loads them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ossimpact.store import Shortlist


@dataclass
class ShortlistView:
    name: str
    created_by: str
    created_at: datetime | None
    items: list[tuple[str, str]]


def shortlist_names(shortlists: Iterable[Shortlist]) -> list[str]:
    return [str(item.name) for item in shortlists]


def shortlist_view(record: Shortlist | None) -> ShortlistView | None:
    if record is None:
        return None
    return ShortlistView(
        name=str(record.name),
        created_by=str(record.created_by),
        created_at=record.created_at,
        items=[(str(i.product_id), str(i.note)) for i in record.items],
    )
