"""The state of one Hugging Face collection run and what its steps share: the expand lists of
the listings, the run's results so far, the listings of one organisation, small judgements."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

from collectors.base import Progress
from collectors.huggingface.client import HubLedger, RateLimitBudgetExceeded
from collectors.huggingface.derivatives import Relation
from collectors.huggingface.parallel import Piece
from collectors.huggingface.parse import Fetch, ParsedArtifact
from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Metric,
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
T = TypeVar("T")


class Stop(Exception):
    """The source stops early (wait budget exhausted, or interrupted); what was read is kept."""


@dataclass
class Run:
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

    def check_stop_between_steps(self, listed: list[Handle]) -> None:
        """Before the next step: when the source stops, merge what was read, then stop."""
        if self.stopping is not None or self.cancelled.is_set():
            for handle in listed:
                for piece in handle.in_order():
                    self.merge(piece)
            self.check_stop()

    def merge(self, piece: Piece) -> None:
        """Add a task's piece to the run's result (on the calling thread: no locks needed)."""
        if piece.merged:
            return
        piece.merged = True
        for parsed in piece.kept:
            artifact = parsed.record.id
            known = self.records.get(artifact)
            if known is None or not known.tracked or parsed.record.tracked:
                self.records[artifact] = parsed.record
        for artifact, author in piece.outside:
            if artifact not in self.records:
                self.records[artifact] = ArtifactRecord(
                    id=artifact, owner_handle=author or artifact.owner, tracked=False
                )
        self.result.observations.extend(piece.result.observations)
        self.result.edges.extend(piece.result.edges)
        self.result.benchmark_results.extend(piece.result.benchmark_results)
        self.result.failures.extend(piece.result.failures)
        self.result.suggested_groups.update(piece.result.suggested_groups)

    def check_stop(self) -> None:
        if self.cancelled.is_set():
            raise Stop
        if self.stopping is not None:
            self.stop(self.stopping)

    def stop(self, error: RateLimitBudgetExceeded) -> None:
        """Stop the source: the first thread to hit the budget records why, the others follow."""
        with self.stop_lock:
            first = self.result.stats.stopped_reason is None
            if first:
                self.stopping = self.stopping or error
                self.result.stats.stopped_reason = str(error)
        if first:
            self.progress.note(f"Hugging Face stopped: {error}")
        raise Stop from error


@dataclass
class Handle:
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


class ListingFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def without_children(expand: list[str]) -> list[str]:
    return [value for value in expand if value != "childrenModelCount"]


def may_have_children(parsed: ParsedArtifact) -> bool:
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


def with_rename(record: ArtifactRecord, old: ArtifactId) -> ArtifactRecord:
    return replace(record, renamed_from=old)


def describe_listing(params: dict[str, Any]) -> str:
    """`author=x` or `filter=base_model:y`: which listing, in a failure's words."""
    return ", ".join(f"{k}={v}" for k, v in params.items() if k in ("author", "filter"))
