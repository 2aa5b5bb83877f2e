"""Shortlists the committee saves: every save is a new version, earlier versions stay."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from ossimpact.domain import utcnow
from ossimpact.store.errors import StoreError
from ossimpact.store.records import Shortlist, ShortlistItem
from ossimpact.store.schema import shortlist_items, shortlists
from ossimpact.store.statements import chunks
from ossimpact.store.types import MAX_NOTE, MAX_SHORT_TEXT, bounded


def clean_name(name: str) -> str:
    """The name as stored; an empty one is refused."""
    cleaned = bounded(name.strip(), MAX_SHORT_TEXT) or ""
    if not cleaned:
        raise StoreError("a shortlist needs a name")
    return cleaned


def save(
    connection: Connection, name: str, created_by: str, items: Sequence[tuple[str, str]]
) -> int:
    """A new version of the shortlist `name` (already cleaned); returns the version."""
    latest = connection.execute(
        select(func.max(shortlists.c.version)).where(shortlists.c.name == name)
    ).scalar_one_or_none()
    version = (latest or 0) + 1
    shortlist_id = connection.execute(
        insert(shortlists)
        .values(
            name=name,
            version=version,
            created_by=bounded(created_by, MAX_SHORT_TEXT) or "",
            created_at=utcnow(),
        )
        .returning(shortlists.c.id)
    ).scalar_one()
    if items:
        connection.execute(
            insert(shortlist_items),
            [
                {
                    "shortlist_id": shortlist_id,
                    "position": position,
                    "product_id": bounded(product_id, 300),
                    "note": bounded(note, MAX_NOTE) or "",
                }
                for position, (product_id, note) in enumerate(items)
            ],
        )
    return version


def read_one(connection: Connection, name: str, version: int | None) -> Shortlist | None:
    """A shortlist by name: its newest version, or the one asked for."""
    query = select(shortlists).where(shortlists.c.name == name)
    if version is not None:
        query = query.where(shortlists.c.version == version)
    found = _read(connection, query.order_by(shortlists.c.version.desc()).limit(1))
    return found[0] if found else None


def read_versions(connection: Connection, name: str) -> list[Shortlist]:
    query = select(shortlists).where(shortlists.c.name == name).order_by(shortlists.c.version)
    return _read(connection, query)


def read_newest(connection: Connection) -> list[Shortlist]:
    """The newest version of every shortlist, by name."""
    newest = (
        select(shortlists.c.name, func.max(shortlists.c.version).label("version"))
        .group_by(shortlists.c.name)
        .subquery()
    )
    query = (
        select(shortlists)
        .join(
            newest,
            (newest.c.name == shortlists.c.name) & (newest.c.version == shortlists.c.version),
        )
        .order_by(shortlists.c.name)
    )
    return _read(connection, query)


def _read(connection: Connection, query: Any) -> list[Shortlist]:
    heads = connection.execute(query).all()
    items: dict[int, list[ShortlistItem]] = {head.id: [] for head in heads}
    for part in chunks(list(items)):
        for row in connection.execute(
            select(shortlist_items)
            .where(shortlist_items.c.shortlist_id.in_(part))
            .order_by(shortlist_items.c.shortlist_id, shortlist_items.c.position)
        ):
            items[row.shortlist_id].append(ShortlistItem(row.product_id, row.note))
    return [
        Shortlist(h.name, h.version, h.created_by, h.created_at, tuple(items[h.id])) for h in heads
    ]
