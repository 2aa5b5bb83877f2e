"""The one HTTP client factory: timeouts, retries, rate-limit waits, conditional requests, counting.

Every collector talks to its platform through `HttpClient`, so politeness (waiting out rate limits
within a budget, backing off on 5xx) and evidence bookkeeping (requests spent, 304 answers) are
written once. Tokens are redacted from every message this module produces.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

import httpx

from collectors.base import ResponseCache
from ossimpact.domain import CollectionStats, FailureReason

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "ossimpact/0.1 (+award evidence)"
# GitHub's documented advice when a secondary limit gives no retry-after: wait at least a minute.
SECONDARY_LIMIT_DEFAULT_WAIT = 60.0
_BACKOFF_BASE_SECONDS = 0.5

Params = Mapping[str, str | int | float] | None


class _TokenRedactor(logging.Filter):
    """Redacts the tokens of live clients from the records of the HTTP libraries' loggers.

    httpx logs every request URL at INFO and urllib3 (under PyGithub) at DEBUG; a token that
    ever ends up in a URL must not reach a log file through them.
    """

    def __init__(self) -> None:
        super().__init__()
        self._tokens: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, token: str) -> None:
        with self._lock:
            self._tokens[token] = self._tokens.get(token, 0) + 1

    def remove(self, token: str) -> None:
        with self._lock:
            count = self._tokens.get(token, 0) - 1
            if count > 0:
                self._tokens[token] = count
            else:
                self._tokens.pop(token, None)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            tokens = list(self._tokens)
        if not tokens:
            return True
        message = record.getMessage()
        if any(token in message for token in tokens):
            for token in tokens:
                message = message.replace(token, "***")
            record.msg, record.args = message, None
        return True


_REDACTOR = _TokenRedactor()
for _name in (
    "httpx",
    "httpcore.http11",
    "httpcore.connection",
    "urllib3.connectionpool",
    __name__,
):
    logging.getLogger(_name).addFilter(_REDACTOR)


@dataclass(frozen=True)
class RateLimitSignal:
    """A platform told us to wait: how long, and in words for the run record."""

    seconds: float
    reason: str


class RateLimitPolicy(Protocol):
    def __call__(
        self, status: int, headers: httpx.Headers, body: bytes
    ) -> RateLimitSignal | None: ...


def github_rate_limit(status: int, headers: httpx.Headers, body: bytes) -> RateLimitSignal | None:
    """GitHub's primary (remaining 0 + reset epoch) and secondary (retry-after/message) limits."""
    if status not in (403, 429):
        return None
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        try:
            reset = float(headers["x-ratelimit-reset"])
        except ValueError:
            reset = time.time() + SECONDARY_LIMIT_DEFAULT_WAIT
        return RateLimitSignal(max(reset - time.time(), 0.0) + 1.0, "primary rate limit")
    retry_after = _retry_after(headers)
    if retry_after is not None:
        return RateLimitSignal(retry_after, "secondary rate limit")
    if b"secondary rate limit" in body.lower() or status == 429:
        return RateLimitSignal(SECONDARY_LIMIT_DEFAULT_WAIT, "secondary rate limit")
    return None


_HF_RATELIMIT_T = re.compile(r"\bt=(\d+)")
_HF_RATELIMIT_R = re.compile(r"\br=(\d+)")


def hf_rate_limit(status: int, headers: httpx.Headers, body: bytes) -> RateLimitSignal | None:
    """The IETF-draft `RateLimit: "api";r=<remaining>;t=<reset seconds>` style (HF, others)."""
    if status != 429:
        return None
    header = headers.get("ratelimit", "")
    remaining, reset = _HF_RATELIMIT_R.search(header), _HF_RATELIMIT_T.search(header)
    if remaining is not None and reset is not None and remaining.group(1) == "0":
        return RateLimitSignal(float(reset.group(1)) + 1.0, "rate limit")
    retry_after = _retry_after(headers)
    return RateLimitSignal(
        retry_after if retry_after is not None else SECONDARY_LIMIT_DEFAULT_WAIT, "rate limit"
    )


GITHUB: RateLimitPolicy = github_rate_limit
HUGGING_FACE: RateLimitPolicy = hf_rate_limit


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


class RateLimitBudgetExceeded(Exception):
    """Waiting out a rate limit would exceed the run's budget: the source stops cleanly."""

    def __init__(self, reason: str, until: datetime) -> None:
        super().__init__(f"{reason}: rate limited until {until:%Y-%m-%d %H:%M:%S} UTC")
        self.reason = reason
        self.until = until


class HttpError(Exception):
    """A request that failed for good, in words that name what failed (never the token)."""

    def __init__(self, message: str, *, status: int | None, url: str, reason: FailureReason):
        super().__init__(message)
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


def _reason_for_status(status: int) -> FailureReason:
    if status == 401:
        return "unauthorized"
    if status in (404, 410):
        return "not_found"
    if status == 451:
        return "unavailable_legal"
    if status == 409:
        return "other"
    if status >= 500:
        return "server_error"
    return "other"


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token or None
        if self._token:
            _REDACTOR.add(self._token)
        self._closed = False
        self._cache = cache
        self._max_retries = max_retries
        self._max_wait = max_rate_limit_wait
        self._sleep = sleep
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
            with self._lock:
                spent = self.stats.rate_limit_wait_seconds
            if spent + signal.seconds > self._max_wait:
                until = datetime.now(UTC) + timedelta(seconds=signal.seconds)
                with self._lock:
                    self.stats.stopped_reason = (
                        f"{signal.reason}: waiting {signal.seconds:.0f}s would exceed the "
                        f"{self._max_wait:.0f}s budget (rate limited until {until:%H:%M:%S} UTC)"
                    )
                raise RateLimitBudgetExceeded(signal.reason, until)
            logger.info("%s: waiting %.1fs", signal.reason, signal.seconds)
            if self._on_wait is not None:
                self._on_wait(f"{signal.reason}: waiting {signal.seconds:.0f}s")
            self._sleep(signal.seconds)
            with self._lock:
                self.stats.rate_limit_waits += 1
                self.stats.rate_limit_wait_seconds += signal.seconds
            self._wait_generation += 1

    @property
    def wait_generation(self) -> int:
        return self._wait_generation

    def retry_pause(self, attempt: int, what: str) -> None:
        """Back off before retrying a request another library made (PyGithub on a 5xx)."""
        self._backoff(attempt, what)

    @property
    def max_retries(self) -> int:
        return self._max_retries

    def count_requests(self, amount: int = 1) -> None:
        """Count requests made by another library (PyGithub) on this source's behalf."""
        with self._lock:
            self.stats.requests += amount

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def close(self) -> None:
        if not self._closed and self._token:
            _REDACTOR.remove(self._token)
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
            generation = self._wait_generation
            with self._lock:
                self.stats.requests += 1
            try:
                response = self._client.send(request)
                response.read()
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
            signal = self._policy(response.status_code, response.headers, response.content)
            if signal is None and response.status_code == 200 and request.method == "POST":
                signal = _graphql_rate_limited(response)
            if signal is not None:
                self.rate_limit_pause(signal, generation)
                continue
            if response.status_code >= 500 and attempt < self._max_retries:
                attempt += 1
                self._backoff(attempt, f"HTTP {response.status_code} on {url}")
                continue
            return response

    def _backoff(self, attempt: int, what: str) -> None:
        delay = _BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
        logger.info("%s; retry %d in %.1fs", self.redact(what), attempt, delay)
        self._sleep(delay)

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
            reason=_reason_for_status(status),
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


def _graphql_rate_limited(response: httpx.Response) -> RateLimitSignal | None:
    """GitHub GraphQL reports a spent limit as HTTP 200 with an error of type RATE_LIMITED."""
    if b"RATE_LIMITED" not in response.content:
        return None
    try:
        errors = json.loads(response.content).get("errors") or []
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return None
    if not any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors):
        return None
    seconds = SECONDARY_LIMIT_DEFAULT_WAIT
    if response.headers.get("x-ratelimit-remaining") == "0":
        try:
            seconds = max(float(response.headers["x-ratelimit-reset"]) - time.time(), 0.0) + 1.0
        except (KeyError, ValueError):
            seconds = SECONDARY_LIMIT_DEFAULT_WAIT
    return RateLimitSignal(seconds, "GraphQL rate limit")


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
