"""The last answer to each GET, kept for conditional requests (ETag / Last-Modified)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ossimpact.domain import CachedResponse
from ossimpact.store.schema import http_cache
from ossimpact.store.statements import upsert
from ossimpact.store.types import bounded


def read(connection: Connection, url: str) -> CachedResponse | None:
    row = connection.execute(
        select(http_cache).where(http_cache.c.url_key == _url_key(url))
    ).first()
    if row is None:
        return None
    return CachedResponse(row.url, row.etag, row.last_modified, bytes(row.body), row.fetched_at)


def read_urls(connection: Connection) -> set[str]:
    return set(connection.execute(select(http_cache.c.url)).scalars())


def write(connection: Connection, responses: Sequence[CachedResponse]) -> None:
    """Upsert these answers; the last one of a URL wins."""
    rows = {
        _url_key(r.url): {
            "url_key": _url_key(r.url),
            "url": r.url,
            "etag": bounded(r.etag, 500),
            "last_modified": bounded(r.last_modified, 100),
            "body": r.body,
            "fetched_at": r.fetched_at,
        }
        for r in responses
    }
    upsert(connection, http_cache, "url_key", list(rows.values()))


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
