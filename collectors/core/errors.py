"""The one error vocabulary of the collectors: what went wrong reading one artifact or listing.

Every source raises (or records) a `CollectionError`; the failure reason the run records follows
from its type, so there is one mapping from platform answers to the committee's reasons
(`reason_for_status`), not one per HTTP stack. Messages are redacted when the error is built:
whatever a server echoed, no token reaches a log line, a run record or the Data health page.
"""

from __future__ import annotations

from datetime import datetime

from collectors.core.secrets import redact
from ossimpact.domain import ArtifactFailure, FailureReason


class CollectionError(Exception):
    """A request or an answer that failed for good: `subject` names what, `reason` says why."""

    reason: FailureReason = "other"

    def __init__(self, message: str, *, subject: str = "") -> None:
        super().__init__(redact(message))
        self.subject = subject

    @property
    def detail(self) -> str:
        return str(self)

    def failure(self, source: str, subject: str | None = None) -> ArtifactFailure:
        """The run's record of this error, for `subject` (default: the error's own)."""
        return ArtifactFailure(subject or self.subject, source, self.reason, self.detail)


class NotFound(CollectionError):
    reason: FailureReason = "not_found"


class Gone(NotFound):
    """410: the platform says the artifact existed and was removed."""


class Renamed(CollectionError):
    reason: FailureReason = "renamed"


class Unauthorized(CollectionError):
    reason: FailureReason = "unauthorized"


class UnavailableLegal(CollectionError):
    reason: FailureReason = "unavailable_legal"


class ServerError(CollectionError):
    reason: FailureReason = "server_error"


class Malformed(CollectionError, ValueError):
    """An answer we cannot read: not JSON, the wrong shape, an invalid id (a ValueError too, as
    the parsers' callers have always caught those)."""

    reason: FailureReason = "malformed"


class TooLarge(Malformed):
    """An answer over the size limit, refused before it is read into memory."""


class PagingLoop(Malformed):
    """A listing whose next page is one already read (or that never ends): it is not followed."""


class ForeignHost(CollectionError):
    """A request (or a redirect) to a host other than the platform's, refused."""


class RateLimited(CollectionError):
    reason: FailureReason = "rate_limited"


class BudgetExceeded(RateLimited):
    """Waiting out a rate limit (or backing off) would exceed the run's wait budget.

    The source stops cleanly and keeps what it read.
    """

    def __init__(self, what: str, until: datetime | None = None) -> None:
        message = f"{what}: rate limited until {until:%Y-%m-%d %H:%M:%S} UTC" if until else what
        super().__init__(message)
        self.what = what
        self.until = until


class Interrupted(CollectionError):
    """The run was asked to stop (SIGTERM/SIGINT): no further request leaves."""


_BY_STATUS: dict[int, type[CollectionError]] = {
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    410: Gone,
    429: RateLimited,
    451: UnavailableLegal,
}


def error_type_for_status(status: int) -> type[CollectionError]:
    """The error a final HTTP status stands for (409 and other 4xx: `other`)."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, CollectionError)


def reason_for_status(status: int) -> FailureReason:
    return error_type_for_status(status).reason
