"""Fault knobs of the fake servers: what a test or the demo asks a server to do wrong.

A `FaultPlan` is shared by a server and the test that drives it; knobs may be changed while the
server runs (the servers read them per request, under the plan's lock). Each fault applies to the
requests whose path (with query) matches `path_pattern`, a regular expression searched anywhere in
the path; None matches every request.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "rate_limit",  # HF: 429 + RateLimit headers; GitHub: see `github_style`
    "server_error",  # 5xx (status given), e.g. a burst of 503 then recovery
    "timeout",  # sleep `seconds` before answering (longer than the client's timeout)
    "truncated",  # send the headers and half the body, then close
    "reset",  # close the connection without an answer
    "not_found",  # 404 with the platform's error body
    "graphql_errors",  # GitHub GraphQL: HTTP 200 with an `errors` array
    "self_link",  # HF listing: the page's `Link: rel=next` points to the page itself
    "echo_token",  # 401 whose body quotes the request's Authorization header back
    "malformed_ids",  # HF listing: the page carries extra items with invalid repository ids
    "foreign_redirect",  # GitHub: 302 to `location`, another host
    "api_error",  # ModelScope: HTTP 200 whose envelope says `success: false`
]

GithubLimitStyle = Literal["primary", "secondary", "secondary_429"]


@dataclass
class Fault:
    kind: FaultKind
    path_pattern: str | None = None
    times: int | None = 1  # how many matching requests it hits; None = until removed
    status: int = 503
    retry_after: int | None = 1  # seconds, for rate limits
    seconds: float = 0.0  # for timeouts
    github_style: GithubLimitStyle = "secondary"
    reset_in: int = 60  # primary limit: seconds until x-ratelimit-reset
    # rate limits: sent verbatim instead of the number (retry-after, or x-ratelimit-reset for
    # GitHub's primary limit), e.g. "nan", "inf" or an HTTP date
    raw_header: str | None = None
    location: str = "http://elsewhere.invalid/orgs/moved"  # for foreign_redirect
    hits: int = 0

    def matches(self, path: str) -> bool:
        return self.path_pattern is None or re.search(self.path_pattern, path) is not None


@dataclass
class FaultPlan:
    latency_seconds: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, path: str) -> Fault | None:
        """The first active fault matching this request, counting the hit; None when none applies."""
        with self._lock:
            for fault in self.faults:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.matches(path):
                    fault.hits += 1
                    return fault
        return None
