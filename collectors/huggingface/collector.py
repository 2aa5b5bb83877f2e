"""The Hugging Face collector: every model, dataset and collection of the registry's handles.

Requests per organisation: one listing of models and one of datasets (pages of `page_size`),
one collections listing (plus the full collection when the listing truncated it), one children
listing per base model with derivatives the listings did not already bring (`seen_children`),
one `dataset:` listing per corpus. Per-artifact info calls only for explicit artifacts no listing
brought, and for derivative counts when the Hub refuses `childrenModelCount` on listings.

Concurrency and the Hub's rate limit: the listings of a step run on `concurrency` threads, which
saves latency, not quota. The real Hub allows about 500 requests per 5 minutes per token; the
sandbox world of size 10,000 costs about 3,900 Hub requests (mostly children and `dataset:`
listings), so a refresh of that size on the real Hub takes at least 3,900 / 500 × 5 min ≈ 39 min
whatever the concurrency. When the quota runs out (`RateLimit: r=0`, or a 429), every thread holds
until the reset; the wait counts once, as wall-clock time, against the run's wait budget
(`max_rate_limit_wait`, 900 s by default), and the source stops cleanly when the budget would be
exceeded, keeping what it read. A full refresh on the real Hub therefore needs a larger budget
(OSSIMPACT_MAX_RATE_LIMIT_WAIT) or several runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx2
from huggingface_hub import HfApi, hf_raise_for_status
from huggingface_hub.errors import BadRequestError, HfHubHTTPError
from huggingface_hub.utils._headers import build_hf_headers
from huggingface_hub.utils._http import http_backoff

from collectors.base import NullProgress, Progress
from collectors.core.errors import CollectionError, Interrupted
from collectors.core.paging import LinkedPage, walk_pages
from collectors.huggingface.client import (
    ForeignHostRefused,
    HubLedger,
    RateLimitBudgetExceeded,
    failure_detail,
    failure_reason,
    hub_session,
    status_of,
)
from collectors.huggingface.derivatives import (
    RELATIONS,
    DerivativeSummary,
    Relation,
    has_children,
    summarise_children,
)
from collectors.huggingface.parallel import Piece, in_order
from collectors.huggingface.parse import (
    Fetch,
    MalformedItem,
    ParsedArtifact,
    dataset_info_from_item,
    model_info_from_item,
    parse_dataset,
    parse_model,
)
from collectors.huggingface.seen_children import all_children_seen, summary_of_seen
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Edge,
    EdgeRelation,
    InvalidArtifactId,
    Metric,
    Observation,
    utcnow,
)

SOURCE = "huggingface"
MODEL_EXPAND = [
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "pipeline_tag",
    "library_name",
    "gated",
    "disabled",
    "tags",
    "cardData",
    "safetensors",
    "spaces",
    "evalResults",
    "baseModels",
    "childrenModelCount",
]
DATASET_EXPAND = [
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "gated",
    "disabled",
    "tags",
    "cardData",
    "description",
]
CHILD_EXPAND = ["author", "tags", "baseModels"]
# pages of one listing at the most: 500,000 items at the default page size; a listing that does
# not end by then is going round in circles and is recorded as a failure
MAX_PAGES = 500
RepoKind = Literal["model", "dataset"]
T = TypeVar("T")


class _Stop(Exception):
    """The source stops early (wait budget exhausted, or interrupted); what was read is kept."""


@dataclass
class _Run:
    """The state of one collection: results so far, what was seen, the ledger of requests."""

    result: CollectionResult
    ledger: HubLedger
    observed_at: datetime
    progress: Progress
    records: dict[ArtifactId, ArtifactRecord] = field(default_factory=dict)
    # base → {child: relation} of the derivatives the organisations' own listings brought
    children_seen: dict[ArtifactId, dict[ArtifactId, Relation]] = field(default_factory=dict)
    listing_urls: dict[ArtifactId, str] = field(default_factory=dict)
    children_on_listing: bool = True
    stopping: RateLimitBudgetExceeded | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    stop_lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch(self) -> Fetch:
        return Fetch(self.observed_at, self.ledger.last_url)

    def piece(self) -> Piece:
        return Piece(CollectionResult(source=SOURCE))


@dataclass
class _Handle:
    """The listings of one organisation: its models, datasets and collections."""

    name: str
    models: Piece
    datasets: Piece
    collections: Piece
    children_counts: list[Piece] = field(default_factory=list)
    derivatives: list[Piece] = field(default_factory=list)
    trained_on: list[Piece] = field(default_factory=list)

    def in_order(self) -> list[Piece]:
        """The pieces in the order a sequential run reads them."""
        return [
            self.models,
            *self.children_counts,
            *self.derivatives,
            self.datasets,
            *self.trained_on,
            self.collections,
        ]


class HuggingFaceCollector:
    source = SOURCE

    def __init__(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        page_size: int = 1000,
        max_rate_limit_wait: float = 900.0,
        timeout: float = 30.0,
        observed_at: datetime | None = None,
        concurrency: int = 8,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._token: str | bool = token or False
        self.page_size = page_size
        self.max_rate_limit_wait = max_rate_limit_wait
        self.timeout = timeout
        self.observed_at = observed_at
        self.concurrency = max(1, concurrency)
        self._api = HfApi(endpoint=self.endpoint, token=self._token)

    def __repr__(self) -> str:  # the token never shows
        return f"HuggingFaceCollector(endpoint={self.endpoint!r})"

    # -- public ---------------------------------------------------------------------------
    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> CollectionResult:
        """Listings of every handle, then derivatives and corpora, then explicit artifacts.

        Each step runs its requests on `concurrency` threads; results are merged in the order a
        sequential run would read them, so the result does not depend on the concurrency.
        """
        progress = progress or NullProgress()
        result = CollectionResult(source=SOURCE)
        ledger = HubLedger(self.endpoint, self.max_rate_limit_wait, result.stats, progress)
        run = _Run(result, ledger, self.observed_at or utcnow(), progress)
        with (
            hub_session(ledger, self.timeout),
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="huggingface") as pool,
        ):
            try:
                listed = self._list_handles(run, pool, handles)
                self._follow_up(run, pool, listed)
                self._collect_explicit(run, pool, explicit)
                self._check_stop(run)
            except _Stop:
                pass
        result.artifacts = list(run.records.values())
        # the same relation is often seen twice (a derivative's own tags, the base's children)
        unique: dict[tuple[ArtifactId, ArtifactId, str], Edge] = {}
        for edge in result.edges:
            unique.setdefault((edge.source, edge.target, edge.relation), edge)
        result.edges = list(unique.values())
        return result

    # -- the steps of a run ---------------------------------------------------------------
    def _list_handles(
        self, run: _Run, pool: ThreadPoolExecutor, handles: Sequence[str]
    ) -> list[_Handle]:
        """Models, datasets and collections of every organisation: three listings each."""
        if not handles:
            return []
        tasks: list[Callable[[], Piece]] = []
        for handle in handles:
            tasks.append(self._task(run, self._list_models, handle))
            tasks.append(self._task(run, self._list_datasets, handle))
            tasks.append(self._task(run, self._collections, handle))
        run.progress.begin(f"huggingface: listings of {len(handles)} organisations", len(tasks))
        pieces = in_order(pool, tasks, run.progress, run.cancelled)
        listed = [
            _Handle(handle, pieces[3 * i], pieces[3 * i + 1], pieces[3 * i + 2])
            for i, handle in enumerate(handles)
        ]
        self._check_stop_between_steps(run, listed)
        return listed

    def _follow_up(self, run: _Run, pool: ThreadPoolExecutor, listed: list[_Handle]) -> None:
        """Derivative counts when listings refuse them, then children and corpus listings."""
        bases = {
            handle.name: [
                p for p in handle.models.kept if p.record.id.owner.lower() == handle.name.lower()
            ]
            for handle in listed
        }
        if not run.children_on_listing:
            counts = [
                (handle, self._task(run, self._children_count, parsed))
                for handle in listed
                for parsed in bases[handle.name]
                if _may_have_children(parsed)
            ]
            if counts:
                run.progress.begin("huggingface: derivative counts", len(counts))
                done = in_order(pool, [task for _h, task in counts], run.progress, run.cancelled)
                for (handle, _task), piece in zip(counts, done, strict=True):
                    handle.children_counts.append(piece)
                self._check_stop_between_steps(run, listed)
        for handle in listed:
            run.listing_urls.update(handle.models.urls)
            for parsed in handle.models.kept:
                child = parsed.record.id
                for edge in parsed.edges:
                    if edge.target == child and edge.relation in RELATIONS:
                        seen = run.children_seen.setdefault(edge.source, {})
                        seen.setdefault(child, edge.relation)
        work: list[tuple[list[Piece], Callable[[], Piece]]] = []
        for handle in listed:
            for parsed in bases[handle.name]:
                if has_children(parsed.children):
                    work.append((handle.derivatives, self._task(run, self._derivatives, parsed)))
            for dataset in handle.datasets.kept:
                work.append(
                    (handle.trained_on, self._task(run, self._trained_on, dataset.record.id))
                )
        if work:
            run.progress.begin("huggingface: derivatives and corpora", len(work))
            done = in_order(pool, [task for _into, task in work], run.progress, run.cancelled)
            for (into, _task), piece in zip(work, done, strict=True):
                into.append(piece)
        for handle in listed:
            for piece in handle.in_order():
                self._merge(run, piece)
        self._check_stop(run)

    def _task(
        self, run: _Run, step: Callable[[_Run, Piece, T], None], subject: T
    ) -> Callable[[], Piece]:
        """One step on one subject as a pool task: a piece of its own, kept when the source stops."""

        def task() -> Piece:
            piece = run.piece()
            try:
                step(run, piece, subject)
            except _Stop:
                piece.stopped = True
            return piece

        return task

    def _check_stop_between_steps(self, run: _Run, listed: list[_Handle]) -> None:
        """Before the next step: when the source stops, merge what was read, then stop."""
        if run.stopping is not None or run.cancelled.is_set():
            for handle in listed:
                for piece in handle.in_order():
                    self._merge(run, piece)
            self._check_stop(run)

    def _merge(self, run: _Run, piece: Piece) -> None:
        """Add a task's piece to the run's result (on the calling thread: no locks needed)."""
        if piece.merged:
            return
        piece.merged = True
        for parsed in piece.kept:
            artifact = parsed.record.id
            known = run.records.get(artifact)
            if known is None or not known.tracked or parsed.record.tracked:
                run.records[artifact] = parsed.record
        for artifact, author in piece.outside:
            if artifact not in run.records:
                run.records[artifact] = ArtifactRecord(
                    id=artifact, owner_handle=author or artifact.owner, tracked=False
                )
        run.result.observations.extend(piece.result.observations)
        run.result.edges.extend(piece.result.edges)
        run.result.benchmark_results.extend(piece.result.benchmark_results)
        run.result.failures.extend(piece.result.failures)
        run.result.suggested_groups.update(piece.result.suggested_groups)

    # -- one organisation -----------------------------------------------------------------
    def _list_models(self, run: _Run, piece: Piece, handle: str) -> None:
        expand = MODEL_EXPAND if run.children_on_listing else _without_children(MODEL_EXPAND)
        try:
            items = self._listing(run, "models", {"author": handle, "expand": expand})
        except BadRequestError:
            if "childrenModelCount" not in expand:
                raise
            # Some Hub deployments refuse childrenModelCount on listings: counts then come from
            # info calls of the models that may have children.
            run.children_on_listing = False
            self._list_models(run, piece, handle)
            return
        except _ListingFailed as failed:
            self._fail(piece, f"hf:org:{handle}", failed.error, "models listing")
            return
        self._take(run, piece, handle, "model", items)

    def _list_datasets(self, run: _Run, piece: Piece, handle: str) -> None:
        try:
            items = self._listing(run, "datasets", {"author": handle, "expand": DATASET_EXPAND})
        except _ListingFailed as failed:
            self._fail(piece, f"hf:org:{handle}", failed.error, "datasets listing")
            return
        self._take(run, piece, handle, "dataset", items)

    def _take(
        self, run: _Run, piece: Piece, handle: str, kind: RepoKind, items: list[tuple[object, str]]
    ) -> None:
        for position, (item, url) in enumerate(items):
            fetch = Fetch(run.observed_at, url)
            try:
                if kind == "model":
                    parsed = parse_model(
                        model_info_from_item(item), owner_handle=handle, tracked=True, fetch=fetch
                    )
                else:
                    parsed = parse_dataset(
                        dataset_info_from_item(item), owner_handle=handle, tracked=True, fetch=fetch
                    )
            except (MalformedItem, InvalidArtifactId) as err:
                # one bad item is one failure; the rest of the listing is collected
                piece.result.failures.append(
                    ArtifactFailure(
                        f"hf:org:{handle}",
                        SOURCE,
                        "malformed",
                        f"{kind} listing item {position + 1}: {err}",
                    )
                )
                continue
            self._keep(piece, parsed)
            piece.urls[parsed.record.id] = url

    def _keep(self, piece: Piece, parsed: ParsedArtifact) -> None:
        if parsed.problems:
            piece.result.failures.append(
                ArtifactFailure(
                    str(parsed.record.id), SOURCE, "malformed", "; ".join(parsed.problems)
                )
            )
        piece.kept.append(parsed)
        piece.result.observations.extend(parsed.observations)
        piece.result.edges.extend(parsed.edges)
        piece.result.benchmark_results.extend(parsed.benchmark_results)

    # -- derivatives and corpora ----------------------------------------------------------
    def _children_count(self, run: _Run, piece: Piece, parsed: ParsedArtifact) -> None:
        artifact = parsed.record.id
        info = self._info(run, piece, artifact, expand=["childrenModelCount"])
        if info is None:
            return
        counted = parse_model(info, owner_handle=artifact.owner, tracked=True, fetch=run.fetch())
        parsed.children = counted.children

    def _derivatives(self, run: _Run, piece: Piece, parsed: ParsedArtifact) -> None:
        base = parsed.record.id
        seen = run.children_seen.get(base, {})
        if all_children_seen(parsed.children, seen):
            # The Hub's own count is made up of derivatives the listings already brought: the
            # children listing would return exactly them, so it is not asked for.
            summary = summary_of_seen(base.repo_id, seen)
            url = run.listing_urls.get(base) or run.fetch().source_url
            self._record_derivatives(run, piece, parsed, summary, url)
            return
        try:
            items = self._listing(
                run, "models", {"filter": f"base_model:{base.repo_id}", "expand": CHILD_EXPAND}
            )
        except _ListingFailed as failed:
            self._fail(piece, str(base), failed.error, "derivatives listing")
            return
        self._check_stop(run)  # a partial children listing would undercount
        children: list[tuple[str, str | None, list[str], object]] = []
        for item, _url in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                raw_tags = item.get("tags")
                tags = (
                    [t for t in raw_tags if isinstance(t, str)]
                    if isinstance(raw_tags, list)
                    else []
                )
                author = item.get("author") if isinstance(item.get("author"), str) else None
                children.append((item["id"], author, tags, item.get("baseModels")))
        summary = summarise_children(base.repo_id, children)
        self._record_derivatives(run, piece, parsed, summary, run.fetch().source_url)

    def _record_derivatives(
        self,
        run: _Run,
        piece: Piece,
        parsed: ParsedArtifact,
        summary: DerivativeSummary,
        source_url: str,
    ) -> None:
        base = parsed.record.id
        fetch = Fetch(run.observed_at, source_url)
        counts = parsed.children or {}
        for relation in RELATIONS:
            # The Hub's own count wins; the listing counts only when the Hub gave none.
            value = (
                counts.get(relation, 0) if "total" not in counts else summary.per_relation[relation]
            )
            piece.result.observations.append(
                Observation(
                    base, f"derivatives_{relation}", float(value), run.observed_at, fetch.source_url
                )
            )
        piece.result.observations.append(
            Observation(
                base,
                Metric.DERIVATIVES_THIRD_PARTY.value,
                float(summary.third_party),
                run.observed_at,
                fetch.source_url,
            )
        )
        for child in summary.children:
            try:
                target = ArtifactId.hf_model(child.id)
            except InvalidArtifactId as err:
                piece.result.failures.append(
                    ArtifactFailure(str(base), SOURCE, "malformed", f"derivative: {err}")
                )
                continue
            edge_relation: EdgeRelation = child.relation
            piece.result.edges.append(
                Edge(base, target, edge_relation, run.observed_at, fetch.source_url)
            )
            piece.outside.append((target, child.author))

    def _trained_on(self, run: _Run, piece: Piece, dataset: ArtifactId) -> None:
        try:
            items = self._listing(
                run, "models", {"filter": f"dataset:{dataset.repo_id}", "expand": ["author"]}
            )
        except _ListingFailed as failed:
            self._fail(piece, str(dataset), failed.error, "models-trained-on listing")
            return
        self._check_stop(run)  # a partial listing would undercount
        fetch = run.fetch()
        count = 0
        for item, _url in items:
            if not (isinstance(item, dict) and isinstance(item.get("id"), str)):
                continue
            try:
                model = ArtifactId.hf_model(item["id"])
            except InvalidArtifactId as err:
                piece.result.failures.append(
                    ArtifactFailure(str(dataset), SOURCE, "malformed", f"trained on it: {err}")
                )
                continue
            count += 1
            piece.result.edges.append(
                Edge(dataset, model, "trained_on", run.observed_at, fetch.source_url)
            )
            author = item.get("author")
            piece.outside.append((model, author if isinstance(author, str) else None))
        piece.result.observations.append(
            Observation(
                dataset,
                Metric.MODELS_TRAINED_ON.value,
                float(count),
                run.observed_at,
                fetch.source_url,
            )
        )

    # -- collections ----------------------------------------------------------------------
    def _collections(self, run: _Run, piece: Piece, handle: str) -> None:
        self._check_stop(run)
        try:
            collections = list(self._api.list_collections(owner=handle))
            for collection in collections:
                items = collection.items
                if len(items) >= 4:  # listings truncate items to 4: read the whole collection
                    items = self._api.get_collection(collection.slug).items
                members = [
                    ArtifactId.hf_model(i.item_id)
                    if i.item_type == "model"
                    else ArtifactId.hf_dataset(i.item_id)
                    for i in items
                    if i.item_type in ("model", "dataset") and i.item_id.count("/") == 1
                ]
                if members:
                    piece.result.suggested_groups[f"{handle}/{collection.title}"] = members
        except RateLimitBudgetExceeded as err:
            self._stop(run, err)
        except (HfHubHTTPError, httpx2.HTTPError, ValueError, KeyError, TypeError) as err:
            self._fail(piece, f"hf:org:{handle}", err, "collections")

    # -- explicit artifacts ---------------------------------------------------------------
    def _collect_explicit(
        self, run: _Run, pool: ThreadPoolExecutor, explicit: Sequence[ArtifactId]
    ) -> None:
        wanted = [a for a in explicit if a.platform == "hf" and a not in run.records]
        if not wanted:
            return
        run.progress.begin("huggingface:explicit", len(wanted))
        tasks = [self._task(run, self._collect_one, artifact) for artifact in wanted]
        for piece in in_order(pool, tasks, run.progress, run.cancelled):
            self._merge(run, piece)

    def _collect_one(self, run: _Run, piece: Piece, artifact: ArtifactId) -> None:
        kind: RepoKind = "model" if artifact.kind == "model" else "dataset"
        expand = MODEL_EXPAND if kind == "model" else DATASET_EXPAND
        info = self._info(run, piece, artifact, expand=expand)
        if info is None:
            return
        renamed_from: ArtifactId | None = None
        if info.id.lower() != artifact.repo_id.lower():
            # The Hub answered a rename with 307; the redirect drops `expand`, so ask again.
            renamed_from = artifact
            artifact = ArtifactId.parse(f"hf:{kind}:{info.id}")
            piece.result.failures.append(
                ArtifactFailure(str(renamed_from), SOURCE, "renamed", f"renamed to {artifact}")
            )
            info = self._info(run, piece, artifact, expand=expand)
            if info is None:
                return
        fetch = run.fetch()
        owner = artifact.owner
        parsed = (
            parse_model(info, owner_handle=owner, tracked=True, fetch=fetch)
            if kind == "model"
            else parse_dataset(info, owner_handle=owner, tracked=True, fetch=fetch)
        )
        if renamed_from is not None:
            parsed.record = _with_rename(parsed.record, renamed_from)
        self._keep(piece, parsed)

    def _info(self, run: _Run, piece: Piece, artifact: ArtifactId, expand: list[str]) -> Any:
        """model_info/dataset_info with our own 429 retry (the client does not retry them)."""
        self._check_stop(run)
        call: Callable[..., Any] = (
            self._api.model_info if artifact.kind == "model" else self._api.dataset_info
        )
        for _attempt in range(5):
            try:
                return call(artifact.repo_id, expand=expand, timeout=self.timeout)
            except RateLimitBudgetExceeded as err:
                self._stop(run, err)
            except HfHubHTTPError as err:
                if status_of(err) == 429:
                    try:
                        if run.ledger.sleep_for_retry(err.response):
                            continue
                    except RateLimitBudgetExceeded as stop:
                        self._stop(run, stop)
                self._fail(piece, str(artifact), err, "info")
                return None
            except ForeignHostRefused as err:
                self._fail(piece, str(artifact), err, "info")
                return None
            except (httpx2.HTTPError, ValueError, KeyError, TypeError) as err:
                self._fail(piece, str(artifact), err, "info")
                return None
        self._fail(piece, str(artifact), TimeoutError("still rate limited after 5 tries"), "info")
        return None

    # -- plumbing -------------------------------------------------------------------------
    def _listing(self, run: _Run, kind: str, params: dict[str, Any]) -> list[tuple[object, str]]:
        """All items of a listing with the URL of the page each came from.

        When the wait budget runs out mid-listing, the items read so far are returned and
        `run.stopping` is set: listings of artifacts keep them, counting listings must not.
        """
        self._check_stop(run)
        query = {**params, "limit": self.page_size}
        headers = build_hf_headers(token=self._token)
        first = f"{self.endpoint}/api/{kind}"

        def fetch(url: str | None) -> LinkedPage[list[object]]:
            # huggingface_hub's own retry (http_backoff) on every page; items are parsed one by
            # one by the caller, where list_models() would end the whole listing on one bad item.
            answer = http_backoff(
                "GET",
                url or first,
                params=query if url is None else None,
                headers=headers,
                timeout=self.timeout,
            )
            hf_raise_for_status(answer)
            page = answer.json()
            next_url = answer.links.get("next", {}).get("url")
            return LinkedPage(page if isinstance(page, list) else [], str(answer.url), next_url)

        items: list[tuple[object, str]] = []
        try:
            for page in walk_pages(
                fetch,
                what=f"{kind} listing {_describe(params)}",
                max_pages=MAX_PAGES,
                stopped=run.cancelled.is_set,
            ):
                items.extend((item, run.ledger.last_url) for item in page.items)
        except Interrupted:
            raise _Stop from None
        except RateLimitBudgetExceeded as err:
            # The pages already read stay valid; the next call stops the source.
            run.stopping = err
        except BadRequestError:
            raise
        except (
            HfHubHTTPError,
            httpx2.HTTPError,
            CollectionError,
            ForeignHostRefused,
            ValueError,
        ) as err:
            raise _ListingFailed(err) from err
        return items

    def _fail(self, piece: Piece, subject: str, error: BaseException, what: str) -> None:
        piece.result.failures.append(
            ArtifactFailure(
                subject, SOURCE, failure_reason(error), f"{what}: {failure_detail(error)}"
            )
        )

    def _check_stop(self, run: _Run) -> None:
        if run.cancelled.is_set():
            raise _Stop
        if run.stopping is not None:
            self._stop(run, run.stopping)

    def _stop(self, run: _Run, error: RateLimitBudgetExceeded) -> None:
        """Stop the source: the first thread to hit the budget records why, the others follow."""
        with run.stop_lock:
            first = run.result.stats.stopped_reason is None
            if first:
                run.stopping = run.stopping or error
                run.result.stats.stopped_reason = str(error)
        if first:
            run.progress.note(f"Hugging Face stopped: {error}")
        raise _Stop from error


class _ListingFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _without_children(expand: list[str]) -> list[str]:
    return [value for value in expand if value != "childrenModelCount"]


def _may_have_children(parsed: ParsedArtifact) -> bool:
    """Whether a model is worth an info call for its derivative counts.

    Listings without childrenModelCount still carry cheaper signals: a model nobody downloaded
    or liked has no derivatives worth counting, and a quantisation or adapter is a leaf.
    """
    figures = {o.metric: o.value for o in parsed.observations}
    popular = figures.get(
        Metric.DOWNLOADS_ALL_TIME.value, figures.get(Metric.DOWNLOADS_30D.value, 0)
    )
    liked = figures.get(Metric.LIKES.value, 0)
    leaf = any(
        tag.startswith(("base_model:quantized:", "base_model:adapter:"))
        for tag in parsed.record.topics
    )
    return (popular > 0 or liked > 0) and not leaf


def _with_rename(record: ArtifactRecord, old: ArtifactId) -> ArtifactRecord:
    from dataclasses import replace

    return replace(record, renamed_from=old)


def _describe(params: dict[str, Any]) -> str:
    """`author=x` or `filter=base_model:y`: which listing, in a failure's words."""
    return ", ".join(f"{k}={v}" for k, v in params.items() if k in ("author", "filter"))
