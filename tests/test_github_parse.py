"""Contract tests: our GitHub parsers read the recorded real payloads (tests/samples)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from collectors.github import parse
from tests.shared_dir import API_SAMPLES

SAMPLES = API_SAMPLES / "github"
BODIES = SAMPLES / "bodies"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="recorded samples not present")


def body(name: str) -> Any:
    return json.loads((BODIES / name).read_text())


def test_recorded_repository_parses_with_its_real_figures() -> None:
    facts = parse.repo_from_rest(body("repo_PyGithub_PyGithub.json"))
    assert facts.full_name == "PyGithub/PyGithub"
    assert facts.stars == 7122
    assert facts.forks == 1793
    assert facts.watchers == 111  # subscribers_count, not the star-valued watchers_count
    assert facts.open_issues_and_prs == 357
    assert facts.license == "LGPL-3.0"
    assert facts.topics == ("github", "github-api", "pygithub", "python")
    assert facts.language == "Python"
    assert facts.created_at == datetime(2012, 2, 25, 12, 53, 47, tzinfo=UTC)
    assert facts.archived is False
    assert facts.is_fork is False


def test_recorded_org_repo_listings_parse() -> None:
    items = body("user_repos_listing_2020.json")
    parsed = [parse.repo_from_rest(item) for item in items]
    assert len(parsed) == len(items) > 0
    # listings carry no subscribers_count: watchers are unknown there, never the star count
    assert all(p.watchers is None for p in parsed)


def test_recorded_contributors_parse() -> None:
    people = parse.contributors(body("contributors_PyGithub_PyGithub_2012.json"))
    assert people[0].login == "jacquev6"
    assert people[0].contributions == 355
    assert not any(p.is_bot for p in people)


def test_recorded_releases_sum_asset_downloads() -> None:
    raw = body("releases_PyGithub_page1_per_page10.json")
    found = parse.releases(raw)
    assert len(found) == 10
    assert found[0].tag == "v1.55"
    expected = sum(a["download_count"] for r in raw for a in r["assets"])
    assert sum(r.downloads for r in found) == expected


def test_recorded_stargazers_with_dates_parse() -> None:
    stars = parse.stargazers(body("stargazers_with_dates_danvk_comparea.json"))
    assert stars[0].login == "sAlexander"
    assert stars[0].starred_at == datetime(2014, 8, 13, 19, 22, 5, tzinfo=UTC)


def test_recorded_rate_limit_and_error_bodies() -> None:
    core = parse.rate_limit(body("rate_limit.json"))
    assert (core.limit, core.remaining, core.used) == (5000, 4988, 12)
    graphql = parse.rate_limit(body("rate_limit.json"), "graphql")
    assert graphql.remaining == 4808
    message = parse.error_message(body("error_403_rate_limit_exceeded.json"))
    assert message.lower().startswith("api rate limit exceeded")


def test_recorded_graphql_answer_has_data_and_no_cost() -> None:
    answer = body("graphql_repository_url.json")
    assert parse.graphql_data(answer)["repository"]["url"] == "https://github.com/PyGithub/PyGithub"
    assert parse.graphql_cost(parse.graphql_data(answer)) is None


def test_recorded_organization_parses() -> None:
    org = parse.organization(body("org_BeaverSoftware.json"))
    assert org.login == "BeaverSoftware"
    assert org.public_repos >= 0
    assert org.followers >= 0


def _octokit(name: str) -> list[dict[str, Any]]:
    return json.loads((SAMPLES / "octokit-fixtures" / name).read_text())


def test_octokit_repository_and_organization_fixtures_parse() -> None:
    repo = next(r for r in _octokit("get-repository.raw-fixture.json") if r["status"] == 200)
    facts = parse.repo_from_rest(repo["response"])
    assert facts.full_name == "octokit-fixture-org/hello-world"
    org = next(r for r in _octokit("get-organization.raw-fixture.json") if r["status"] == 200)
    assert parse.organization(org["response"]).login == "octokit-fixture-org"


def test_octokit_issue_pages_parse_with_pull_request_flag() -> None:
    pages = _octokit("paginate-issues.normalized-fixture.json")
    items = [item for page in pages for item in parse.issues(page["response"])]
    assert len(items) == sum(len(page["response"]) for page in pages)
    assert all(item.author for item in items)


@pytest.mark.parametrize(
    ("field", "value"),
    [("stargazers_count", "many"), ("forks_count", None), ("topics", "llm"), ("archived", "no")],
)
def test_malformed_repository_field_is_named(field: str, value: object) -> None:
    data = {**body("repo_PyGithub_PyGithub.json"), field: value}
    with pytest.raises(parse.MalformedPayload, match=field if field != "topics" else "topics"):
        parse.repo_from_rest(data)


def test_graphql_errors_carry_their_type() -> None:
    with pytest.raises(parse.GraphqlFailure) as failure:
        parse.graphql_data({"data": None, "errors": [{"type": "RATE_LIMITED", "message": "x"}]})
    assert failure.value.kind == "RATE_LIMITED"


def test_bot_users_are_recognised_by_type_and_suffix() -> None:
    items = parse.comments(
        [
            {
                "issue_url": "https://api.github.com/repos/o/r/issues/3",
                "user": {"login": "renovate[bot]", "type": "User"},
                "created_at": "2026-01-01T00:00:00Z",
            },
            {
                "issue_url": "https://api.github.com/repos/o/r/issues/4",
                "user": {"login": "helper", "type": "Bot"},
                "created_at": "2026-01-01T00:00:00Z",
            },
        ]
    )
    assert [c.issue_number for c in items] == [3, 4]
    assert all(c.author_is_bot for c in items)
