"""The conditional-request cache written in batches: reads see the buffer, flushes reach the store."""

from __future__ import annotations

from collectors.base import BufferedResponseCache, MemoryResponseCache
from ossimpact.domain import CachedResponse
from ossimpact.store import Store


def test_buffered_answers_are_read_back_before_any_flush(store: Store) -> None:
    cache = BufferedResponseCache(store, batch=10)
    cache.store_cached_response("https://api.test/a?page=1", '"e1"', None, b"[1]")
    found = cache.cached_response("https://api.test/a?page=1")
    assert found is not None
    assert found.etag == '"e1"'
    assert found.body == b"[1]"
    assert store.cached_response("https://api.test/a?page=1") is None  # not written yet
    assert cache.cached_response("https://api.test/other") is None


def test_flush_writes_every_answer_once_and_the_last_of_a_url_wins(store: Store) -> None:
    store.store_cached_response("https://api.test/old", '"o"', None, b"old")
    cache = BufferedResponseCache(store, batch=100)
    for page in range(5):
        cache.store_cached_response(f"https://api.test/p?page={page}", f'"{page}"', None, b"x")
    cache.store_cached_response("https://api.test/p?page=0", '"again"', "Mon", b"y")
    assert cache.flush() == 5
    assert cache.flush() == 0
    again = store.cached_response("https://api.test/p?page=0")
    assert again is not None
    assert (again.etag, again.last_modified, again.body) == (
        '"again"',
        "Mon",
        b"y",
    )
    assert all(store.cached_response(f"https://api.test/p?page={p}") for p in range(5))
    old = store.cached_response("https://api.test/old")
    assert old is not None
    assert old.body == b"old"
    assert cache.cached_response("https://api.test/old") == old


def test_a_full_batch_is_written_without_waiting_for_the_end() -> None:
    inner = MemoryResponseCache()  # no bulk write: answers go one by one
    cache = BufferedResponseCache(inner, batch=3)
    for page in range(2):
        cache.store_cached_response(f"u{page}", None, "Tue", b"b")
    assert inner.cached_response("u0") is None
    cache.store_cached_response("u2", None, "Tue", b"b")
    assert [inner.cached_response(f"u{p}") is not None for p in range(3)] == [True] * 3
    assert cache.flush() == 0


class _CountingListedCache(MemoryResponseCache):
    """A listed inner cache that counts how often it is asked for one answer."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups: list[str] = []
        self.listings = 0

    def cached_response(self, url: str) -> CachedResponse | None:
        self.lookups.append(url)
        return super().cached_response(url)

    def cached_response_urls(self) -> set[str]:
        self.listings += 1
        return set(self._entries)


def test_urls_the_inner_cache_does_not_hold_are_answered_without_asking_it() -> None:
    inner = _CountingListedCache()
    inner.store_cached_response("https://api.test/old", '"e1"', None, b"old")
    cache = BufferedResponseCache(inner, batch=2)
    assert cache.cached_response("https://api.test/new") is None
    old = cache.cached_response("https://api.test/old")
    assert old is not None
    assert old.body == b"old"
    assert inner.lookups == ["https://api.test/old"]
    assert inner.listings == 1
    cache.store_cached_response("https://api.test/a", '"a"', None, b"a")
    cache.store_cached_response("https://api.test/b", '"b"', None, b"b")  # a full batch: written
    flushed = cache.cached_response("https://api.test/a")
    assert flushed is not None
    assert flushed.body == b"a"
    assert inner.lookups[-1] == "https://api.test/a"
    assert inner.listings == 1


def test_the_store_lists_the_urls_it_holds_answers_for(store: Store) -> None:
    assert store.cached_response_urls() == set()
    store.store_cached_response("https://api.test/x?page=2", '"x"', None, b"x")
    assert store.cached_response_urls() == {"https://api.test/x?page=2"}
