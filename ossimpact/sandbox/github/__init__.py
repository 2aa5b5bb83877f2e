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

The parts: `app` (WSGI, ETags, rate headers), `rest` (routes and link paging), `graphql`,
`records` (the indexed world and its JSON records), `fault_answers`, `wire` (shared helpers).
"""

from ossimpact.sandbox.github.app import FakeGitHub, WsgiApp, make_github_app
from ossimpact.sandbox.github.wire import (
    FAULT_ENVIRON_KEY,
    RATE_LIMIT,
    STAR_MEDIA_TYPE,
    world_now,
)

__all__ = [
    "FAULT_ENVIRON_KEY",
    "RATE_LIMIT",
    "STAR_MEDIA_TYPE",
    "FakeGitHub",
    "WsgiApp",
    "make_github_app",
    "world_now",
]
