"""Ask a platform what one registry handle holds today: artifacts, nothing, no such name, a rename.

A wrong handle makes a collection silently collect nothing, so the live registry check asks each
platform about every handle with a bounded listing (a few pages at most) and reads the answer:
- Hugging Face: `/api/models?author=H` and `/api/datasets?author=H`; a 307 to another author or
  listed ids under another owner (beyond case) is a rename; when both are empty the organisation
  (else user) overview tells an empty handle from one that does not exist;
- GitHub: `/orgs/H/repos` (else `/users/H/repos` for a personal account); a 301 to
  `/organizations/ID/...` or repositories whose `owner.login` differs (beyond case) is a rename.
Every request goes through `HttpClient`, so rate limits, retries and token redaction are the
collectors' own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from collectors.http import HttpAnswer, HttpClient, HttpError, RateLimitBudgetExceeded
from ossimpact.domain import ArtifactId, ArtifactKind, FailureReason, InvalidArtifactId

HandleState = Literal["found", "empty", "not_found", "renamed", "failed"]

# A listing is read for at most this many pages: enough for the largest registry handles
# (open-mmlab, OpenGVLab hold a few hundred repositories) and a bound on what one check spends.
MAX_PAGES = 5
HF_PAGE_SIZE = 1000
GH_PAGE_SIZE = 100

_HF_LISTINGS: tuple[tuple[ArtifactKind, str], ...] = (
    ("model", "/api/models"),
    ("dataset", "/api/datasets"),
)
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class HandleAnswer:
    """What a platform said about one handle (`hf:fnlp`, `gh:opendilab`)."""

    handle: str
    state: HandleState
    artifacts: tuple[ArtifactId, ...] = ()
    renamed_to: str | None = None  # the platform's current name, without the `hf:`/`gh:` tag
    truncated: bool = False  # the listing had more pages than MAX_PAGES
    requests: int = 0
    detail: str = ""
    failure: FailureReason | None = None  # why a "failed" handle could not be read

    @property
    def platform(self) -> str:
        return self.handle.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.handle.split(":", 1)[1]


def _pages(
    client: HttpClient, path: str, params: dict[str, str | int]
) -> Iterator[tuple[HttpAnswer, bool]]:
    """Each page of a listing (following `Link: rel=next`) and whether more remain unread."""
    answer = client.get_json(path, params=params)
    for page in range(1, MAX_PAGES + 1):
        match = _NEXT_LINK.search(answer.headers.get("link", ""))
        more = match is not None
        yield answer, more and page == MAX_PAGES
        if match is None or page == MAX_PAGES:
            return
        answer = client.get_json(match.group(1))


def _owner_counts(artifacts: list[ArtifactId]) -> Counter[str]:
    return Counter(artifact.owner for artifact in artifacts)


def _renamed_owner(handle: str, owners: Counter[str]) -> str | None:
    """The most frequent listed owner when no listed owner is the handle (case aside)."""
    if not owners or any(owner.casefold() == handle.casefold() for owner in owners):
        return None
    return owners.most_common(1)[0][0]


def _hf_item(kind: ArtifactKind, item: Any) -> ArtifactId | None:
    repo_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(repo_id, str):
        return None
    try:
        return ArtifactId.parse(f"hf:{kind}:{repo_id}")
    except InvalidArtifactId:
        return None


def _author_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("author")
    return values[0] if values else None


def _failed(handle: str, requests: int, error: HttpError | RateLimitBudgetExceeded) -> HandleAnswer:
    reason: FailureReason = error.reason if isinstance(error, HttpError) else "rate_limited"
    return HandleAnswer(handle, "failed", requests=requests, detail=str(error), failure=reason)


def probe_hf_handle(
    client: HttpClient, name: str, known: Sequence[ArtifactId] = ()
) -> HandleAnswer:
    """What the Hub holds under `name` (an organisation or user).

    `known` are artifacts the registry names exactly under this handle: when the handle lists
    nothing, the first one is asked for, as the Hub answers a moved repository with a 307 to its
    new id even where the old account itself no longer answers.
    """
    handle, before = f"hf:{name}", client.stats.requests
    artifacts: list[ArtifactId] = []
    redirected_to: str | None = None
    truncated = False
    try:
        for kind, path in _HF_LISTINGS:
            params: dict[str, str | int] = {"author": name, "limit": HF_PAGE_SIZE}
            for answer, more in _pages(client, path, params):
                truncated = truncated or more
                if answer.redirected_from is not None:
                    redirected_to = redirected_to or _author_of(answer.url)
                items = answer.data if isinstance(answer.data, list) else []
                artifacts.extend(a for a in (_hf_item(kind, i) for i in items) if a is not None)
        renamed = redirected_to or _renamed_owner(name, _owner_counts(artifacts))
        if renamed is None and not artifacts:
            state, renamed = _hf_account(client, name)
            if state != "renamed" and known:
                renamed = _moved_owner(client, known[0])
        else:
            state = "found"
    except (HttpError, RateLimitBudgetExceeded) as error:
        return _failed(handle, client.stats.requests - before, error)
    spent = client.stats.requests - before
    if renamed is not None and renamed.casefold() != name.casefold():
        return HandleAnswer(handle, "renamed", tuple(artifacts), renamed, truncated, spent)
    return HandleAnswer(handle, state, tuple(artifacts), None, truncated, spent)


def _hf_account(client: HttpClient, name: str) -> tuple[HandleState, str | None]:
    """An account with nothing listed: empty, renamed (the overview redirects) or absent."""
    for path in (f"/api/organizations/{name}/overview", f"/api/users/{name}/overview"):
        try:
            answer = client.get_json(path)
        except HttpError as error:
            if error.reason == "not_found":
                continue
            raise
        if answer.redirected_from is not None:
            parts = urlsplit(answer.url).path.rstrip("/").split("/")
            return "renamed", parts[-2] if len(parts) >= 2 else None
        return "empty", None
    return "not_found", None


def probe_gh_handle(
    client: HttpClient, name: str, known: Sequence[ArtifactId] = ()
) -> HandleAnswer:
    """What GitHub holds under `name` (an organisation, else a user).

    `known`: as for `probe_hf_handle` (GitHub answers a moved repository with a 301).
    """
    handle, before = f"gh:{name}", client.stats.requests
    try:
        answer: HandleAnswer | None = None
        for path in (f"/orgs/{name}/repos", f"/users/{name}/repos"):
            try:
                answer = _gh_listing(client, handle, name, path, before)
                break
            except HttpError as error:
                if error.reason != "not_found":
                    raise
        if answer is not None and answer.state != "empty":
            return answer
        moved = _moved_owner(client, known[0]) if known else None
    except (HttpError, RateLimitBudgetExceeded) as error:
        return _failed(handle, client.stats.requests - before, error)
    spent = client.stats.requests - before
    if moved is not None and moved.casefold() != name.casefold():
        return HandleAnswer(handle, "renamed", renamed_to=moved, requests=spent)
    state: HandleState = "empty" if answer is not None else "not_found"
    return HandleAnswer(handle, state, requests=spent)


def _moved_owner(client: HttpClient, artifact: ArtifactId) -> str | None:
    """The owner a known artifact answers under today; None when it is gone too."""
    if artifact.platform == "hf":
        path = f"/api/{artifact.kind}s/{artifact.repo_id}"
    else:
        path = f"/repos/{artifact.repo_id}"
    try:
        answer = client.get_json(path)
    except HttpError as error:
        if error.reason == "not_found":
            return None
        raise
    data = answer.data if isinstance(answer.data, dict) else {}
    current = data.get("full_name") if artifact.platform == "gh" else data.get("id")
    if not isinstance(current, str) or "/" not in current:
        return None
    return current.split("/", 1)[0]


def _gh_listing(client: HttpClient, handle: str, name: str, path: str, before: int) -> HandleAnswer:
    artifacts: list[ArtifactId] = []
    logins: Counter[str] = Counter()
    redirected_url: str | None = None
    truncated = False
    for answer, more in _pages(client, path, {"per_page": GH_PAGE_SIZE}):
        truncated = truncated or more
        if answer.redirected_from is not None and redirected_url is None:
            redirected_url = answer.url
        for item in answer.data if isinstance(answer.data, list) else []:
            full_name = item.get("full_name") if isinstance(item, dict) else None
            owner = item.get("owner") if isinstance(item, dict) else None
            if isinstance(owner, dict) and isinstance(owner.get("login"), str):
                logins[owner["login"]] += 1
            if isinstance(full_name, str):
                try:
                    artifacts.append(ArtifactId.gh_repo(full_name))
                except InvalidArtifactId:
                    continue
    renamed = _renamed_owner(name, logins)
    if redirected_url is not None and renamed is None and not logins:
        # A 301 to /organizations/ID/repos with nothing listed: the account's own record names it.
        account = client.get_json(redirected_url.split("?", 1)[0].removesuffix("/repos"))
        login = account.data.get("login") if isinstance(account.data, dict) else None
        renamed = login if isinstance(login, str) else "?"
    spent = client.stats.requests - before
    if renamed is not None and renamed.casefold() != name.casefold():
        return HandleAnswer(handle, "renamed", tuple(artifacts), renamed, truncated, spent)
    state: HandleState = "found" if artifacts else "empty"
    return HandleAnswer(handle, state, tuple(artifacts), None, truncated, spent)
