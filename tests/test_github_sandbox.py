"""The fake GitHub speaks GitHub's wire format: PyGithub and httpx run unchanged against it."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace

import httpx
import pytest
from github import Auth, Github, GithubException, RateLimitExceededException

from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.github import make_github_app
from ossimpact.sandbox.model import World
from tests.fixtures.gh_sandbox import ServeGitHub, build_github_world
from tests.shared_dir import API_SAMPLES

SAMPLE_REPO = API_SAMPLES / "github" / "bodies" / "repo_PyGithub_PyGithub.json"
# The keys of /repos/{o}/{r} that collectors/github/parse.py reads.
KEYS_WE_READ = [
    "id",
    "full_name",
    "description",
    "created_at",
    "pushed_at",
    "stargazers_count",
    "forks_count",
    "subscribers_count",
    "open_issues_count",
    "archived",
    "fork",
    "language",
    "license",
    "topics",
    "url",
]
LINK = re.compile(r'^<(?P<next>[^>]+)>; rel="next", <(?P<last>[^>]+)>; rel="last"$')


def pygithub(base_url: str, token: str | None = "t0ken") -> Github:
    return Github(
        base_url=base_url,
        auth=Auth.Token(token) if token else None,
        seconds_between_requests=None,
        retry=None,
    )


@pytest.mark.skipif(not SAMPLE_REPO.is_file(), reason="recorded samples not present")
def test_repository_item_has_the_recorded_keys_and_types(
    serve_github: ServeGitHub, gh_world: World
) -> None:
    recorded = json.loads(SAMPLE_REPO.read_text())
    server = serve_github(gh_world)
    fake = httpx.get(f"{server.url}/repos/shlab0/project-004").json()
    for key in KEYS_WE_READ:
        assert type(fake[key]) is type(recorded[key]), key
    assert set(fake["license"]) >= {"key", "name", "spdx_id", "url"}
    assert fake["url"].startswith(server.url)  # absolute URLs on the fake's own base


def test_pygithub_reads_repo_stargazers_and_contributors_over_link_pages(
    serve_github: ServeGitHub, gh_world: World
) -> None:
    server = serve_github(gh_world)
    gh = pygithub(server.url)
    repo = gh.get_repo("shlab0/project-006")
    assert repo.stargazers_count == gh_world.repos["shlab0/project-006"].stars
    assert repo.subscribers_count == gh_world.repos["shlab0/project-006"].watchers
    stars = list(repo.get_stargazers_with_dates())  # 30 a page: several Link-followed pages
    assert len(stars) == repo.stargazers_count
    assert stars[-1].user.login == gh_world.repos["shlab0/project-006"].stargazers[-1].user
    contributors = repo.get_contributors()
    assert contributors.totalCount == len(gh_world.repos["shlab0/project-006"].contributors)
    paths = [path for _, path in server.request_log]
    assert any(p.startswith("/repositories/") for p in paths)  # Link URLs use the id form


def test_link_header_is_exactly_next_then_last(serve_github: ServeGitHub, gh_world: World) -> None:
    server = serve_github(gh_world)
    answer = httpx.get(f"{server.url}/repos/shlab0/project-006/stargazers?per_page=100")
    match = LINK.match(answer.headers["link"])
    assert match is not None
    repo_id = gh_world.repos["shlab0/project-006"].id
    assert match["last"] == f"{server.url}/repositories/{repo_id}/stargazers?per_page=100&page=4"


def test_renamed_repository_answers_301_and_pygithub_follows(
    serve_github: ServeGitHub, gh_world: World
) -> None:
    server = serve_github(gh_world)
    moved = httpx.get(f"{server.url}/repos/shlab0/old-name/contributors")
    assert moved.status_code == 301
    assert re.search(r"/repositories/\d+/contributors$", moved.headers["location"])
    assert pygithub(server.url).get_repo("shlab0/old-name").full_name == "shlab0/new-name"


def test_empty_blocked_and_missing_repositories(serve_github: ServeGitHub, gh_world: World) -> None:
    server = serve_github(gh_world)
    empty = httpx.get(f"{server.url}/repos/shlab0/empty-repo/commits")
    assert empty.status_code == 409
    assert empty.json()["message"] == "Git Repository is empty."
    assert httpx.get(f"{server.url}/repos/shlab0/empty-repo/contributors").status_code == 204
    blocked = httpx.get(f"{server.url}/repos/shlab0/blocked-repo")
    assert blocked.status_code == 451
    assert blocked.json()["block"]["reason"] == "dmca"
    assert httpx.get(f"{server.url}/repos/shlab0/nothing-here").status_code == 404
    restricted = httpx.get(f"{server.url}/repos/shlab0/private-stars/stargazers")
    assert restricted.status_code == 403


def test_etag_304_does_not_spend_rate_limit(serve_github: ServeGitHub, gh_world: World) -> None:
    server = serve_github(gh_world)
    url = f"{server.url}/repos/shlab0/project-001"
    first = httpx.get(url)
    assert first.headers["x-ratelimit-resource"] == "core"
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["x-ratelimit-used"] == first.headers["x-ratelimit-used"]
    third = httpx.get(url)
    assert int(third.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1


def test_enterprise_prefix_serves_rest_and_graphql(
    serve_github: ServeGitHub, gh_world: World
) -> None:
    server = serve_github(gh_world, prefix="/api/v3")
    gh = pygithub(f"{server.url}/api/v3")
    org = gh.get_organization("shlab1")
    assert org.followers == gh_world.orgs["shlab1"].followers
    assert {u.login for u in org.get_public_members()} == set(gh_world.orgs["shlab1"].members)
    assert httpx.get(f"{server.url}/repos/shlab1/project-000").status_code == 404
    query = {"query": "query { organization(login: $org) { x } }", "variables": {"org": "shlab1"}}
    assert httpx.post(f"{server.url}/api/graphql", json=query).status_code == 401
    answer = httpx.post(
        f"{server.url}/api/graphql", json=query, headers={"Authorization": "bearer t"}
    ).json()
    assert answer["data"]["rateLimit"]["cost"] == 1
    assert answer["data"]["organization"]["repositories"]["totalCount"] == 7


def test_rate_limit_faults_reach_pygithub_as_github_renders_them(
    serve_github: ServeGitHub, gh_world: World
) -> None:
    plan = FaultPlan()
    server = serve_github(gh_world, plan=plan)
    gh = pygithub(server.url)
    plan.add(Fault("rate_limit", github_style="primary", reset_in=30))
    with pytest.raises(RateLimitExceededException) as primary:
        gh.get_repo("shlab0/project-001")
    assert primary.value.headers["x-ratelimit-remaining"] == "0"
    plan.add(Fault("rate_limit", github_style="secondary_429", retry_after=2))
    with pytest.raises(GithubException) as secondary:
        gh.get_repo("shlab0/project-001")
    assert secondary.value.status == 429
    assert secondary.value.headers["retry-after"] == "2"
    plan.add(Fault("not_found"))
    assert httpx.get(f"{server.url}/repos/shlab0/project-001").status_code == 404


def test_ten_thousand_repositories_are_indexed_fast() -> None:
    world = build_github_world(orgs=1, repos_per_org=1, specials=False)
    template = next(iter(world.repos.values()))
    for n in range(10_000):
        repo = replace(template, id=50_000 + n, name=f"bulk-{n:05d}")
        world.repos[repo.full_name] = repo
    started = time.perf_counter()
    app = make_github_app(world, "http://127.0.0.1:1")
    assert time.perf_counter() - started < 2.0
    assert app is not None
