"""90-day activity, first response (bots excluded) and the stargazer low-activity rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from collectors.github.activity import activity_summary, needs_comment_listing, window_start
from collectors.github.parse import Comment, IssueItem, Star, UserProfile
from collectors.github.stargazers import (
    is_low_activity,
    most_recent,
    stargazer_pages,
    summarise,
)
from ossimpact.domain import ArtifactId

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SINCE = window_start(NOW)


def issue(
    number: int,
    created_days_ago: float,
    *,
    pr: bool = False,
    author: str = "alice",
    bot: bool = False,
    closed_days_ago: float | None = None,
    comments: int = 1,
) -> IssueItem:
    return IssueItem(
        number=number,
        is_pull_request=pr,
        author=author,
        author_is_bot=bot,
        created_at=NOW - timedelta(days=created_days_ago),
        closed_at=None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago),
        comments=comments,
    )


def reply(number: int, created: datetime, author: str, *, bot: bool = False) -> Comment:
    return Comment(number, author, bot, created)


def test_window_starts_at_midnight_ninety_days_back() -> None:
    assert window_start(NOW) == datetime(2026, 8, 22, 0, 0, tzinfo=UTC)
    assert window_start(NOW + timedelta(hours=5)) == window_start(NOW)


def test_counts_split_issues_and_prs_inside_the_window() -> None:
    items = [
        issue(1, 10, closed_days_ago=5),
        issue(2, 100, closed_days_ago=50),  # opened before, closed inside
        issue(3, 20, pr=True, closed_days_ago=1),
        issue(4, 120, pr=True),
        issue(5, 30, pr=True),
    ]
    summary = activity_summary(items, [], SINCE)
    assert (summary.issues_opened, summary.issues_closed) == (1, 2)
    assert (summary.prs_opened, summary.prs_closed) == (2, 1)
    assert summary.median_first_response_hours is None


def test_first_response_ignores_bots_and_the_author() -> None:
    one = issue(1, 10)
    two = issue(2, 20)
    replies = [
        reply(1, one.created_at + timedelta(minutes=1), "ci[bot]", bot=True),
        reply(1, one.created_at + timedelta(hours=1), "alice"),  # the author herself
        reply(1, one.created_at + timedelta(hours=4), "maintainer"),
        reply(2, two.created_at + timedelta(hours=10), "maintainer"),
        reply(2, two.created_at + timedelta(hours=2), "other"),  # earlier, listed later
    ]
    summary = activity_summary([one, two], replies, SINCE)
    assert summary.responded == 2
    assert summary.median_first_response_hours == 3.0  # median of 4 h and 2 h


def test_issues_opened_by_bots_and_unanswered_ones_are_left_out_of_the_median() -> None:
    by_bot = issue(1, 10, author="dependabot[bot]", bot=True)
    unanswered = issue(2, 10, comments=0)
    human = issue(3, 10)
    replies = [
        reply(1, by_bot.created_at + timedelta(hours=100), "maintainer"),
        reply(3, human.created_at + timedelta(hours=6), "maintainer"),
    ]
    summary = activity_summary([by_bot, unanswered, human], replies, SINCE)
    assert summary.responded == 1
    assert summary.median_first_response_hours == 6.0


def test_comment_listing_is_needed_only_when_a_window_issue_has_comments() -> None:
    assert not needs_comment_listing([issue(1, 10, comments=0), issue(2, 200)], SINCE)
    assert needs_comment_listing([issue(1, 10, comments=2)], SINCE)


def profile(login: str, **kw: int) -> UserProfile:
    values = {"followers": 10, "following": 10, "public_repos": 10, "public_gists": 1, **kw}
    return UserProfile(login, NOW - timedelta(days=1000), is_bot=False, **values)


def test_low_activity_rule_needs_every_profile_signal_low() -> None:
    empty = profile("x", followers=0, following=1, public_repos=2, public_gists=0)
    assert is_low_activity(empty)
    assert not is_low_activity(profile("y", followers=0, following=0, public_repos=2))  # 1 gist
    assert not is_low_activity(
        profile("z", followers=0, following=0, public_repos=5, public_gists=0)
    )


def test_most_recent_stars_and_the_pages_that_hold_them() -> None:
    stars = [Star(f"u{n}", NOW - timedelta(days=n)) for n in range(10)]
    assert [s.login for s in most_recent(stars, 3)] == ["u0", "u1", "u2"]
    assert stargazer_pages(0, 100, 30) == []
    assert stargazer_pages(250, 100, 30) == [3]
    assert stargazer_pages(210, 100, 30) == [2, 3]  # the last page holds only 10
    assert stargazer_pages(20, 100, 30) == [1]


def test_summary_counts_humans_only() -> None:
    artifact = ArtifactId.gh_repo("o/r")
    star = Star("a", NOW)
    bot = UserProfile("b[bot]", None, 0, 0, 0, 0, is_bot=True)
    young = UserProfile("c", NOW - timedelta(days=3), 0, 0, 0, 0, is_bot=False)
    evidence = summarise(artifact, [(star, bot), (star, young), (star, profile("d"))], NOW, "u")
    assert (evidence.sampled, evidence.low_activity, evidence.young_accounts) == (2, 1, 1)
    assert evidence.low_activity_share == 0.5
