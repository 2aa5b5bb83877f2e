"""The records of a synthetic world that the fake servers serve.

A world is what Hugging Face, GitHub, OpenDigger and the leaderboards would know about a Shanghai
ecosystem. `world.py` generates one from a seed and a size; the servers only read it. Histories are
per day, oldest first, ending at `World.today`, so the demo can backfill observations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class HfEvalResult:
    """An entry of the Hub's `evalResults` (and, when `in_model_index`, of the card's model-index)."""

    dataset_id: str  # benchmark dataset, e.g. "cais/mmlu"
    task_id: str  # e.g. "mmlu"
    value: float
    verified: bool
    source_name: str | None = None
    source_url: str | None = None
    in_model_index: bool = True


@dataclass
class HfModel:
    id: str  # "OWNER/NAME"
    author: str
    created_at: datetime
    last_modified: datetime
    downloads_30d: int
    downloads_all_time: int
    likes: int
    trending_score: float
    pipeline_tag: str | None
    library_name: str | None
    license: str | None
    gated: bool | str  # False | "auto" | "manual"
    parameters: int | None
    base_model: str | None = None  # id of the base model, for derivatives
    base_relation: str | None = None  # finetune | adapter | quantized | merge
    datasets: list[str] = field(default_factory=list)  # dataset ids the card names
    spaces: list[str] = field(default_factory=list)
    eval_results: list[HfEvalResult] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # extra tags; base_model:/dataset: tags derive
    disabled: bool = False
    renamed_to: str | None = None  # the Hub answers 307 to the new id
    # daily series, oldest first, last element = today (downloads_30d is a rolling count)
    downloads_history: list[int] = field(default_factory=list)
    likes_history: list[int] = field(default_factory=list)


@dataclass
class HfDataset:
    id: str
    author: str
    created_at: datetime
    last_modified: datetime
    downloads_30d: int
    downloads_all_time: int
    likes: int
    trending_score: float
    license: str | None
    gated: bool | str
    description: str | None = None
    benchmark: bool = False  # a benchmark dataset (has a leaderboard)
    tags: list[str] = field(default_factory=list)
    disabled: bool = False
    downloads_history: list[int] = field(default_factory=list)
    likes_history: list[int] = field(default_factory=list)


@dataclass
class HfCollection:
    slug: str  # "OWNER/Title-0123abcd"
    owner: str
    title: str
    items: list[str]  # model or dataset ids
    item_type: str = "model"


@dataclass
class GhUser:
    login: str
    id: int
    created_at: datetime
    followers: int
    following: int
    public_repos: int
    public_gists: int
    is_bot: bool = False
    # StarScout low-activity evidence: active days and events in the sampled period
    active_days: int = 30
    events: int = 100


@dataclass
class GhRelease:
    tag_name: str
    published_at: datetime
    asset_downloads: int


@dataclass
class GhIssue:
    number: int
    is_pull_request: bool
    author: str
    created_at: datetime
    closed_at: datetime | None
    first_response_at: datetime | None  # first comment by someone other than the author
    first_responder: str | None = None


@dataclass
class GhStar:
    user: str
    starred_at: datetime


@dataclass
class GhRepo:
    id: int
    owner: str
    name: str
    description: str | None
    created_at: datetime
    pushed_at: datetime
    stars: int
    forks: int
    watchers: int
    language: str | None
    license_spdx: str | None
    topics: list[str]
    archived: bool = False
    is_fork: bool = False
    empty: bool = False  # commits endpoint answers 409
    unavailable_legal: bool = False  # answers 451
    renamed_to: str | None = None  # "OWNER/NAME": the old path answers 301
    contributors: list[tuple[str, int]] = field(default_factory=list)  # (login, contributions)
    commits_90d: int = 0
    releases: list[GhRelease] = field(default_factory=list)
    issues: list[GhIssue] = field(default_factory=list)  # issues and PRs of the last 180 days
    stargazers: list[GhStar] = field(default_factory=list)  # the most recent ones, oldest first
    stargazers_restricted: bool = False  # stargazer list limited to admins (GitHub, 2026-06-30)
    stars_history: list[int] = field(default_factory=list)  # daily, oldest first

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class GhOrg:
    login: str
    id: int
    name: str
    created_at: datetime
    followers: int
    members: list[str]  # public members
    repos: list[str] = field(default_factory=list)  # repo names


@dataclass
class OpenDiggerSeries:
    """Monthly values of one metric of one repository: {"2026-01": 12.3, ...}."""

    repo: str  # "OWNER/NAME"
    metric: str  # openrank, activity, attention, participants, bus_factor, ...
    values: dict[str, float]


@dataclass
class LeaderboardEntry:
    """A row of an independent leaderboard (OpenCompass, HF dataset leaderboards)."""

    model_id: str  # HF model id when known, else the leaderboard's model name
    benchmark: str  # the leaderboard's column name, e.g. "MMLU", "CMMLU"
    value: float
    source: str  # "opencompass" | "hf_leaderboard"
    dataset_id: str | None = None


@dataclass
class PlantedGaming:
    """What the world faked on purpose, so tests can check the integrity flags find it."""

    artifact: str  # artifact id string, e.g. "gh:org/repo" or "hf:model:org/name"
    kind: str  # "star_burst" | "download_spike" | "fake_stargazers"
    day_index: int  # index into the history where the burst starts
    detail: str


@dataclass
class World:
    seed: int
    size: int
    today: date
    history_days: int
    models: dict[str, HfModel] = field(default_factory=dict)
    datasets: dict[str, HfDataset] = field(default_factory=dict)
    spaces: dict[str, list[str]] = field(default_factory=dict)  # space id -> model ids it uses
    collections: list[HfCollection] = field(default_factory=list)
    hf_authors: list[str] = field(default_factory=list)  # registry HF handles (orgs)
    users: dict[str, GhUser] = field(default_factory=dict)
    orgs: dict[str, GhOrg] = field(default_factory=dict)
    repos: dict[str, GhRepo] = field(default_factory=dict)  # key "OWNER/NAME"
    opendigger: dict[tuple[str, str], OpenDiggerSeries] = field(default_factory=dict)
    leaderboard: list[LeaderboardEntry] = field(default_factory=list)
    planted: list[PlantedGaming] = field(default_factory=list)
    synthetic: bool = True
    # Renamed accounts, old name -> new name: the Hub answers 307 to the new author, GitHub 301
    # to /organizations/ID (what a live registry check must notice).
    hf_renamed_authors: dict[str, str] = field(default_factory=dict)
    gh_renamed_orgs: dict[str, str] = field(default_factory=dict)

    @property
    def artifact_count(self) -> int:
        return len(self.models) + len(self.datasets) + len(self.repos)
