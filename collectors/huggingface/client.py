"""The Hub session of a run: huggingface_hub's shared HTTP client, observed and kept polite.

huggingface_hub sends every call through one process-wide `httpx2.Client` built by a factory
(`set_client_factory`). Ours adds two event hooks that report to the ledger of the running
collection (a context variable, so other users of huggingface_hub are left untouched):
- count every request, keep the URL of the last answer on each thread (the source URL of its
  figures);
- see each 429 before `http_backoff` sleeps on it, count the wait, hold the other threads until
  the same reset, and stop the source when the run's wait budget would be exceeded;
- honour `RateLimit: r=0` on successful answers by pausing every thread before its next request;
- refuse any request to a host other than the configured endpoint (the client's own side calls
  read `HF_ENDPOINT` at import and would otherwise reach huggingface.co behind a mirror).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx2
from huggingface_hub import constants, set_client_factory
from huggingface_hub.errors import (
    DisabledRepoError,
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
)

from collectors.base import NullProgress, Progress
from collectors.core.errors import (
    BudgetExceeded,
    CollectionError,
    ForeignHost,
    TooLarge,
    reason_for_status,
)
from collectors.core.politeness import (
    WaitBudget,
    hub_wait_before_retry,
    quota_policy,
    quota_state,
)
from collectors.core.secrets import (
    forget_secret,
    install_log_redaction,
    redact,
    remember_secret,
)
from collectors.pacing import HUB_API, Pacer
from ossimpact.domain import CollectionStats, FailureReason

install_log_redaction()  # huggingface_hub logs the URLs and errors of its retries

MAX_BODY_BYTES = 50 * 1024 * 1024  # as HttpClient's: no answer we read is near it
# What `http_backoff` retries, and how long it sleeps first and at the most when no wait is given.
RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_FIRST = 1.0
BACKOFF_LONGEST = 8.0

# The core's errors under the names this package's modules know.
RateLimitBudgetExceeded = BudgetExceeded
ForeignHostRefused = ForeignHost


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


PUBLIC_HUB = "https://huggingface.co"


def on_endpoint(url: str | None, endpoint: str) -> str | None:
    """A `Link: rel="next"` URL as a mirror may send it: the public Hub's, rewritten to the
    configured endpoint (hf-mirror.com passes the Hub's own links through); any other URL as it
    is (the ledger refuses a host that is not the endpoint)."""
    if url is None or _origin(url) != _origin(PUBLIC_HUB) or _origin(endpoint) == _origin(url):
        return url
    base = urlsplit(endpoint)
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def wait_before_retry(response: httpx2.Response) -> float | None:
    """Seconds `http_backoff` sleeps after this 429: `t + 1` when RateLimit says r=0, else
    `Retry-After + 1`, else None (it then falls back to its exponential back-off)."""
    return hub_wait_before_retry(response.headers)


class HubLedger:
    """What one collection run spent on the Hub, filled by the client's event hooks.

    The hooks run on whichever thread sends the request (the collector lists in parallel), so
    counts are taken under a lock and the URL of the last answer is kept per thread: a listing
    reads its own pages' URLs, never a neighbour's.

    Waits are counted as wall-clock time: when several threads hold for the same reset (one
    saw a 429, the others pause before their next request), the pause counts once, and the
    budget is spent once. A wait that starts after the previous one ended is a new wait.
    """

    def __init__(
        self,
        endpoint: str,
        max_wait: float,
        stats: CollectionStats | None = None,
        progress: Progress | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.endpoint = endpoint
        # the Hub's published window, paid before each request (None: not paced)
        self.pacer = pacer
        self.max_wait = max_wait
        self.stats = stats if stats is not None else CollectionStats()
        self.progress: Progress = progress or NullProgress()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._resume_at = 0.0  # monotonic time before which no request leaves (any thread)
        self.budget = WaitBudget(max_wait)  # waits announced so far, back-offs included
        self._counted_until = 0.0  # end of the last wait counted in stats

    @property
    def last_url(self) -> str:
        """The URL of the last successful answer on this thread (the source of its figures)."""
        url: str = getattr(self._local, "last_url", "")
        return url

    def _claim_wait(self, seconds: float, why: str) -> _Wait:
        """Announce a wait; refused when it would take the run past its wait budget."""
        now = time.monotonic()
        if not self.budget.claim_shared(now, seconds):
            raise RateLimitBudgetExceeded(
                f"rate limited by the Hub ({why}); waiting {seconds:.0f} s more would exceed "
                f"the run's budget of {self.max_wait:.0f} s of rate-limit waits"
            )
        with self._lock:
            self._resume_at = max(self._resume_at, now + seconds)
        if self.pacer is not None:
            self.pacer.announce("rate limit", seconds)
        return _Wait(now, seconds)

    def _count_wait(self, wait: _Wait) -> None:
        """Count a wait that was slept, once however many threads slept it."""
        with self._lock:
            if wait.start >= self._counted_until:
                added, new = wait.seconds, True
            else:
                added, new = max(0.0, wait.end - self._counted_until), False
            self._counted_until = max(self._counted_until, wait.end)
            if new:
                self.stats.rate_limit_waits += 1
            self.stats.rate_limit_wait_seconds += added
        if new:
            self.progress.note(f"Hugging Face rate limit: waited {wait.seconds:.0f} s")

    def on_request(self, request: httpx2.Request) -> None:
        if _origin(str(request.url)) != _origin(self.endpoint):
            raise ForeignHostRefused(
                f"refused a request to {request.url.host}: the Hub endpoint is {self.endpoint}"
            )
        pending: _Wait | None = getattr(self._local, "pending", None)
        if pending is not None:  # http_backoff slept it on this thread and now retries
            self._local.pending = None
            self._count_wait(pending)
        with self._lock:
            resume_at = self._resume_at
        now = time.monotonic()
        if resume_at > now:  # the quota is used up or another thread saw a 429: hold off
            time.sleep(resume_at - now)
            self._count_wait(_Wait(now, resume_at - now))
        if self.pacer is not None:
            self.pacer.wait(self.pacer.limits_for(request.method))
        with self._lock:
            self.stats.requests += 1

    def _charge_backoff(self, response: httpx2.Response) -> None:
        """Charge the back-off `http_backoff` sleeps before retrying a 5xx or a 429 that gave
        no wait (1, 2, 4, 8, 8 s on one call) to the run's wait budget; only this thread waits.

        The last answer of a call that gives up is charged too: at most 8 s counted unslept.
        """
        attempt: int = getattr(self._local, "backoffs", 0)
        seconds = min(BACKOFF_LONGEST, BACKOFF_FIRST * 2.0**attempt)
        self._local.backoffs = attempt + 1
        if not self.budget.charge(seconds):
            raise RateLimitBudgetExceeded(
                f"HTTP {response.status_code} on {response.request.url.path}: backing off "
                f"{seconds:.0f} s more would exceed the run's budget of {self.max_wait:.0f} s"
            )

    def on_response(self, response: httpx2.Response) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refused before it is read
            raise TooLarge(f"{response.request.url.path} answered {declared} bytes, over the limit")
        if response.status_code in RETRIED_STATUSES:
            wait = wait_before_retry(response) if response.status_code == 429 else None
            if wait is not None:
                self._local.pending = self._claim_wait(wait, f"429 on {response.request.url.path}")
            else:
                self._charge_backoff(response)
            return
        self._local.backoffs = 0
        if response.is_success:
            self._local.last_url = str(response.request.url)
            policy = quota_policy(response.headers)
            if policy is not None and self.pacer is not None:
                self.pacer.observe_policy(HUB_API, policy.quota, policy.window_seconds)
            quota = quota_state(response.headers)
            if quota is not None and self.pacer is not None and quota.reset_in > 0:
                self.pacer.observe_budget(HUB_API, quota.remaining, quota.reset_in)
            if quota is not None and quota.remaining == 0 and quota.reset_in > 0:
                self._claim_wait(quota.reset_in, "request quota used up")


@dataclass(frozen=True)
class _Wait:
    start: float  # monotonic
    seconds: float

    @property
    def end(self) -> float:
        return self.start + self.seconds


_ACTIVE: ContextVar[HubLedger | None] = ContextVar("ossimpact_hub_ledger", default=None)


def _on_request(request: httpx2.Request) -> None:
    ledger = _ACTIVE.get()
    if ledger is not None:
        ledger.on_request(request)


def _on_response(response: httpx2.Response) -> None:
    ledger = _ACTIVE.get()
    if ledger is not None:
        ledger.on_response(response)


def hub_client_factory(timeout: float) -> Callable[[], httpx2.Client]:
    def build() -> httpx2.Client:
        return httpx2.Client(
            event_hooks={"request": [_on_request], "response": [_on_response]},
            follow_redirects=True,
            timeout=timeout,
        )

    return build


@contextmanager
def hub_session(ledger: HubLedger, timeout: float, token: str | None = None) -> Iterator[HubLedger]:
    """Route huggingface_hub's calls through an observed client for the duration of a run; its
    token is masked in every message and log line meanwhile, whatever its shape."""
    # The agent-registry side call goes to constants.ENDPOINT (read from the environment at
    # import), not to HfApi(endpoint=...); it is telemetry, so it is off for our runs.
    constants.HF_HUB_DISABLE_TELEMETRY = True
    set_client_factory(hub_client_factory(timeout))
    remember_secret(token)
    active = _ACTIVE.set(ledger)
    try:
        yield ledger
    finally:
        _ACTIVE.reset(active)
        forget_secret(token)


def status_of(error: BaseException) -> int | None:
    if isinstance(error, HfHubHTTPError) and error.response is not None:
        return error.response.status_code
    return None


def failure_reason(error: BaseException) -> FailureReason:
    """The run's reason for an error of one artifact or listing, in the committee's terms."""
    if isinstance(error, CollectionError):
        return error.reason
    if isinstance(error, GatedRepoError):  # a subclass of RepositoryNotFoundError: test first
        return "gated"
    if isinstance(error, DisabledRepoError):
        return "disabled"
    if isinstance(error, RepositoryNotFoundError):
        return "not_found"
    status = status_of(error)
    if status is not None:
        return reason_for_status(status)
    if isinstance(error, httpx2.TimeoutException):
        return "timeout"
    if isinstance(error, httpx2.TransportError):
        return "connection"
    if isinstance(error, (ValueError, KeyError, TypeError)):
        return "malformed"
    return "other"


def failure_detail(error: BaseException) -> str:
    """A one-line description without secrets: status and the Hub's own message, redacted (a
    401 may quote the token it was sent)."""
    status = status_of(error)
    if isinstance(error, HfHubHTTPError):
        message = error.server_message or type(error).__name__
        return redact(f"HTTP {status}: {message}".strip())
    if isinstance(error, httpx2.HTTPError):
        return f"{type(error).__name__} talking to the Hub"
    return redact(f"{type(error).__name__}: {error}")
