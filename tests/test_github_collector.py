"""The GitHub collector end to end: PyGithub and httpx against the fake GitHub on 127.0.0.1."""

from __future__ import annotations

import logging
import statistics
from datetime import timedelta

import pytest

from collectors.base import MemoryResponseCache
from collectors.github import GitHubCollectionResult, GitHubCollector
from collectors.github.activity import window_start
from ossimpact.domain import ArtifactId, Metric
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.model import GhRepo, World
from tests.fixtures.gh_sandbox import ServeGitHub, build_github_world, gh_now

TOKEN = "ghp_DISTINCTIVEsecret0000111122223333"
HANDLES = ["shlab0", "shlab1"]


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Notes:
    """A Progress that keeps its notes."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def begin(self, label: str, total: int | None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None

    def note(self, message: str) -> None:
        self.notes.append(message)


def collector(url: str, world: World, **kw: object) -> GitHubCollector:
    options: dict[str, object] = {
        "token": TOKEN,
        "now": lambda: gh_now(world),
        "sleep": Sleeps(),
        "graphql_page_size": 3,
        "concurrency": 4,
    }
    options.update(kw)
    return GitHubCollector(url, **options)  # type: ignore[arg-type]


def values(result: GitHubCollectionResult) -> set[tuple[str, str, float]]:
    return {(str(o.artifact), o.metric, o.value) for o in result.observations}


def by_metric(result: GitHubCollectionResult, repo: str) -> dict[str, float]:
    artifact = ArtifactId.gh_repo(repo)
    return {o.metric: o.value for o in result.observations if o.artifact == artifact}


def is_bot(world: World, login: str | None) -> bool:
    user = world.users.get(login or "")
    return bool(login and (login.endswith("[bot]") or (user is not None and user.is_bot)))


def expected(world: World, repo: GhRepo, members: set[str]) -> dict[str, float]:
    """The figures of a repository computed straight from the world, independently."""
    since = window_start(gh_now(world))
    issues = [i for i in repo.issues if not i.is_pull_request]
    prs = [i for i in repo.issues if i.is_pull_request]
    humans = [login for login, _ in repo.contributors if not is_bot(world, login)]
    hours = [
        (i.first_response_at - i.created_at).total_seconds() / 3600
        for i in repo.issues
        if i.created_at >= since
        and i.first_response_at is not None
        and not is_bot(world, i.author)
        and not is_bot(world, i.first_responder)
    ]
    figures = {
        Metric.STARS: repo.stars,
        Metric.FORKS: repo.forks,
        Metric.WATCHERS: repo.watchers,
        Metric.OPEN_ISSUES: sum(1 for i in issues if i.closed_at is None),
        Metric.OPEN_PRS: sum(1 for i in prs if i.closed_at is None),
        Metric.RELEASES: len(repo.releases),
        Metric.RELEASE_DOWNLOADS: sum(r.asset_downloads for r in repo.releases),
        Metric.CONTRIBUTORS: len(humans),
        Metric.OUTSIDE_CONTRIBUTORS: sum(1 for login in humans if login not in members),
        Metric.COMMITS_90D: repo.commits_90d,
        Metric.ISSUES_OPENED_90D: sum(1 for i in issues if i.created_at >= since),
        Metric.ISSUES_CLOSED_90D: sum(1 for i in issues if i.closed_at and i.closed_at >= since),
        Metric.PRS_OPENED_90D: sum(1 for i in prs if i.created_at >= since),
        Metric.PRS_CLOSED_90D: sum(1 for i in prs if i.closed_at and i.closed_at >= since),
    }
    if hours:
        figures[Metric.MEDIAN_FIRST_RESPONSE_HOURS] = round(statistics.median(hours), 2)
    return {str(k): float(v) for k, v in figures.items()}


@pytest.fixture(scope="module")
def world() -> World:
    return build_github_world()


def test_graphql_path_reads_every_repository_over_several_pages(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    result = collector(server.url, world).collect(HANDLES)
    # shlab0: 7 + 3 specials + renamed = 11 repos → 4 pages of 3; shlab1: 7 → 3 pages
    assert result.stats.graphql_points == 7
    graphql_posts = [p for method, p in server.request_log if method == "POST"]
    assert len(graphql_posts) == 7
    for org in HANDLES:
        members = set(world.orgs[org].members)
        for n in range(7):
            repo = world.repos[f"{org}/project-{n:03d}"]
            figures = by_metric(result, repo.full_name)
            sampled = {k: v for k, v in figures.items() if k.startswith("stargazers_")}
            assert figures == expected(world, repo, members) | sampled, repo.full_name
    record = next(r for r in result.artifacts if r.id == ArtifactId.gh_repo("shlab0/project-005"))
    assert record.license == "Apache-2.0"
    assert record.topics == ("llm", "topic-5")
    assert record.extra["latest_release"] == "v0.0"
    org_figures = {(o.organization, o.metric): o.value for o in result.organization_observations}
    assert org_figures[("shlab0", "org_public_repos")] == 11
    assert org_figures[("shlab1", "org_public_members")] == 3


def test_rest_only_path_gives_identical_observations(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    explicit = [ArtifactId.gh_repo("shlab0/old-name"), ArtifactId.gh_repo("shlab1/missing")]
    bulk = collector(server.url, world).collect(HANDLES, explicit)
    rest = collector(server.url, world, use_graphql=False).collect(HANDLES, explicit)
    anonymous = collector(server.url, world, token=None).collect(HANDLES, explicit)
    assert bulk.stats.graphql_points > 0
    assert rest.stats.graphql_points == 0
    assert anonymous.stats.graphql_points == 0
    assert values(bulk) == values(rest) == values(anonymous)
    assert len(values(bulk)) > 200
    failures = {(f.subject, f.reason) for f in bulk.failures}
    assert failures == {(f.subject, f.reason) for f in rest.failures}
    assert {r.id: r for r in bulk.artifacts} == {r.id: r for r in rest.artifacts}


def test_second_run_is_answered_by_304s_and_reobserved(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    for use_graphql in (True, False):
        cache = MemoryResponseCache()
        source = collector(server.url, world, cache=cache, use_graphql=use_graphql)
        first = source.collect(HANDLES)
        server.reset_requests()
        second = source.collect(HANDLES)
        assert values(first) == values(second)
        rest_requests = sum(1 for method, _ in server.request_log if method == "GET")
        assert second.stats.not_modified / rest_requests >= 0.8
        # An empty repository answers 204/409, which carry no ETag: those are asked afresh.
        from_rest = [
            o
            for o in second.observations
            if not o.source_url.endswith("/graphql") and o.artifact.name != "empty-repo"
        ]
        assert from_rest
        assert all(o.kind == "reobserved" for o in from_rest)
        from_graphql = [o for o in second.observations if o.source_url.endswith("/graphql")]
        assert all(o.kind == "new" for o in from_graphql)  # a POST has no 304
        assert all(o.kind == "new" for o in first.observations)


def test_errors_per_repository_are_marked_and_collection_goes_on(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    explicit = [ArtifactId.gh_repo("shlab0/old-name"), ArtifactId.gh_repo("shlab1/missing")]
    result = collector(server.url, world).collect([*HANDLES, "no-such-org"], explicit)
    reasons = {f.subject: f.reason for f in result.failures}
    assert reasons["gh:shlab0/blocked-repo"] == "unavailable_legal"
    assert reasons["gh:shlab0/empty-repo"] == "empty_repository"
    assert reasons["gh:shlab1/missing"] == "not_found"
    assert reasons["gh:org:no-such-org"] == "not_found"
    assert reasons["gh:shlab0/old-name"] == "renamed"
    ids = {r.id for r in result.artifacts}
    assert ArtifactId.gh_repo("shlab0/blocked-repo") not in ids
    assert by_metric(result, "shlab0/empty-repo")[Metric.COMMITS_90D] == 0
    renamed = next(r for r in result.artifacts if r.id == ArtifactId.gh_repo("shlab0/new-name"))
    assert len([r for r in result.artifacts if r.id == renamed.id]) == 1
    assert len(ids) == 11 + 7 - 1  # every readable repository, the blocked one left out


def test_renamed_repository_named_alone_is_followed_and_keeps_its_history(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    result = collector(server.url, world).collect([], [ArtifactId.gh_repo("shlab0/old-name")])
    (record,) = result.artifacts
    assert record.id == ArtifactId.gh_repo("shlab0/new-name")
    assert record.renamed_from == ArtifactId.gh_repo("shlab0/old-name")
    assert by_metric(result, "shlab0/new-name")[Metric.STARS] == 33


@pytest.mark.parametrize("use_graphql", [True, False])
def test_malformed_payload_marks_the_repository_and_keeps_the_rest(
    serve_github: ServeGitHub, world: World, use_graphql: bool
) -> None:
    server = serve_github(world, tamper={"shlab1/project-002": {"stargazers_count": "many"}})
    result = collector(server.url, world, use_graphql=use_graphql).collect(HANDLES)
    (failure,) = [f for f in result.failures if f.reason == "malformed"]
    assert failure.subject == "gh:shlab1/project-002"
    assert "many" in failure.detail
    assert ArtifactId.gh_repo("shlab1/project-002") not in {r.id for r in result.artifacts}
    assert (
        by_metric(result, "shlab1/project-003")[Metric.STARS]
        == world.repos["shlab1/project-003"].stars
    )


@pytest.mark.parametrize(
    ("style", "status"), [("primary", 403), ("secondary", 403), ("secondary_429", 429)]
)
def test_rate_limits_are_waited_out_and_nothing_is_lost(
    serve_github: ServeGitHub, world: World, style: str, status: int
) -> None:
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    baseline = collector(server.url, world).collect(HANDLES)
    plan.add(
        Fault(
            "rate_limit",
            path_pattern=r"/contributors|/orgs/shlab1$|graphql",
            times=3,
            github_style=style,  # type: ignore[arg-type]
            retry_after=7,
            reset_in=30,
        )
    )
    sleeps = Sleeps()
    notes = Notes()
    result = collector(server.url, world, sleep=sleeps, concurrency=1).collect(
        HANDLES, progress=notes
    )
    assert values(result) == values(baseline)
    assert result.stats.rate_limit_waits == 3
    assert sum("rate limit: waiting" in note for note in notes.notes) == 3
    assert result.stats.stopped_reason is None
    if style == "primary":
        assert all(29 <= s <= 32 for s in sleeps)
    else:
        assert sleeps == [7, 7, 7]
    assert result.stats.rate_limit_wait_seconds == pytest.approx(sum(sleeps))


def test_budget_exceeded_stops_cleanly_and_keeps_what_was_collected(
    serve_github: ServeGitHub, world: World
) -> None:
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(
        Fault(
            "rate_limit",
            path_pattern=r"/repos/shlab1/|/repositories/",
            times=None,
            github_style="primary",
            reset_in=600,
        )
    )
    sleeps = Sleeps()
    result = collector(server.url, world, sleep=sleeps, max_rate_limit_wait=900).collect(
        HANDLES, [ArtifactId.gh_repo("shlab1/project-001")]
    )
    assert result.stats.stopped_reason is not None
    assert "budget" in result.stats.stopped_reason
    assert result.stats.rate_limit_waits == 1
    kept = {r.id.owner for r in result.artifacts}
    assert kept == {"shlab0"}
    assert len(result.artifacts) == 10  # shlab0 except the blocked repository
    assert TOKEN not in result.stats.stopped_reason


def test_graphql_errors_fall_back_to_rest_with_the_same_figures(
    serve_github: ServeGitHub, world: World
) -> None:
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    baseline = collector(server.url, world, use_graphql=False).collect(HANDLES)
    plan.add(Fault("graphql_errors", path_pattern="graphql", times=None, status=500))
    result = collector(server.url, world).collect(HANDLES)
    assert result.stats.graphql_points == 0
    assert values(result) == values(baseline)


def test_bots_are_left_out_of_first_response_and_contributors(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    result = collector(server.url, world).collect(["shlab0"])
    repo = world.repos["shlab0/project-005"]
    since = window_start(gh_now(world))
    bot_answered = [
        i for i in repo.issues if i.created_at >= since and is_bot(world, i.first_responder)
    ]
    assert bot_answered, "the world must have a bot answering first for this test to mean much"
    figures = by_metric(result, repo.full_name)
    human = expected(world, repo, set())[Metric.MEDIAN_FIRST_RESPONSE_HOURS]
    assert figures[Metric.MEDIAN_FIRST_RESPONSE_HOURS] == human
    with_bots = [
        (i.first_response_at - i.created_at).total_seconds() / 3600
        for i in repo.issues
        if i.created_at >= since and i.first_response_at is not None
    ]
    assert round(statistics.median(with_bots), 2) != human
    assert figures[Metric.CONTRIBUTORS] == len(repo.contributors) - 1  # dependabot left out


def test_outside_contributors_are_those_who_are_not_public_members(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    result = collector(server.url, world).collect(["shlab1"])
    for n, outsiders in ((0, 0), (1, 1), (3, 3)):
        figures = by_metric(result, f"shlab1/project-{n:03d}")
        assert figures[Metric.OUTSIDE_CONTRIBUTORS] == outsiders


def test_stargazer_evidence_is_sampled_or_recorded_as_unavailable(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world)
    result = collector(server.url, world, stargazer_repos_per_run=3).collect(["shlab0"])
    evidence = {str(e.artifact): e for e in result.stargazer_evidence}
    assert len(evidence) == 3
    hidden = evidence["gh:shlab0/private-stars"]  # the most starred, but restricted
    assert not hidden.available
    assert "restricted" in (hidden.reason or "")
    assert "stargazers_sampled" not in by_metric(result, "shlab0/private-stars")
    sampled = evidence["gh:shlab0/project-006"]
    assert sampled.available
    assert sampled.sampled == 12 + 18  # the world's 12 recent fans + 18 older placeholders
    assert sampled.low_activity == 4  # fans 0, 3, 6, 9 have empty profiles
    assert by_metric(result, "shlab0/project-006")["stargazers_low_activity"] == 4
    records = {str(record.id): record for record in result.artifacts}
    assert records["gh:shlab0/private-stars"].extra["stargazer_evidence"].startswith("unavailable")
    assert records["gh:shlab0/project-006"].extra["stargazer_evidence"] == "sampled 30"


def test_token_never_appears_in_failures_notes_or_logs(
    serve_github: ServeGitHub, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("graphql_errors", path_pattern="graphql", times=1, status=500))
    plan.add(Fault("server_error", path_pattern="project-003/releases", times=None, status=500))
    result = collector(server.url, world).collect(
        [*HANDLES, "no-such-org"], [ArtifactId.gh_repo(f"shlab0/{TOKEN[:20]}")]
    )
    texts = [f.detail for f in result.failures] + [caplog.text, str(result.stats)]
    assert len(result.failures) >= 5
    assert all(TOKEN not in text for text in texts)


def test_enterprise_base_url_with_graphql_under_api(
    serve_github: ServeGitHub, world: World
) -> None:
    server = serve_github(world, prefix="/api/v3")
    on_prem = collector(f"{server.url}/api/v3", world).collect(HANDLES)
    assert on_prem.stats.graphql_points == 7
    assert any(p.startswith("/api/graphql") for _, p in server.request_log)
    plain = serve_github(world)
    assert values(on_prem) == values(collector(plain.url, world).collect(HANDLES))


def test_bigger_world_requests_per_repository(serve_github: ServeGitHub) -> None:
    world = build_github_world(orgs=4, repos_per_org=60, seed=11)
    server = serve_github(world)
    cache = MemoryResponseCache()
    source = collector(
        server.url, world, cache=cache, graphql_page_size=100, stargazer_repos_per_run=0
    )
    first = source.collect(list(world.orgs))
    repos = len(first.artifacts)
    assert repos >= 240
    assert first.stats.requests / repos < 1.5  # the performance issue's budget per artifact
    server.reset_requests()
    second = source.collect(list(world.orgs))
    gets = sum(1 for method, _ in server.request_log if method == "GET")
    assert second.stats.not_modified / gets >= 0.8


def test_graphql_rate_limited_answer_is_waited_out(serve_github: ServeGitHub, world: World) -> None:
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    baseline = collector(server.url, world).collect(HANDLES)
    # HTTP 200 with errors[{type: RATE_LIMITED}] and x-ratelimit-remaining: 0, as GitHub does
    plan.add(Fault("graphql_errors", path_pattern="graphql", times=1, status=429, reset_in=20))
    sleeps = Sleeps()
    result = collector(server.url, world, sleep=sleeps).collect(HANDLES)
    assert result.stats.graphql_points == 7
    assert result.stats.rate_limit_waits == 1
    assert 19 <= sleeps[0] <= 22
    assert values(result) == values(baseline)


def test_server_errors_on_pygithub_calls_are_retried(
    serve_github: ServeGitHub, world: World
) -> None:
    plan = FaultPlan()
    server = serve_github(world, plan=plan)
    plan.add(Fault("server_error", path_pattern=r"/orgs/shlab1$", times=2, status=502))
    sleeps = Sleeps()
    result = collector(server.url, world, sleep=sleeps).collect(["shlab1"])
    assert not result.failures
    assert len(result.artifacts) == 7
    assert sleeps[:2] == [0.5, 1.0]


def test_generated_world_both_paths_agree_and_troublemakers_are_marked(
    serve_github: ServeGitHub, small_world: World
) -> None:
    server = serve_github(small_world)
    handles = list(small_world.orgs)
    bulk = collector(server.url, small_world, graphql_page_size=100).collect(handles)
    rest = collector(server.url, small_world, use_graphql=False).collect(handles)
    assert values(bulk) == values(rest)
    reasons = {f.reason for f in bulk.failures}
    assert {"empty_repository", "unavailable_legal"} <= reasons
    restricted = [e for e in bulk.stargazer_evidence if not e.available]
    sampled = [e for e in bulk.stargazer_evidence if e.available]
    assert all(small_world.repos[e.artifact.repo_id].stargazers_restricted for e in restricted)
    assert all(not small_world.repos[e.artifact.repo_id].stargazers_restricted for e in sampled)


def test_busy_repository_falls_back_to_rest_listings_with_the_same_figures(
    serve_github: ServeGitHub,
) -> None:
    from dataclasses import replace

    busy_world = build_github_world(orgs=1, repos_per_org=2, specials=False)
    busy = busy_world.repos["shlab0/project-001"]
    start = gh_now(busy_world)
    template = busy.issues[0]
    busy.issues = [
        replace(
            template,
            number=100 + n,
            is_pull_request=n % 2 == 1,
            created_at=start - timedelta(days=1 + n),
            closed_at=None,
            first_response_at=start - timedelta(days=n, hours=12),
            first_responder="shlab0-dev1",
        )
        for n in range(50)  # 25 issues and 25 PRs in the window: more than a GraphQL page
    ]
    server = serve_github(busy_world)
    bulk = collector(server.url, busy_world).collect(["shlab0"])
    issue_listings = {
        p.split("?")[0] for _, p in server.request_log if p.split("?")[0].endswith("/issues")
    }
    assert issue_listings == {
        "/repos/shlab0/project-001/issues"
    }  # project-000 came whole from GraphQL
    rest = collector(server.url, busy_world, use_graphql=False).collect(["shlab0"])
    assert values(bulk) == values(rest)
    assert by_metric(bulk, busy.full_name)[Metric.ISSUES_OPENED_90D] == 25
