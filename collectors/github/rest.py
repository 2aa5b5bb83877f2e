"""REST calls: cacheable per-repository listings through httpx, organisation calls through PyGithub.

Listings are walked with explicit `page=N` URLs (not the `Link` header) so that every page is a
stable URL whose ETag can be replayed: a 304 carries no body and no Link, and the cached body is
all we have. A page shorter than `per_page` is the last one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from github import Auth, Github, GithubException, UnknownObjectException
from github.GithubObject import GithubObject
from github.Organization import Organization
from github.PaginatedList import PaginatedList
from requests.exceptions import RequestException

from collectors.core.errors import reason_for_status
from collectors.core.politeness import Headers
from collectors.http import HttpClient, HttpError

PER_PAGE = 100
MAX_PAGES = 50  # 5,000 items: past that a listing is a sample, which the caller can tell
STAR_MEDIA_TYPE = "application/vnd.github.v3.star+json"

T = TypeVar("T")
G = TypeVar("G", bound=GithubObject)


@dataclass(frozen=True)
class Listing:
    items: list[Any]
    url: str  # the first page's URL, as evidence
    from_cache: bool  # every page answered 304
    complete: bool  # False when MAX_PAGES stopped the walk


def listing(
    client: HttpClient,
    path: str,
    params: Mapping[str, str | int] | None = None,
    *,
    accept: str | None = None,
    max_pages: int = MAX_PAGES,
    first_page: int = 1,
) -> Listing:
    """Every item of a paginated GitHub listing, each page a conditional GET."""
    items: list[Any] = []
    url = ""
    cached = True
    for page in range(first_page, first_page + max_pages):
        answer = client.get_json(
            path,
            params={**(params or {}), "per_page": PER_PAGE, "page": page},
            conditional=True,
            accept=accept,
        )
        url = url or answer.url
        cached = cached and answer.from_cache
        data = answer.data if answer.data is not None else []
        if not isinstance(data, list):
            raise HttpError(
                f"GET {answer.url} answered {type(data).__name__}, expected a list",
                status=answer.status,
                url=answer.url,
                reason="malformed",
            )
        items.extend(data)
        if len(data) < PER_PAGE:
            return Listing(items, url, cached, True)
    return Listing(items, url, cached, False)


# -- PyGithub: the organisation, its members, the REST fallback's repository listing -----------


def make_github(api_url: str, token: str | None, timeout: float) -> Github:
    # PyGithub's own throttle (0.25 s) and retry (real sleeps, no shared budget) are switched
    # off: HttpClient's waits apply to PyGithub calls too, through `pygithub_call`.
    return Github(
        base_url=api_url.rstrip("/"),
        auth=Auth.Token(token) if token else None,
        timeout=int(timeout),
        per_page=PER_PAGE,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def pygithub_call(client: HttpClient, what: str, call: Callable[[], T]) -> T:
    """Run one PyGithub request under the client's rules (counted, rate limits waited out within
    its budget, 5xx retried), its exceptions turned into HttpError with the token redacted."""
    try:
        return client.run_polite(what, call, _answer_of)
    except UnknownObjectException:
        raise HttpError(f"{what}: not found", status=404, url=what, reason="not_found") from None
    except GithubException as error:
        message = error.message or (
            error.data.get("message") if isinstance(error.data, dict) else ""
        )
        raise HttpError(
            client.redact(f"{what}: HTTP {error.status} {message or ''}".strip()),
            status=error.status,
            url=what,
            reason=reason_for_status(error.status),
        ) from None
    except RequestException as error:
        raise HttpError(
            client.redact(f"{what}: {type(error).__name__}"),
            status=None,
            url=what,
            reason="connection",
        ) from None
    except (RuntimeError, TypeError, KeyError, AttributeError) as error:
        # PyGithub refuses a 301 to another host with RuntimeError, and reads a 302 (which it
        # does not follow) as an object without attributes: either way nothing was collected.
        raise HttpError(
            client.redact(
                f"{what}: not an answer PyGithub can read, e.g. a redirect elsewhere "
                f"({type(error).__name__})"
            ),
            status=None,
            url=what,
            reason="other",
        ) from None


def _answer_of(error: Exception) -> tuple[int, Headers, bytes] | None:
    """The HTTP answer inside a PyGithub exception, for the client's retry rule."""
    if isinstance(error, (ValueError, OverflowError)) and "convert" in str(error):
        # PyGithub reads x-ratelimit-* with int(float(...)) before anything else, so a header
        # of nan or inf ends in this error, the answer lost: a limit without a usable wait.
        return 429, httpx.Headers(), b""
    if not isinstance(error, GithubException) or isinstance(error, UnknownObjectException):
        return None
    body = json.dumps(error.data).encode() if error.data is not None else b""
    return error.status, httpx.Headers(dict(error.headers or {})), body


def organization(client: HttpClient, gh: Github, login: str) -> Organization:
    """`GET /orgs/{login}` (one request; PyGithub is not lazy by default)."""
    return pygithub_call(client, f"organisation {login}", lambda: gh.get_organization(login))


def _all_pages(client: HttpClient, what: str, pages: PaginatedList[G]) -> list[G]:
    found: list[G] = []
    for number in range(MAX_PAGES):
        page = pygithub_call(client, what, lambda n=number: pages.get_page(n))  # type: ignore[misc]
        found.extend(page)
        if len(page) < PER_PAGE:
            break
    return found


def public_member_logins(client: HttpClient, org: Organization) -> set[str]:
    """Members who show their membership: the only ones an outsider can see."""
    members = _all_pages(client, f"public members of {org.login}", org.get_public_members())
    return {member.login for member in members}


def organization_repository_names(client: HttpClient, org: Organization) -> list[str]:
    """The REST fallback's listing: full names of the organisation's public repositories."""
    repos = _all_pages(client, f"repositories of {org.login}", org.get_repos(type="public"))
    return [repo.full_name for repo in repos]
