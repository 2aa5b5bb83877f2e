"""What every collector shares: how it reports progress and where conditional requests are cached.

A collector takes registry handles and artifact ids plus an HTTP client and returns a
`CollectionResult`; it never writes SQL and never scores.
"""

from __future__ import annotations

from typing import Protocol

from ossimpact.domain import CachedResponse


class Progress(Protocol):
    """Progress of one source's collection, shown by the CLI as a Rich progress bar."""

    def begin(self, label: str, total: int | None) -> None:
        """A new unit of work starts (e.g. one organisation), with a total when known."""

    def advance(self, amount: int = 1) -> None: ...

    def note(self, message: str) -> None:
        """A one-line event worth showing (a rate-limit wait, a stopped source)."""


class NullProgress:
    def begin(self, label: str, total: int | None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None

    def note(self, message: str) -> None:
        return None


class ResponseCache(Protocol):
    """Where conditional requests keep ETags and bodies between runs (the store implements it)."""

    def cached_response(self, url: str) -> CachedResponse | None: ...

    def store_cached_response(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes
    ) -> None: ...


class MemoryResponseCache:
    """A ResponseCache in memory: for one-off runs and tests of the collectors alone."""

    def __init__(self) -> None:
        self._entries: dict[str, CachedResponse] = {}

    def cached_response(self, url: str) -> CachedResponse | None:
        return self._entries.get(url)

    def store_cached_response(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes
    ) -> None:
        from ossimpact.domain import utcnow

        self._entries[url] = CachedResponse(url, etag, last_modified, body, utcnow())
