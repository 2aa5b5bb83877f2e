"""Walking a listing page by page along its `Link: rel=next` (or any next-page pointer).

A listing ends when a page has no next page. It also ends, as a `PagingLoop` failure of that
listing, when the next page is one already read (a server whose link points to itself once made a
run send 32,430 requests in 200 s) or after `max_pages`; and a stop request is checked before
every page, so SIGTERM lands within one request however long the listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from collectors.core.errors import Interrupted, PagingLoop

T = TypeVar("T")
MAX_PAGES = 500


@dataclass(frozen=True)
class LinkedPage(Generic[T]):
    items: T
    url: str  # where the page was read
    next_url: str | None  # where the next page is; None on the last one


def walk_pages(
    fetch: Callable[[str | None], LinkedPage[T]],
    *,
    what: str,
    max_pages: int = MAX_PAGES,
    stopped: Callable[[], bool] = lambda: False,
) -> Iterator[LinkedPage[T]]:
    """Pages of a listing: `fetch(None)` reads the first, `fetch(url)` the one at a next link."""
    read: set[str] = set()
    url: str | None = None
    for _ in range(max_pages):
        if stopped():
            raise Interrupted(f"{what}: stopped while paging")
        page = fetch(url)
        yield page
        if page.next_url is None:
            return
        read.add(page.url)
        if url is not None:
            read.add(url)
        if page.next_url in read:
            raise PagingLoop(f"{what}: the next page {page.next_url} was read already")
        url = page.next_url
    raise PagingLoop(f"{what}: more than {max_pages} pages")
