"""One GitHub repository → its record, figures and failures.

The figures GraphQL's bulk query already gave are used as they are; whatever it did not give (the
REST-only path, or paging that cut something) is read from the REST listings, each a conditional
GET whose 304 marks the figure `reobserved`. Both paths produce the same observations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from collectors.core.errors import CollectionError
from collectors.github import rest
from collectors.github.activity import activity_summary, complete_window, needs_comment_listing
from collectors.github.parse import (
    Comment,
    IssueItem,
    MalformedPayload,
    RepoFacts,
    comments,
    contributors,
    issues,
    releases,
    repo_from_rest,
)
from collectors.http import HttpClient, HttpError
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    Metric,
    Observation,
    ObservationKind,
)

SOURCE = "github"


@dataclass
class RepoWork:
    """One repository to read: the facts GraphQL already gave, or just its name (REST path)."""

    full_name: str
    facts: RepoFacts | None
    members: frozenset[str] | None
    source_url: str
    requested_as: ArtifactId | None = None


@dataclass
class RepoOutcome:
    record: ArtifactRecord | None = None
    observations: list[Observation] = field(default_factory=list)
    failures: list[ArtifactFailure] = field(default_factory=list)
    stars: int = 0


@dataclass
class _Reading:
    """A repository being read: where its facts came from, and the figures so far."""

    client: HttpClient
    facts: RepoFacts
    artifact: ArtifactId
    base: str  # the REST path of the repository (its new name after a rename)
    url: str  # where the facts came from
    cached: bool  # the facts came from a 304
    now: datetime
    since: datetime
    observations: list[Observation] = field(default_factory=list)

    def observe(
        self, metric: str, value: float, url: str | None = None, cached: bool | None = None
    ) -> None:
        """A figure, by default from where the facts came from."""
        fresh = self.cached if cached is None else cached
        kind: ObservationKind = "reobserved" if fresh else "new"
        self.observations.append(
            Observation(self.artifact, metric, float(value), self.now, url or self.url, kind)
        )


def read_repository(
    client: HttpClient, item: RepoWork, since: datetime, now: datetime
) -> RepoOutcome:
    """The repository's outcome; a failed request or a malformed answer is its one failure."""
    outcome = RepoOutcome()
    try:
        _read(client, item, since, now, outcome)
    except (HttpError, MalformedPayload) as error:
        outcome.record = None
        outcome.observations = []
        outcome.failures.append(
            failure(str(item.requested_as or artifact_of(item.full_name)), error)
        )
    return outcome


def _read(
    client: HttpClient, item: RepoWork, since: datetime, now: datetime, outcome: RepoOutcome
) -> None:
    reading, renamed_from = _facts(client, item, since, now)
    facts, artifact = reading.facts, reading.artifact
    if renamed_from is not None:
        outcome.failures.append(
            ArtifactFailure(
                str(renamed_from),
                SOURCE,
                "renamed",
                f"repository renamed or transferred to {artifact}; collected under the new id",
            )
        )
    reading.observe(Metric.STARS, facts.stars)
    reading.observe(Metric.FORKS, facts.forks)
    if facts.watchers is not None:
        reading.observe(Metric.WATCHERS, facts.watchers)
    _open_issues_and_prs(reading)
    if _commits(reading):
        outcome.failures.append(
            ArtifactFailure(
                str(artifact), SOURCE, "empty_repository", "the repository has no commits"
            )
        )
    _contributors(reading, item.members)
    latest = _releases(reading)
    _activity(reading)
    extra = {"latest_release": latest} if latest else {}
    outcome.record = ArtifactRecord(
        id=artifact,
        owner_handle=artifact.owner,
        created_at=facts.created_at,
        last_modified=facts.pushed_at,
        license=facts.license,
        language=facts.language,
        archived=facts.archived,
        is_fork=facts.is_fork,
        description=facts.description,
        topics=facts.topics,
        renamed_from=renamed_from,
        extra=extra,
    )
    outcome.observations = reading.observations
    outcome.stars = facts.stars


def _facts(
    client: HttpClient, item: RepoWork, since: datetime, now: datetime
) -> tuple[_Reading, ArtifactId | None]:
    """GraphQL's facts, or `GET /repos/{name}` (which follows a rename: the old id is kept)."""
    requested = item.requested_as or artifact_of(item.full_name)
    base = f"/repos/{item.full_name}"
    if item.facts is not None:
        facts, url, cached = item.facts, item.source_url, False
    else:
        answer = client.get_json(base, conditional=True)
        facts, url, cached = repo_from_rest(answer.data), answer.url, answer.from_cache
    renamed_from = None
    if facts.full_name.lower() != item.full_name.lower():
        renamed_from = requested
        base = f"/repos/{facts.full_name}"
    artifact = artifact_of(facts.full_name)
    return _Reading(client, facts, artifact, base, url, cached, now, since), renamed_from


def _open_issues_and_prs(reading: _Reading) -> None:
    """GraphQL counts open issues and PRs apart; REST counts both in open_issues_count."""
    facts = reading.facts
    if facts.open_prs is not None and facts.open_issues is not None:
        reading.observe(Metric.OPEN_ISSUES, facts.open_issues)
        reading.observe(Metric.OPEN_PRS, facts.open_prs)
        return
    pulls = rest.listing(reading.client, f"{reading.base}/pulls", {"state": "open"})
    open_prs = len(pulls.items)
    both = facts.open_issues_and_prs or 0
    reading.observe(Metric.OPEN_ISSUES, max(both - open_prs, 0))
    reading.observe(Metric.OPEN_PRS, open_prs, pulls.url, pulls.from_cache)


def _commits(reading: _Reading) -> bool:
    """The 90-day commit count; True when the repository is empty (409 on its commits)."""
    facts = reading.facts
    if facts.commits_90d is not None:
        reading.observe(Metric.COMMITS_90D, facts.commits_90d)
        return bool(facts.empty)
    try:
        commits = rest.listing(
            reading.client, f"{reading.base}/commits", {"since": iso(reading.since)}
        )
    except HttpError as error:
        if error.status != 409:
            raise
        reading.observe(Metric.COMMITS_90D, 0, error.url, False)
        return True
    reading.observe(Metric.COMMITS_90D, len(commits.items), commits.url, commits.from_cache)
    return False


def _contributors(reading: _Reading, members: frozenset[str] | None) -> None:
    people = rest.listing(reading.client, f"{reading.base}/contributors")
    humans = [c for c in contributors(people.items or None) if not c.is_bot]
    reading.observe(Metric.CONTRIBUTORS, len(humans), people.url, people.from_cache)
    if members:
        outside = sum(1 for c in humans if c.login not in members)
        reading.observe(Metric.OUTSIDE_CONTRIBUTORS, outside, people.url, people.from_cache)


def _releases(reading: _Reading) -> str | None:
    """Releases and their downloads; the latest release's tag."""
    facts = reading.facts
    latest = facts.latest_release
    if facts.releases is not None and (facts.releases == 0 or facts.release_downloads is not None):
        reading.observe(Metric.RELEASES, facts.releases)
        reading.observe(Metric.RELEASE_DOWNLOADS, facts.release_downloads or 0)
        return latest
    shipped = rest.listing(reading.client, f"{reading.base}/releases")
    found = releases(shipped.items)
    reading.observe(Metric.RELEASES, len(found), shipped.url, shipped.from_cache)
    downloads = sum(r.downloads for r in found)
    reading.observe(Metric.RELEASE_DOWNLOADS, downloads, shipped.url, shipped.from_cache)
    if latest is None and found:
        latest = max(found, key=lambda r: (r.published_at is not None, r.published_at)).tag
    return latest


def _activity(reading: _Reading) -> None:
    """The window's issues and PRs, opened and closed, and the median first response."""
    since = reading.since
    window = graphql_window(reading.facts, since)
    if window is not None:
        items, replies = window
        listed = rest.Listing([], reading.url, reading.cached, True)
        replies_cached = reading.cached
    else:
        listed = rest.listing(
            reading.client, f"{reading.base}/issues", {"state": "all", "since": iso(since)}
        )
        items = issues(listed.items)
        replies = []
        replies_cached = True
        if needs_comment_listing(items, since):
            answered = rest.listing(
                reading.client,
                f"{reading.base}/issues/comments",
                {"since": iso(since), "sort": "created", "direction": "asc"},
            )
            replies = comments(answered.items)
            replies_cached = answered.from_cache
    summary = activity_summary(items, replies, since)
    url, cached = listed.url, listed.from_cache
    reading.observe(Metric.ISSUES_OPENED_90D, summary.issues_opened, url, cached)
    reading.observe(Metric.ISSUES_CLOSED_90D, summary.issues_closed, url, cached)
    reading.observe(Metric.PRS_OPENED_90D, summary.prs_opened, url, cached)
    reading.observe(Metric.PRS_CLOSED_90D, summary.prs_closed, url, cached)
    if summary.median_first_response_hours is not None:
        reading.observe(
            Metric.MEDIAN_FIRST_RESPONSE_HOURS,
            summary.median_first_response_hours,
            url,
            cached and replies_cached,
        )


def graphql_window(
    facts: RepoFacts, since: datetime
) -> tuple[list[IssueItem], list[Comment]] | None:
    """The window's issues and first comments from the bulk query, when paging cut nothing
    that matters; None sends the repository to the REST listings."""
    activity = facts.activity
    if activity is None or not activity.issues_complete:
        return None
    if activity.pr_page_full and (
        activity.oldest_pr_update is None or activity.oldest_pr_update >= since
    ):
        return None
    items, replies = list(activity.items), list(activity.comments)
    if not complete_window(items, replies, since, truncated=activity.truncated):
        return None
    return items, replies


def artifact_of(full_name: str) -> ArtifactId:
    return ArtifactId.gh_repo(full_name)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def failure(subject: str, error: CollectionError) -> ArtifactFailure:
    """The run's record of an error; GitHub answers 409 for a repository without commits."""
    if isinstance(error, HttpError) and error.status == 409:
        return ArtifactFailure(subject, SOURCE, "empty_repository", str(error))
    return error.failure(SOURCE, subject)
