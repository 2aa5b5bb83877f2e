"""Platform faults as GitHub answers them: rate limits (primary, secondary), errors, redirects.

`rate_limit` follows the fault's `github_style`; `not_found` is GitHub's 404 body;
`graphql_errors` is HTTP 200 with an `errors` array of type RATE_LIMITED (with exhausted
x-ratelimit headers) when the fault's status is 429, else INTERNAL.
"""

from __future__ import annotations

import time

from werkzeug.wrappers import Request

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.github.wire import DOCS, RATE_LIMIT, Answer, not_found


def raise_fault(fault: Fault, resource: str, request: Request) -> None:
    """Answer a planned platform fault the way GitHub would; other faults pass."""
    if fault.kind == "not_found":
        raise not_found()
    if fault.kind == "graphql_errors":
        kind = "RATE_LIMITED" if fault.status == 429 else "INTERNAL"
        headers = {}
        if kind == "RATE_LIMITED":
            headers = exhausted_headers(fault, resource)
        message = (
            "API rate limit exceeded for user."
            if kind == "RATE_LIMITED"
            else "Something went wrong while executing your query."
        )
        raise Answer(200, {"data": None, "errors": [{"type": kind, "message": message}]}, headers)
    if fault.kind == "echo_token":
        sent = request.headers.get("Authorization", "")
        raise Answer(401, {"message": f"Bad credentials: {sent}", "documentation_url": DOCS})
    if fault.kind == "foreign_redirect":
        raise Answer(302, None, {"Location": fault.location})
    if fault.kind != "rate_limit":
        return
    if fault.github_style == "primary":
        headers = exhausted_headers(fault, resource)
        if fault.raw_header is not None:
            headers["x-ratelimit-reset"] = fault.raw_header
        raise Answer(
            403,
            {
                "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                "Authenticated requests get a higher rate limit.)",
                "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            },
            headers,
        )
    headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
    if fault.raw_header is not None:
        headers = {"retry-after": fault.raw_header}
    raise Answer(
        429 if fault.github_style == "secondary_429" else 403,
        {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
            "before you try again. If you reach out to GitHub Support for help, please "
            "include the request ID.",
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
        },
        headers,
    )


def exhausted_headers(fault: Fault, resource: str) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(RATE_LIMIT),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": str(RATE_LIMIT),
        "x-ratelimit-reset": str(int(time.time()) + fault.reset_in),
        "x-ratelimit-resource": resource,
    }
