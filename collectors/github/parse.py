"""GitHub payloads (REST and GraphQL) parsed into typed records right where they arrive.

Unknown fields are ignored, missing optional ones become None; a field of the wrong type raises
`MalformedPayload` naming it, so one odd repository is marked and the collection goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from collectors.core.errors import Malformed


class MalformedPayload(Malformed):
    """A payload whose shape or field types are not what GitHub documents."""


@dataclass(frozen=True)
class GraphqlActivity:
    """Issues and PRs of the window as the bulk query saw them, with what paging may have cut."""

    items: tuple[IssueItem, ...]
    comments: tuple[Comment, ...]  # the first comments of each item
    issues_complete: bool  # every issue updated in the window was listed
    pr_page_full: bool  # the PR page was full: PRs updated longer ago may be missing
    oldest_pr_update: datetime | None  # of the listed PRs
    truncated: frozenset[int]  # items with more comments than were listed


@dataclass(frozen=True)
class RepoFacts:
    """The scalar figures and descriptions of one repository, from REST or GraphQL alike."""

    full_name: str
    id: int | None
    description: str | None
    created_at: datetime | None
    pushed_at: datetime | None
    stars: int
    forks: int
    watchers: int | None  # subscribers; absent from REST listings
    archived: bool
    is_fork: bool
    language: str | None
    license: str | None
    topics: tuple[str, ...]
    open_issues: int | None = None  # issues only (GraphQL)
    open_prs: int | None = None  # GraphQL
    open_issues_and_prs: int | None = None  # REST's open_issues_count counts both
    releases: int | None = None  # GraphQL totalCount
    release_downloads: int | None = None  # GraphQL, when every release and asset was listed
    latest_release: str | None = None
    commits_90d: int | None = None  # GraphQL history(since:)
    empty: bool | None = None  # GraphQL: no default branch
    activity: GraphqlActivity | None = None  # GraphQL: issues and PRs touched in the window


@dataclass(frozen=True)
class OrganizationFacts:
    login: str
    followers: int
    public_repos: int


@dataclass(frozen=True)
class Contributor:
    login: str
    contributions: int
    is_bot: bool


@dataclass(frozen=True)
class Release:
    tag: str
    published_at: datetime | None
    downloads: int


@dataclass(frozen=True)
class IssueItem:
    number: int
    is_pull_request: bool
    author: str
    author_is_bot: bool
    created_at: datetime
    closed_at: datetime | None
    comments: int


@dataclass(frozen=True)
class Comment:
    issue_number: int
    author: str
    author_is_bot: bool
    created_at: datetime


@dataclass(frozen=True)
class Star:
    login: str
    starred_at: datetime


@dataclass(frozen=True)
class UserProfile:
    login: str
    created_at: datetime | None
    followers: int
    following: int
    public_repos: int
    public_gists: int
    is_bot: bool


@dataclass(frozen=True)
class RateLimitStatus:
    resource: str
    limit: int
    remaining: int
    used: int
    reset: datetime


@dataclass(frozen=True)
class GraphqlCost:
    cost: int
    remaining: int
    reset_at: datetime | None


@dataclass(frozen=True)
class GraphqlRepoPage:
    repos: tuple[RepoFacts, ...]
    has_next_page: bool
    end_cursor: str | None
    total_count: int
    cost: GraphqlCost | None


class GraphqlFailure(Exception):
    """The GraphQL answer carried errors; `kind` is GitHub's error type (NOT_FOUND, INTERNAL…)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"GraphQL {kind}: {message}")
        self.kind = kind


# -- field readers ------------------------------------------------------------------------------


def _object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise MalformedPayload(f"{what}: expected an object, got {type(data).__name__}")
    return data


def _list(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise MalformedPayload(f"{what}: expected a list, got {type(data).__name__}")
    return data


# Every whole number GitHub sends us is a count, an id or a number: never negative, and beyond
# a 64-bit integer it is garbage (it would not even convert to a float figure).
MAX_WHOLE_NUMBER = 2**63 - 1


def _int(data: Mapping[str, Any], key: str, what: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedPayload(f"{what}: field {key!r} is {value!r}, expected a whole number")
    if not 0 <= value <= MAX_WHOLE_NUMBER:
        shown = value if abs(value) < 10**20 else f"a {len(str(abs(value)))}-digit number"
        raise MalformedPayload(f"{what}: field {key!r} is {shown}, expected a count")
    return value


def _opt_int(data: Mapping[str, Any], key: str, what: str) -> int | None:
    return None if data.get(key) is None else _int(data, key, what)


def _str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{what}: field {key!r} is {value!r}, expected text")
    return value


def _opt_str(data: Mapping[str, Any], key: str, what: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedPayload(f"{what}: field {key!r} is {value!r}, expected text")
    return value


def _bool(data: Mapping[str, Any], key: str, what: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise MalformedPayload(f"{what}: field {key!r} is {value!r}, expected true or false")
    return value


def parse_time(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedPayload(f"{what}: {value!r} is not a timestamp")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedPayload(f"{what}: {value!r} is not a timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _time(data: Mapping[str, Any], key: str, what: str) -> datetime | None:
    return parse_time(data.get(key), f"{what}: field {key!r}")


def _required_time(data: Mapping[str, Any], key: str, what: str) -> datetime:
    moment = _time(data, key, what)
    if moment is None:
        raise MalformedPayload(f"{what}: field {key!r} is missing")
    return moment


def _login(user: Any, what: str) -> tuple[str, bool]:
    """(login, is_bot) of a user object; bots by type or by GitHub's `[bot]` login suffix."""
    user = _object(user, what)
    login = _str(user, "login", what)
    return login, user.get("type") == "Bot" or login.endswith("[bot]")


# -- REST ---------------------------------------------------------------------------------------


def repo_from_rest(data: Any) -> RepoFacts:
    """A `/repos/{o}/{r}` answer or an `/orgs/{org}/repos` item."""
    repo = _object(data, "repository")
    name = _str(repo, "full_name", "repository")
    what = f"repository {name}"
    license_info = repo.get("license")
    spdx = None
    if license_info is not None:
        spdx = _opt_str(_object(license_info, f"{what}: license"), "spdx_id", f"{what}: license")
    topics = _list(repo.get("topics", []), f"{what}: topics")
    if not all(isinstance(topic, str) for topic in topics):
        raise MalformedPayload(f"{what}: topics must be text")
    return RepoFacts(
        full_name=name,
        id=_opt_int(repo, "id", what),
        description=_opt_str(repo, "description", what),
        created_at=_time(repo, "created_at", what),
        pushed_at=_time(repo, "pushed_at", what),
        stars=_int(repo, "stargazers_count", what),
        forks=_int(repo, "forks_count", what),
        # `watchers_count` is the star count on REST; real watchers are `subscribers_count`.
        watchers=_opt_int(repo, "subscribers_count", what),
        archived=_bool(repo, "archived", what),
        is_fork=_bool(repo, "fork", what),
        language=_opt_str(repo, "language", what),
        license=spdx,
        topics=tuple(topics),
        open_issues_and_prs=_opt_int(repo, "open_issues_count", what),
    )


def organization(data: Any) -> OrganizationFacts:
    org = _object(data, "organisation")
    login = _str(org, "login", "organisation")
    what = f"organisation {login}"
    return OrganizationFacts(
        login=login,
        followers=_int(org, "followers", what),
        public_repos=_int(org, "public_repos", what),
    )


def contributors(data: Any) -> list[Contributor]:
    """A `/contributors` page; GitHub answers 204 (None here) for an empty repository."""
    if data is None:
        return []
    found = []
    for item in _list(data, "contributors"):
        item = _object(item, "contributor")
        login, is_bot = _login(item, "contributor")
        found.append(
            Contributor(login, _int(item, "contributions", f"contributor {login}"), is_bot)
        )
    return found


def releases(data: Any) -> list[Release]:
    found = []
    for item in _list(data, "releases"):
        item = _object(item, "release")
        tag = _str(item, "tag_name", "release")
        what = f"release {tag}"
        downloads = sum(
            _int(_object(asset, f"{what}: asset"), "download_count", f"{what}: asset")
            for asset in _list(item.get("assets", []), f"{what}: assets")
        )
        found.append(Release(tag, _time(item, "published_at", what), downloads))
    return found


def issues(data: Any) -> list[IssueItem]:
    """An `/issues` page: pull requests are the items with a `pull_request` key."""
    found = []
    for item in _list(data, "issues"):
        item = _object(item, "issue")
        number = _int(item, "number", "issue")
        what = f"issue #{number}"
        author, is_bot = _login(item.get("user"), f"{what}: user")
        found.append(
            IssueItem(
                number=number,
                is_pull_request=item.get("pull_request") is not None,
                author=author,
                author_is_bot=is_bot,
                created_at=_required_time(item, "created_at", what),
                closed_at=_time(item, "closed_at", what),
                comments=_opt_int(item, "comments", what) or 0,
            )
        )
    return found


def comments(data: Any) -> list[Comment]:
    """A repository-wide `/issues/comments` page; the issue is the tail of `issue_url`."""
    found = []
    for item in _list(data, "issue comments"):
        item = _object(item, "issue comment")
        issue_url = _str(item, "issue_url", "issue comment")
        tail = issue_url.rstrip("/").rsplit("/", 1)[-1]
        if not tail.isdigit():
            raise MalformedPayload(f"issue comment: issue_url {issue_url!r} names no issue")
        author, is_bot = _login(item.get("user"), "issue comment: user")
        created = _required_time(item, "created_at", "issue comment")
        found.append(Comment(int(tail), author, is_bot, created))
    return found


def stargazers(data: Any) -> list[Star]:
    """A `/stargazers` page asked with the `star+json` media type: `{starred_at, user}` items."""
    found = []
    for item in _list(data, "stargazers"):
        item = _object(item, "stargazer")
        login, _ = _login(item.get("user"), "stargazer: user")
        found.append(Star(login, _required_time(item, "starred_at", f"stargazer {login}")))
    return found


def user_profile(data: Any) -> UserProfile:
    user = _object(data, "user")
    login, is_bot = _login(user, "user")
    what = f"user {login}"
    return UserProfile(
        login=login,
        created_at=_time(user, "created_at", what),
        followers=_int(user, "followers", what),
        following=_int(user, "following", what),
        public_repos=_int(user, "public_repos", what),
        public_gists=_int(user, "public_gists", what),
        is_bot=is_bot,
    )


def rate_limit(data: Any, resource: str = "core") -> RateLimitStatus:
    """`/rate_limit`: one resource's window."""
    body = _object(data, "rate limit")
    resources = _object(body.get("resources"), "rate limit: resources")
    window = _object(resources.get(resource), f"rate limit: {resource}")
    what = f"rate limit {resource}"
    return RateLimitStatus(
        resource=resource,
        limit=_int(window, "limit", what),
        remaining=_int(window, "remaining", what),
        used=_opt_int(window, "used", what) or 0,
        reset=datetime.fromtimestamp(_int(window, "reset", what), UTC),
    )


def error_message(data: Any) -> str:
    """The `message` of a GitHub error body, or an empty string."""
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])
    return ""


# -- GraphQL ------------------------------------------------------------------------------------


def graphql_cost(data: Any) -> GraphqlCost | None:
    if not isinstance(data, Mapping) or data.get("rateLimit") is None:
        return None
    rate = _object(data["rateLimit"], "rateLimit")
    return GraphqlCost(
        cost=_int(rate, "cost", "rateLimit"),
        remaining=_int(rate, "remaining", "rateLimit"),
        reset_at=_time(rate, "resetAt", "rateLimit"),
    )


def graphql_data(body: Any) -> Mapping[str, Any]:
    """The `data` of a GraphQL answer; errors raise GraphqlFailure with GitHub's error type."""
    answer = _object(body, "GraphQL answer")
    errors = answer.get("errors")
    if errors:
        first = _object(_list(errors, "GraphQL errors")[0], "GraphQL error")
        raise GraphqlFailure(str(first.get("type") or "ERROR"), str(first.get("message") or ""))
    return _object(answer.get("data"), "GraphQL data")


def graphql_repo_page(body: Any) -> GraphqlRepoPage:
    """One page of `organization.repositories` from our organisation query."""
    data = graphql_data(body)
    org = data.get("organization")
    if org is None:
        raise GraphqlFailure("NOT_FOUND", "organisation not found")
    connection = _object(_object(org, "organization").get("repositories"), "repositories")
    info = _object(connection.get("pageInfo"), "pageInfo")
    nodes = _list(connection.get("nodes"), "repositories: nodes")
    return GraphqlRepoPage(
        repos=tuple(repo_from_graphql(node) for node in nodes),
        has_next_page=_bool(info, "hasNextPage", "pageInfo"),
        end_cursor=_opt_str(info, "endCursor", "pageInfo"),
        total_count=_int(connection, "totalCount", "repositories"),
        cost=graphql_cost(data),
    )


def _total(node: Mapping[str, Any], key: str, what: str) -> int | None:
    value = node.get(key)
    if value is None:
        return None
    return _int(_object(value, f"{what}: {key}"), "totalCount", f"{what}: {key}")


def _named(node: Mapping[str, Any], key: str, field: str, what: str) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    return _opt_str(_object(value, f"{what}: {key}"), field, f"{what}: {key}")


def repo_from_graphql(data: Any) -> RepoFacts:
    node = _object(data, "repository node")
    name = _str(node, "nameWithOwner", "repository node")
    what = f"repository {name}"
    topics_nodes = _list(
        _object(node.get("repositoryTopics") or {"nodes": []}, f"{what}: topics").get("nodes"),
        f"{what}: topics",
    )
    topics = tuple(
        _str(_object(_object(t, what).get("topic"), f"{what}: topic"), "name", what)
        for t in topics_nodes
    )
    branch = node.get("defaultBranchRef")
    commits: int | None = None
    if branch is not None:
        target = _object(_object(branch, f"{what}: defaultBranchRef").get("target"), what)
        commits = _total(target, "history", what)
    latest = node.get("latestRelease")
    release_count, release_downloads = _graphql_releases(node.get("releases"), what)
    return RepoFacts(
        full_name=name,
        id=_opt_int(node, "databaseId", what),
        description=_opt_str(node, "description", what),
        created_at=_time(node, "createdAt", what),
        pushed_at=_time(node, "pushedAt", what),
        stars=_int(node, "stargazerCount", what),
        forks=_int(node, "forkCount", what),
        watchers=_total(node, "watchers", what),
        archived=_bool(node, "isArchived", what),
        is_fork=_bool(node, "isFork", what),
        language=_named(node, "primaryLanguage", "name", what),
        license=_named(node, "licenseInfo", "spdxId", what),
        topics=topics,
        open_issues=_total(node, "issues", what),
        open_prs=_total(node, "pullRequests", what),
        releases=release_count,
        release_downloads=release_downloads,
        latest_release=_opt_str(_object(latest, what), "tagName", what) if latest else None,
        activity=_graphql_activity(node, what),
        commits_90d=0 if branch is None else commits,
        empty=branch is None,
    )


def _graphql_releases(value: Any, what: str) -> tuple[int | None, int | None]:
    """(release count, asset downloads) — downloads only when nothing was cut by paging."""
    if value is None:
        return None, None
    connection = _object(value, f"{what}: releases")
    total = _int(connection, "totalCount", f"{what}: releases")
    nodes = connection.get("nodes")
    if nodes is None:
        return total, None
    nodes = _list(nodes, f"{what}: releases")
    if len(nodes) < total:
        return total, None
    downloads = 0
    for release in nodes:
        assets = _object(_object(release, f"{what}: release").get("releaseAssets"), what)
        asset_nodes = _list(assets.get("nodes"), f"{what}: release assets")
        if len(asset_nodes) < _int(assets, "totalCount", f"{what}: release assets"):
            return total, None
        downloads += sum(
            _int(_object(a, what), "downloadCount", f"{what}: release asset") for a in asset_nodes
        )
    return total, downloads


GRAPHQL_ITEMS_PER_REPO = 20


def _graphql_author(value: Any, what: str) -> tuple[str, bool]:
    if value is None:
        return "ghost", False  # a deleted account, as REST names it
    author = _object(value, what)
    return _str(author, "login", what), author.get("__typename") == "Bot"


def _graphql_activity(node: Mapping[str, Any], what: str) -> GraphqlActivity | None:
    window_issues, window_prs = node.get("windowIssues"), node.get("windowPullRequests")
    if window_issues is None or window_prs is None:
        return None
    issue_connection = _object(window_issues, f"{what}: windowIssues")
    issue_nodes = _list(issue_connection.get("nodes"), f"{what}: windowIssues")
    pr_nodes = _list(_object(window_prs, what).get("nodes"), f"{what}: windowPullRequests")
    items: list[IssueItem] = []
    found_comments: list[Comment] = []
    truncated: set[int] = set()
    pr_updates: list[datetime] = []
    for is_pr, raw in [(False, n) for n in issue_nodes] + [(True, n) for n in pr_nodes]:
        entry = _object(raw, f"{what}: issue")
        number = _int(entry, "number", f"{what}: issue")
        label = f"{what}: #{number}"
        author, is_bot = _graphql_author(entry.get("author"), label)
        thread = _object(entry.get("comments"), f"{label}: comments")
        thread_nodes = _list(thread.get("nodes"), f"{label}: comments")
        count = _int(thread, "totalCount", f"{label}: comments")
        if count > len(thread_nodes):
            truncated.add(number)
        for comment in thread_nodes:
            comment = _object(comment, label)
            who, bot = _graphql_author(comment.get("author"), label)
            found_comments.append(
                Comment(number, who, bot, _required_time(comment, "createdAt", label))
            )
        if is_pr:
            updated = _time(entry, "updatedAt", label)
            if updated is not None:
                pr_updates.append(updated)
        items.append(
            IssueItem(
                number=number,
                is_pull_request=is_pr,
                author=author,
                author_is_bot=is_bot,
                created_at=_required_time(entry, "createdAt", label),
                closed_at=_time(entry, "closedAt", label),
                comments=count,
            )
        )
    return GraphqlActivity(
        items=tuple(items),
        comments=tuple(found_comments),
        issues_complete=_int(issue_connection, "totalCount", what) <= len(issue_nodes),
        pr_page_full=len(pr_nodes) >= GRAPHQL_ITEMS_PER_REPO,
        oldest_pr_update=min(pr_updates) if pr_updates else None,
        truncated=frozenset(truncated),
    )
