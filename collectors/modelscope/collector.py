"""The ModelScope collector: every model and dataset of each registry owner, from the listings.

The OpenAPI v1 listing (`GET /openapi/v1/models?owner=&page_number=&page_size=`) carries every
figure we keep (all-time downloads, likes, times, licence, tags), so an owner costs one request
per 50 items and no request per model. A listing reaches at most 3,000 items (ModelScope's offset
limit, page_number × page_size ≤ 3000): beyond it the owner is listed again under other sort
orders and the union kept. Items can move between pages while we page: they are deduplicated by
`owner/name`, and a listing that comes back short of its `total_count` is paged once more.
Artifacts the registry names outright and no listing returned are asked for one by one; a missing
one fails alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from urllib.parse import quote

from collectors.base import Progress
from collectors.core.errors import CollectionError, Interrupted
from collectors.core.politeness import retry_after
from collectors.core.source import HttpSource, RunStart
from collectors.http import (
    HttpAnswer,
    HttpClient,
    RateLimitBudgetExceeded,
    RateLimitSignal,
)
from collectors.modelscope.parse import (
    ModelScopeItem,
    RepoKind,
    parse_openapi_page,
    parse_openapi_single,
)
from collectors.pacing import Pacer
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Metric,
    Observation,
    utcnow,
)

logger = logging.getLogger(__name__)

SOURCE = "modelscope"
PAGE_SIZE = 50  # the most ModelScope serves a page (the official SDK caps it there)
OFFSET_LIMIT = 3000  # page_number × page_size may not exceed it
# Orders that each reach a different 3,000 of a bigger owner; "default" first.
SPLIT_SORTS: tuple[str, ...] = ("default", "downloads", "likes", "last_modified")
DEFAULT_RETRY_AFTER = 10.0
KINDS: tuple[RepoKind, ...] = ("model", "dataset")


def modelscope_rate_limit(
    status: int, headers: Mapping[str, str], body: bytes
) -> RateLimitSignal | None:
    """429 (code RateLimitExceed) with `Retry-After` in seconds, which may be a float ("1.5");
    an unusable value falls back to a polite default."""
    if status != 429:
        return None
    seconds = retry_after(headers)
    return RateLimitSignal(
        DEFAULT_RETRY_AFTER if seconds is None else seconds, "ModelScope rate limit"
    )


class _Listing:
    """One owner's items of one kind, deduplicated by `owner/name` across pages and sorts."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[ModelScopeItem, str]] = {}  # casefold id → (item, page URL)
        self.total = 0

    def add(self, item: ModelScopeItem, url: str) -> bool:
        key = item.repo_id.casefold()
        fresh = key not in self.items
        self.items[key] = (item, url)
        return fresh


class ModelScopeCollector(HttpSource):
    source = SOURCE
    platform = "ms"

    def __init__(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        max_rate_limit_wait: float = 900.0,
        pacer: Pacer | None = None,
        page_size: int = PAGE_SIZE,
        offset_limit: int = OFFSET_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        # One connection, paced by `pacer` (the pipeline's: about one request a second, as polite
        # as ModelScope's own SDK, since it documents no limit for metadata).
        self.pacer = pacer
        self._client = HttpClient(
            base_url=self.endpoint,
            token=token,
            timeout=timeout,
            max_retries=4,
            max_rate_limit_wait=max_rate_limit_wait,
            sleep=sleep,
            rate_limit_policy=modelscope_rate_limit,
            max_connections=1,
            pacer=pacer,
        )
        self._page_size = min(page_size, PAGE_SIZE)
        self._offset_limit = offset_limit

    # -- collection ----------------------------------------------------------------------------

    def read(self, start: RunStart[CollectionResult]) -> CollectionResult:
        result, progress = start.result, start.progress
        seen: set[str] = set()
        with self.until_budget_spent(result, progress):
            for handle in start.handles:
                for kind in KINDS:
                    progress.begin(f"ModelScope {handle} {kind}s", None)
                    listing = _Listing()
                    try:
                        self._list_owner(handle, kind, listing, result, progress)
                    finally:
                        # what was listed counts even when a rate limit stops the source mid-way
                        for item, url in listing.items.values():
                            artifact = _artifact_id(item)
                            seen.add(str(artifact).casefold())
                            self._record(result, artifact, handle, item, url)
            wanted = [a for a in start.explicit if str(a).casefold() not in seen]
            if wanted:
                progress.begin("ModelScope artifacts named in the registry", len(wanted))
            for artifact in wanted:
                self._collect_one(artifact, result)
                progress.advance()
        return result

    def _list_owner(
        self,
        handle: str,
        kind: RepoKind,
        listing: _Listing,
        result: CollectionResult,
        progress: Progress,
    ) -> None:
        subject = f"ms:org:{handle}"
        try:
            complete = self._page_through(handle, kind, "default", listing, progress)
            if not complete:
                # Beyond the offset limit: each other order reaches another 3,000.
                for sort in SPLIT_SORTS[1:]:
                    if len(listing.items) >= listing.total:
                        break
                    self._page_through(handle, kind, sort, listing, progress)
            elif len(listing.items) < listing.total:
                # Items moved between pages while we paged: once more picks up what slid past.
                self._page_through(handle, kind, "default", listing, progress)
        except (RateLimitBudgetExceeded, Interrupted):
            raise  # the source stops: not this listing's failure
        except CollectionError as error:  # HTTP, `success: false`, or a body we cannot read
            result.failures.append(_failure(subject, error, f"{kind} listing"))
            return
        if len(listing.items) < listing.total:
            result.failures.append(
                ArtifactFailure(
                    subject,
                    SOURCE,
                    "other",
                    f"{kind} listing reached {len(listing.items)} of {listing.total} items "
                    f"(offset limit {self._offset_limit} per order)",
                )
            )

    def _page_through(
        self, handle: str, kind: RepoKind, sort: str, listing: _Listing, progress: Progress
    ) -> bool:
        """Page one order of one owner's listing; False when the offset limit cut it short."""
        page_number = 1
        while True:
            if page_number * self._page_size > self._offset_limit:
                return False
            params: dict[str, str | int] = {
                "owner": handle,
                "page_number": page_number,
                "page_size": self._page_size,
            }
            if sort != "default":
                params["sort"] = sort
            answer = self._get(f"/openapi/v1/{kind}s", params)
            page = parse_openapi_page(answer.data, kind)
            listing.total = max(listing.total, page.total_count)
            fresh = sum(listing.add(item, answer.url) for item in page.items)
            progress.advance(fresh)
            if sort != "default" and len(listing.items) >= listing.total:
                return True  # another order has filled in what the default one could not reach
            if not page.items or page_number * self._page_size >= page.total_count:
                return True
            page_number += 1

    def _collect_one(self, artifact: ArtifactId, result: CollectionResult) -> None:
        path = f"/openapi/v1/{artifact.kind}s/{quote(artifact.owner)}/{quote(artifact.name)}"
        kind: RepoKind = "model" if artifact.kind == "model" else "dataset"
        try:
            answer = self._get(path, None)
            item = parse_openapi_single(answer.data, kind)
        except (RateLimitBudgetExceeded, Interrupted):
            raise
        except CollectionError as error:
            result.failures.append(_failure(str(artifact), error, "get"))
            return
        self._record(result, _artifact_id(item), artifact.owner, item, answer.url)

    def _record(
        self,
        result: CollectionResult,
        artifact: ArtifactId,
        handle: str,
        item: ModelScopeItem,
        url: str,
    ) -> None:
        now = utcnow()
        extra = {"hub": "modelscope.cn", "likes_field": item.likes_field}
        if item.display_name:
            extra["display_name"] = item.display_name
        result.artifacts.append(
            ArtifactRecord(
                id=artifact,
                owner_handle=handle,
                created_at=item.created_at,
                last_modified=item.last_modified,
                license=item.license,
                pipeline_tag=item.tasks[0] if item.tasks else None,
                gated=item.gated,
                description=item.description,
                topics=item.tags,
                # scored: the membership rule joins it to its Hugging Face twin's product
                # (cross-hub) or leaves it a product of its own
                tracked=True,
                extra=extra,
            )
        )
        for metric, value in (
            (Metric.DOWNLOADS_ALL_TIME, item.downloads),
            (Metric.LIKES, item.likes),
        ):
            if value is not None:
                result.observations.append(Observation(artifact, metric, float(value), now, url))

    def _get(self, path: str, params: dict[str, str | int] | None) -> HttpAnswer:
        return self._client.get_json(path, params=params)


def _artifact_id(item: ModelScopeItem) -> ArtifactId:
    return ArtifactId("ms", item.kind, item.owner, item.name)


def _failure(subject: str, error: CollectionError, what: str) -> ArtifactFailure:
    """The reason follows from the error's type (collectors/core/errors.py)."""
    return ArtifactFailure(subject, SOURCE, error.reason, f"{what}: {error.detail}")
