"""The fake GitHub: REST and GraphQL over a synthetic world, in GitHub's wire format.

Served by `ossimpact.sandbox.http.FakeServer` (or any WSGI server). What it mimics, because the
real clients depend on it: absolute URLs on its own base (PyGithub refuses other hosts), `Link`
headers exactly as `<url>; rel="next", <url>; rel="last"` with `/repositories/{id}/...` paths, an
ETag on every GET and 304 on a matching If-None-Match (not counted against the rate limit),
`x-ratelimit-*` headers everywhere, 301 for renamed repositories, 409 for empty ones, 451 for
blocked ones, 401 on GraphQL without a token. The stargazer list of a restricted repository
answers 403, our reading of GitHub's 2026-06-30 announcement (the list is restricted to admins and
collaborators: an authenticated outsider is refused, not told the repository is missing).
Platform faults arrive in `environ["ossimpact.fault"]`: `rate_limit` per `github_style`,
`not_found` as GitHub's 404 body, `graphql_errors` as HTTP 200 with an `errors` array of type
RATE_LIMITED (with exhausted x-ratelimit headers) when the fault's status is 429, else INTERNAL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from urllib.parse import urlencode, urlsplit
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.wrappers import Request, Response

from ossimpact.domain import graphql_url_for
from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.model import GhIssue, GhOrg, GhRepo, GhUser, World

WsgiApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]

FAULT_ENVIRON_KEY = "ossimpact.fault"
RATE_LIMIT = 5000
STAR_MEDIA_TYPE = "application/vnd.github.v3.star+json"
_DOCS = "https://docs.github.com/rest"


def world_now(world: World) -> datetime:
    """The moment the fake serves as "now": noon UTC of the world's last day."""
    return datetime.combine(world.today, clock_time(12, 0), tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The hour the headers count, on the sandbox's pacing clock (runner.SANDBOX_TIME_SCALE, 600):
# a budget that never renewed would tell a paced client to stop (collectors/pacing.py).
SANDBOX_HOUR_SECONDS = 3600 / 600


@dataclass
class _RateCounter:
    used: dict[str, int] = field(default_factory=lambda: {"core": 0, "graphql": 0})
    reset: int = field(default_factory=lambda: int(time.time() + SANDBOX_HOUR_SECONDS))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _renew(self) -> None:
        now = time.time()
        if now >= self.reset:  # a new hour, as GitHub's primary limit renews
            self.used = {"core": 0, "graphql": 0}
            self.reset = int(now + SANDBOX_HOUR_SECONDS)

    def spend(self, resource: str, amount: int) -> tuple[int, int]:
        with self.lock:
            self._renew()
            self.used[resource] = self.used.get(resource, 0) + amount
            return self.used[resource], self.reset

    def peek(self, resource: str) -> tuple[int, int]:
        with self.lock:
            self._renew()
            return self.used.get(resource, 0), self.reset


class _Answer(Exception):
    """Raised inside a handler to answer early (errors, redirects)."""

    def __init__(self, status: int, payload: Any, headers: Mapping[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.payload = payload
        self.headers = dict(headers or {})


class FakeGitHub:
    """The WSGI app. Pre-indexes the world once; every request is a dictionary lookup."""

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
        self.graphql_path = urlsplit(graphql_url_for(self.base)).path
        self.now = world_now(world)
        self.tamper = {key.lower(): dict(value) for key, value in (tamper or {}).items()}
        self.rate = _RateCounter()
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

    # -- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self._respond(request, environ.get(FAULT_ENVIRON_KEY))
        return response(environ, start_response)

    def _respond(self, request: Request, fault: Fault | None) -> Response:
        resource = "graphql" if request.path == self.graphql_path else "core"
        try:
            if fault is not None:
                self._render_fault(fault, resource, request)
            if request.method == "POST" and request.path == self.graphql_path:
                payload, cost = self._graphql(request)
                return self._json(200, payload, resource, cost=cost)
            if request.method != "GET":
                raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
            payload, headers = self._rest(request)
        except _Answer as answer:
            return self._json(answer.status, answer.payload, resource, headers=answer.headers)
        body = json.dumps(payload, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
        if etag in request.headers.get("If-None-Match", ""):
            response = Response(status=304)
            response.headers["ETag"] = etag
            self._rate_headers(response, resource, cost=0)
            return response
        response = self._json(200, payload, resource, headers=headers, body=body)
        response.headers["ETag"] = etag
        return response

    def _json(
        self,
        status: int,
        payload: Any,
        resource: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        cost: int = 1,
    ) -> Response:
        if body is None:
            body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        response = Response(body, status=status)
        if payload is not None:
            response.headers["Content-Type"] = "application/json; charset=utf-8"
        for key, value in (headers or {}).items():
            response.headers[key] = value
        if "x-ratelimit-remaining" not in response.headers:
            self._rate_headers(response, resource, cost=cost)
        return response

    def _rate_headers(self, response: Response, resource: str, *, cost: int) -> None:
        used, reset = self.rate.spend(resource, cost) if cost else self.rate.peek(resource)
        response.headers["x-ratelimit-limit"] = str(RATE_LIMIT)
        response.headers["x-ratelimit-remaining"] = str(max(RATE_LIMIT - used, 0))
        response.headers["x-ratelimit-used"] = str(used)
        response.headers["x-ratelimit-reset"] = str(reset)
        response.headers["x-ratelimit-resource"] = resource

    def _render_fault(self, fault: Fault, resource: str, request: Request) -> None:
        if fault.kind == "not_found":
            raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
        if fault.kind == "graphql_errors":
            kind = "RATE_LIMITED" if fault.status == 429 else "INTERNAL"
            headers = {}
            if kind == "RATE_LIMITED":
                headers = self._exhausted_headers(fault, resource)
            message = (
                "API rate limit exceeded for user."
                if kind == "RATE_LIMITED"
                else "Something went wrong while executing your query."
            )
            raise _Answer(
                200, {"data": None, "errors": [{"type": kind, "message": message}]}, headers
            )
        if fault.kind == "echo_token":
            sent = request.headers.get("Authorization", "")
            raise _Answer(401, {"message": f"Bad credentials: {sent}", "documentation_url": _DOCS})
        if fault.kind == "foreign_redirect":
            raise _Answer(302, None, {"Location": fault.location})
        if fault.kind != "rate_limit":
            return
        if fault.github_style == "primary":
            headers = self._exhausted_headers(fault, resource)
            if fault.raw_header is not None:
                headers["x-ratelimit-reset"] = fault.raw_header
            raise _Answer(
                403,
                {
                    "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                    "Authenticated requests get a higher rate limit.)",
                    "documentation_url": f"{_DOCS}/overview/rate-limits-for-the-rest-api",
                },
                headers,
            )
        headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.raw_header is not None:
            headers = {"retry-after": fault.raw_header}
        raise _Answer(
            429 if fault.github_style == "secondary_429" else 403,
            {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again. If you reach out to GitHub Support for help, please "
                "include the request ID.",
                "documentation_url": f"{_DOCS}/overview/rate-limits-for-the-rest-api",
            },
            headers,
        )

    def _exhausted_headers(self, fault: Fault, resource: str) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": str(RATE_LIMIT),
            "x-ratelimit-reset": str(int(time.time()) + fault.reset_in),
            "x-ratelimit-resource": resource,
        }

    # -- REST -----------------------------------------------------------------------------------

    def _rest(self, request: Request) -> tuple[Any, dict[str, str]]:
        path = request.path
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
            path = path[len(self.prefix) :]
        parts = [part for part in path.split("/") if part]
        if parts == ["rate_limit"]:
            return self._rate_limit_body(), {}
        if len(parts) >= 2 and parts[0] == "orgs":
            return self._org_route(request, parts[1], parts[2:])
        if len(parts) >= 2 and parts[0] == "organizations" and parts[1].isdigit():
            org_id = int(parts[1])
            by_id = [org.login for org in self.orgs.values() if org.id == org_id]
            if not by_id:
                raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
            return self._org_route(request, by_id[0], parts[2:])
        if len(parts) == 2 and parts[0] == "users":
            return self._user_json(self._user(parts[1])), {}
        if len(parts) >= 3 and parts[0] == "repos":
            repo = self._repo_by_name(f"{parts[1]}/{parts[2]}", parts[3:], request)
            return self._repo_route(request, repo, parts[3:])
        if len(parts) >= 2 and parts[0] == "repositories" and parts[1].isdigit():
            found = self.repos_by_id.get(int(parts[1]))
            if found is None:
                raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
            return self._repo_route(request, self._current(found), parts[2:])
        raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})

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
        renamed = {old.lower(): new for old, new in self.world.gh_renamed_orgs.items()}
        target = self.orgs.get(renamed.get(login.lower(), "").lower())
        if target is not None:  # GitHub answers a renamed organisation's old login by its id
            location = f"{self.base}/organizations/{target.id}" + "".join(f"/{p}" for p in rest)
            if request.query_string:
                location += "?" + request.query_string.decode()
            raise _Answer(
                301,
                {"message": "Moved Permanently", "url": location, "documentation_url": _DOCS},
                {"Location": location},
            )
        org = self.orgs.get(login.lower())
        if org is None:
            raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
        if not rest:
            return self._org_json(org), {}
        if rest == ["repos"]:
            repos = self.org_repos.get(org.login.lower(), [])
            return self._page(request, [self._repo_json(r, listing=True) for r in repos])
        if rest == ["public_members"]:
            members = [self._user_json(self._user(login), short=True) for login in org.members]
            return self._page(request, members)
        raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})

    def _repo_by_name(self, full_name: str, rest: list[str], request: Request) -> GhRepo:
        repo = self.repos.get(full_name.lower())
        if repo is None:
            raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})
        if repo.renamed_to is not None:
            target = self._current(repo)
            location = f"{self.base}/repositories/{target.id}" + "".join(f"/{p}" for p in rest)
            if request.query_string:
                location += "?" + request.query_string.decode()
            raise _Answer(
                301,
                {"message": "Moved Permanently", "url": location, "documentation_url": _DOCS},
                {"Location": location},
            )
        return repo

    def _current(self, repo: GhRepo) -> GhRepo:
        seen = 0
        while repo.renamed_to is not None and seen < 5:
            target = self.repos.get(repo.renamed_to.lower())
            if target is None or target is repo:
                break
            repo, seen = target, seen + 1
        return repo

    def _repo_route(
        self, request: Request, repo: GhRepo, rest: list[str]
    ) -> tuple[Any, dict[str, str]]:
        if repo.unavailable_legal:
            raise _Answer(
                451,
                {
                    "message": "Repository access blocked",
                    "block": {
                        "reason": "dmca",
                        "created_at": _iso(self.now - timedelta(days=10)),
                        "html_url": "https://github.com/github/dmca/blob/master/2026/01/2026-01-01-example.md",
                    },
                },
            )
        if not rest:
            return self._repo_json(repo), {}
        since = _parse_iso(request.args.get("since"))
        match rest:
            case ["contributors"]:
                if repo.empty:
                    raise _Answer(204, None)
                ranked = sorted(repo.contributors, key=lambda c: (-c[1], c[0]))
                items = [
                    {**self._user_json(self._user(login), short=True), "contributions": n}
                    for login, n in ranked
                ]
                return self._page(request, items, repo)
            case ["commits"]:
                if repo.empty:
                    raise _Answer(
                        409, {"message": "Git Repository is empty.", "documentation_url": _DOCS}
                    )
                return self._page(request, self._commits(repo, since), repo)
            case ["releases"]:
                releases = sorted(repo.releases, key=lambda r: r.published_at, reverse=True)
                return self._page(
                    request, [self._release_json(repo, n, r) for n, r in enumerate(releases)], repo
                )
            case ["issues"]:
                return self._page(request, self._issues(repo, request, since), repo)
            case ["issues", "comments"]:
                return self._page(request, self._comments(repo, since), repo)
            case ["pulls"]:
                state = request.args.get("state", "open")
                pulls = [
                    self._issue_json(repo, issue)
                    for issue in sorted(repo.issues, key=lambda i: -i.number)
                    if issue.is_pull_request and _state_matches(issue, state)
                ]
                return self._page(request, pulls, repo)
            case ["stargazers"]:
                return self._stargazers(request, repo)
        raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})

    def _page(
        self, request: Request, items: list[Any], repo: GhRepo | None = None
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = min(max(_int_arg(request, "per_page", 30), 1), 100)
        page = max(_int_arg(request, "page", 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        return chunk, self._links(request, repo, page, last)

    def _links(self, request: Request, repo: GhRepo | None, page: int, last: int) -> dict[str, str]:
        if last <= 1:
            return {}
        path = request.path[len(self.prefix) :] if self.prefix else request.path
        if repo is not None:
            sub = path.split("/", 4)[4] if path.startswith("/repos/") else path.split("/", 3)[3]
            path = f"/repositories/{repo.id}/{sub}"
        args = {key: value for key, value in request.args.items() if key != "page"}

        def url(number: int) -> str:
            return f"{self.base}{path}?{urlencode({**args, 'page': number})}"

        links = []
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        return {"Link": ", ".join(links)} if links else {}

    def _stargazers(self, request: Request, repo: GhRepo) -> tuple[Any, dict[str, str]]:
        if repo.stargazers_restricted:
            raise _Answer(
                403,
                {
                    "message": "The stargazer list of this repository is restricted to "
                    "repository admins and collaborators.",
                    "documentation_url": _DOCS,
                },
            )
        known = sorted(repo.stargazers, key=lambda s: _aware(s.starred_at))
        total = max(repo.stars, len(known))
        offset = total - len(known)
        per_page = min(max(_int_arg(request, "per_page", 30), 1), 100)
        page = max(_int_arg(request, "page", 1), 1)
        with_dates = STAR_MEDIA_TYPE in request.headers.get("Accept", "")
        items: list[Any] = []
        for index in range((page - 1) * per_page, min(page * per_page, total)):
            if index >= offset:
                star = known[index - offset]
                login, starred_at = star.user, _aware(star.starred_at)
            else:
                # Older stars than the world keeps: plausible placeholders spread before them.
                login = f"stargazer-{repo.id}-{index}"
                first = known[0].starred_at if known else self.now
                span = max((_aware(first) - _aware(repo.created_at)).total_seconds(), 1.0)
                starred_at = _aware(repo.created_at) + timedelta(
                    seconds=span * index / max(offset, 1)
                )
            user = self._user_json(self._user(login), short=True)
            items.append({"starred_at": _iso(starred_at), "user": user} if with_dates else user)
        return items, self._links(request, repo, page, max(math.ceil(total / per_page), 1))

    # -- records --------------------------------------------------------------------------------

    def _user(self, login: str) -> GhUser:
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
        raise _Answer(404, {"message": "Not Found", "documentation_url": _DOCS})

    def _user_json(self, user: GhUser, *, short: bool = False) -> dict[str, Any]:
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
            "created_at": _iso(user.created_at),
            "updated_at": _iso(self.now),
        }

    def _org_json(self, org: GhOrg) -> dict[str, Any]:
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
            "created_at": _iso(org.created_at),
            "updated_at": _iso(self.now),
            "type": "Organization",
        }

    def _repo_json(self, repo: GhRepo, *, listing: bool = False) -> dict[str, Any]:
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
            owner_json = self._user_json(self._user(repo.owner), short=True)
        open_issues, open_prs = _open_counts(repo)
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
            "created_at": _iso(repo.created_at),
            "updated_at": _iso(repo.pushed_at),
            "pushed_at": _iso(repo.pushed_at),
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
            "license": _license_json(repo.license_spdx),
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

    def _release_json(self, repo: GhRepo, index: int, release: Any) -> dict[str, Any]:
        release_id = repo.id * 1000 + index
        url = f"{self.base}/repos/{repo.full_name}/releases/{release_id}"
        published = _iso(release.published_at)
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

    def _commits(self, repo: GhRepo, since: datetime | None) -> list[dict[str, Any]]:
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
                        "author": {"name": "dev", "date": _iso(moment)},
                        "committer": {"name": "dev", "date": _iso(moment)},
                        "message": f"change {index}",
                    },
                }
            )
        return items

    def _issues(
        self, repo: GhRepo, request: Request, since: datetime | None
    ) -> list[dict[str, Any]]:
        state = request.args.get("state", "open")
        chosen = [
            issue
            for issue in sorted(repo.issues, key=lambda i: (_aware(i.created_at), i.number))
            if _state_matches(issue, state) and (since is None or _updated_at(issue) >= since)
        ]
        chosen.reverse()  # newest first, GitHub's default sort
        return [self._issue_json(repo, issue) for issue in chosen]

    def _issue_json(self, repo: GhRepo, issue: GhIssue) -> dict[str, Any]:
        url = f"{self.base}/repos/{repo.full_name}/issues/{issue.number}"
        data: dict[str, Any] = {
            "url": url,
            "repository_url": f"{self.base}/repos/{repo.full_name}",
            "comments_url": f"{url}/comments",
            "html_url": f"https://github.com/{repo.full_name}/issues/{issue.number}",
            "id": repo.id * 100_000 + issue.number,
            "number": issue.number,
            "title": f"{'PR' if issue.is_pull_request else 'Issue'} {issue.number}",
            "user": self._user_json(self._user(issue.author), short=True),
            "state": "closed" if issue.closed_at else "open",
            "comments": 1 if issue.first_response_at else 0,
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(_updated_at(issue)),
            "closed_at": _iso(issue.closed_at),
            "author_association": "NONE",
        }
        if issue.is_pull_request:
            pulls = f"{self.base}/repos/{repo.full_name}/pulls/{issue.number}"
            data["pull_request"] = {"url": pulls, "merged_at": None}
        return data

    def _comments(self, repo: GhRepo, since: datetime | None) -> list[dict[str, Any]]:
        items = []
        for issue in repo.issues:
            if issue.first_response_at is None:
                continue
            moment = _aware(issue.first_response_at)
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
                        "user": self._user_json(self._user(responder), short=True),
                        "created_at": _iso(moment),
                        "updated_at": _iso(moment),
                        "body": "Thanks for the report.",
                    },
                )
            )
        items.sort(key=lambda item: (item[0], item[1]))
        return [item[2] for item in items]

    # -- GraphQL --------------------------------------------------------------------------------

    def _graphql(self, request: Request) -> tuple[dict[str, Any], int]:
        if not request.headers.get("Authorization"):
            raise _Answer(
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
            raise _Answer(
                400, {"message": "Problems parsing JSON", "documentation_url": _DOCS}
            ) from None
        used, reset = self.rate.peek("graphql")
        rate = {
            "cost": 1,
            "limit": RATE_LIMIT,
            "remaining": max(RATE_LIMIT - used - 1, 0),
            "used": used + 1,
            "resetAt": _iso(datetime.fromtimestamp(reset, UTC)),
            "nodeCount": 0,
        }
        data: dict[str, Any] = {"rateLimit": rate}
        if "organization(" not in query:
            return {
                "errors": [{"message": "Unsupported query for the sandbox", "type": "INTERNAL"}]
            }, 1
        login = str(variables.get("org", ""))
        org = self.orgs.get(login.lower())
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
        since = _parse_iso(str(variables.get("since") or "")) or (self.now - timedelta(days=90))
        offset = _decode_cursor(variables.get("cursor"))
        repos = self.org_repos.get(org.login.lower(), [])
        chunk = repos[offset : offset + first]
        end = offset + len(chunk)
        rate["nodeCount"] = len(chunk)
        data["organization"] = {
            "login": org.login,
            "repositories": {
                "totalCount": len(repos),
                "pageInfo": {
                    "hasNextPage": end < len(repos),
                    "endCursor": _encode_cursor(end) if chunk else None,
                },
                "nodes": [self._repo_node(repo, since) for repo in chunk],
            },
        }
        return {"data": data}, 1

    def _graph_item(self, issue: GhIssue, *, pr: bool = False) -> dict[str, Any]:
        thread = []
        if issue.first_response_at is not None:
            responder = self._user(issue.first_responder or "ghost")
            thread.append(
                {"createdAt": _iso(issue.first_response_at), "author": _graph_author(responder)}
            )
        item: dict[str, Any] = {
            "number": issue.number,
            "createdAt": _iso(issue.created_at),
            "closedAt": _iso(issue.closed_at),
            "author": _graph_author(self._user(issue.author)),
            "comments": {"totalCount": len(thread), "nodes": thread},
        }
        if pr:
            item["updatedAt"] = _iso(_updated_at(issue))
        return item

    def _repo_node(self, repo: GhRepo, since: datetime) -> dict[str, Any]:
        open_issues, open_prs = _open_counts(repo)
        latest = max(repo.releases, key=lambda r: r.published_at, default=None)
        commits = len(self._commits(repo, since))
        window_issues = sorted(
            (i for i in repo.issues if not i.is_pull_request and _updated_at(i) >= since),
            key=lambda i: (_aware(i.created_at), i.number),
            reverse=True,
        )
        prs = sorted(
            (i for i in repo.issues if i.is_pull_request),
            key=lambda i: (_updated_at(i), i.number),
            reverse=True,
        )
        node: dict[str, Any] = {
            "databaseId": repo.id,
            "nameWithOwner": repo.full_name,
            "description": repo.description,
            "isFork": repo.is_fork,
            "isArchived": repo.archived,
            "createdAt": _iso(repo.created_at),
            "pushedAt": _iso(repo.pushed_at),
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
                        repo.releases, key=lambda r: _aware(r.published_at), reverse=True
                    )[:10]
                ],
            },
            "latestRelease": (
                {"tagName": latest.tag_name, "publishedAt": _iso(latest.published_at)}
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
        for key, value in self.tamper.get(repo.full_name.lower(), {}).items():
            target = graph_keys.get(key, key)
            if target in node:
                node[target] = value
        return node


def _graph_author(world_user: GhUser) -> dict[str, str]:
    # GraphQL names an app bot without REST's "[bot]" suffix and types it Bot.
    if world_user.is_bot or world_user.login.endswith("[bot]"):
        return {"login": world_user.login.removesuffix("[bot]"), "__typename": "Bot"}
    return {"login": world_user.login, "__typename": "User"}


def make_github_app(
    world: World, base_url: str, *, tamper: Mapping[str, Mapping[str, Any]] | None = None
) -> WsgiApp:
    """The fake GitHub for `world`, writing absolute URLs on `base_url` (may end in `/api/v3`).

    `tamper` replaces fields of chosen repositories (REST names, e.g. `stargazers_count`; the
    GraphQL node follows) so tests can serve malformed payloads.
    """
    return FakeGitHub(world, base_url, tamper=tamper)


def _int_arg(request: Request, name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def _state_matches(issue: GhIssue, state: str) -> bool:
    if state == "all":
        return True
    return (issue.closed_at is None) == (state == "open")


def _updated_at(issue: GhIssue) -> datetime:
    moments = [issue.created_at, issue.closed_at, issue.first_response_at]
    return max(_aware(m) for m in moments if m is not None)


def _open_counts(repo: GhRepo) -> tuple[int, int]:
    open_issues = sum(1 for i in repo.issues if i.closed_at is None and not i.is_pull_request)
    open_prs = sum(1 for i in repo.issues if i.closed_at is None and i.is_pull_request)
    return open_issues, open_prs


def _license_json(spdx: str | None) -> dict[str, Any] | None:
    if spdx is None:
        return None
    return {
        "key": spdx.lower(),
        "name": spdx,
        "spdx_id": spdx,
        "url": f"https://api.github.com/licenses/{spdx.lower()}",
        "node_id": base64.b64encode(f"License{spdx}".encode()).decode(),
    }


_CURSOR = re.compile(r"^cursor:(\d+)$")


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def _decode_cursor(cursor: object) -> int:
    if not isinstance(cursor, str) or not cursor:
        return 0
    try:
        match = _CURSOR.match(base64.b64decode(cursor).decode())
    except ValueError:
        match = None
    if match is None:
        raise _Answer(
            200,
            {
                "data": None,
                "errors": [{"type": "INVALID_CURSOR_ARGUMENTS", "message": "bad cursor"}],
            },
        )
    return int(match.group(1))
