"""Ids and records every package shares.

This module imports nothing of ours: collectors, scoring, the store and the dashboard all speak in
these terms. Records are frozen dataclasses parsed once at the edge; no raw dict wanders further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

Category = Literal["model", "corpus", "community"]
CATEGORIES: tuple[Category, ...] = ("model", "corpus", "community")

# hf Hugging Face, gh GitHub, ms ModelScope (modelscope.cn), od OpenDataLab (opendatalab.com).
# Codes are two letters because the store's `artifacts.platform` column is String(2); OpenDataLab's
# artifact ids still read `odl:dataset:OWNER/NAME`, the prefix the registry uses.
Platform = Literal["hf", "gh", "ms", "od"]
ArtifactKind = Literal["model", "dataset", "repo"]

# The platform id syntax of the registry: hf:model:OWNER/NAME, hf:dataset:OWNER/NAME, gh:OWNER/REPO,
# ms:model:OWNER/NAME, ms:dataset:OWNER/NAME, odl:dataset:OWNER/NAME.
_HANDLE = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,95})"
_ARTIFACT_ID = re.compile(
    r"^(?:(?P<hub>hf|ms):(?P<hub_kind>model|dataset):|(?P<odl>odl):dataset:|gh:)"
    rf"(?P<owner>{_HANDLE})/(?P<name>{_HANDLE})\Z"
)
# \Z, not $: `$` also matches before a trailing newline ("internlm\n" is no handle)
HANDLE_RE = re.compile(rf"^{_HANDLE}\Z")
HANDLE_MAX = 96
ARTIFACT_ID_FORMS = (
    "hf:model:OWNER/NAME, hf:dataset:OWNER/NAME, gh:OWNER/REPO, ms:model:OWNER/NAME, "
    "ms:dataset:OWNER/NAME or odl:dataset:OWNER/NAME"
)
MODELSCOPE_WEB = "https://modelscope.cn"
OPENDATALAB_WEB = "https://opendatalab.com"


class InvalidArtifactId(ValueError):
    """A string that is none of the artifact id forms (`ARTIFACT_ID_FORMS`)."""


@dataclass(frozen=True, order=True)
class ArtifactId:
    """One thing on one platform: a Hugging Face or ModelScope model or dataset, an OpenDataLab
    dataset, or a GitHub repository."""

    platform: Platform
    kind: ArtifactKind
    owner: str
    name: str

    @classmethod
    def parse(cls, text: str) -> ArtifactId:
        match = _ARTIFACT_ID.match(text)
        if match is None:
            raise InvalidArtifactId(
                f"{text!r} is not an artifact id (expected {ARTIFACT_ID_FORMS})"
            )
        owner, name = match.group("owner"), match.group("name")
        if match.group("odl") is not None:
            return cls("od", "dataset", owner, name)
        hub = match.group("hub")
        if hub is None:
            return cls("gh", "repo", owner, name)
        kind: ArtifactKind = "model" if match.group("hub_kind") == "model" else "dataset"
        return cls("ms" if hub == "ms" else "hf", kind, owner, name)

    @classmethod
    def hf_model(cls, repo_id: str) -> ArtifactId:
        return cls.parse(f"hf:model:{repo_id}")

    @classmethod
    def hf_dataset(cls, repo_id: str) -> ArtifactId:
        return cls.parse(f"hf:dataset:{repo_id}")

    @classmethod
    def gh_repo(cls, full_name: str) -> ArtifactId:
        return cls.parse(f"gh:{full_name}")

    @classmethod
    def ms_model(cls, repo_id: str) -> ArtifactId:
        return cls.parse(f"ms:model:{repo_id}")

    @classmethod
    def ms_dataset(cls, repo_id: str) -> ArtifactId:
        return cls.parse(f"ms:dataset:{repo_id}")

    @classmethod
    def odl_dataset(cls, repo_id: str) -> ArtifactId:
        return cls.parse(f"odl:dataset:{repo_id}")

    @property
    def repo_id(self) -> str:
        """`OWNER/NAME` as the platform spells it."""
        return f"{self.owner}/{self.name}"

    @property
    def default_category(self) -> Category:
        """The category of an artifact that no product groups: model, corpus or community."""
        return {"model": "model", "dataset": "corpus", "repo": "community"}[self.kind]  # type: ignore[return-value]

    @property
    def web_url(self) -> str:
        if self.platform == "gh":
            return f"https://github.com/{self.repo_id}"
        if self.platform == "ms":
            return f"{MODELSCOPE_WEB}/{self.kind}s/{self.repo_id}"
        if self.platform == "od":
            return f"{OPENDATALAB_WEB}/{self.repo_id}"
        prefix = "" if self.kind == "model" else "datasets/"
        return f"https://huggingface.co/{prefix}{self.repo_id}"

    def __str__(self) -> str:
        if self.platform == "gh":
            return f"gh:{self.repo_id}"
        if self.platform == "od":
            return f"odl:dataset:{self.repo_id}"
        return f"{self.platform}:{self.kind}:{self.repo_id}"


class Metric(StrEnum):
    """Names of the numeric figures a collector observes. The store keeps them as text."""

    # Hugging Face, models and datasets
    DOWNLOADS_30D = "downloads_30d"
    DOWNLOADS_ALL_TIME = "downloads_all_time"
    LIKES = "likes"
    TRENDING_SCORE = "trending_score"
    PARAMETERS = "parameters"
    SPACES = "spaces"
    DERIVATIVES_FINETUNE = "derivatives_finetune"
    DERIVATIVES_ADAPTER = "derivatives_adapter"
    DERIVATIVES_QUANTIZED = "derivatives_quantized"
    DERIVATIVES_MERGE = "derivatives_merge"
    DERIVATIVES_THIRD_PARTY = "derivatives_third_party"
    MODELS_TRAINED_ON = "models_trained_on"
    # OpenDataLab datasets (DOWNLOADS_ALL_TIME and LIKES above serve ModelScope too)
    VIEWS_ALL_TIME = "views_all_time"
    DOWNLOADS_7D = "downloads_7d"
    VIEWS_7D = "views_7d"
    # GitHub repositories
    STARS = "stars"
    FORKS = "forks"
    WATCHERS = "watchers"
    OPEN_ISSUES = "open_issues"
    OPEN_PRS = "open_prs"
    RELEASES = "releases"
    RELEASE_DOWNLOADS = "release_downloads"
    CONTRIBUTORS = "contributors"
    OUTSIDE_CONTRIBUTORS = "outside_contributors"
    COMMITS_90D = "commits_90d"
    ISSUES_OPENED_90D = "issues_opened_90d"
    ISSUES_CLOSED_90D = "issues_closed_90d"
    PRS_OPENED_90D = "prs_opened_90d"
    PRS_CLOSED_90D = "prs_closed_90d"
    MEDIAN_FIRST_RESPONSE_HOURS = "median_first_response_hours"
    # OpenDigger (latest month)
    OPENRANK = "openrank"
    ACTIVITY = "activity"
    ATTENTION = "attention"
    PARTICIPANTS = "participants"
    BUS_FACTOR = "bus_factor"
    NEW_CONTRIBUTORS = "new_contributors"
    ISSUE_RESPONSE_TIME = "issue_response_time"


# The stargazer evidence sample of a GitHub repository (collected and read by the integrity
# checks): how many recent stargazers were sampled, how many of them look inactive, and how many
# star in lockstep with other repositories (read when present; no collector records it yet).
STARGAZERS_SAMPLED = "stargazers_sampled"
STARGAZERS_LOW_ACTIVITY = "stargazers_low_activity"
STARGAZERS_LOCKSTEP = "stargazers_lockstep"

# Figures of a GitHub organization (not of an artifact), kept beside the artifacts' observations.
ORG_PUBLIC_REPOS = "org_public_repos"
ORG_FOLLOWERS = "org_followers"
ORG_PUBLIC_MEMBERS = "org_public_members"

ObservationKind = Literal["new", "reobserved"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Observation:
    """One figure of one artifact at one moment, with where it came from.

    `kind` is "reobserved" when a conditional request answered 304 and the figure is the last one
    seen again, not new data.
    """

    artifact: ArtifactId
    metric: str
    value: float
    observed_at: datetime
    source_url: str
    kind: ObservationKind = "new"


@dataclass(frozen=True)
class ArtifactRecord:
    """What a collector learned about an artifact besides its figures (descriptive, may change)."""

    id: ArtifactId
    owner_handle: str
    created_at: datetime | None = None
    last_modified: datetime | None = None
    license: str | None = None
    pipeline_tag: str | None = None
    library: str | None = None
    language: str | None = None
    gated: bool | None = None
    archived: bool | None = None
    is_fork: bool | None = None
    description: str | None = None
    topics: tuple[str, ...] = ()
    tracked: bool = True  # False: a third-party artifact kept only for counts and edges
    renamed_from: ArtifactId | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


EdgeRelation = Literal["finetune", "adapter", "quantized", "merge", "trained_on", "hosts_code"]
EDGE_RELATIONS: tuple[EdgeRelation, ...] = (
    "finetune",
    "adapter",
    "quantized",
    "merge",
    "trained_on",
    "hosts_code",
)


@dataclass(frozen=True)
class Edge:
    """A relation between two artifacts.

    finetune/adapter/quantized/merge: source is the base model, target the derivative;
    trained_on: source is the dataset, target the model; hosts_code: source the repository,
    target the model.
    """

    source: ArtifactId
    target: ArtifactId
    relation: EdgeRelation
    observed_at: datetime
    source_url: str


Trust = Literal["independent", "verified", "self_reported"]


@dataclass(frozen=True)
class BenchmarkResult:
    artifact: ArtifactId
    benchmark: str  # canonical id, e.g. "mmlu"; an unknown name is kept as given
    raw_name: str
    metric: str
    value: float
    source: str  # e.g. "hf_eval_results", "model_index", "opencompass", "open_llm_leaderboard"
    trust: Trust
    observed_at: datetime
    source_url: str
    split: str | None = None
    scaled: float | None = None  # 0..1 when a random baseline is known
    # the value as a percent of the benchmark's full score (units made comparable: 0.412, 41.2
    # and 412/1000 all read 41.2); None when it is not a score on that scale
    percent: float | None = None


FailureReason = Literal[
    "not_found",
    "gated",
    "disabled",
    "renamed",
    "rate_limited",
    "unavailable_legal",
    "empty_repository",
    "malformed",
    "server_error",
    "timeout",
    "connection",
    "unauthorized",
    "other",
    # Findings of a live registry check (`ossimpact.registry.live`): the handle or product, not
    # an artifact, is the subject.
    "handle_renamed",
    "handle_empty",
    "handle_not_found",
    "product_matches_nothing",
    "pattern_matches_nothing",
]


@dataclass(frozen=True)
class ArtifactFailure:
    """One artifact (or organisation handle) a source could not read in a run, and why."""

    subject: str  # an artifact id string, or "hf:org:HANDLE" / "gh:org:HANDLE"
    source: str
    reason: FailureReason
    detail: str


@dataclass
class CollectionStats:
    """What a source spent in a run: the figures Data health shows."""

    requests: int = 0
    not_modified: int = 0  # conditional requests answered 304
    graphql_points: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    paced_seconds: float = 0.0  # waiting for the published limits' tokens (collectors/pacing.py)
    stopped_reason: str | None = None  # set when a source stopped early (budget exhausted, ...)


@dataclass
class CollectionResult:
    """Everything one source returned in one run. Collectors build it; the store appends it."""

    source: str
    artifacts: list[ArtifactRecord] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    benchmark_results: list[BenchmarkResult] = field(default_factory=list)
    failures: list[ArtifactFailure] = field(default_factory=list)
    stats: CollectionStats = field(default_factory=CollectionStats)
    # Product groupings offered by a platform (e.g. Hugging Face collections): name -> members.
    suggested_groups: dict[str, list[ArtifactId]] = field(default_factory=dict)

    def extend(self, other: CollectionResult) -> None:
        self.artifacts.extend(other.artifacts)
        self.observations.extend(other.observations)
        self.edges.extend(other.edges)
        self.benchmark_results.extend(other.benchmark_results)
        self.failures.extend(other.failures)
        self.suggested_groups.update(other.suggested_groups)


Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Organization:
    """A Shanghai entity with its platform handles and the evidence that it is in Shanghai."""

    id: str
    name: str
    name_zh: str | None = None
    kind: str | None = None
    city: str | None = None
    evidence: tuple[str, ...] = ()
    confidence: Confidence | None = None
    huggingface: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    notes: str | None = None
    modelscope: tuple[str, ...] = ()
    opendatalab: tuple[str, ...] = ()


@dataclass(frozen=True)
class Product:
    """What the award is given to: a model family, a corpus or a community, grouped by patterns.

    `include` patterns use the artifact id syntax with shell wildcards (`*`, `?`) in the name,
    e.g. `hf:model:OpenGVLab/InternVL3-*`. An artifact no product includes is a product of its
    own, with its artifact id as product id (`implicit=True`).
    """

    id: str
    name: str
    category: Category
    organization: str
    include: tuple[str, ...] = ()
    description: str | None = None
    implicit: bool = False


@dataclass(frozen=True, slots=True)
class SignalContribution:
    """One signal of one product's score: what went in and what it added.

    `raw` is None when the product lacks the signal (missing, never zero); its weight is then
    re-normalised among the present signals and `contribution` is 0.
    """

    signal: str
    raw: float | None
    normalized: float | None
    weight: float  # the methodology's weight
    effective_weight: float  # after re-normalising among present signals
    contribution: float


@dataclass(frozen=True, slots=True)
class IntegrityFlag:
    """A figure that looks gamed or wrong, with its evidence. Shown, never silently applied."""

    kind: str  # star_burst | download_spike | ratio_outlier | fake_stargazers | downloads_decreased
    artifact: ArtifactId | None
    evidence: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    excluded: bool = False  # the methodology excluded the flagged window from the score


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """(product, category, methodology version, scoring run) → total, contributions, rank, flags."""

    product_id: str
    category: Category
    methodology_version: str
    total: float
    rank: int
    rank_low: int
    rank_high: int
    top_n_share: float  # share of Monte Carlo draws in which the product makes the top N
    coverage: float  # share of the methodology's weight whose signals the product has
    contributions: tuple[SignalContribution, ...] = ()
    flags: tuple[IntegrityFlag, ...] = ()
    cohort: str | None = None  # e.g. a model size class


@dataclass(frozen=True)
class CachedResponse:
    """The last answer to a GET, kept for conditional requests (If-None-Match / If-Modified-Since)."""

    url: str
    etag: str | None
    last_modified: str | None
    body: bytes
    fetched_at: datetime


# Anything shaped like a Hugging Face or GitHub token, or the credential of an echoed
# `Authorization: Bearer` header: masked wherever a platform's text is kept or shown.
TOKEN_SHAPES = re.compile(
    r"\bhf_[A-Za-z0-9]{20,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}"
    r"|\bgithub_pat_[A-Za-z0-9_]{20,}"
    r"|(?<=Bearer )[A-Za-z0-9._~+/=-]{8,}",
    re.IGNORECASE,
)
SECRET_MASK = "***"  # noqa: S105 - the mask, not a secret


def mask_token_shapes(text: str) -> str:
    """`text` with every token-shaped word replaced by `***`."""
    return TOKEN_SHAPES.sub(SECRET_MASK, text)


def graphql_url_for(api_url: str) -> str:
    """The GraphQL endpoint that belongs to a REST API base URL.

    api.github.com → api.github.com/graphql; an Enterprise host's `/api/v3` → `/api/graphql`
    (the way PyGithub and GitHub Enterprise Server do it); any other base → base + `/graphql`.
    """
    parts = urlsplit(api_url.rstrip("/"))
    path = parts.path
    path = path[: -len("/v3")] if path.endswith("/v3") else path
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/graphql", "", ""))
