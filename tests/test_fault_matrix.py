"""The fault matrix: every source against every fault, through the real refresh pipeline.

Each cell is one test: a fresh SQLite store holding a clean baseline run of every source (run 1),
then a refresh of one source with one fault aimed at ONE artifact's request (run 2), then the same
refresh with the fault gone (run 3). Every cell checks that run 2 finishes (succeeded or partial),
that its failures name exactly the affected artifact with a sensible reason, that every earlier
observation (and benchmark result) is unchanged, that run 2 wrote no figure it did not receive
(every figure it wrote equals the world's, the affected ones are absent, never zero), and that
run 3 recovers: the baseline's failures only, and every baseline figure present with its value.

Targets (one request each): Hugging Face, the derivatives listing of one base model; GitHub
GraphQL, the organisation's GraphQL query (a token is set); GitHub REST, `GET /repos/OWNER/NAME`
of one repository (`use_graphql=False`); OpenDigger, one repository's `openrank.json`;
benchmarks, one benchmark dataset's Hugging Face leaderboard; ModelScope, the owner's model listing
(`GET /openapi/v1/models?owner=…`, every figure of its models); OpenDataLab, one named dataset's
info (`GET …/datasets/OWNER,NAME`). Renames are the world's
troublemakers named by their old id in the registry (the Hub's 307, GitHub's 301).

Expected outcome per cell — recovered: retried within the run, no failure, complete data;
failed(reason): the target artifact alone is a failure with that reason and its affected figures
are absent; absent: the platform says "no data" (no failure, the figure is absent, never zero);
stopped: the wait would exceed the run's budget, the source stops with its reason recorded and
writes only figures it received; renamed: the old id is a `renamed` failure naming the new id,
whose figures are collected.

| fault                                  | Hugging Face  | GitHub GraphQL | GitHub REST   | OpenDigger | benchmarks   | ModelScope | OpenDataLab |
|----------------------------------------|---------------|----------------|---------------|------------|--------------|------------|-------------|
| 429 with Retry-After 0                 | recovered     | recovered      | recovered     | recovered  | recovered    | recovered  | recovered   |
| GitHub 403 secondary limit             | n/a           | recovered      | recovered     | n/a        | n/a          | n/a        | n/a         |
| limit exhausted, reset in an hour      | stopped       | stopped        | stopped       | stopped    | stopped      | stopped    | stopped     |
| 5xx burst (2) then recovery            | recovered     | recovered      | recovered     | recovered  | recovered    | recovered  | recovered   |
| timeout (once)                         | recovered     | recovered      | recovered     | recovered  | recovered    | recovered  | recovered   |
| truncated body (once)                  | recovered     | recovered      | recovered     | recovered  | recovered    | recovered  | recovered   |
| connection reset (once)                | recovered     | recovered      | recovered     | recovered  | recovered    | recovered  | recovered   |
| 404                                    | failed        | recovered (1)  | failed        | absent     | absent (2)   | failed (8) | failed      |
| 301/307 rename                         | renamed       | renamed        | renamed       | n/a        | n/a          | n/a        | n/a         |
| GraphQL `errors` with HTTP 200         | n/a           | recovered (1)  | n/a           | n/a        | n/a          | n/a        | n/a         |
| next page links to itself              | failed (3)    | n/a            | n/a           | n/a        | n/a          | n/a        | n/a         |
| 401 echoing the token                  | failed (4)    | recovered (1)  | failed (4)    | n/a        | n/a          | n/a        | n/a         |
| invalid ids in a listing               | skipped (5)   | n/a            | n/a           | n/a        | n/a          | n/a        | n/a         |
| rate limit with a nan wait             | recovered (6) | stopped (6)    | stopped (6)   | n/a (7)    | n/a (7)      | n/a (7)    | n/a (7)     |
| 302 to another host                    | n/a           | recovered (1)  | failed        | n/a        | n/a          | n/a        | n/a         |
| `success: false` under HTTP 200        | n/a           | n/a            | n/a           | n/a        | n/a          | failed (8) | n/a         |

(1) a GraphQL failure sends the organisation to the REST path, which collects the same figures.
(2) the Hub has no leaderboard for that dataset: reported, not a failure (results never zero).
(3) the listing is one failure (`malformed`), after two requests; the rest of the run goes on.
(4) `unauthorized`, and no token reaches the stored failure (a check of every cell).
(5) the listing's two invalid ids (a space, a 97-character name) are `malformed` failures of the
organisation; every figure of the run is collected.
(6) an unusable wait falls back to the default wait (60 s): over this matrix's budget of 5 s, the
source stops cleanly; the Hub's client falls back to its short exponential back-off and recovers.
(7) their fake servers send no raw header; they read limits through the same `HttpClient` and
politeness module as GitHub REST (unit tests of nan/inf/date values: test_collector_defects.py).
(8) the owner's model listing is one failure (`not_found`; `other` for the refusal under a 200,
its code in the detail) and none of its models' figures is written; the datasets listing goes on.
For OpenDigger, benchmarks, the mainland hubs and Hugging Face the "limit exhausted" row is a 429 whose wait (an
hour) exceeds the run's budget; for GitHub it is the primary limit (remaining 0, reset in 1 h).
Cells: 66 tests; n/a: 46.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pytest
from sqlalchemy import delete

from collectors.base import ResponseCache
from collectors.github import GitHubCollector
from ossimpact.domain import (
    STARGAZERS_LOW_ACTIVITY,
    STARGAZERS_SAMPLED,
    ArtifactId,
    mask_token_shapes,
)
from ossimpact.pipeline import Collector, SourceOutcome, collect_source, make_collector
from ossimpact.registry import Registry, load_registry
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.mainland import attach_owners, owners_from_registry
from ossimpact.sandbox.model import World
from ossimpact.sandbox.runner import Sandbox, start_sandbox
from ossimpact.sandbox.world import generate_world
from ossimpact.settings import Settings
from ossimpact.store import Store, open_store
from ossimpact.store.schema import http_cache

pytestmark = pytest.mark.slow

HF_HANDLE = "internlm"
GH_HANDLE = "InternLM"
MS_HANDLE = "Shanghai_AI_Laboratory"  # InternLM's models on ModelScope
ODL_HANDLE = "OpenDataLab"
ODL_DATASETS = ("OmniDocBench", "WanJuan1_0")  # named in the registry: OpenDataLab lists none
TIMEOUT = 1.0  # the clients' timeout; a timeout fault sleeps longer than this
BUDGET = 5.0  # seconds of rate-limit waits a run may spend
HOUR = 3600

Expect = Literal["recovered", "failed", "absent", "stopped", "renamed", "skipped"]
Factory = Callable[[str, Settings, ResponseCache], Collector]


def _rest_only(source: str, settings: Settings, cache: ResponseCache) -> Collector:
    """The pipeline's GitHub collector with the REST path forced (the same settings otherwise)."""
    token = settings.github_token.get_secret_value() if settings.github_token else None
    return GitHubCollector(
        settings.github_api_url,
        token,
        graphql_url=settings.github_graphql_url,
        cache=cache,
        concurrency=settings.concurrency,
        max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
        timeout=settings.http_timeout_seconds,
        use_graphql=False,
        # The stargazer sample is the GraphQL column's (make_collector's); a small one here keeps
        # the REST column quick.
        stargazer_repos_per_run=2,
    )


@dataclass(frozen=True)
class Column:
    """A source of the matrix: the pipeline source, its server, its collector and its target."""

    name: str
    source: str
    server: str
    factory: Factory


COLUMNS = {
    "huggingface": Column("huggingface", "huggingface", "huggingface", make_collector),
    "github_graphql": Column("github_graphql", "github", "github", make_collector),
    "github_rest": Column("github_rest", "github", "github", _rest_only),
    "opendigger": Column("opendigger", "opendigger", "opendigger", make_collector),
    "benchmarks": Column("benchmarks", "benchmarks", "huggingface", make_collector),
    "modelscope": Column("modelscope", "modelscope", "modelscope", make_collector),
    "opendatalab": Column("opendatalab", "opendatalab", "opendatalab", make_collector),
}


@dataclass(frozen=True)
class Target:
    """The one request a fault hits, and what it stands for."""

    pattern: str
    subject: str  # the artifact (or dataset) a failure must name
    artifact: ArtifactId | None  # whose figures the request carries
    metrics: frozenset[str]  # the figures that request carries (empty: benchmark results)
    dataset: str | None = None  # benchmarks: the leaderboard's dataset
    prefix: str | None = None  # a listing: the figures of every artifact whose id starts so


@dataclass(frozen=True)
class World_:
    world: World
    registry: Registry
    renamed_model: tuple[str, str]  # old id, new id
    renamed_repo: tuple[str, str]
    targets: dict[str, Target]


STARGAZER_SAMPLE = frozenset({STARGAZERS_SAMPLED, STARGAZERS_LOW_ACTIVITY})
DERIVATIVE_METRICS = frozenset(
    {
        "derivatives_finetune",
        "derivatives_adapter",
        "derivatives_quantized",
        "derivatives_merge",
        "derivatives_third_party",
    }
)


def _registry_text(old_model: str, old_repo: str) -> str:
    return f"""\
organizations:
  - id: lab
    name: A Shanghai lab
    city: Shanghai
    evidence: ["https://example.org/lab"]
    huggingface: [{HF_HANDLE}]
    github: [{GH_HANDLE}]
    modelscope: [{MS_HANDLE}]
    opendatalab: [{ODL_HANDLE}]
products:
  - id: renamed-model
    name: A model named by its old id
    category: model
    organization: lab
    include: ["hf:model:{old_model}"]
  - id: renamed-repo
    name: A repository named by its old name
    category: community
    organization: lab
    include: ["gh:{old_repo}"]
  - id: opendatalab-corpora
    name: Corpora named on OpenDataLab
    category: corpus
    organization: lab
    include: [{", ".join(f'"odl:dataset:{ODL_HANDLE}/{name}"' for name in ODL_DATASETS)}]
"""


def _targets(world: World) -> dict[str, Target]:
    base = sorted(
        m.id
        for m in world.models.values()
        if m.author == HF_HANDLE
        and m.renamed_to is None
        and any(c.base_model == m.id for c in world.models.values() if c is not m)
    )[0]
    plain = sorted(
        r.full_name
        for r in world.repos.values()
        if r.owner == GH_HANDLE
        and r.renamed_to is None
        and not r.empty
        and not r.unavailable_legal
        and (r.full_name, "openrank") in world.opendigger
    )[0]
    owner, name = plain.split("/")
    repo = ArtifactId.gh_repo(plain)
    return {
        "huggingface": Target(
            rf"filter=base_model%3A{base.replace('/', '%2F')}&",
            f"hf:model:{base}",
            ArtifactId.hf_model(base),
            DERIVATIVE_METRICS,
        ),
        "github_graphql": Target(r"^/graphql", f"gh:org:{GH_HANDLE}", None, frozenset()),
        "github_rest": Target(rf"^/repos/{owner}/{name}$", str(repo), repo, frozenset()),
        "opendigger": Target(
            rf"^/github/{owner}/{name}/openrank\.json", str(repo), repo, frozenset({"openrank"})
        ),
        "benchmarks": Target(
            r"^/api/datasets/lukaemon/bbh/leaderboard",
            "hf:dataset:lukaemon/bbh",
            None,
            frozenset(),
            dataset="lukaemon/bbh",
        ),
        "modelscope": Target(
            rf"^/openapi/v1/models\?owner={MS_HANDLE}&",
            f"ms:org:{MS_HANDLE}",
            None,
            frozenset(),
            prefix=f"ms:model:{MS_HANDLE}/",
        ),
        "opendatalab": Target(
            rf"/datasets/{ODL_HANDLE}(%2C|,){ODL_DATASETS[0]}$",
            f"odl:dataset:{ODL_HANDLE}/{ODL_DATASETS[0]}",
            ArtifactId.odl_dataset(f"{ODL_HANDLE}/{ODL_DATASETS[0]}"),
            frozenset(),
        ),
    }


# -- fixtures: one world, one sandbox and one baseline store for the module ---------------------------


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> World_:
    world = generate_world(7, 40, hf_handles=[HF_HANDLE], gh_handles=[GH_HANDLE])
    old_model = next(m for m in world.models.values() if m.renamed_to)
    old_repo = next(r for r in world.repos.values() if r.renamed_to)
    assert old_model.renamed_to is not None
    assert old_repo.renamed_to is not None
    path = tmp_path_factory.mktemp("fault-matrix") / "registry.yaml"
    path.write_text(_registry_text(old_model.id, old_repo.full_name), encoding="utf-8")
    registry = load_registry(path)
    # the mainland hubs publish part of the world under the registry's handles
    attach_owners(world, owners_from_registry(registry))
    return World_(
        world,
        registry,
        (old_model.id, old_model.renamed_to),
        (old_repo.full_name, old_repo.renamed_to),
        _targets(world),
    )


@pytest.fixture(scope="module")
def plans() -> dict[str, FaultPlan]:
    servers = ("huggingface", "github", "opendigger", "opencompass", "modelscope", "opendatalab")
    return {name: FaultPlan() for name in servers}


@pytest.fixture(scope="module")
def sandbox(matrix: World_, plans: dict[str, FaultPlan]) -> Iterator[Sandbox]:
    with start_sandbox(matrix.world, plans=plans) as running:
        yield running


def _settings(sandbox: Sandbox, database: Path, registry: Registry) -> Settings:
    return Settings(
        data_dir=database.parent,
        database_url_override=f"sqlite:///{database}",
        registry_path=registry.source,
        http_timeout_seconds=TIMEOUT,
        max_rate_limit_wait_seconds=BUDGET,
        **sandbox.settings_overrides(),
    )


@dataclass(frozen=True)
class Baseline:
    database: Path
    run_ids: dict[str, int]  # column name -> its clean run
    benchmark_results: int  # what the clean benchmarks run returned
    target_results: int  # of which from the targeted leaderboard


@pytest.fixture(scope="module")
def baseline(
    matrix: World_, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Baseline:
    """Run 1 of every column, clean, in one SQLite file that each cell copies."""
    database = tmp_path_factory.mktemp("fault-matrix-baseline") / "baseline.db"
    settings = _settings(sandbox, database, matrix.registry)
    store = open_store(settings.database_url)
    registry = matrix.registry
    store.sync_registry(
        registry.organizations.values(), registry.products.values(), str(registry.source)
    )
    run_ids: dict[str, int] = {}
    results = 0
    for column in COLUMNS.values():
        outcome = collect_source(
            column.source, settings, store, registry, collector_factory=column.factory
        )
        assert outcome.status in ("succeeded", "partial"), outcome
        assert outcome.run_id is not None
        run_ids[column.name] = outcome.run_id
        results = outcome.benchmark_results if column.source == "benchmarks" else results
    dataset = matrix.targets["benchmarks"].dataset
    targeted = sum(
        1
        for r in store.benchmark_results()
        if f"/api/datasets/{dataset}/leaderboard" in r.source_url
    )
    assert targeted > 0, "the targeted leaderboard has no result of a tracked model"
    store.close()
    return Baseline(database, run_ids, results, targeted)


# -- reading a store ------------------------------------------------------------------------------

Figures = dict[tuple[str, str], float]


def _figures(history: pd.DataFrame, run_id: int) -> Figures:
    rows = history[history["run_id"] == run_id]
    return {
        (str(a), str(m)): float(v)
        for a, m, v in zip(rows["artifact"], rows["metric"], rows["value"], strict=True)
    }


def _earlier(history: pd.DataFrame, run_ids: set[int]) -> pd.DataFrame:
    rows = history[~history["run_id"].isin(run_ids)]
    return rows.sort_values(["run_id", "artifact", "metric", "observed_at"]).reset_index(drop=True)


def _failures(store: Store, run_id: int | None) -> set[tuple[str, str]]:
    assert run_id is not None
    return {(f.subject, f.reason) for f in store.failures(run_id)}


def _results(store: Store) -> set[tuple[str, str, str, float, str]]:
    return {
        (str(r.artifact), r.benchmark, r.source, r.value, r.source_url)
        for r in store.benchmark_results()
    }


def _run(
    column: Column, sandbox: Sandbox, store: Store, database: Path, registry: Registry
) -> SourceOutcome:
    settings = _settings(sandbox, database, registry)
    return collect_source(
        column.source, settings, store, registry, collector_factory=column.factory
    )


# -- the cells ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    fault: str
    column: str
    expect: Expect
    reason: str | None = None  # for "failed"

    @property
    def retried(self) -> bool:
        """Recovered by asking the faulted request again (not by another path)."""
        return self.expect == "recovered" and self.fault not in (
            "404",
            "graphql_errors",
            "echo_token",
            "foreign_redirect",
        )

    @property
    def id(self) -> str:
        return f"{self.column}-{self.fault}"


def _faults(cell: Cell, pattern: str) -> list[Fault]:
    github = cell.column.startswith("github")
    if cell.fault == "429_retry_after":
        return [Fault("rate_limit", pattern, retry_after=0, github_style="secondary_429")]
    if cell.fault == "403_secondary":
        return [Fault("rate_limit", pattern, retry_after=0, github_style="secondary")]
    if cell.fault == "limit_exhausted":
        if github:
            return [Fault("rate_limit", pattern, times=None, github_style="primary", reset_in=HOUR)]
        return [Fault("rate_limit", pattern, times=None, retry_after=HOUR)]
    if cell.fault == "5xx_burst":
        return [Fault("server_error", pattern, times=2, status=503)]
    if cell.fault == "timeout":
        return [Fault("timeout", pattern, seconds=TIMEOUT + 0.5)]
    if cell.fault == "truncated":
        return [Fault("truncated", pattern)]
    if cell.fault == "reset":
        return [Fault("reset", pattern)]
    if cell.fault == "404":
        return [Fault("not_found", pattern, times=None)]
    if cell.fault == "graphql_errors":
        return [Fault("graphql_errors", pattern)]
    if cell.fault == "rename":
        return []  # the world's troublemakers: renamed from the start
    if cell.fault == "self_link":
        return [Fault("self_link", pattern, times=None)]
    if cell.fault == "echo_token":
        return [Fault("echo_token", pattern, times=None)]
    if cell.fault == "malformed_ids":
        return [Fault("malformed_ids", rf"^/api/models\?author={HF_HANDLE}&", times=None)]
    if cell.fault == "nan_headers":
        style = "primary" if cell.column == "github_rest" else "secondary_429"
        return [Fault("rate_limit", pattern, raw_header="nan", github_style=style)]
    if cell.fault == "foreign_redirect":
        return [Fault("foreign_redirect", pattern)]
    if cell.fault == "api_error":
        return [Fault("api_error", pattern, times=None)]
    raise AssertionError(f"unknown fault {cell.fault}")


MAINLAND = ("modelscope", "opendatalab")
ALL = ("huggingface", "github_graphql", "github_rest", "opendigger", "benchmarks", *MAINLAND)
GITHUB = ("github_graphql", "github_rest")
CELLS: list[Cell] = [
    *(Cell("429_retry_after", c, "recovered") for c in ALL),
    *(Cell("403_secondary", c, "recovered") for c in GITHUB),
    *(Cell("limit_exhausted", c, "stopped") for c in ALL),
    *(Cell("5xx_burst", c, "recovered") for c in ALL),
    *(Cell("timeout", c, "recovered") for c in ALL),
    *(Cell("truncated", c, "recovered") for c in ALL),
    *(Cell("reset", c, "recovered") for c in ALL),
    Cell("404", "huggingface", "failed", "not_found"),
    Cell("404", "github_graphql", "recovered"),
    Cell("404", "github_rest", "failed", "not_found"),
    Cell("404", "opendigger", "absent"),
    Cell("404", "benchmarks", "absent"),
    *(Cell("rename", c, "renamed") for c in ("huggingface", *GITHUB)),
    Cell("graphql_errors", "github_graphql", "recovered"),
    Cell("self_link", "huggingface", "failed", "malformed"),
    Cell("echo_token", "huggingface", "failed", "unauthorized"),
    Cell("echo_token", "github_graphql", "recovered"),
    Cell("echo_token", "github_rest", "failed", "unauthorized"),
    Cell("malformed_ids", "huggingface", "skipped", "malformed"),
    Cell("nan_headers", "huggingface", "recovered"),
    *(Cell("nan_headers", c, "stopped") for c in GITHUB),
    Cell("foreign_redirect", "github_graphql", "recovered"),
    Cell("foreign_redirect", "github_rest", "failed", "other"),
    *(Cell("404", c, "failed", "not_found") for c in MAINLAND),
    Cell("api_error", "modelscope", "failed", "other"),
]
NOT_APPLICABLE = len(COLUMNS) * 16 - len(CELLS)


def _affected(target: Target, figures: Figures) -> set[tuple[str, str]]:
    """The baseline figures the targeted request carries."""
    if target.prefix is not None:
        return {key for key in figures if key[0].startswith(target.prefix)}
    if target.artifact is None:
        return set()
    artifact = str(target.artifact)
    return {
        key
        for key in figures
        if key[0] == artifact and (not target.metrics or key[1] in target.metrics)
    }


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_fault_cell(
    cell: Cell,
    matrix: World_,
    sandbox: Sandbox,
    plans: dict[str, FaultPlan],
    baseline: Baseline,
    tmp_path: Path,
) -> None:
    column = COLUMNS[cell.column]
    target = matrix.targets[cell.column]
    database = tmp_path / "ossimpact.db"
    shutil.copyfile(baseline.database, database)
    store = open_store(f"sqlite:///{database}")
    base_run = baseline.run_ids[cell.column]
    history = store.observation_history()
    base_figures = _figures(history, base_run)
    base_failures = _failures(store, base_run)
    results = _results(store)
    plan = plans[column.server]

    # run 2: the fault aimed at one request
    server = sandbox.servers[column.server]
    if cell.fault == "truncated":
        # A 304 has no body to cut: forget the cached answers so every request carries one.
        with store.engine.begin() as connection:
            connection.execute(delete(http_cache))
    plan.clear()
    for fault in _faults(cell, target.pattern):
        plan.add(fault)
    server.reset_requests()
    try:
        outcome = _run(column, sandbox, store, database, matrix.registry)
    finally:
        hits = sum(fault.hits for fault in plan.faults)
        plan.clear()
    if cell.fault != "rename":
        assert hits > 0, f"the fault never hit {target.pattern}"
    # whatever a server echoed, no token (nor anything shaped like one) is stored
    for failure in store.failures(outcome.run_id) if outcome.run_id is not None else []:
        assert "sandbox-" not in failure.detail, failure.detail
        assert mask_token_shapes(failure.detail) == failure.detail, failure.detail
    if cell.retried:
        asked = sum(1 for _, path in server.request_log if re.search(target.pattern, path))
        assert asked > hits, f"{target.pattern} was not asked again after the fault ({asked})"
    assert outcome.run_id is not None
    assert outcome.status in ("succeeded", "partial") or _stopped_empty(cell, outcome), (
        outcome.message
    )
    after = store.observation_history()
    pd.testing.assert_frame_equal(_earlier(after, {outcome.run_id}), _earlier(history, set()))
    assert _results(store) == results, "earlier benchmark results changed"
    figures = _figures(after, outcome.run_id)
    failures = _failures(store, outcome.run_id)
    # Nothing made up: every figure written is the world's (the baseline's), never a placeholder.
    # The stargazer sample covers the most-starred repositories collected, so a repository
    # missing from run 2 lets the next one in: its sample is received, not in the baseline.
    made_up = {
        key: value
        for key, value in figures.items()
        if base_figures.get(key) != value
        and not (key not in base_figures and key[1] in STARGAZER_SAMPLE)
    }
    assert not made_up, f"figures not received from the platform: {made_up}"
    missing = set(base_figures) - set(figures)
    affected = _affected(target, base_figures)
    new_failures = failures - base_failures
    _check_run_2(cell, matrix, target, outcome, baseline, missing, affected, new_failures)
    if cell.expect != "stopped":
        assert base_failures <= failures, base_failures - failures
    if cell.expect == "renamed":
        _check_rename(cell, matrix, store, outcome.run_id, figures)

    # run 3: the fault is gone, everything is back
    again = _run(column, sandbox, store, database, matrix.registry)
    assert again.run_id is not None
    final = store.observation_history()
    pd.testing.assert_frame_equal(
        _earlier(final, {again.run_id}), _earlier(after, set()), check_like=True
    )
    assert _figures(final, again.run_id) == base_figures
    assert _failures(store, again.run_id) == base_failures
    assert again.stats.stopped_reason is None
    if column.source == "benchmarks":
        assert again.benchmark_results == baseline.benchmark_results
    store.close()


def _check_run_2(
    cell: Cell,
    matrix: World_,
    target: Target,
    outcome: SourceOutcome,
    baseline: Baseline,
    missing: set[tuple[str, str]],
    affected: set[tuple[str, str]],
    new_failures: set[tuple[str, str]],
) -> None:
    benchmarks = cell.column == "benchmarks"
    if cell.expect in ("recovered", "renamed"):
        assert not new_failures, new_failures
        assert not missing, f"figures lost to a fault that was retried: {sorted(missing)[:10]}"
        assert outcome.stats.stopped_reason is None
        if benchmarks:
            assert outcome.benchmark_results == baseline.benchmark_results
    if cell.expect == "failed":
        assert new_failures == {(target.subject, cell.reason)}
        assert affected
        assert missing == affected
    if cell.expect == "skipped":
        assert new_failures == {(f"hf:org:{HF_HANDLE}", cell.reason)}, new_failures
        assert not missing, f"figures lost with the invalid items: {sorted(missing)[:10]}"
    if cell.expect == "absent":
        assert not new_failures, new_failures
        assert missing == affected
        if benchmarks:
            expected = baseline.benchmark_results - baseline.target_results
            assert outcome.benchmark_results == expected
    if cell.expect == "stopped":
        assert outcome.status == "partial" or _stopped_empty(cell, outcome), outcome.status
        allowed = {(target.subject, "rate_limited"), ("benchmarks:hf_leaderboard", "rate_limited")}
        assert new_failures <= allowed, new_failures
        assert outcome.stats.stopped_reason or new_failures, "a stop without its reason"
        assert not (affected - missing), "a figure of the rate-limited request was written"
        if benchmarks:
            assert outcome.benchmark_results < baseline.benchmark_results


def _stopped_empty(cell: Cell, outcome: SourceOutcome) -> bool:
    """A source stopped by its rate-limit budget before its first artifact collected nothing:
    failed, as every source with nothing collected is (whether the stop comes first is a matter
    of which request its threads send first)."""
    return cell.expect == "stopped" and outcome.status == "failed" and outcome.artifacts == 0


def _check_rename(cell: Cell, matrix: World_, store: Store, run_id: int, figures: Figures) -> None:
    hf = cell.column == "huggingface"
    old, new = matrix.renamed_model if hf else matrix.renamed_repo
    old_id = f"hf:model:{old}" if hf else f"gh:{old}"
    new_id = f"hf:model:{new}" if hf else f"gh:{new}"
    renamed = [f for f in store.failures(run_id) if f.subject == old_id]
    assert [f.reason for f in renamed] == ["renamed"]
    assert new_id in renamed[0].detail
    assert any(artifact == new_id for artifact, _ in figures), "the new id has no figures"
    assert not any(artifact == old_id for artifact, _ in figures)
