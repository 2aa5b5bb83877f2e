"""The one HTTP client factory: timeouts, retries, rate-limit waits, conditional requests, counting.

Every collector talks to its platform through `HttpClient`, so politeness (waiting out rate limits
within a budget, backing off on 5xx) and evidence bookkeeping (requests spent, 304 answers) are
written once. Tokens are redacted from every message this module produces.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

import httpx

from collectors.base import ResponseCache
from collectors.core.errors import (
    BudgetExceeded,
    CollectionError,
    ForeignHost,
    Interrupted,
    TooLarge,
    reason_for_status,
)
from collectors.core.politeness import (
    Headers,
    RateLimitSignal,
    WaitBudget,
    backoff_delay,
    github_graphql_rate_limit,
    github_rate_limit,
    header,
    hub_rate_limit,
    reset_epoch_wait,
    until,
)
from collectors.core.secrets import (
    forget_secret,
    install_log_redaction,
    redact,
    remember_secret,
)
from collectors.pacing import GITHUB_HOURLY, HourlyBudgetSpent, Pacer
from ossimpact.domain import CollectionStats, FailureReason

logger = logging.getLogger(__name__)
install_log_redaction()

DEFAULT_USER_AGENT = "ossimpact/0.1 (+award evidence)"
# No answer we read is anywhere near this; a larger one is refused before it fills the memory.
MAX_BODY_BYTES = 50 * 1024 * 1024

Params = Mapping[str, str | int | float] | None
T = TypeVar("T")
# Kept under their old names for the modules written against them.
RateLimitBudgetExceeded = BudgetExceeded
hf_rate_limit = hub_rate_limit
__all__ = [
    "GITHUB",
    "HUGGING_FACE",
    "HttpAnswer",
    "HttpClient",
    "HttpError",
    "RateLimitBudgetExceeded",
    "RateLimitPolicy",
    "RateLimitSignal",
    "github_rate_limit",
    "hf_rate_limit",
]


class RateLimitPolicy(Protocol):
    def __call__(self, status: int, headers: Headers, body: bytes) -> RateLimitSignal | None: ...


GITHUB: RateLimitPolicy = github_rate_limit
HUGGING_FACE: RateLimitPolicy = hub_rate_limit


class HttpError(CollectionError):
    """A request that failed for good, in words that name what failed (never the token)."""

    def __init__(self, message: str, *, status: int | None, url: str, reason: FailureReason):
        super().__init__(message, subject=url)
        self.status = status
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    data: Any
    headers: httpx.Headers
    url: str
    from_cache: bool = False
    redirected_from: str | None = None  # the first URL asked when a redirect was followed


class HttpClient:
    """An httpx client with the project's politeness rules. Thread-safe; share one per source."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None,
        auth_scheme: str = "Bearer",
        timeout: float = 30.0,
        user_agent: str = DEFAULT_USER_AGENT,
        cache: ResponseCache | None = None,
        max_retries: int = 3,
        max_rate_limit_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        rate_limit_policy: RateLimitPolicy = GITHUB,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 16,
        on_wait: Callable[[str], None] | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        stop: threading.Event | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token or None
        remember_secret(self._token)
        self._closed = False
        self._cache = cache
        self._max_retries = max_retries
        self._max_wait = max_rate_limit_wait
        # rate-limit waits and back-offs before retries alike
        self.budget = WaitBudget(max_rate_limit_wait)
        self._max_body = max_body_bytes
        # set when the run is asked to stop: no request leaves after it
        self.stop = stop or threading.Event()
        self._sleep = sleep
        # the platform's published limits, paid before each request (None: not paced)
        self.pacer = pacer
        self._policy = rate_limit_policy
        self._on_wait = on_wait
        self._lock = threading.Lock()
        self._wait_lock = threading.Lock()
        # Bumped after every rate-limit wait: a thread whose request went out before the last wait
        # retries at once instead of waiting (and spending budget) a second time.
        self._wait_generation = 0
        self.stats = CollectionStats()
        default_headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if self._token:
            default_headers["Authorization"] = f"{auth_scheme} {self._token}"
        default_headers.update(headers or {})
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=default_headers,
            timeout=timeout,
            follow_redirects=True,
            event_hooks={"response": [_refuse_foreign_redirect]},
            # Only connect errors are retried by the transport; the rest is done below.
            transport=httpx.HTTPTransport(
                retries=max_retries,
                limits=httpx.Limits(
                    max_connections=max_connections, max_keepalive_connections=max_connections
                ),
            ),
        )

    # -- public API -----------------------------------------------------------------------------

    def get_json(
        self,
        url_or_path: str,
        *,
        params: Params = None,
        conditional: bool = False,
        accept: str | None = None,
    ) -> HttpAnswer:
        """GET and parse JSON. With `conditional`, a 304 answers with the cached body."""
        request = self._client.build_request("GET", url_or_path, params=params)
        if accept:
            request.headers["Accept"] = accept
        key = str(request.url)
        cached = self._cache.cached_response(key) if conditional and self._cache else None
        if cached is not None:
            if cached.etag:
                request.headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                request.headers["If-Modified-Since"] = cached.last_modified
        response = self._send(request)
        if response.status_code == 304 and cached is not None:
            with self._lock:
                self.stats.not_modified += 1
            return self._answer(response, cached.body, key, from_cache=True)
        self._raise_for_status(response)
        body = response.content
        answer = self._answer(response, body, key, from_cache=False)
        if conditional and self._cache is not None and response.status_code == 200:
            etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
            if etag or modified:
                self._cache.store_cached_response(key, etag, modified, body)
        return answer

    def post_json(self, path: str, payload: Mapping[str, Any]) -> HttpAnswer:
        request = self._client.build_request("POST", path, json=dict(payload))
        response = self._send(request)
        self._raise_for_status(response)
        return self._answer(response, response.content, str(request.url), from_cache=False)

    def rate_limit_pause(self, signal: RateLimitSignal, generation: int | None = None) -> None:
        """Wait out a rate limit seen by this client or by another library sharing its budget.

        Raises RateLimitBudgetExceeded when the wait would go over the budget.
        """
        with self._wait_lock:
            if generation is not None and generation != self._wait_generation:
                return
            if not self.budget.charge(signal.seconds):
                moment = until(signal.seconds)
                with self._lock:
                    self.stats.stopped_reason = (
                        f"{signal.reason}: waiting {signal.seconds:.0f}s would exceed the "
                        f"{self._max_wait:.0f}s budget (rate limited until {moment:%H:%M:%S} UTC)"
                    )
                raise BudgetExceeded(signal.reason, moment)
            logger.info("%s: waiting %.1fs", signal.reason, signal.seconds)
            if self._on_wait is not None:
                self._on_wait(f"{signal.reason}: waiting {signal.seconds:.0f}s")
            if self.pacer is not None:
                self.pacer.announce("rate limit", signal.seconds)
            self._sleep(signal.seconds)
            with self._lock:
                self.stats.rate_limit_waits += 1
                self.stats.rate_limit_wait_seconds += signal.seconds
            self._wait_generation += 1

    @property
    def wait_generation(self) -> int:
        return self._wait_generation

    @property
    def max_retries(self) -> int:
        return self._max_retries

    def count_requests(self, amount: int = 1) -> None:
        """Count requests made by another library (PyGithub) on this source's behalf."""
        with self._lock:
            self.stats.requests += amount

    def redact(self, text: str) -> str:
        return redact(text, self._token)

    def close(self) -> None:
        if not self._closed:
            forget_secret(self._token)
        self._closed = True
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------------

    def _send(self, request: httpx.Request) -> httpx.Response:
        url = self.redact(str(request.url))
        attempt = 0
        while True:
            if self.stop.is_set():
                raise Interrupted(f"stopped before GET {url}: the run was asked to stop")
            generation = self._wait_generation
            with self._lock:
                self.stats.requests += 1
            try:
                with self._paced(request.method):
                    response = self._client.send(request, stream=True)
                self._observe_budget(response.headers)
                self._read_within_limit(response, url)
            except HourlyBudgetSpent:
                with self._lock:  # stopped before it left: not a request
                    self.stats.requests -= 1
                raise
            except (TooLarge, ForeignHost) as error:
                # refused, not retried: the same request would get the same answer
                raise HttpError(str(error), status=None, url=url, reason=error.reason) from None
            except (httpx.TimeoutException, httpx.TransportError) as error:
                timeout = isinstance(error, httpx.TimeoutException)
                if attempt < self._max_retries:
                    attempt += 1
                    self._backoff(attempt, f"{type(error).__name__} on {url}")
                    continue
                what = "timed out" if timeout else f"failed ({type(error).__name__})"
                raise HttpError(
                    self.redact(f"GET {url} {what} after {attempt + 1} attempts"),
                    status=None,
                    url=url,
                    reason="timeout" if timeout else "connection",
                ) from None
            answer = (response.status_code, response.headers, response.content)
            graphql = request.method == "POST"
            retry = self._wait_or_back_off(answer, attempt, generation, url, graphql=graphql)
            if retry is None:
                return response
            attempt = retry

    def _wait_or_back_off(
        self,
        answer: tuple[int, Headers, bytes],
        attempt: int,
        generation: int,
        what: str,
        *,
        graphql: bool = False,
    ) -> int | None:
        """After an answer: wait out a rate limit or back off before a 5xx retry, and return
        the attempt number to ask again with; None leaves the answer to the caller.

        The one retry rule of every client: rate-limit waits do not count as attempts.
        """
        status, headers, body = answer
        signal = self._policy(status, headers, body)
        if signal is None and graphql:
            signal = github_graphql_rate_limit(status, headers, body)
        if signal is not None:
            self.rate_limit_pause(signal, generation)
            return attempt
        if status >= 500 and attempt < self._max_retries:
            self._backoff(attempt + 1, f"HTTP {status} on {what}")
            return attempt + 1
        return None

    def run_polite(
        self,
        what: str,
        call: Callable[[], T],
        answer_of: Callable[[Exception], tuple[int, Headers, bytes] | None],
    ) -> T:
        """Run a request another library makes (PyGithub) under this client's rules.

        Counted on this client; a rate limit is waited out within the budget and a 5xx retried
        with back-off, as `answer_of` reads the failed answer from the library's exception (None:
        not an HTTP answer, raised as it is).
        """
        attempt = 0
        while True:
            if self.stop.is_set():
                raise Interrupted(f"stopped before {what}: the run was asked to stop")
            generation = self._wait_generation
            if self.pacer is not None:
                # the tokens only: a library call may wrap several requests of its own
                self.pacer.wait(self.pacer.limits_for("GET"))
            self.count_requests()
            try:
                return call()
            except Exception as error:
                answer = answer_of(error)
                retry = (
                    None
                    if answer is None
                    else self._wait_or_back_off(answer, attempt, generation, what)
                )
                if retry is None:
                    raise
                attempt = retry

    def _paced(self, method: str) -> AbstractContextManager[None]:
        if self.pacer is None:
            return nullcontext()
        return self.pacer.request(self.pacer.limits_for(method))

    def _observe_budget(self, headers: Headers) -> None:
        """GitHub's word on the hour's budget: spread what is left when it would run out."""
        if self.pacer is None or self.pacer.platform != "github":
            return
        if (header(headers, "x-ratelimit-resource") or "core") != "core":
            return  # GraphQL's or search's own budget, not the REST hour
        remaining = header(headers, "x-ratelimit-remaining")
        wait = reset_epoch_wait(headers)
        if remaining is not None and remaining.isdigit() and wait is not None:
            self.pacer.observe_budget(GITHUB_HOURLY, float(remaining), wait)

    def _backoff(self, attempt: int, what: str) -> None:
        """Sleep before a retry, charged to the wait budget like a rate-limit wait."""
        delay = backoff_delay(attempt)
        if not self.budget.charge(delay):
            raise BudgetExceeded(
                self.redact(f"{what}: backing off {delay:.1f}s would exceed the wait budget")
            )
        logger.info("%s; retry %d in %.1fs", self.redact(what), attempt, delay)
        self._sleep(delay)

    def _read_within_limit(self, response: httpx.Response, url: str) -> None:
        """Read the body unless it is over the size limit (refused, not retried)."""
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self._max_body:
                raise TooLarge(f"GET {url} answered {declared} bytes, over the size limit")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self._max_body:
                    raise TooLarge(f"GET {url} answered more than {self._max_body} bytes")
                chunks.append(chunk)
            # what `Response.read()` does, with the limit applied while reading
            response._content = b"".join(chunks)
        finally:
            response.close()

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        url = self.redact(str(response.request.url))
        message = _error_message(response.content)
        detail = f": {message}" if message else ""
        raise HttpError(
            self.redact(f"{response.request.method} {url} answered HTTP {status}{detail}"),
            status=status,
            url=url,
            reason=reason_for_status(status),
        )

    def _answer(
        self, response: httpx.Response, body: bytes, key: str, *, from_cache: bool
    ) -> HttpAnswer:
        url = self.redact(str(response.url))
        if response.status_code == 204 or not body.strip():
            data: Any = None
        else:
            try:
                data = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise HttpError(
                    f"GET {url} answered a body that is not JSON",
                    status=response.status_code,
                    url=url,
                    reason="malformed",
                ) from None
        first = response.history[0].request.url if response.history else None
        return HttpAnswer(
            status=200 if from_cache else response.status_code,
            data=data,
            headers=response.headers,
            url=url,
            from_cache=from_cache,
            redirected_from=self.redact(str(first)) if first is not None else None,
        )


def _refuse_foreign_redirect(response: httpx.Response) -> None:
    """A redirect to another host is not followed (a platform never sends us elsewhere)."""
    if not response.has_redirect_location:
        return
    target = response.url.join(response.headers["location"])
    if (target.scheme, target.host, target.port) != (
        response.url.scheme,
        response.url.host,
        response.url.port,
    ):
        raise ForeignHost(f"{response.request.method} {response.url} redirected to {target}")


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict):
        message = data.get("message") or data.get("error")
        if isinstance(message, str):
            return message[:200]
    return ""
