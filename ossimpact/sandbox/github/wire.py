"""What every part of the fake GitHub shares: its clock, timestamps, the rate counter, early answers."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any

from werkzeug.wrappers import Request

from ossimpact.sandbox.model import GhIssue, GhRepo, World

FAULT_ENVIRON_KEY = "ossimpact.fault"
RATE_LIMIT = 5000
STAR_MEDIA_TYPE = "application/vnd.github.v3.star+json"
DOCS = "https://docs.github.com/rest"


def world_now(world: World) -> datetime:
    """The moment the fake serves as "now": noon UTC of the world's last day."""
    return datetime.combine(world.today, clock_time(12, 0), tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The hour the headers count, on the sandbox's pacing clock (runner.SANDBOX_TIME_SCALE, 600):
# a budget that never renewed would tell a paced client to stop (collectors/pacing.py).
SANDBOX_HOUR_SECONDS = 3600 / 600


@dataclass
class RateCounter:
    used: dict[str, int] = field(default_factory=lambda: {"core": 0, "graphql": 0})
    reset: int = field(default_factory=lambda: int(time.time() + SANDBOX_HOUR_SECONDS))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _renew(self) -> None:
        now = time.time()
        if now >= self.reset:  # a new hour, as GitHub's primary limit renews
            self.used = {"core": 0, "graphql": 0}
            self.reset = int(now + SANDBOX_HOUR_SECONDS)

    def spend(self, resource: str, amount: int) -> tuple[int, int]:
        with self.lock:
            self._renew()
            self.used[resource] = self.used.get(resource, 0) + amount
            return self.used[resource], self.reset

    def peek(self, resource: str) -> tuple[int, int]:
        with self.lock:
            self._renew()
            return self.used.get(resource, 0), self.reset


class Answer(Exception):
    """Raised inside a handler to answer early (errors, redirects)."""

    def __init__(self, status: int, payload: Any, headers: Mapping[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.payload = payload
        self.headers = dict(headers or {})


def not_found() -> Answer:
    """GitHub's 404 body."""
    return Answer(404, {"message": "Not Found", "documentation_url": DOCS})


def moved(location: str, rest: list[str], request: Request) -> Answer:
    """A 301 to `location` with the rest of the path and the query kept (renamed accounts, repos)."""
    location += "".join(f"/{p}" for p in rest)
    if request.query_string:
        location += "?" + request.query_string.decode()
    return Answer(
        301,
        {"message": "Moved Permanently", "url": location, "documentation_url": DOCS},
        {"Location": location},
    )


def int_arg(request: Request, name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def state_matches(issue: GhIssue, state: str) -> bool:
    if state == "all":
        return True
    return (issue.closed_at is None) == (state == "open")


def updated_at(issue: GhIssue) -> datetime:
    moments = [issue.created_at, issue.closed_at, issue.first_response_at]
    return max(aware(m) for m in moments if m is not None)


def open_counts(repo: GhRepo) -> tuple[int, int]:
    open_issues = sum(1 for i in repo.issues if i.closed_at is None and not i.is_pull_request)
    open_prs = sum(1 for i in repo.issues if i.closed_at is None and i.is_pull_request)
    return open_issues, open_prs


def license_json(spdx: str | None) -> dict[str, Any] | None:
    if spdx is None:
        return None
    return {
        "key": spdx.lower(),
        "name": spdx,
        "spdx_id": spdx,
        "url": f"https://api.github.com/licenses/{spdx.lower()}",
        "node_id": base64.b64encode(f"License{spdx}".encode()).decode(),
    }
