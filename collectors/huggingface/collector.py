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

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx2
from huggingface_hub import HfApi, hf_raise_for_status
from huggingface_hub.errors import BadRequestError, HfHubHTTPError
from huggingface_hub.utils._headers import build_hf_headers
from huggingface_hub.utils._http import http_backoff

from collectors.core.errors import CollectionError, Interrupted
from collectors.core.paging import LinkedPage, walk_pages
from collectors.core.source import RunStart, Source
from collectors.huggingface.client import (
    ForeignHostRefused,
    HubLedger,
    RateLimitBudgetExceeded,
    failure_detail,
    failure_reason,
    hub_session,
    on_endpoint,
)
from collectors.huggingface.derivatives import (
    RELATIONS,
    DerivativeSummary,
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
from collectors.huggingface.run import (
    CHILD_EXPAND,
    DATASET_EXPAND,
    MODEL_EXPAND,
    SOURCE,
    Handle,
    ListingFailed,
    RepoKind,
    Run,
    Stop,
    T,
    describe_listing,
    may_have_children,
    with_rename,
    without_children,
)
from collectors.huggingface.seen_children import all_children_seen, summary_of_seen
from collectors.pacing import Pacer
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    CollectionResult,
    Edge,
    EdgeRelation,
    InvalidArtifactId,
    Metric,
    Observation,
    utcnow,
)

# What makes one listing or info call fail (recorded, the run goes on): the Hub's answers, the
# transport, our refusals (foreign host, paging loop, size), unreadable payloads.
_UNREADABLE = (
    HfHubHTTPError,
    httpx2.HTTPError,
    CollectionError,
    ForeignHostRefused,
    ValueError,
    KeyError,
    TypeError,
)
__all__ = ["DATASET_EXPAND", "MAX_PAGES", "MODEL_EXPAND", "HuggingFaceCollector"]

# pages of one listing at the most: 500,000 items at the default page size; a listing that does
# not end by then is going round in circles and is recorded as a failure
MAX_PAGES = 500


class HuggingFaceCollector(Source[CollectionResult]):
    source = SOURCE
    platform = "hf"

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
        pacer: Pacer | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.pacer = pacer  # the Hub's published window, paid before each request
        self._token: str | bool = token or False
        self.page_size = page_size
        self.max_rate_limit_wait = max_rate_limit_wait
        self.timeout = timeout
        self._observed_at = observed_at
        self.concurrency = max(1, concurrency)
        self._api = HfApi(endpoint=self.endpoint, token=self._token)

    def __repr__(self) -> str:  # the token never shows
        return f"HuggingFaceCollector(endpoint={self.endpoint!r})"

    # -- public ---------------------------------------------------------------------------
    def new_result(self) -> CollectionResult:
        return CollectionResult(source=SOURCE)

    def observed_at(self) -> datetime:
        return self._observed_at or utcnow()

    def read(self, start: RunStart[CollectionResult]) -> CollectionResult:
        """Listings of every handle, then derivatives and corpora, then explicit artifacts.

        Each step runs its requests on `concurrency` threads; results are merged in the order a
        sequential run would read them, so the result does not depend on the concurrency.
        """
        result = start.result
        ledger = HubLedger(
            self.endpoint, self.max_rate_limit_wait, result.stats, start.progress, self.pacer
        )
        run = Run(result, ledger, start.observed_at, start.progress)
        with (
            hub_session(
                ledger, self.timeout, self._token if isinstance(self._token, str) else None
            ),
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="huggingface") as pool,
        ):
            try:
                listed = self._list_handles(run, pool, start.handles)
                self._follow_up(run, pool, listed)
                self._collect_explicit(run, pool, start.explicit)
                run.check_stop()
            except Stop:
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
        self, run: Run, pool: ThreadPoolExecutor, handles: Sequence[str]
    ) -> list[Handle]:
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
            Handle(handle, pieces[3 * i], pieces[3 * i + 1], pieces[3 * i + 2])
            for i, handle in enumerate(handles)
        ]
        run.check_stop_between_steps(listed)
        return listed

    def _follow_up(self, run: Run, pool: ThreadPoolExecutor, listed: list[Handle]) -> None:
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
                if may_have_children(parsed)
            ]
            if counts:
                run.progress.begin("huggingface: derivative counts", len(counts))
                done = in_order(pool, [task for _h, task in counts], run.progress, run.cancelled)
                for (handle, _task), piece in zip(counts, done, strict=True):
                    handle.children_counts.append(piece)
                run.check_stop_between_steps(listed)
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
                run.merge(piece)
        run.check_stop()

    def _task(
        self, run: Run, step: Callable[[Run, Piece, T], None], subject: T
    ) -> Callable[[], Piece]:
        """One step on one subject as a pool task: a piece of its own, kept when the source stops."""

        def task() -> Piece:
            piece = run.piece()
            try:
                step(run, piece, subject)
            except Stop:
                piece.stopped = True
            return piece

        return task

    # -- one organisation -----------------------------------------------------------------
    def _list_models(self, run: Run, piece: Piece, handle: str) -> None:
        expand = MODEL_EXPAND if run.children_on_listing else without_children(MODEL_EXPAND)
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
        except ListingFailed as failed:
            self._fail(piece, f"hf:org:{handle}", failed.error, "models listing")
            return
        self._take(run, piece, handle, "model", items)

    def _list_datasets(self, run: Run, piece: Piece, handle: str) -> None:
        try:
            items = self._listing(run, "datasets", {"author": handle, "expand": DATASET_EXPAND})
        except ListingFailed as failed:
            self._fail(piece, f"hf:org:{handle}", failed.error, "datasets listing")
            return
        self._take(run, piece, handle, "dataset", items)

    def _take(
        self, run: Run, piece: Piece, handle: str, kind: RepoKind, items: list[tuple[object, str]]
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
    def _children_count(self, run: Run, piece: Piece, parsed: ParsedArtifact) -> None:
        artifact = parsed.record.id
        info = self._info(run, piece, artifact, expand=["childrenModelCount"])
        if info is None:
            return
        counted = parse_model(info, owner_handle=artifact.owner, tracked=True, fetch=run.fetch())
        parsed.children = counted.children

    def _derivatives(self, run: Run, piece: Piece, parsed: ParsedArtifact) -> None:
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
        except ListingFailed as failed:
            self._fail(piece, str(base), failed.error, "derivatives listing")
            return
        run.check_stop()  # a partial children listing would undercount
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
        run: Run,
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

    def _trained_on(self, run: Run, piece: Piece, dataset: ArtifactId) -> None:
        try:
            items = self._listing(
                run, "models", {"filter": f"dataset:{dataset.repo_id}", "expand": ["author"]}
            )
        except ListingFailed as failed:
            self._fail(piece, str(dataset), failed.error, "models-trained-on listing")
            return
        run.check_stop()  # a partial listing would undercount
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
    def _collections(self, run: Run, piece: Piece, handle: str) -> None:
        run.check_stop()
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
            run.stop(err)
        except _UNREADABLE as err:
            self._fail(piece, f"hf:org:{handle}", err, "collections")

    # -- explicit artifacts ---------------------------------------------------------------
    def _collect_explicit(
        self, run: Run, pool: ThreadPoolExecutor, explicit: Sequence[ArtifactId]
    ) -> None:
        wanted = [a for a in explicit if a.platform == "hf" and a not in run.records]
        if not wanted:
            return
        run.progress.begin("huggingface:explicit", len(wanted))
        tasks = [self._task(run, self._collect_one, artifact) for artifact in wanted]
        for piece in in_order(pool, tasks, run.progress, run.cancelled):
            run.merge(piece)

    def _collect_one(self, run: Run, piece: Piece, artifact: ArtifactId) -> None:
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
            parsed.record = with_rename(parsed.record, renamed_from)
        self._keep(piece, parsed)

    def _info(self, run: Run, piece: Piece, artifact: ArtifactId, expand: list[str]) -> Any:
        """model_info/dataset_info through huggingface_hub's `http_backoff`, as every listing
        page: the same retries of 429s and 5xx, the same ledger, the same wait budget."""
        run.check_stop()
        kind = "models" if artifact.kind == "model" else "datasets"
        try:
            answer = http_backoff(
                "GET",
                f"{self.endpoint}/api/{kind}/{artifact.repo_id}",
                params={"expand": expand},
                headers=build_hf_headers(token=self._token),
                timeout=self.timeout,
            )
            hf_raise_for_status(answer)
            item = answer.json()
            if artifact.kind == "model":
                return model_info_from_item(item)
            return dataset_info_from_item(item)
        except RateLimitBudgetExceeded as err:
            run.stop(err)
        except _UNREADABLE as err:
            self._fail(piece, str(artifact), err, "info")
        return None

    # -- plumbing -------------------------------------------------------------------------
    def _listing(self, run: Run, kind: str, params: dict[str, Any]) -> list[tuple[object, str]]:
        """All items of a listing with the URL of the page each came from.

        When the wait budget runs out mid-listing, the items read so far are returned and
        `run.stopping` is set: listings of artifacts keep them, counting listings must not.
        """
        run.check_stop()
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
            next_url = on_endpoint(answer.links.get("next", {}).get("url"), self.endpoint)
            return LinkedPage(page if isinstance(page, list) else [], str(answer.url), next_url)

        items: list[tuple[object, str]] = []
        try:
            for page in walk_pages(
                fetch,
                what=f"{kind} listing {describe_listing(params)}",
                max_pages=MAX_PAGES,
                stopped=run.cancelled.is_set,
            ):
                items.extend((item, run.ledger.last_url) for item in page.items)
        except Interrupted:
            raise Stop from None
        except RateLimitBudgetExceeded as err:
            # The pages already read stay valid; the next call stops the source.
            run.stopping = err
        except BadRequestError:
            raise
        except _UNREADABLE as err:
            raise ListingFailed(err) from err
        return items

    def _fail(self, piece: Piece, subject: str, error: BaseException, what: str) -> None:
        piece.result.failures.append(
            ArtifactFailure(
                subject, SOURCE, failure_reason(error), f"{what}: {failure_detail(error)}"
            )
        )
