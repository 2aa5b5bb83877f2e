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
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from github import Github

from collectors.base import Progress, ResponseCache
from collectors.core.errors import Interrupted
from collectors.core.source import RunStart, Source, result_checking_stop
from collectors.github import rest
from collectors.github.activity import (
    window_start,
)
from collectors.github.graphql import organization_repository_pages
from collectors.github.parse import (
    GraphqlFailure,
    MalformedPayload,
    organization,
    stargazers,
    user_profile,
)
from collectors.github.repository import SOURCE, RepoOutcome, RepoWork, failure, read_repository
from collectors.github.stargazers import (
    StargazerEvidence,
    most_recent,
    stargazer_pages,
    summarise,
)
from collectors.http import HttpClient, HttpError, RateLimitBudgetExceeded
from collectors.pacing import Pacer
from ossimpact.domain import (
    ORG_FOLLOWERS,
    ORG_PUBLIC_MEMBERS,
    ORG_PUBLIC_REPOS,
    STARGAZERS_LOW_ACTIVITY,
    STARGAZERS_SAMPLED,
    ArtifactId,
    CollectionResult,
    Observation,
    ObservationKind,
    graphql_url_for,
    utcnow,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrganizationObservation:
    """A figure of a GitHub organisation (not of an artifact): public repos, followers, members."""

    organization: str  # the GitHub handle
    metric: str
    value: float
    observed_at: datetime
    source_url: str
    kind: ObservationKind = "new"


@dataclass
class GitHubCollectionResult(CollectionResult):
    organization_observations: list[OrganizationObservation] = field(default_factory=list)
    stargazer_evidence: list[StargazerEvidence] = field(default_factory=list)


@dataclass
class _Organization:
    """What reading one organisation gave: its figures and failures, members, repositories."""

    handle: str
    piece: GitHubCollectionResult  # organisation observations, failures, GraphQL points
    members: frozenset[str] | None
    work: list[RepoWork] | None = None  # None: the repositories could not be listed
    futures: list[Future[RepoOutcome | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the progress, shown in order


@dataclass
class _Run:
    """One collection run: its client and threads, its window, and what it gathered so far."""

    client: HttpClient
    gh: Github
    since: datetime  # the activity window's start
    now: datetime
    progress: Progress
    pool: ThreadPoolExecutor  # the repositories' threads
    stop: threading.Event
    result: GitHubCollectionResult
    use_graphql: bool  # still worth trying: a 401 turns it off for the next organisations
    seen: set[str] = field(default_factory=set)  # repositories collected (lower-case names)
    stars: dict[ArtifactId, int] = field(default_factory=dict)
    members: dict[str, frozenset[str]] = field(default_factory=dict)  # by organisation


class GitHubCollector(Source[GitHubCollectionResult]):
    source = SOURCE
    platform = "gh"

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
        pacer: Pacer | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.pacer = pacer  # GitHub's published limits, paid before each request
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
        # Set when the last run stopped for its hourly budget: when each repository was last
        # observed ("owner/name" in lower case). The repositories are then read least recently
        # observed first, never observed first of all, so this run reaches those it did not.
        self.resume_order: Mapping[str, datetime] | None = None

    # -- the run --------------------------------------------------------------------------------

    def new_result(self) -> GitHubCollectionResult:
        return GitHubCollectionResult(source=SOURCE)

    def observed_at(self) -> datetime:
        return self._now()

    def read(self, start: RunStart[GitHubCollectionResult]) -> GitHubCollectionResult:
        progress, result, now = start.progress, start.result, start.observed_at
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
            pacer=self.pacer,
        )
        gh = rest.make_github(self.api_url, self._token, self._timeout)
        try:
            with (
                client,
                ThreadPoolExecutor(self._concurrency, thread_name_prefix="github") as pool,
                ThreadPoolExecutor(1, thread_name_prefix="github-orgs") as organizations,
            ):
                run = _Run(
                    client,
                    gh,
                    window_start(now),
                    now,
                    progress,
                    pool,
                    stop,
                    result,
                    use_graphql=self._use_graphql and bool(self._token),
                )
                try:
                    pending = self._collect_organizations(run, organizations, start.handles)
                    listed = {item.full_name.lower() for item in pending}
                    # A repository named on its own still gets its organisation's members when
                    # the organisation was read in this run.
                    extra = [
                        RepoWork(a.repo_id, None, run.members.get(a.owner.lower()), "", a)
                        for a in start.explicit
                        if a.repo_id.lower() not in run.seen and a.repo_id.lower() not in listed
                    ]
                    if self.resume_order is not None:
                        work = least_recent_first([*pending, *extra], self.resume_order)
                        progress.begin("GitHub repositories, least recently read first", len(work))
                        self._merge_repos(run, work, self._submit_repos(run, work))
                    elif extra:
                        progress.begin("GitHub repositories named in the registry", len(extra))
                        self._merge_repos(run, extra, self._submit_repos(run, extra))
                    self._collect_stargazer_evidence(run)
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

    def _collect_organizations(
        self, run: _Run, organizations: ThreadPoolExecutor, handles: Sequence[str]
    ) -> list[RepoWork]:
        """Every organisation, read one after another on a thread of their own, while the
        repositories of those already read are fetched on the pool; merged here in order.

        An organisation's own requests (its record, members, GraphQL pages) are sequential, as
        whether GraphQL is still worth trying depends on the organisations before it. Its
        repositories go to the pool as soon as it is read, so the next organisation's requests
        overlap them. The result is what a strictly sequential run would build.

        When resuming (`resume_order`), the repositories are not read here but returned, every
        organisation's, to be read in the resume order.
        """
        resuming = self.resume_order is not None

        def read(handle: str) -> _Organization:
            if not run.stop.is_set():
                try:
                    found = self._read_organization(run, handle)
                except Interrupted:  # another thread stopped the source meanwhile
                    pass
                else:
                    if found.work is not None and not resuming:
                        found.futures = self._submit_repos(run, found.work)
                    return found
            return _Organization(handle, GitHubCollectionResult(source=SOURCE), None)

        result, pending = run.result, []
        for future in [organizations.submit(read, handle) for handle in handles]:
            found = result_checking_stop(future, run.progress)
            for message in found.notes:
                run.progress.note(message)
            result.failures.extend(found.piece.failures)
            result.organization_observations.extend(found.piece.organization_observations)
            result.stats.graphql_points += found.piece.stats.graphql_points
            if found.members is not None:
                run.members[found.handle.lower()] = found.members
            if found.work is None:
                continue
            if resuming:
                pending.extend(found.work)
                continue
            run.progress.begin(f"GitHub {found.handle}", len(found.work))
            self._merge_repos(run, found.work, found.futures)
        return pending

    def _read_organization(self, run: _Run, handle: str) -> _Organization:
        """One organisation's figures and its repositories to read (on the organisations'
        thread, which alone turns GraphQL off for the next ones after a 401)."""
        client = run.client
        found = _Organization(handle, GitHubCollectionResult(source=SOURCE), None)
        subject = f"gh:org:{handle}"
        try:
            org = rest.organization(client, run.gh, handle)
            facts = organization(org.raw_data)
            members = frozenset(rest.public_member_logins(client, org))
        except (HttpError, MalformedPayload) as error:
            found.piece.failures.append(failure(subject, error))
            return found
        found.members = members
        org_url = f"{self.api_url}/orgs/{handle}"
        for metric, value in (
            (ORG_PUBLIC_REPOS, facts.public_repos),
            (ORG_FOLLOWERS, facts.followers),
            (ORG_PUBLIC_MEMBERS, len(members)),
        ):
            found.piece.organization_observations.append(
                OrganizationObservation(handle, metric, float(value), run.now, org_url)
            )
        work = self._graphql_work(run, found, members) if run.use_graphql else None
        if work is None:
            try:
                names = rest.organization_repository_names(client, org)
            except HttpError as error:
                found.piece.failures.append(failure(subject, error))
                return found
            work = [RepoWork(name, None, members, "") for name in names]
        found.work = work
        return found

    def _graphql_work(
        self, run: _Run, found: _Organization, members: frozenset[str]
    ) -> list[RepoWork] | None:
        """The organisation's repositories with their facts from GraphQL; None: use REST."""
        work: list[RepoWork] = []
        try:
            for page in organization_repository_pages(
                run.client, self.graphql_url, found.handle, run.since, page_size=self._page_size
            ):
                if page.cost is not None:
                    found.piece.stats.graphql_points += page.cost.cost
                work.extend(RepoWork(r.full_name, r, members, self.graphql_url) for r in page.repos)
        except (GraphqlFailure, HttpError, MalformedPayload) as error:
            found.notes.append(f"GraphQL unavailable for {found.handle} ({error}); using REST")
            logger.info(
                "GraphQL unavailable for %s: %s", found.handle, run.client.redact(str(error))
            )
            if isinstance(error, HttpError) and error.status == 401:
                run.use_graphql = False
            return None
        return work

    def _submit_repos(self, run: _Run, work: list[RepoWork]) -> list[Future[RepoOutcome | None]]:
        """Every repository of `work` on the pool; a stop (rate-limit budget, interrupt) makes
        those not yet started end without a request."""

        def read(item: RepoWork) -> RepoOutcome | None:
            if run.stop.is_set():
                return None
            try:
                return read_repository(run.client, item, run.since, run.now)
            except RateLimitBudgetExceeded:
                run.stop.set()
                raise

        return [run.pool.submit(read, item) for item in work]

    def _merge_repos(
        self, run: _Run, work: list[RepoWork], futures: list[Future[RepoOutcome | None]]
    ) -> None:
        """The outcomes in the order of `work`; a repository already collected is kept once."""
        result, seen = run.result, run.seen
        budget_error: RateLimitBudgetExceeded | None = None
        for future in futures:
            try:
                outcome = result_checking_stop(future, run.progress)
            except RateLimitBudgetExceeded as error:
                budget_error = budget_error or error
                continue
            except Interrupted:  # stopped by a budget error of another repository
                continue
            if outcome is None:
                continue
            run.progress.advance()
            result.failures.extend(outcome.failures)
            if outcome.record is None:
                continue
            key = outcome.record.id.repo_id.lower()
            if key in seen:
                continue
            seen.add(key)
            result.artifacts.append(outcome.record)
            result.observations.extend(outcome.observations)
            run.stars[outcome.record.id] = outcome.stars
        for item in work:
            seen.add(item.full_name.lower())
        if budget_error is not None:
            raise budget_error

    # -- stargazer evidence ---------------------------------------------------------------------

    def _collect_stargazer_evidence(self, run: _Run) -> None:
        stars, result, now = run.stars, run.result, run.now
        if self._star_repos <= 0 or self._star_profiles <= 0:
            return
        if self._star_targets is not None:
            chosen = [a for a in sorted(stars) if a in self._star_targets]
        else:
            chosen = sorted(stars, key=lambda a: (-stars[a], str(a)))
        chosen = [a for a in chosen if stars[a] > 0][: self._star_repos]
        if not chosen:
            return
        run.progress.begin("GitHub stargazer samples", len(chosen))
        evidence = list(
            run.pool.map(lambda a: self._sample_stargazers(run.client, a, stars[a], now), chosen)
        )
        records = {record.id: record for record in result.artifacts}
        for item in evidence:
            run.progress.advance()
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


def least_recent_first(
    work: Sequence[RepoWork], observed: Mapping[str, datetime]
) -> list[RepoWork]:
    """Each repository once, never observed first, then the least recently observed (a run that
    stopped for its hourly budget left those it did not reach with the oldest figures)."""
    unique = {item.full_name.lower(): item for item in reversed(work)}  # the first listing wins
    never = datetime.min.replace(tzinfo=UTC)

    def key(name: str) -> tuple[bool, datetime, str]:
        at = observed.get(name)
        return (at is not None, at or never, name)

    return [unique[name] for name in sorted(unique, key=key)]
