"""The fake GitHub's REST routes: organisations, users, repositories, link paging, stargazers.

Lists page as GitHub does: `per_page` (1..100) and `page`, with a `Link` header of absolute URLs
on `/repositories/{id}/...` for a repository's lists. Renamed organisations and repositories
answer 301 to their id's URL.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from ossimpact.sandbox.github.records import GitHubIndex
from ossimpact.sandbox.github.wire import (
    DOCS,
    RATE_LIMIT,
    STAR_MEDIA_TYPE,
    Answer,
    RateCounter,
    aware,
    int_arg,
    iso,
    moved,
    not_found,
    parse_iso,
    state_matches,
)
from ossimpact.sandbox.model import GhRepo


class RestRoutes:
    """A GET's path and arguments → (payload, headers), or an early `Answer`."""

    def __init__(self, index: GitHubIndex, rate: RateCounter) -> None:
        self.index = index
        self.rate = rate

    def answer(self, request: Request) -> tuple[Any, dict[str, str]]:
        path = request.path
        if self.index.prefix:
            if not path.startswith(self.index.prefix + "/"):
                raise not_found()
            path = path[len(self.index.prefix) :]
        parts = [part for part in path.split("/") if part]
        if parts == ["rate_limit"]:
            return self._rate_limit_body(), {}
        if len(parts) >= 2 and parts[0] == "orgs":
            return self._org_route(request, parts[1], parts[2:])
        if len(parts) >= 2 and parts[0] == "organizations" and parts[1].isdigit():
            org_id = int(parts[1])
            by_id = [org.login for org in self.index.orgs.values() if org.id == org_id]
            if not by_id:
                raise not_found()
            return self._org_route(request, by_id[0], parts[2:])
        if len(parts) == 2 and parts[0] == "users":
            return self.index.user_json(self.index.user(parts[1])), {}
        if len(parts) >= 3 and parts[0] == "repos":
            repo = self._repo_by_name(f"{parts[1]}/{parts[2]}", parts[3:], request)
            return self._repo_route(request, repo, parts[3:])
        if len(parts) >= 2 and parts[0] == "repositories" and parts[1].isdigit():
            found = self.index.repos_by_id.get(int(parts[1]))
            if found is None:
                raise not_found()
            return self._repo_route(request, self.index.current(found), parts[2:])
        raise not_found()

    def _rate_limit_body(self) -> dict[str, Any]:
        resources = {}
        for name in ("core", "graphql", "search"):
            used, reset = self.rate.peek(name)
            resources[name] = {
                "limit": RATE_LIMIT,
                "used": used,
                "remaining": max(RATE_LIMIT - used, 0),
                "reset": reset,
            }
        return {"resources": resources, "rate": resources["core"]}

    def _org_route(
        self, request: Request, login: str, rest: list[str]
    ) -> tuple[Any, dict[str, str]]:
        renamed = {old.lower(): new for old, new in self.index.world.gh_renamed_orgs.items()}
        target = self.index.orgs.get(renamed.get(login.lower(), "").lower())
        if target is not None:  # GitHub answers a renamed organisation's old login by its id
            raise moved(f"{self.index.base}/organizations/{target.id}", rest, request)
        org = self.index.orgs.get(login.lower())
        if org is None:
            raise not_found()
        if not rest:
            return self.index.org_json(org), {}
        if rest == ["repos"]:
            repos = self.index.org_repos.get(org.login.lower(), [])
            return self._page(request, [self.index.repo_json(r, listing=True) for r in repos])
        if rest == ["public_members"]:
            members = [
                self.index.user_json(self.index.user(login), short=True) for login in org.members
            ]
            return self._page(request, members)
        raise not_found()

    def _repo_by_name(self, full_name: str, rest: list[str], request: Request) -> GhRepo:
        repo = self.index.repos.get(full_name.lower())
        if repo is None:
            raise not_found()
        if repo.renamed_to is not None:
            target = self.index.current(repo)
            raise moved(f"{self.index.base}/repositories/{target.id}", rest, request)
        return repo

    def _repo_route(
        self, request: Request, repo: GhRepo, rest: list[str]
    ) -> tuple[Any, dict[str, str]]:
        if repo.unavailable_legal:
            raise Answer(
                451,
                {
                    "message": "Repository access blocked",
                    "block": {
                        "reason": "dmca",
                        "created_at": iso(self.index.now - timedelta(days=10)),
                        "html_url": "https://github.com/github/dmca/blob/master/2026/01/2026-01-01-example.md",
                    },
                },
            )
        if not rest:
            return self.index.repo_json(repo), {}
        since = parse_iso(request.args.get("since"))
        match rest:
            case ["contributors"]:
                if repo.empty:
                    raise Answer(204, None)
                ranked = sorted(repo.contributors, key=lambda c: (-c[1], c[0]))
                items = [
                    {**self.index.user_json(self.index.user(login), short=True), "contributions": n}
                    for login, n in ranked
                ]
                return self._page(request, items, repo)
            case ["commits"]:
                if repo.empty:
                    raise Answer(
                        409, {"message": "Git Repository is empty.", "documentation_url": DOCS}
                    )
                return self._page(request, self.index.commits(repo, since), repo)
            case ["releases"]:
                releases = sorted(repo.releases, key=lambda r: r.published_at, reverse=True)
                return self._page(
                    request,
                    [self.index.release_json(repo, n, r) for n, r in enumerate(releases)],
                    repo,
                )
            case ["issues"]:
                return self._page(request, self.index.issues(repo, request, since), repo)
            case ["issues", "comments"]:
                return self._page(request, self.index.comments(repo, since), repo)
            case ["pulls"]:
                state = request.args.get("state", "open")
                pulls = [
                    self.index.issue_json(repo, issue)
                    for issue in sorted(repo.issues, key=lambda i: -i.number)
                    if issue.is_pull_request and state_matches(issue, state)
                ]
                return self._page(request, pulls, repo)
            case ["stargazers"]:
                return self._stargazers(request, repo)
        raise not_found()

    def _page(
        self, request: Request, items: list[Any], repo: GhRepo | None = None
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = min(max(int_arg(request, "per_page", 30), 1), 100)
        page = max(int_arg(request, "page", 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        return chunk, self._links(request, repo, page, last)

    def _links(self, request: Request, repo: GhRepo | None, page: int, last: int) -> dict[str, str]:
        if last <= 1:
            return {}
        path = request.path[len(self.index.prefix) :] if self.index.prefix else request.path
        if repo is not None:
            sub = path.split("/", 4)[4] if path.startswith("/repos/") else path.split("/", 3)[3]
            path = f"/repositories/{repo.id}/{sub}"
        args = {key: value for key, value in request.args.items() if key != "page"}

        def url(number: int) -> str:
            return f"{self.index.base}{path}?{urlencode({**args, 'page': number})}"

        links = []
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        return {"Link": ", ".join(links)} if links else {}

    def _stargazers(self, request: Request, repo: GhRepo) -> tuple[Any, dict[str, str]]:
        if repo.stargazers_restricted:
            raise Answer(
                403,
                {
                    "message": "The stargazer list of this repository is restricted to "
                    "repository admins and collaborators.",
                    "documentation_url": DOCS,
                },
            )
        known = sorted(repo.stargazers, key=lambda s: aware(s.starred_at))
        total = max(repo.stars, len(known))
        offset = total - len(known)
        per_page = min(max(int_arg(request, "per_page", 30), 1), 100)
        page = max(int_arg(request, "page", 1), 1)
        with_dates = STAR_MEDIA_TYPE in request.headers.get("Accept", "")
        items: list[Any] = []
        for index in range((page - 1) * per_page, min(page * per_page, total)):
            if index >= offset:
                star = known[index - offset]
                login, starred_at = star.user, aware(star.starred_at)
            else:
                # Older stars than the world keeps: plausible placeholders spread before them.
                login = f"stargazer-{repo.id}-{index}"
                first = known[0].starred_at if known else self.index.now
                span = max((aware(first) - aware(repo.created_at)).total_seconds(), 1.0)
                starred_at = aware(repo.created_at) + timedelta(
                    seconds=span * index / max(offset, 1)
                )
            user = self.index.user_json(self.index.user(login), short=True)
            items.append({"starred_at": iso(starred_at), "user": user} if with_dates else user)
        return items, self._links(request, repo, page, max(math.ceil(total / per_page), 1))
