"""The fake GitHub's GraphQL endpoint: the organisation-repositories query the collector sends.

Answers need a token (401 without one), page by opaque cursors, and carry `rateLimit` like
GitHub's. Any other query answers an INTERNAL error.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request

from ossimpact.sandbox.github.records import GitHubIndex
from ossimpact.sandbox.github.wire import (
    DOCS,
    RATE_LIMIT,
    Answer,
    RateCounter,
    aware,
    iso,
    open_counts,
    parse_iso,
    updated_at,
)
from ossimpact.sandbox.model import GhIssue, GhRepo, GhUser


class GraphQL:
    """A POSTed query → (payload, cost), or an early `Answer`."""

    def __init__(self, index: GitHubIndex, rate: RateCounter) -> None:
        self.index = index
        self.rate = rate

    def answer(self, request: Request) -> tuple[dict[str, Any], int]:
        if not request.headers.get("Authorization"):
            raise Answer(
                401,
                {
                    "message": "This endpoint requires you to be authenticated.",
                    "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
                },
            )
        try:
            document = json.loads(request.get_data())
            query = str(document["query"])
            variables = dict(document.get("variables") or {})
        except (ValueError, KeyError, TypeError):
            raise Answer(
                400, {"message": "Problems parsing JSON", "documentation_url": DOCS}
            ) from None
        used, reset = self.rate.peek("graphql")
        rate = {
            "cost": 1,
            "limit": RATE_LIMIT,
            "remaining": max(RATE_LIMIT - used - 1, 0),
            "used": used + 1,
            "resetAt": iso(datetime.fromtimestamp(reset, UTC)),
            "nodeCount": 0,
        }
        data: dict[str, Any] = {"rateLimit": rate}
        if "organization(" not in query:
            return {
                "errors": [{"message": "Unsupported query for the sandbox", "type": "INTERNAL"}]
            }, 1
        login = str(variables.get("org", ""))
        org = self.index.orgs.get(login.lower())
        if org is None:
            data["organization"] = None
            return {
                "data": data,
                "errors": [
                    {
                        "type": "NOT_FOUND",
                        "path": ["organization"],
                        "locations": [{"line": 3, "column": 3}],
                        "message": f"Could not resolve to an Organization with the login of '{login}'.",
                    }
                ],
            }, 1
        first = int(variables.get("first") or 100)
        since = parse_iso(str(variables.get("since") or "")) or (
            self.index.now - timedelta(days=90)
        )
        offset = decode_cursor(variables.get("cursor"))
        repos = self.index.org_repos.get(org.login.lower(), [])
        chunk = repos[offset : offset + first]
        end = offset + len(chunk)
        rate["nodeCount"] = len(chunk)
        data["organization"] = {
            "login": org.login,
            "repositories": {
                "totalCount": len(repos),
                "pageInfo": {
                    "hasNextPage": end < len(repos),
                    "endCursor": encode_cursor(end) if chunk else None,
                },
                "nodes": [self._repo_node(repo, since) for repo in chunk],
            },
        }
        return {"data": data}, 1

    def _graph_item(self, issue: GhIssue, *, pr: bool = False) -> dict[str, Any]:
        thread = []
        if issue.first_response_at is not None:
            responder = self.index.user(issue.first_responder or "ghost")
            thread.append(
                {"createdAt": iso(issue.first_response_at), "author": graph_author(responder)}
            )
        item: dict[str, Any] = {
            "number": issue.number,
            "createdAt": iso(issue.created_at),
            "closedAt": iso(issue.closed_at),
            "author": graph_author(self.index.user(issue.author)),
            "comments": {"totalCount": len(thread), "nodes": thread},
        }
        if pr:
            item["updatedAt"] = iso(updated_at(issue))
        return item

    def _repo_node(self, repo: GhRepo, since: datetime) -> dict[str, Any]:
        open_issues, open_prs = open_counts(repo)
        latest = max(repo.releases, key=lambda r: r.published_at, default=None)
        commits = len(self.index.commits(repo, since))
        window_issues = sorted(
            (i for i in repo.issues if not i.is_pull_request and updated_at(i) >= since),
            key=lambda i: (aware(i.created_at), i.number),
            reverse=True,
        )
        prs = sorted(
            (i for i in repo.issues if i.is_pull_request),
            key=lambda i: (updated_at(i), i.number),
            reverse=True,
        )
        node: dict[str, Any] = {
            "databaseId": repo.id,
            "nameWithOwner": repo.full_name,
            "description": repo.description,
            "isFork": repo.is_fork,
            "isArchived": repo.archived,
            "createdAt": iso(repo.created_at),
            "pushedAt": iso(repo.pushed_at),
            "stargazerCount": repo.stars,
            "forkCount": repo.forks,
            "watchers": {"totalCount": repo.watchers},
            "issues": {"totalCount": open_issues},
            "pullRequests": {"totalCount": open_prs},
            "releases": {
                "totalCount": len(repo.releases),
                "nodes": [
                    {
                        "tagName": release.tag_name,
                        # one asset per release in the world, as in the REST answer
                        "releaseAssets": {
                            "totalCount": 1,
                            "nodes": [{"downloadCount": release.asset_downloads}],
                        },
                    }
                    for release in sorted(
                        repo.releases, key=lambda r: aware(r.published_at), reverse=True
                    )[:10]
                ],
            },
            "latestRelease": (
                {"tagName": latest.tag_name, "publishedAt": iso(latest.published_at)}
                if latest
                else None
            ),
            "windowIssues": {
                "totalCount": len(window_issues),
                "nodes": [self._graph_item(i) for i in window_issues[:20]],
            },
            "windowPullRequests": {"nodes": [self._graph_item(i, pr=True) for i in prs[:20]]},
            "primaryLanguage": {"name": repo.language} if repo.language else None,
            "licenseInfo": {"spdxId": repo.license_spdx} if repo.license_spdx else None,
            "repositoryTopics": {"nodes": [{"topic": {"name": t}} for t in repo.topics]},
            "defaultBranchRef": (
                None if repo.empty else {"target": {"history": {"totalCount": commits}}}
            ),
        }
        graph_keys = {"stargazers_count": "stargazerCount", "forks_count": "forkCount"}
        for key, value in self.index.tamper.get(repo.full_name.lower(), {}).items():
            target = graph_keys.get(key, key)
            if target in node:
                node[target] = value
        return node


def graph_author(world_user: GhUser) -> dict[str, str]:
    # GraphQL names an app bot without REST's "[bot]" suffix and types it Bot.
    if world_user.is_bot or world_user.login.endswith("[bot]"):
        return {"login": world_user.login.removesuffix("[bot]"), "__typename": "Bot"}
    return {"login": world_user.login, "__typename": "User"}


_CURSOR = re.compile(r"^cursor:(\d+)$")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def decode_cursor(cursor: object) -> int:
    if not isinstance(cursor, str) or not cursor:
        return 0
    try:
        match = _CURSOR.match(base64.b64decode(cursor).decode())
    except ValueError:
        match = None
    if match is None:
        raise Answer(
            200,
            {
                "data": None,
                "errors": [{"type": "INVALID_CURSOR_ARGUMENTS", "message": "bad cursor"}],
            },
        )
    return int(match.group(1))
