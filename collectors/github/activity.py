"""Community activity of the last 90 days: issues and PRs opened/closed, time to first response.

First response: the earliest comment on an issue or PR by someone other than its author, bots
excluded (a bot's "thanks for your issue" is not a maintainer responding). Issues opened by bots
are left out of the median, and so are those nobody has answered yet: the median says how fast
people who were answered got answered, and the count of answered ones goes with it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors.github.parse import Comment, IssueItem

WINDOW_DAYS = 90


def window_start(now: datetime) -> datetime:
    """Midnight UTC 90 days before `now`.

    Whole days keep the `since=` of the listings stable within a day, so a second refresh on the
    same day asks the same URLs and GitHub can answer 304.
    """
    start = now.astimezone(UTC) - timedelta(days=WINDOW_DAYS)
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class ActivitySummary:
    issues_opened: int
    issues_closed: int
    prs_opened: int
    prs_closed: int
    median_first_response_hours: float | None  # None when nothing opened in the window got one
    responded: int  # issues and PRs the median is taken over


def needs_comment_listing(items: Iterable[IssueItem], since: datetime) -> bool:
    """Whether the repository-wide comment listing could hold a first response we need."""
    return any(item.created_at >= since and item.comments > 0 for item in items)


def activity_summary(
    items: Iterable[IssueItem], comments: Iterable[Comment], since: datetime
) -> ActivitySummary:
    items = list(items)
    first_response = first_responses(items, comments)
    hours = []
    for item in items:
        if item.created_at < since or item.author_is_bot:
            continue
        answered = first_response.get(item.number)
        if answered is not None:
            hours.append((answered - item.created_at).total_seconds() / 3600.0)
    issues = [item for item in items if not item.is_pull_request]
    prs = [item for item in items if item.is_pull_request]
    return ActivitySummary(
        issues_opened=sum(1 for item in issues if item.created_at >= since),
        issues_closed=sum(1 for item in issues if item.closed_at and item.closed_at >= since),
        prs_opened=sum(1 for item in prs if item.created_at >= since),
        prs_closed=sum(1 for item in prs if item.closed_at and item.closed_at >= since),
        median_first_response_hours=round(statistics.median(hours), 2) if hours else None,
        responded=len(hours),
    )


def first_responses(items: Iterable[IssueItem], comments: Iterable[Comment]) -> dict[int, datetime]:
    """Issue number → the earliest comment by someone other than its author, bots excluded."""
    authors = {item.number: item.author for item in items}
    found: dict[int, datetime] = {}
    for comment in comments:
        author = authors.get(comment.issue_number)
        if author is None or comment.author_is_bot or comment.author == author:
            continue
        known = found.get(comment.issue_number)
        if known is None or comment.created_at < known:
            found[comment.issue_number] = comment.created_at
    return found


def complete_window(
    items: Iterable[IssueItem],
    comments: Iterable[Comment],
    since: datetime,
    *,
    truncated: Iterable[int] = (),
) -> bool:
    """Whether every item whose comments were cut by paging still has its first response known
    (or does not count: opened before the window or by a bot)."""
    items = list(items)
    answered = first_responses(items, comments)
    cut = set(truncated)
    return all(
        item.number in answered or item.created_at < since or item.author_is_bot
        for item in items
        if item.number in cut
    )
