"""The Hugging Face collector: every model, dataset and collection of the registry's handles.

Requests per organisation: one listing of models and one of datasets (pages of `page_size`),
one collections listing (plus the full collection when the listing truncated it), one children
listing per base model that has derivatives, one `dataset:` listing per corpus. Per-artifact
info calls only for explicit artifacts no listing brought, and for derivative counts when the
Hub refuses `childrenModelCount` on listings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import httpx2
from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError, HfHubHTTPError
from huggingface_hub.utils._headers import build_hf_headers
from huggingface_hub.utils._pagination import paginate

from collectors.base import NullProgress, Progress
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
    has_children,
    summarise_children,
)
from collectors.huggingface.parse import (
    Fetch,
    MalformedItem,
    ParsedArtifact,
    dataset_info_from_item,
    model_info_from_item,
    parse_dataset,
    parse_model,
)
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Edge,
    EdgeRelation,
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
RepoKind = Literal["model", "dataset"]


class _Stop(Exception):
    """The source stops early (wait budget exhausted); what was collected is kept."""


@dataclass
class _Run:
    """The state of one collection: results so far, what was seen, the ledger of requests."""

    result: CollectionResult
    ledger: HubLedger
    observed_at: datetime
    progress: Progress
    children_on_listing: bool = True
    stopping: RateLimitBudgetExceeded | None = None

    def fetch(self) -> Fetch:
        return Fetch(self.observed_at, self.ledger.last_url)


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
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._token: str | bool = token or False
        self.page_size = page_size
        self.max_rate_limit_wait = max_rate_limit_wait
        self.timeout = timeout
        self.observed_at = observed_at
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
        progress = progress or NullProgress()
        result = CollectionResult(source=SOURCE)
        ledger = HubLedger(self.endpoint, self.max_rate_limit_wait, result.stats, progress)
        run = _Run(result, ledger, self.observed_at or utcnow(), progress)
        self._records: dict[ArtifactId, ArtifactRecord] = {}
        with hub_session(ledger, self.timeout):
            try:
                for handle in handles:
                    self._collect_handle(run, handle)
                self._collect_explicit(run, explicit)
                self._check_stop(run)
            except _Stop:
                pass
        result.artifacts = list(self._records.values())
        # the same relation is often seen twice (a derivative's own tags, the base's children)
        unique: dict[tuple[ArtifactId, ArtifactId, str], Edge] = {}
        for edge in result.edges:
            unique.setdefault((edge.source, edge.target, edge.relation), edge)
        result.edges = list(unique.values())
        return result

    # -- one organisation -----------------------------------------------------------------
    def _collect_handle(self, run: _Run, handle: str) -> None:
        run.progress.begin(f"huggingface:{handle}", None)
        models = self._list_models(run, handle)
        bases = [p for p in models if p.record.id.owner.lower() == handle.lower()]
        if not run.children_on_listing:
            self._children_counts(run, bases)
        for parsed in bases:
            if has_children(parsed.children):
                self._derivatives(run, parsed)
        for dataset in self._list_datasets(run, handle):
            self._trained_on(run, dataset.record.id)
        self._collections(run, handle)

    def _list_models(self, run: _Run, handle: str) -> list[ParsedArtifact]:
        expand = MODEL_EXPAND if run.children_on_listing else _without_children(MODEL_EXPAND)
        try:
            items = self._listing(run, "models", {"author": handle, "expand": expand})
        except BadRequestError:
            if "childrenModelCount" not in expand:
                raise
            # Some Hub deployments refuse childrenModelCount on listings: counts then come from
            # info calls of the models that may have children.
            run.children_on_listing = False
            return self._list_models(run, handle)
        except _ListingFailed as failed:
            self._fail(run, f"hf:org:{handle}", failed.error, "models listing")
            return []
        return self._take(run, handle, "model", items)

    def _list_datasets(self, run: _Run, handle: str) -> list[ParsedArtifact]:
        try:
            items = self._listing(run, "datasets", {"author": handle, "expand": DATASET_EXPAND})
        except _ListingFailed as failed:
            self._fail(run, f"hf:org:{handle}", failed.error, "datasets listing")
            return []
        return self._take(run, handle, "dataset", items)

    def _take(
        self, run: _Run, handle: str, kind: RepoKind, items: list[tuple[object, str]]
    ) -> list[ParsedArtifact]:
        taken: list[ParsedArtifact] = []
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
            except MalformedItem as err:
                run.result.failures.append(
                    ArtifactFailure(
                        f"hf:org:{handle}",
                        SOURCE,
                        "malformed",
                        f"{kind} listing item {position + 1}: {err}",
                    )
                )
                continue
            self._keep(run, parsed)
            taken.append(parsed)
            run.progress.advance()
        return taken

    def _keep(self, run: _Run, parsed: ParsedArtifact) -> None:
        artifact = parsed.record.id
        if parsed.problems:
            run.result.failures.append(
                ArtifactFailure(str(artifact), SOURCE, "malformed", "; ".join(parsed.problems))
            )
        known = self._records.get(artifact)
        if known is None or not known.tracked or parsed.record.tracked:
            self._records[artifact] = parsed.record
        run.result.observations.extend(parsed.observations)
        run.result.edges.extend(parsed.edges)
        run.result.benchmark_results.extend(parsed.benchmark_results)

    # -- derivatives and corpora ----------------------------------------------------------
    def _children_counts(self, run: _Run, bases: list[ParsedArtifact]) -> None:
        for parsed in bases:
            if not _may_have_children(parsed):
                continue
            artifact = parsed.record.id
            info = self._info(run, artifact, expand=["childrenModelCount"])
            if info is None:
                continue
            counted = parse_model(
                info, owner_handle=artifact.owner, tracked=True, fetch=run.fetch()
            )
            parsed.children = counted.children

    def _derivatives(self, run: _Run, parsed: ParsedArtifact) -> None:
        base = parsed.record.id
        try:
            items = self._listing(
                run, "models", {"filter": f"base_model:{base.repo_id}", "expand": CHILD_EXPAND}
            )
        except _ListingFailed as failed:
            self._fail(run, str(base), failed.error, "derivatives listing")
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
        fetch = run.fetch()
        counts = parsed.children or {}
        for relation in RELATIONS:
            # The Hub's own count wins; the listing counts only when the Hub gave none.
            value = (
                counts.get(relation, 0) if "total" not in counts else summary.per_relation[relation]
            )
            run.result.observations.append(
                Observation(
                    base, f"derivatives_{relation}", float(value), run.observed_at, fetch.source_url
                )
            )
        run.result.observations.append(
            Observation(
                base,
                Metric.DERIVATIVES_THIRD_PARTY.value,
                float(summary.third_party),
                run.observed_at,
                fetch.source_url,
            )
        )
        for child in summary.children:
            target = ArtifactId.hf_model(child.id)
            edge_relation: EdgeRelation = child.relation
            run.result.edges.append(
                Edge(base, target, edge_relation, run.observed_at, fetch.source_url)
            )
            self._outside(target, child.author)

    def _trained_on(self, run: _Run, dataset: ArtifactId) -> None:
        try:
            items = self._listing(
                run, "models", {"filter": f"dataset:{dataset.repo_id}", "expand": ["author"]}
            )
        except _ListingFailed as failed:
            self._fail(run, str(dataset), failed.error, "models-trained-on listing")
            return
        self._check_stop(run)  # a partial listing would undercount
        fetch = run.fetch()
        count = 0
        for item, _url in items:
            if not (isinstance(item, dict) and isinstance(item.get("id"), str)):
                continue
            count += 1
            model = ArtifactId.hf_model(item["id"])
            run.result.edges.append(
                Edge(dataset, model, "trained_on", run.observed_at, fetch.source_url)
            )
            author = item.get("author")
            self._outside(model, author if isinstance(author, str) else None)
        run.result.observations.append(
            Observation(
                dataset,
                Metric.MODELS_TRAINED_ON.value,
                float(count),
                run.observed_at,
                fetch.source_url,
            )
        )

    def _outside(self, artifact: ArtifactId, author: str | None) -> None:
        """Keep a third-party artifact only as far as counts and edges need it."""
        if artifact not in self._records:
            self._records[artifact] = ArtifactRecord(
                id=artifact, owner_handle=author or artifact.owner, tracked=False
            )

    # -- collections ----------------------------------------------------------------------
    def _collections(self, run: _Run, handle: str) -> None:
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
                    run.result.suggested_groups[f"{handle}/{collection.title}"] = members
        except RateLimitBudgetExceeded as err:
            self._stop(run, err)
        except (HfHubHTTPError, httpx2.HTTPError, ValueError, KeyError, TypeError) as err:
            self._fail(run, f"hf:org:{handle}", err, "collections")

    # -- explicit artifacts ---------------------------------------------------------------
    def _collect_explicit(self, run: _Run, explicit: Sequence[ArtifactId]) -> None:
        wanted = [a for a in explicit if a.platform == "hf" and a not in self._records]
        if wanted:
            run.progress.begin("huggingface:explicit", len(wanted))
        for artifact in wanted:
            self._collect_one(run, artifact)
            run.progress.advance()

    def _collect_one(self, run: _Run, artifact: ArtifactId) -> None:
        kind: RepoKind = "model" if artifact.kind == "model" else "dataset"
        expand = MODEL_EXPAND if kind == "model" else DATASET_EXPAND
        info = self._info(run, artifact, expand=expand)
        if info is None:
            return
        renamed_from: ArtifactId | None = None
        if info.id.lower() != artifact.repo_id.lower():
            # The Hub answered a rename with 307; the redirect drops `expand`, so ask again.
            renamed_from = artifact
            artifact = ArtifactId.parse(f"hf:{kind}:{info.id}")
            run.result.failures.append(
                ArtifactFailure(str(renamed_from), SOURCE, "renamed", f"renamed to {artifact}")
            )
            info = self._info(run, artifact, expand=expand)
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
        self._keep(run, parsed)

    def _info(self, run: _Run, artifact: ArtifactId, expand: list[str]) -> Any:
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
                self._fail(run, str(artifact), err, "info")
                return None
            except ForeignHostRefused as err:
                self._fail(run, str(artifact), err, "info")
                return None
            except (httpx2.HTTPError, ValueError, KeyError, TypeError) as err:
                self._fail(run, str(artifact), err, "info")
                return None
        self._fail(run, str(artifact), TimeoutError("still rate limited after 5 tries"), "info")
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
        items: list[tuple[object, str]] = []
        try:
            # huggingface_hub's own pager (http_backoff on every page, Link-header cursors);
            # list_models() would build ModelInfo inside the generator, where one malformed item
            # ends the whole listing, so items are parsed one by one here instead.
            for item in paginate(
                f"{self.endpoint}/api/{kind}", params=query, headers=headers, timeout=self.timeout
            ):
                items.append((item, run.ledger.last_url))
        except RateLimitBudgetExceeded as err:
            # The pages already read stay valid; the next call stops the source.
            run.stopping = err
        except BadRequestError:
            raise
        except (HfHubHTTPError, httpx2.HTTPError, ForeignHostRefused, ValueError) as err:
            raise _ListingFailed(err) from err
        return items

    def _fail(self, run: _Run, subject: str, error: BaseException, what: str) -> None:
        run.result.failures.append(
            ArtifactFailure(
                subject, SOURCE, failure_reason(error), f"{what}: {failure_detail(error)}"
            )
        )

    def _check_stop(self, run: _Run) -> None:
        if run.stopping is not None:
            self._stop(run, run.stopping)

    def _stop(self, run: _Run, error: RateLimitBudgetExceeded) -> None:
        run.result.stats.stopped_reason = str(error)
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
