"""The fake GitHub's view of the world: indexed once, and every record in GitHub's REST shape."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request

from ossimpact.sandbox.github.wire import (
    aware,
    iso,
    license_json,
    not_found,
    open_counts,
    state_matches,
    updated_at,
    world_now,
)
from ossimpact.sandbox.model import GhIssue, GhOrg, GhRepo, GhUser, World


class GitHubIndex:
    """The world by login, name and id (renamed repositories kept apart), and its JSON records."""

    def __init__(
        self,
        world: World,
        base_url: str,
        *,
        tamper: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.world = world
        self.base = base_url.rstrip("/")
        self.prefix = urlsplit(self.base).path.rstrip("/")
        self.now = world_now(world)
        self.tamper = {key.lower(): dict(value) for key, value in (tamper or {}).items()}
        self.repos: dict[str, GhRepo] = {key.lower(): repo for key, repo in world.repos.items()}
        self.repos_by_id: dict[int, GhRepo] = {}
        for repo in world.repos.values():
            if repo.renamed_to is None or repo.id not in self.repos_by_id:
                self.repos_by_id[repo.id] = repo
        self.orgs: dict[str, GhOrg] = {login.lower(): org for login, org in world.orgs.items()}
        self.org_repos: dict[str, list[GhRepo]] = {}
        for repo in sorted(world.repos.values(), key=lambda r: r.full_name.lower()):
            if repo.renamed_to is None:
                self.org_repos.setdefault(repo.owner.lower(), []).append(repo)
        self.users: dict[str, GhUser] = {login.lower(): user for login, user in world.users.items()}
        # Logins the world mentions without a profile get a plausible generated one.
        self.known_logins: set[str] = {"ghost"}  # GitHub's stand-in for deleted accounts
        for repo in world.repos.values():
            self.known_logins.update(login for login, _ in repo.contributors)
            self.known_logins.update(issue.author for issue in repo.issues)
            self.known_logins.update(i.first_responder for i in repo.issues if i.first_responder)
            self.known_logins.update(star.user for star in repo.stargazers)
        for org in world.orgs.values():
            self.known_logins.update(org.members)

    def current(self, repo: GhRepo) -> GhRepo:
        """Where a renamed repository lives now (renames followed up to five times)."""
        seen = 0
        while repo.renamed_to is not None and seen < 5:
            target = self.repos.get(repo.renamed_to.lower())
            if target is None or target is repo:
                break
            repo, seen = target, seen + 1
        return repo

    def user(self, login: str) -> GhUser:
        user = self.users.get(login.lower())
        if user is not None:
            return user
        if login.startswith("stargazer-") or login in self.known_logins:
            digest = int(hashlib.sha1(login.encode(), usedforsecurity=False).hexdigest()[:8], 16)
            return GhUser(
                login=login,
                id=10_000_000 + digest % 10_000_000,
                created_at=self.now - timedelta(days=400 + digest % 2000),
                followers=3 + digest % 50,
                following=2 + digest % 30,
                public_repos=5 + digest % 40,
                public_gists=digest % 3,
                is_bot=login.endswith("[bot]"),
            )
        raise not_found()

    def user_json(self, user: GhUser, *, short: bool = False) -> dict[str, Any]:
        url = f"{self.base}/users/{user.login}"
        data: dict[str, Any] = {
            "login": user.login,
            "id": user.id,
            "node_id": base64.b64encode(f"04:User{user.id}".encode()).decode(),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"https://github.com/{user.login}",
            "repos_url": f"{url}/repos",
            "type": "Bot" if user.is_bot else "User",
            "user_view_type": "public",
            "site_admin": False,
        }
        if short:
            return data
        return {
            **data,
            "name": None,
            "company": None,
            "blog": "",
            "location": None,
            "bio": None,
            "public_repos": user.public_repos,
            "public_gists": user.public_gists,
            "followers": user.followers,
            "following": user.following,
            "created_at": iso(user.created_at),
            "updated_at": iso(self.now),
        }

    def org_json(self, org: GhOrg) -> dict[str, Any]:
        url = f"{self.base}/orgs/{org.login}"
        return {
            "login": org.login,
            "id": org.id,
            "node_id": base64.b64encode(f"012:Organization{org.id}".encode()).decode(),
            "url": url,
            "repos_url": f"{url}/repos",
            "members_url": f"{url}/members{{/member}}",
            "public_members_url": f"{url}/public_members{{/member}}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{org.id}?v=4",
            "description": None,
            "name": org.name,
            "company": None,
            "blog": "",
            "location": "Shanghai, China",
            "email": None,
            "is_verified": False,
            "has_organization_projects": True,
            "has_repository_projects": True,
            "public_repos": len(self.org_repos.get(org.login.lower(), [])),
            "public_gists": 0,
            "followers": org.followers,
            "following": 0,
            "html_url": f"https://github.com/{org.login}",
            "created_at": iso(org.created_at),
            "updated_at": iso(self.now),
            "type": "Organization",
        }

    def repo_json(self, repo: GhRepo, *, listing: bool = False) -> dict[str, Any]:
        url = f"{self.base}/repos/{repo.full_name}"
        owner = self.orgs.get(repo.owner.lower())
        owner_json: dict[str, Any]
        if owner is not None:
            owner_json = {
                "login": owner.login,
                "id": owner.id,
                "url": f"{self.base}/users/{owner.login}",
                "html_url": f"https://github.com/{owner.login}",
                "type": "Organization",
                "site_admin": False,
            }
        else:
            owner_json = self.user_json(self.user(repo.owner), short=True)
        open_issues, open_prs = open_counts(repo)
        data: dict[str, Any] = {
            "id": repo.id,
            "node_id": base64.b64encode(f"010:Repository{repo.id}".encode()).decode(),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": False,
            "owner": owner_json,
            "html_url": f"https://github.com/{repo.full_name}",
            "description": repo.description,
            "fork": repo.is_fork,
            "url": url,
            "contributors_url": f"{url}/contributors",
            "stargazers_url": f"{url}/stargazers",
            "subscribers_url": f"{url}/subscribers",
            "commits_url": f"{url}/commits{{/sha}}",
            "issues_url": f"{url}/issues{{/number}}",
            "pulls_url": f"{url}/pulls{{/number}}",
            "releases_url": f"{url}/releases{{/id}}",
            "created_at": iso(repo.created_at),
            "updated_at": iso(repo.pushed_at),
            "pushed_at": iso(repo.pushed_at),
            "git_url": f"git://github.com/{repo.full_name}.git",
            "clone_url": f"https://github.com/{repo.full_name}.git",
            "homepage": None,
            "size": 0 if repo.empty else 1024,
            "stargazers_count": repo.stars,
            "watchers_count": repo.stars,
            "language": repo.language,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": repo.forks,
            "mirror_url": None,
            "archived": repo.archived,
            "disabled": False,
            "open_issues_count": open_issues + open_prs,
            "license": license_json(repo.license_spdx),
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": list(repo.topics),
            "visibility": "public",
            "forks": repo.forks,
            "open_issues": open_issues + open_prs,
            "watchers": repo.stars,
            "default_branch": "main",
        }
        if not listing:
            # Only the single-repository answer carries these, as on GitHub.
            data["network_count"] = repo.forks
            data["subscribers_count"] = repo.watchers
        for key, value in self.tamper.get(repo.full_name.lower(), {}).items():
            if key in data:
                data[key] = value
        return data

    def release_json(self, repo: GhRepo, index: int, release: Any) -> dict[str, Any]:
        release_id = repo.id * 1000 + index
        url = f"{self.base}/repos/{repo.full_name}/releases/{release_id}"
        published = iso(release.published_at)
        return {
            "url": url,
            "assets_url": f"{url}/assets",
            "html_url": f"https://github.com/{repo.full_name}/releases/tag/{release.tag_name}",
            "id": release_id,
            "tag_name": release.tag_name,
            "target_commitish": "main",
            "name": release.tag_name,
            "draft": False,
            "prerelease": False,
            "created_at": published,
            "published_at": published,
            "assets": [
                {
                    "url": f"{self.base}/repos/{repo.full_name}/releases/assets/{release_id}",
                    "id": release_id,
                    "name": f"{repo.name}-{release.tag_name}.tar.gz",
                    "content_type": "application/gzip",
                    "state": "uploaded",
                    "size": 1024,
                    "download_count": release.asset_downloads,
                    "created_at": published,
                    "updated_at": published,
                    "browser_download_url": f"https://github.com/{repo.full_name}/releases/download/{release.tag_name}/{repo.name}.tar.gz",
                }
            ],
        }

    def commits(self, repo: GhRepo, since: datetime | None) -> list[dict[str, Any]]:
        # The world keeps only a 90-day count: spread that many commits over the 90 days, newest
        # first, as GitHub lists them.
        items = []
        for index in range(repo.commits_90d):
            moment = self.now - timedelta(days=89.5 * index / max(repo.commits_90d, 1))
            if since is not None and moment < since:
                break
            sha = hashlib.sha1(f"{repo.id}:{index}".encode(), usedforsecurity=False).hexdigest()
            items.append(
                {
                    "sha": sha,
                    "url": f"{self.base}/repos/{repo.full_name}/commits/{sha}",
                    "commit": {
                        "author": {"name": "dev", "date": iso(moment)},
                        "committer": {"name": "dev", "date": iso(moment)},
                        "message": f"change {index}",
                    },
                }
            )
        return items

    def issues(
        self, repo: GhRepo, request: Request, since: datetime | None
    ) -> list[dict[str, Any]]:
        state = request.args.get("state", "open")
        chosen = [
            issue
            for issue in sorted(repo.issues, key=lambda i: (aware(i.created_at), i.number))
            if state_matches(issue, state) and (since is None or updated_at(issue) >= since)
        ]
        chosen.reverse()  # newest first, GitHub's default sort
        return [self.issue_json(repo, issue) for issue in chosen]

    def issue_json(self, repo: GhRepo, issue: GhIssue) -> dict[str, Any]:
        url = f"{self.base}/repos/{repo.full_name}/issues/{issue.number}"
        data: dict[str, Any] = {
            "url": url,
            "repository_url": f"{self.base}/repos/{repo.full_name}",
            "comments_url": f"{url}/comments",
            "html_url": f"https://github.com/{repo.full_name}/issues/{issue.number}",
            "id": repo.id * 100_000 + issue.number,
            "number": issue.number,
            "title": f"{'PR' if issue.is_pull_request else 'Issue'} {issue.number}",
            "user": self.user_json(self.user(issue.author), short=True),
            "state": "closed" if issue.closed_at else "open",
            "comments": 1 if issue.first_response_at else 0,
            "created_at": iso(issue.created_at),
            "updated_at": iso(updated_at(issue)),
            "closed_at": iso(issue.closed_at),
            "author_association": "NONE",
        }
        if issue.is_pull_request:
            pulls = f"{self.base}/repos/{repo.full_name}/pulls/{issue.number}"
            data["pull_request"] = {"url": pulls, "merged_at": None}
        return data

    def comments(self, repo: GhRepo, since: datetime | None) -> list[dict[str, Any]]:
        items = []
        for issue in repo.issues:
            if issue.first_response_at is None:
                continue
            moment = aware(issue.first_response_at)
            if since is not None and moment < since:
                continue
            responder = issue.first_responder or "ghost"
            items.append(
                (
                    moment,
                    issue.number,
                    {
                        "id": repo.id * 100_000 + issue.number,
                        "url": f"{self.base}/repos/{repo.full_name}/issues/comments/{issue.number}",
                        "issue_url": f"{self.base}/repos/{repo.full_name}/issues/{issue.number}",
                        "user": self.user_json(self.user(responder), short=True),
                        "created_at": iso(moment),
                        "updated_at": iso(moment),
                        "body": "Thanks for the report.",
                    },
                )
            )
        items.sort(key=lambda item: (item[0], item[1]))
        return [item[2] for item in items]
