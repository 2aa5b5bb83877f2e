"""The one politeness module: how long a platform asks us to wait, and how long we may.

Every source reads its platform's rate-limit headers here, whatever HTTP stack made the request
(httpx through `HttpClient`, PyGithub, huggingface_hub's client):
- GitHub: `x-ratelimit-remaining: 0` with the `x-ratelimit-reset` epoch (primary limit), else
  `retry-after` or a "secondary rate limit" message (secondary limit); GraphQL's RATE_LIMITED
  error in an HTTP 200;
- the Hub (IETF draft): `RateLimit: "api";r=<remaining>;t=<seconds to reset>` and
  `RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window seconds>`;
- `Retry-After` as seconds (integer or not) or as an HTTP date.
A value that is no usable number of seconds (nan, inf, negative, garbage) is ignored, and the
default wait applies: a hostile or broken header never fails a source, and never makes us sleep
forever. Every wait, back-offs before retries included, is charged to the run's `WaitBudget`.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# GitHub's documented advice when a secondary limit gives no retry-after: wait at least a minute.
DEFAULT_WAIT = 60.0
BACKOFF_BASE_SECONDS = 0.5
# No platform asks for more than a day; a larger value is a broken header, not a real limit.
LONGEST_WAIT = 86_400.0

Headers = Mapping[str, str]


@dataclass(frozen=True)
class RateLimitSignal:
    """A platform told us to wait: how long, and in words for the run record."""

    seconds: float
    reason: str


def header(headers: Headers, name: str) -> str | None:
    """A header by name, whatever the case of the mapping's keys (PyGithub's are plain dicts)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def usable_seconds(value: float) -> float | None:
    """`value` as a wait, or None when it is no finite, sensible number of seconds."""
    if not math.isfinite(value) or value < 0 or value > LONGEST_WAIT:
        return None
    return value


def seconds_from(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After's value as seconds: delay-seconds (possibly fractional) or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    try:
        return usable_seconds(float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return usable_seconds(max(moment.timestamp() - current, 0.0))


def retry_after(headers: Headers) -> float | None:
    return seconds_from(header(headers, "retry-after"))


def reset_epoch_wait(headers: Headers, *, now: float | None = None) -> float | None:
    """Seconds until GitHub's `x-ratelimit-reset` epoch, plus one; None when unusable."""
    value = header(headers, "x-ratelimit-reset")
    if value is None:
        return None
    try:
        reset = float(value)
    except ValueError:
        return None
    if not math.isfinite(reset):
        return None
    current = time.time() if now is None else now
    return usable_seconds(max(reset - current, 0.0) + 1.0)


# -- GitHub ---------------------------------------------------------------------------------------


def github_rate_limit(status: int, headers: Headers, body: bytes) -> RateLimitSignal | None:
    """GitHub's primary (remaining 0 + reset epoch) and secondary (retry-after/message) limits."""
    if status not in (403, 429):
        return None
    if header(headers, "x-ratelimit-remaining") == "0" and header(headers, "x-ratelimit-reset"):
        wait = reset_epoch_wait(headers)
        return RateLimitSignal(
            wait if wait is not None else DEFAULT_WAIT + 1.0, "primary rate limit"
        )
    after = retry_after(headers)
    if after is not None:
        return RateLimitSignal(after, "secondary rate limit")
    if b"secondary rate limit" in body.lower() or status == 429:
        return RateLimitSignal(DEFAULT_WAIT, "secondary rate limit")
    return None


def github_graphql_rate_limit(status: int, headers: Headers, body: bytes) -> RateLimitSignal | None:
    """GitHub GraphQL reports a spent limit as HTTP 200 with an error of type RATE_LIMITED."""
    if status != 200 or b"RATE_LIMITED" not in body:
        return None
    try:
        errors = json.loads(body).get("errors") or []
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return None
    if not any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors):
        return None
    seconds = None
    if header(headers, "x-ratelimit-remaining") == "0":
        seconds = reset_epoch_wait(headers)
    return RateLimitSignal(seconds if seconds is not None else DEFAULT_WAIT, "GraphQL rate limit")


# -- the Hub (IETF draft RateLimit headers) ---------------------------------------------------------

_DRAFT_FIELD = re.compile(r"\b([a-z])=(\d+)")


@dataclass(frozen=True)
class QuotaState:
    """`RateLimit: "api";r=0;t=55`: requests left in the window, seconds until it resets."""

    remaining: int
    reset_in: float


@dataclass(frozen=True)
class QuotaPolicy:
    """`RateLimit-Policy: "fixed window";"api";q=500;w=300`: the quota and its window."""

    quota: int
    window_seconds: int


def _draft_fields(value: str | None) -> dict[str, int]:
    return {key: int(number) for key, number in _DRAFT_FIELD.findall(value or "")}


def quota_state(headers: Headers) -> QuotaState | None:
    fields = _draft_fields(header(headers, "ratelimit"))
    if "r" not in fields or "t" not in fields:
        return None
    return QuotaState(fields["r"], float(fields["t"]))


def quota_policy(headers: Headers) -> QuotaPolicy | None:
    fields = _draft_fields(header(headers, "ratelimit-policy"))
    if "q" not in fields or "w" not in fields:
        return None
    return QuotaPolicy(fields["q"], fields["w"])


def hub_rate_limit(status: int, headers: Headers, body: bytes) -> RateLimitSignal | None:
    """A 429 in the IETF-draft style: the reset when the quota is spent, else Retry-After."""
    if status != 429:
        return None
    state = quota_state(headers)
    if state is not None and state.remaining == 0:
        return RateLimitSignal(state.reset_in + 1.0, "rate limit")
    after = retry_after(headers)
    return RateLimitSignal(after if after is not None else DEFAULT_WAIT, "rate limit")


def hub_wait_before_retry(headers: Headers) -> float | None:
    """Seconds huggingface_hub's `http_backoff` sleeps after a 429: `t + 1` when the quota is
    spent, else `Retry-After + 1`; None when it falls back to its own exponential back-off."""
    state = quota_state(headers)
    if state is not None and state.remaining == 0:
        return state.reset_in + 1.0
    after = retry_after(headers)
    return after + 1.0 if after is not None else None


# -- back-off and the wait budget -------------------------------------------------------------------


def backoff_delay(attempt: int) -> float:
    """Seconds before retry `attempt` (1, 2, ...) of a request that failed without a wait asked."""
    return BACKOFF_BASE_SECONDS * 2.0 ** (attempt - 1)


class WaitBudget:
    """Seconds a source may spend waiting in one run: rate-limit waits and back-offs alike.

    `charge` spends a wait one thread sleeps alone. `claim_shared` spends a wait every thread
    sleeps together (a spent quota holds them all until its reset), as wall-clock time: a wait
    that overlaps one already claimed costs only the part that reaches past it.
    """

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait
        self.spent = 0.0
        self._shared_until = 0.0  # monotonic end of the latest shared wait claimed
        self._lock = threading.Lock()

    def charge(self, seconds: float) -> bool:
        """Spend `seconds` when the budget allows it; False (nothing spent) when it does not."""
        with self._lock:
            if self.spent + seconds > self.max_wait:
                return False
            self.spent += seconds
            return True

    def claim_shared(self, start: float, seconds: float) -> bool:
        """Spend the part of a shared wait from `start` (monotonic) that no claim covers yet."""
        with self._lock:
            extra = (
                seconds
                if start >= self._shared_until
                else max(0.0, start + seconds - self._shared_until)
            )
            if self.spent + extra > self.max_wait:
                return False
            self.spent += extra
            self._shared_until = max(self._shared_until, start + seconds)
            return True


def until(seconds: float) -> datetime:
    """The moment a wait of `seconds` from now ends (for the run record)."""
    return datetime.fromtimestamp(time.time() + seconds, UTC)
