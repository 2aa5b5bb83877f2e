"""What every collector shares: how it reports progress and where conditional requests are cached.

A collector takes registry handles and artifact ids plus an HTTP client and returns a
`CollectionResult`; it never writes SQL and never scores.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ossimpact.domain import CachedResponse, utcnow


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
        self._entries[url] = CachedResponse(url, etag, last_modified, body, utcnow())


@runtime_checkable
class BulkResponseCache(Protocol):
    """A ResponseCache that can keep many answers in one write (the store)."""

    def store_cached_responses(self, responses: Sequence[CachedResponse]) -> None: ...


@runtime_checkable
class ListedResponseCache(Protocol):
    """A ResponseCache that can list the URLs it holds answers for (the store), in one read."""

    def cached_response_urls(self) -> set[str]: ...


class BufferedResponseCache:
    """Answers for conditional requests held in memory and written to the inner cache in batches.

    A collector's threads would otherwise write one row per request, each its own transaction: on
    SQLite those queue on the database's single write lock. Reads see the buffered answers first,
    then the inner cache. `flush` (every `batch` answers, and once more by the pipeline when the
    source's run ends) writes them in one transaction. An answer lost with a killed run costs the
    next run one full answer instead of a 304, nothing else: the cache is no evidence.

    When the inner cache can list its URLs, they are read once, on the first look-up: a URL it
    does not hold is answered "not cached" without a database round trip per request. The
    pipeline's refresh lock keeps other writers of the cache away while a source runs.
    A thread that fills a batch while another thread is writing one does not wait for it.
    """

    def __init__(self, inner: ResponseCache, *, batch: int = 500) -> None:
        self._inner = inner
        self._batch = max(1, batch)
        self._pending: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._listed = isinstance(inner, ListedResponseCache)
        self._known: set[str] | None = None  # URLs the inner cache holds, once listed
        self._written: set[str] = set()  # URLs flushed by this buffer

    def cached_response(self, url: str) -> CachedResponse | None:
        with self._lock:
            found = self._pending.get(url)
            known = self._known
        if found is not None:
            return found
        if known is None and self._listed:
            known = self._list_inner()
        if known is not None and url not in known:
            return None
        return self._inner.cached_response(url)

    def _list_inner(self) -> set[str]:
        assert isinstance(self._inner, ListedResponseCache)
        listed = self._inner.cached_response_urls()
        with self._lock:
            if self._known is None:
                self._known = listed | self._written
            return self._known

    def store_cached_response(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes
    ) -> None:
        with self._lock:
            self._pending[url] = CachedResponse(url, etag, last_modified, body, utcnow())
            full = len(self._pending) >= self._batch
        if full:
            self.flush(wait=False)

    def flush(self, *, wait: bool = True) -> int:
        """Write the buffered answers to the inner cache; how many were written.

        With `wait=False`, nothing is written (0) when another thread is writing a batch already.
        """
        if not self._flush_lock.acquire(blocking=wait):
            return 0
        try:
            with self._lock:
                pending = list(self._pending.values())
            if not pending:
                return 0
            if isinstance(self._inner, BulkResponseCache):
                self._inner.store_cached_responses(pending)
            else:
                for answer in pending:
                    self._inner.store_cached_response(
                        answer.url, answer.etag, answer.last_modified, answer.body
                    )
            with self._lock:
                self._written.update(answer.url for answer in pending)
                if self._known is not None:
                    self._known.update(answer.url for answer in pending)
                # keep what arrived meanwhile (or was answered again) for the next flush
                for answer in pending:
                    if self._pending.get(answer.url) is answer:
                        del self._pending[answer.url]
            return len(pending)
        finally:
            self._flush_lock.release()
