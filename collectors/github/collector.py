"""The GitHub collector: organisations and repositories → observations, records and failures.

Which call goes where:
- GraphQL (httpx, `graphql.py`), when a token is set (GitHub's GraphQL needs one) and the endpoint
  answers: the organisation's repositories, 100 a page, with their scalar figures, 90-day commit
  count, release downloads (up to 10 releases × 10 assets), and the window's issues and PRs with
  their first comments (20 each, 5 comments each).
- PyGithub (`rest.py`): the organisation (followers, public repositories), its public members, and
  the REST-only path's repository listing.
- httpx with conditional requests (`rest.listing`, `HttpClient.get_json`): contributors of every
  repository (GraphQL has no contributor list); on the REST-only path, or where GraphQL paging cut
  something, the repository itself, open PRs, 90-day commits, releases, the window's issues and
  the repository-wide comment listing; stargazer pages and profiles for the evidence sample.
Both paths produce the same observations for the same world.

Order and concurrency: organisations are read one after another on a thread of their own (their
record, members and GraphQL pages), and each one's repositories go to a pool of `concurrency`
threads as soon as it is read, so the next organisation overlaps them; results are merged in the
order a sequential run would build them. Concurrency saves latency, not quota. GitHub's secondary
limits allow at most 100 concurrent requests and 900 points a minute per REST endpoint (a GET is
one point: 15 a second, which 8 threads at a real round trip of ~0.3-0.5 s already approach, so
more threads would mostly meet secondary-limit waits there); its primary limit is 5,000 REST
requests an hour, and 304 answers to conditional requests do not count against it. A first refresh
of the sandbox world of size 10,000 costs about 4,930 REST GETs (4,515 of them contributor
listings) and 68 GraphQL pages, so on the real API it takes about an hour of quota whatever the
concurrency; an unchanged second refresh is mostly 304s. When a limit is hit every thread holds
until its reset (`HttpClient.rate_limit_pause`), counted once against the run's wait budget, and
the source stops cleanly, keeping what it read, when the budget would be exceeded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from github import Github

from collectors.base import NullProgress, Progress, ResponseCache
from collectors.core.errors import Interrupted
from collectors.github import rest
from collectors.github.activity import (
    activity_summary,
    complete_window,
    needs_comment_listing,
    window_start,
)
from collectors.github.graphql import organisation_repository_pages
from collectors.github.parse import (
    Comment,
    GraphqlFailure,
    IssueItem,
    MalformedPayload,
    RepoFacts,
    comments,
    contributors,
    issues,
    organisation,
    releases,
    repo_from_rest,
    stargazers,
    user_profile,
)
from collectors.github.stargazers import (
    STARGAZERS_LOW_ACTIVITY,
    STARGAZERS_SAMPLED,
    StargazerEvidence,
    most_recent,
    stargazer_pages,
    summarise,
)
from collectors.http import HttpClient, HttpError, RateLimitBudgetExceeded
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Metric,
    Observation,
    ObservationKind,
    graphql_url_for,
    utcnow,
)

logger = logging.getLogger(__name__)

SOURCE = "github"
ORG_PUBLIC_REPOS = "org_public_repos"
ORG_FOLLOWERS = "org_followers"
ORG_PUBLIC_MEMBERS = "org_public_members"


@dataclass(frozen=True)
class OrganisationObservation:
    """A figure of a GitHub organisation (not of an artifact): public repos, followers, members."""

    organisation: str  # the GitHub handle
    metric: str
    value: float
    observed_at: datetime
    source_url: str
    kind: ObservationKind = "new"


@dataclass
class GitHubCollectionResult(CollectionResult):
    organisation_observations: list[OrganisationObservation] = field(default_factory=list)
    stargazer_evidence: list[StargazerEvidence] = field(default_factory=list)


@dataclass
class _RepoWork:
    """One repository to read: the facts GraphQL already gave, or just its name (REST path)."""

    full_name: str
    facts: RepoFacts | None
    members: frozenset[str] | None
    source_url: str
    requested_as: ArtifactId | None = None


@dataclass
class _Organisation:
    """What reading one organisation gave: its figures and failures, members, repositories."""

    handle: str
    piece: GitHubCollectionResult  # organisation observations, failures, GraphQL points
    members: frozenset[str] | None
    work: list[_RepoWork] | None = None  # None: the repositories could not be listed
    futures: list[Future[_RepoOutcome | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the progress, shown in order


@dataclass
class _RepoOutcome:
    record: ArtifactRecord | None = None
    observations: list[Observation] = field(default_factory=list)
    failures: list[ArtifactFailure] = field(default_factory=list)
    stars: int = 0


class GitHubCollector:
    source = SOURCE

    def __init__(
        self,
        api_url: str,
        token: str | None = None,
        *,
        graphql_url: str | None = None,
        cache: ResponseCache | None = None,
        concurrency: int = 8,
        max_rate_limit_wait: float = 900.0,
        use_graphql: bool | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        timeout: float = 30.0,
        graphql_page_size: int = 100,
        stargazer_repos_per_run: int = 10,
        stargazer_profiles_per_repo: int = 30,
        stargazer_targets: Collection[ArtifactId] | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.graphql_url = graphql_url or graphql_url_for(self.api_url)
        self._token = token or None
        self._cache = cache
        self._concurrency = max(1, concurrency)
        self._max_wait = max_rate_limit_wait
        self._use_graphql = bool(self._token) if use_graphql is None else use_graphql
        self._sleep = sleep
        self._now = now
        self._timeout = timeout
        self._page_size = graphql_page_size
        self._star_repos = stargazer_repos_per_run
        self._star_profiles = stargazer_profiles_per_repo
        self._star_targets = set(stargazer_targets) if stargazer_targets is not None else None

    # -- the run --------------------------------------------------------------------------------

    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> GitHubCollectionResult:
        progress = progress or NullProgress()
        result = GitHubCollectionResult(source=SOURCE)
        now = self._now()
        since = window_start(now)
        use_graphql = self._use_graphql and bool(self._token)
        # Set by a stop (budget, interrupt): queued work ends, and no request leaves the client.
        stop = threading.Event()
        client = HttpClient(
            base_url=self.api_url,
            token=self._token,
            timeout=self._timeout,
            cache=self._cache,
            max_rate_limit_wait=self._max_wait,
            sleep=self._sleep,
            headers={"Accept": "application/vnd.github+json"},
            max_connections=self._concurrency * 2,
            on_wait=lambda message: progress.note(f"GitHub {message}"),
            stop=stop,
        )
        gh = rest.make_github(self.api_url, self._token, self._timeout)
        seen: set[str] = set()
        stars: dict[ArtifactId, int] = {}
        members: dict[str, frozenset[str]] = {}
        try:
            with (
                client,
                ThreadPoolExecutor(self._concurrency, thread_name_prefix="github") as pool,
                ThreadPoolExecutor(1, thread_name_prefix="github-orgs") as organisations,
            ):
                try:
                    self._collect_organisations(
                        client,
                        gh,
                        handles,
                        (since, now),
                        use_graphql,
                        (result, seen, stars, members),
                        progress,
                        (pool, organisations, stop),
                    )
                    # A repository named on its own still gets its organisation's members when
                    # the organisation was read in this run.
                    extra = [
                        _RepoWork(a.repo_id, None, members.get(a.owner.lower()), "", requested_as=a)
                        for a in explicit
                        if a.platform == "gh" and a.repo_id.lower() not in seen
                    ]
                    if extra:
                        progress.begin("GitHub repositories named in the registry", len(extra))
                        futures = self._submit_repos(pool, client, extra, since, now, stop)
                        self._merge_repos(extra, futures, result, seen, stars, progress)
                    self._collect_stargazer_evidence(client, pool, now, result, stars, progress)
                finally:
                    stop.set()  # an interrupt or a stop: queued work ends without a request
        except RateLimitBudgetExceeded as stop_error:
            result.stats.stopped_reason = client.stats.stopped_reason or str(stop_error)
            progress.note(f"GitHub stopped: {result.stats.stopped_reason}")
        finally:
            gh.close()
        graphql_points = result.stats.graphql_points
        stopped = result.stats.stopped_reason
        result.stats = client.stats
        result.stats.graphql_points = graphql_points
        result.stats.stopped_reason = stopped or client.stats.stopped_reason
        return result

    def _collect_organisations(
        self,
        client: HttpClient,
        gh: Github,
        handles: Sequence[str],
        window: tuple[datetime, datetime],
        use_graphql: bool,
        into: tuple[
            GitHubCollectionResult, set[str], dict[ArtifactId, int], dict[str, frozenset[str]]
        ],
        progress: Progress,
        threads: tuple[ThreadPoolExecutor, ThreadPoolExecutor, threading.Event],
    ) -> None:
        """Every organisation, read one after another on a thread of their own, while the
        repositories of those already read are fetched on the pool; merged here in order.

        An organisation's own requests (its record, members, GraphQL pages) are sequential, as
        whether GraphQL is still worth trying depends on the organisations before it. Its
        repositories go to the pool as soon as it is read, so the next organisation's requests
        overlap them. The result is what a strictly sequential run would build.
        """
        since, now = window
        result, seen, stars, members_by_org = into
        pool, organisations, stop = threads
        graphql = [use_graphql]

        def read(handle: str) -> _Organisation:
            if stop.is_set():
                return _Organisation(handle, GitHubCollectionResult(source=SOURCE), None)
            try:
                found, graphql[0] = self._read_organisation(
                    client, gh, handle, since, now, graphql[0]
                )
            except Interrupted:  # another thread stopped the source meanwhile
                return _Organisation(handle, GitHubCollectionResult(source=SOURCE), None)
            if found.work is not None:
                found.futures = self._submit_repos(pool, client, found.work, since, now, stop)
            return found

        read_ahead = [organisations.submit(read, handle) for handle in handles]
        for future in read_ahead:
            found = future.result()
            for message in found.notes:
                progress.note(message)
            result.failures.extend(found.piece.failures)
            result.organisation_observations.extend(found.piece.organisation_observations)
            result.stats.graphql_points += found.piece.stats.graphql_points
            if found.members is not None:
                members_by_org[found.handle.lower()] = found.members
            if found.work is None:
                continue
            progress.begin(f"GitHub {found.handle}", len(found.work))
            self._merge_repos(found.work, found.futures, result, seen, stars, progress)

    def _read_organisation(
        self,
        client: HttpClient,
        gh: Github,
        handle: str,
        since: datetime,
        now: datetime,
        use_graphql: bool,
    ) -> tuple[_Organisation, bool]:
        """One organisation's figures and its repositories to read; and whether GraphQL is
        still worth trying for the next ones."""
        found = _Organisation(handle, GitHubCollectionResult(source=SOURCE), None)
        subject = f"gh:org:{handle}"
        try:
            org = rest.organisation(client, gh, handle)
            facts = organisation(org.raw_data)
            members = frozenset(rest.public_member_logins(client, org))
        except (HttpError, MalformedPayload) as error:
            found.piece.failures.append(_failure(subject, error))
            return found, use_graphql
        found.members = members
        org_url = f"{self.api_url}/orgs/{handle}"
        for metric, value in (
            (ORG_PUBLIC_REPOS, facts.public_repos),
            (ORG_FOLLOWERS, facts.followers),
            (ORG_PUBLIC_MEMBERS, len(members)),
        ):
            found.piece.organisation_observations.append(
                OrganisationObservation(handle, metric, float(value), now, org_url)
            )
        work: list[_RepoWork] | None = None
        if use_graphql:
            try:
                work = []
                for page in organisation_repository_pages(
                    client, self.graphql_url, handle, since, page_size=self._page_size
                ):
                    if page.cost is not None:
                        found.piece.stats.graphql_points += page.cost.cost
                    work.extend(
                        _RepoWork(r.full_name, r, members, self.graphql_url) for r in page.repos
                    )
            except (GraphqlFailure, HttpError, MalformedPayload) as error:
                unauthorized = isinstance(error, HttpError) and error.status == 401
                found.notes.append(f"GraphQL unavailable for {handle} ({error}); using REST")
                logger.info("GraphQL unavailable for %s: %s", handle, client.redact(str(error)))
                work = None
                if unauthorized:
                    use_graphql = False
        if work is None:
            try:
                names = rest.organisation_repository_names(client, org)
            except HttpError as error:
                found.piece.failures.append(_failure(subject, error))
                return found, use_graphql
            work = [_RepoWork(name, None, members, "") for name in names]
        found.work = work
        return found, use_graphql

    def _submit_repos(
        self,
        pool: ThreadPoolExecutor,
        client: HttpClient,
        work: list[_RepoWork],
        since: datetime,
        now: datetime,
        stop: threading.Event,
    ) -> list[Future[_RepoOutcome | None]]:
        """Every repository of `work` on the pool; a stop (rate-limit budget, interrupt) makes
        those not yet started end without a request."""

        def run(item: _RepoWork) -> _RepoOutcome | None:
            if stop.is_set():
                return None
            try:
                return self._collect_repo(client, item, since, now)
            except RateLimitBudgetExceeded:
                stop.set()
                raise

        return [pool.submit(run, item) for item in work]

    def _merge_repos(
        self,
        work: list[_RepoWork],
        futures: list[Future[_RepoOutcome | None]],
        result: GitHubCollectionResult,
        seen: set[str],
        stars: dict[ArtifactId, int],
        progress: Progress,
    ) -> None:
        """The outcomes in the order of `work`; a repository already collected is kept once."""
        budget_error: RateLimitBudgetExceeded | None = None
        for future in futures:
            try:
                outcome = future.result()
            except RateLimitBudgetExceeded as error:
                budget_error = budget_error or error
                continue
            except Interrupted:  # stopped by a budget error of another repository
                continue
            if outcome is None:
                continue
            progress.advance()
            result.failures.extend(outcome.failures)
            if outcome.record is None:
                continue
            key = outcome.record.id.repo_id.lower()
            if key in seen:
                continue
            seen.add(key)
            result.artifacts.append(outcome.record)
            result.observations.extend(outcome.observations)
            stars[outcome.record.id] = outcome.stars
        for item in work:
            seen.add(item.full_name.lower())
        if budget_error is not None:
            raise budget_error

    # -- one repository -------------------------------------------------------------------------

    def _collect_repo(
        self, client: HttpClient, item: _RepoWork, since: datetime, now: datetime
    ) -> _RepoOutcome:
        requested = item.requested_as or _artifact(item.full_name)
        outcome = _RepoOutcome()
        try:
            self._read_repo(client, item, since, now, outcome)
        except (HttpError, MalformedPayload) as error:
            outcome.record = None
            outcome.observations = []
            outcome.failures.append(_failure(str(requested), error))
        return outcome

    def _read_repo(
        self,
        client: HttpClient,
        item: _RepoWork,
        since: datetime,
        now: datetime,
        outcome: _RepoOutcome,
    ) -> None:
        requested = item.requested_as or _artifact(item.full_name)
        base = f"/repos/{item.full_name}"
        facts = item.facts
        facts_url, facts_cached = item.source_url, False
        renamed_from: ArtifactId | None = None
        if facts is None:
            answer = client.get_json(base, conditional=True)
            facts = repo_from_rest(answer.data)
            facts_url, facts_cached = answer.url, answer.from_cache
            if facts.full_name.lower() != item.full_name.lower():
                renamed_from = requested
                base = f"/repos/{facts.full_name}"
        artifact = _artifact(facts.full_name)
        if renamed_from is not None:
            outcome.failures.append(
                ArtifactFailure(
                    str(renamed_from),
                    SOURCE,
                    "renamed",
                    f"repository renamed or transferred to {artifact}; collected under the new id",
                )
            )
        observations: list[Observation] = []

        def observe(metric: str, value: float, url: str, cached: bool) -> None:
            kind: ObservationKind = "reobserved" if cached else "new"
            observations.append(Observation(artifact, metric, float(value), now, url, kind))

        observe(Metric.STARS, facts.stars, facts_url, facts_cached)
        observe(Metric.FORKS, facts.forks, facts_url, facts_cached)
        if facts.watchers is not None:
            observe(Metric.WATCHERS, facts.watchers, facts_url, facts_cached)

        # Open issues and PRs: GraphQL counts them apart; REST counts both in open_issues_count.
        if facts.open_prs is not None and facts.open_issues is not None:
            observe(Metric.OPEN_ISSUES, facts.open_issues, facts_url, facts_cached)
            observe(Metric.OPEN_PRS, facts.open_prs, facts_url, facts_cached)
        else:
            pulls = rest.listing(client, f"{base}/pulls", {"state": "open"})
            open_prs = len(pulls.items)
            both = facts.open_issues_and_prs or 0
            observe(Metric.OPEN_ISSUES, max(both - open_prs, 0), facts_url, facts_cached)
            observe(Metric.OPEN_PRS, open_prs, pulls.url, pulls.from_cache)

        empty = facts.empty
        if facts.commits_90d is not None:
            observe(Metric.COMMITS_90D, facts.commits_90d, facts_url, facts_cached)
        else:
            try:
                commits = rest.listing(client, f"{base}/commits", {"since": _iso(since)})
                observe(Metric.COMMITS_90D, len(commits.items), commits.url, commits.from_cache)
                empty = False
            except HttpError as error:
                if error.status != 409:
                    raise
                empty = True
                observe(Metric.COMMITS_90D, 0, error.url, False)
        if empty:
            outcome.failures.append(
                ArtifactFailure(
                    str(artifact), SOURCE, "empty_repository", "the repository has no commits"
                )
            )

        people = rest.listing(client, f"{base}/contributors")
        humans = [c for c in contributors(people.items or None) if not c.is_bot]
        observe(Metric.CONTRIBUTORS, len(humans), people.url, people.from_cache)
        if item.members:
            outside = sum(1 for c in humans if c.login not in item.members)
            observe(Metric.OUTSIDE_CONTRIBUTORS, outside, people.url, people.from_cache)

        latest = facts.latest_release
        if facts.releases is not None and (
            facts.releases == 0 or facts.release_downloads is not None
        ):
            observe(Metric.RELEASES, facts.releases, facts_url, facts_cached)
            observe(Metric.RELEASE_DOWNLOADS, facts.release_downloads or 0, facts_url, facts_cached)
        else:
            shipped = rest.listing(client, f"{base}/releases")
            found = releases(shipped.items)
            observe(Metric.RELEASES, len(found), shipped.url, shipped.from_cache)
            downloads = sum(r.downloads for r in found)
            observe(Metric.RELEASE_DOWNLOADS, downloads, shipped.url, shipped.from_cache)
            if latest is None and found:
                latest = max(found, key=lambda r: (r.published_at is not None, r.published_at)).tag

        window = _graphql_window(facts, since)
        if window is not None:
            items, replies = window
            listed = rest.Listing([], facts_url, facts_cached, True)
            replies_cached = facts_cached
        else:
            listed = rest.listing(client, f"{base}/issues", {"state": "all", "since": _iso(since)})
            items = issues(listed.items)
            replies = []
            replies_cached = True
            if needs_comment_listing(items, since):
                answered = rest.listing(
                    client,
                    f"{base}/issues/comments",
                    {"since": _iso(since), "sort": "created", "direction": "asc"},
                )
                replies = comments(answered.items)
                replies_cached = answered.from_cache
        summary = activity_summary(items, replies, since)
        cached = listed.from_cache
        observe(Metric.ISSUES_OPENED_90D, summary.issues_opened, listed.url, cached)
        observe(Metric.ISSUES_CLOSED_90D, summary.issues_closed, listed.url, cached)
        observe(Metric.PRS_OPENED_90D, summary.prs_opened, listed.url, cached)
        observe(Metric.PRS_CLOSED_90D, summary.prs_closed, listed.url, cached)
        if summary.median_first_response_hours is not None:
            observe(
                Metric.MEDIAN_FIRST_RESPONSE_HOURS,
                summary.median_first_response_hours,
                listed.url,
                cached and replies_cached,
            )

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
        outcome.observations = observations
        outcome.stars = facts.stars

    # -- stargazer evidence ---------------------------------------------------------------------

    def _collect_stargazer_evidence(
        self,
        client: HttpClient,
        pool: ThreadPoolExecutor,
        now: datetime,
        result: GitHubCollectionResult,
        stars: dict[ArtifactId, int],
        progress: Progress,
    ) -> None:
        if self._star_repos <= 0 or self._star_profiles <= 0:
            return
        if self._star_targets is not None:
            chosen = [a for a in sorted(stars) if a in self._star_targets]
        else:
            chosen = sorted(stars, key=lambda a: (-stars[a], str(a)))
        chosen = [a for a in chosen if stars[a] > 0][: self._star_repos]
        if not chosen:
            return
        progress.begin("GitHub stargazer samples", len(chosen))
        evidence = list(
            pool.map(lambda a: self._sample_stargazers(client, a, stars[a], now), chosen)
        )
        records = {record.id: record for record in result.artifacts}
        for item in evidence:
            progress.advance()
            result.stargazer_evidence.append(item)
            record = records.get(item.artifact)
            if record is not None:
                # The integrity page shows why there is no stargazer sample: never a guess.
                record.extra["stargazer_evidence"] = (
                    f"sampled {item.sampled}" if item.available else f"unavailable: {item.reason}"
                )
            if item.available:
                for metric, value in (
                    (STARGAZERS_SAMPLED, item.sampled),
                    (STARGAZERS_LOW_ACTIVITY, item.low_activity),
                ):
                    kind: ObservationKind = "reobserved" if item.reobserved else "new"
                    result.observations.append(
                        Observation(item.artifact, metric, float(value), now, item.source_url, kind)
                    )

    def _sample_stargazers(
        self, client: HttpClient, artifact: ArtifactId, star_count: int, now: datetime
    ) -> StargazerEvidence:
        path = f"/repos/{artifact.repo_id}/stargazers"
        found = []
        url = f"{self.api_url}{path}"
        cached = True
        try:
            for page in stargazer_pages(star_count, rest.PER_PAGE, self._star_profiles):
                chunk = rest.listing(
                    client, path, accept=rest.STAR_MEDIA_TYPE, max_pages=1, first_page=page
                )
                url = chunk.url
                cached = cached and chunk.from_cache
                found.extend(stargazers(chunk.items))
            sample = []
            for star in most_recent(found, self._star_profiles):
                answer = client.get_json(f"/users/{star.login}", conditional=True)
                cached = cached and answer.from_cache
                sample.append((star, user_profile(answer.data)))
        except HttpError as error:
            if error.status in (403, 404):
                return StargazerEvidence(
                    artifact,
                    available=False,
                    reason="stargazer list restricted to repository admins and collaborators",
                    observed_at=now,
                    source_url=error.url,
                )
            return StargazerEvidence(
                artifact, False, reason=str(error), observed_at=now, source_url=error.url
            )
        except MalformedPayload as error:
            return StargazerEvidence(
                artifact, False, reason=str(error), observed_at=now, source_url=url
            )
        return summarise(artifact, sample, now, url, reobserved=cached)


def _graphql_window(
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


def _artifact(full_name: str) -> ArtifactId:
    return ArtifactId.gh_repo(full_name)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _failure(subject: str, error: HttpError | MalformedPayload) -> ArtifactFailure:
    if isinstance(error, MalformedPayload):
        return ArtifactFailure(subject, SOURCE, "malformed", str(error))
    reason = error.reason
    if error.status == 409:
        reason = "empty_repository"
    return ArtifactFailure(subject, SOURCE, reason, str(error))
