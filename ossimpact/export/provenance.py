"""Whether exported figures are synthetic: from the store's own record, and from where the
observations came from.

The demo records `synthetic = true` in the store's facts. Independently of that, the sandbox's fake Hugging Face and GitHub servers listen on the loopback interface, and every
observation keeps its source URL, so data fetched from a loopback host is synthetic. The real
platforms and their mirrors are never on loopback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import or_, select

from ossimpact.store import Store
from ossimpact.store.schema import source_urls

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_LOOPBACK_PREFIXES = tuple(
    f"{scheme}://{host}" for scheme in ("http", "https") for host in ("127.", "localhost", "[::1]")
)


def is_synthetic_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def store_is_marked_synthetic(store: Store) -> bool:
    return (store.meta("synthetic") or "").strip().lower() == "true"


def store_has_synthetic_data(store: Store) -> bool:
    """True when the store says so, or any stored figure came from a loopback (sandbox) server."""
    if store_is_marked_synthetic(store):
        return True
    # The store has no query for this; source_urls is its documented schema.
    condition = or_(*(source_urls.c.url.startswith(prefix) for prefix in _LOOPBACK_PREFIXES))
    with store.engine.connect() as connection:
        found = connection.execute(select(source_urls.c.url).where(condition).limit(1)).first()
    return found is not None and is_synthetic_url(str(found.url))
