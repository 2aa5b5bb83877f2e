"""Records the store hands back that are about the store's own bookkeeping (runs, shortlists)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, TypeVar

R = TypeVar("R")

RunKind = Literal["collect", "score", "refresh"]
RUN_KINDS: tuple[str, ...] = ("collect", "score", "refresh")
# What finish_run accepts; "running" is the state before it, "incomplete" is what runs() reports
# for a running run whose heartbeat stopped (its process died).
FINISHED_STATUSES: tuple[str, ...] = ("succeeded", "partial", "failed", "interrupted")
COUNTED_STATUSES: tuple[str, ...] = ("succeeded", "partial")
# What a scoring run is for: only an official run (configured methodology, newest data) is the
# default ranking; an as-of (backdated) or trial (other methodology) run is shown only when asked.
SCORING_PURPOSES: tuple[str, ...] = ("official", "as_of", "trial")


@dataclass(frozen=True)
class RunRecord:
    id: int
    kind: str
    source: str | None
    status: str  # running | incomplete | succeeded | partial | failed | interrupted
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
    requests: int
    not_modified: int
    graphql_points: int
    rate_limit_waits: int
    rate_limit_wait_seconds: float
    stopped_reason: str | None
    message: str | None
    failure_count: int
    paced_seconds: float = 0.0  # waiting for the published limits' tokens


@dataclass(frozen=True)
class ScoringRunRecord:
    id: int
    run_id: int
    run_status: str
    methodology_version: str
    as_of: datetime
    input_run_ids: tuple[int, ...]
    created_at: datetime
    row_count: int
    purpose: str = "official"
    methodology_hash: str | None = None


@dataclass(frozen=True)
class ShortlistItem:
    product_id: str
    note: str


@dataclass(frozen=True)
class Shortlist:
    name: str
    version: int
    created_by: str
    created_at: datetime
    items: tuple[ShortlistItem, ...]


@dataclass(frozen=True)
class ScoringMember:
    """One artifact of one product as a scoring run grouped it (`grouped_by`: registry, family,
    own or cross-hub)."""

    product_id: str
    product_name: str
    organization: str  # organisation id
    category: str
    artifact: str  # artifact id text, as scored
    grouped_by: str


def from_row(record: Callable[..., R], row: Any, **converted: Any) -> R:
    """A `record` (a dataclass) from the row's columns named like its fields.

    `converted` gives the fields whose stored form differs (JSON lists as tuples, decoded JSON,
    a column of another name); a field the row has no column for keeps its default.
    """
    mapping = row._mapping
    plain = {
        name: mapping[name]
        for name in _field_names(record)
        if name not in converted and name in mapping
    }
    return record(**plain, **converted)


@lru_cache(maxsize=64)
def _field_names(record: Callable[..., object]) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(record))  # type: ignore[arg-type]
