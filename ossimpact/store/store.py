"""The Store: the one object the pipeline, scoring glue, dashboard and exports talk to.

Each method opens a connection (or, for a write, a transaction that a read-only store refuses)
and hands it to the module of its concept: registry, runs, evidence and queries, http_cache,
scores and members, shortlists, locks, meta.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    CachedResponse,
    CollectionResult,
    CollectionStats,
    Edge,
    Observation,
    Organization,
    Product,
    ScoreRow,
    utcnow,
)
from ossimpact.store import (
    evidence,
    http_cache,
    locks,
    members,
    meta,
    migrate,
    queries,
    registry,
    runs,
    scores,
    shortlists,
)
from ossimpact.store.engine import WRITE_OPTION, create_store_engine, redacted
from ossimpact.store.errors import (
    StoreError,
    StoreReadOnlyError,
    StoreUnavailableError,
    database_fault,
)
from ossimpact.store.records import (
    RunRecord,
    ScoringMember,
    ScoringRunRecord,
    Shortlist,
)
from ossimpact.store.runs import DEFAULT_STALE_RUN_AFTER


def open_store(
    url: str,
    *,
    read_only: bool = False,
    migrate: bool = True,
    stale_run_after: timedelta = DEFAULT_STALE_RUN_AFTER,
) -> Store:
    """Open the store at a SQLAlchemy URL (sqlite:///path or postgresql+psycopg://...).

    A writable store is migrated to the newest schema unless `migrate=False`; a read-only store
    is never migrated and refuses to open a database whose schema is not the newest.
    """
    try:
        engine = create_store_engine(url, read_only=read_only)
    except OSError as error:  # the SQLite file's directory cannot be made
        raise StoreUnavailableError(
            f"cannot open the database {redacted(url)}: {error.strerror or error}"
        ) from error
    store = Store(engine, read_only=read_only)
    store.stale_run_after = stale_run_after
    try:
        if read_only:
            store.check_schema()
        elif migrate:
            store.migrate()
        else:
            with engine.connect():  # a file of random bytes or a dead server fails here, once
                pass
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError) as error:
        # Random bytes, a directory, an unreachable server, a read-only or immutable file, a
        # full disk: one sentence naming the database (password masked), not a traceback.
        engine.dispose()
        raise StoreUnavailableError(
            f"cannot open the database {redacted(url)}: {database_fault(error)}"
        ) from error
    return store


class Store:
    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self.stale_run_after = DEFAULT_STALE_RUN_AFTER

    # -- schema -----------------------------------------------------------------------------

    def migrate(self) -> None:
        """Alembic upgrade to head; running it again changes nothing."""
        self._refuse_if_read_only("migrate")
        migrate.refuse_unknown_revision(self.engine)
        migrate.upgrade(self.engine)

    def check_schema(self) -> None:
        migrate.check_newest(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- registry ---------------------------------------------------------------------------

    def sync_registry(
        self, organizations: Iterable[Organization], products: Iterable[Product], source: str
    ) -> None:
        """Upsert organisations and explicit products; ones no longer listed become inactive."""
        now = utcnow()
        with self._write() as connection:
            registry.sync(connection, organizations, products, source, now)

    def organizations(self) -> list[Organization]:
        with self.engine.connect() as connection:
            return registry.read_organizations(connection)

    def products(self) -> list[Product]:
        with self.engine.connect() as connection:
            return registry.read_products(connection)

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, kind: str, source: str | None = None) -> int:
        runs.check_kind(kind)
        now = utcnow()
        with self._write() as connection:
            return runs.start(connection, kind, source, now)

    def heartbeat(self, run_id: int) -> None:
        with self._write() as connection:
            runs.heartbeat(connection, run_id)

    def record_collection(self, run_id: int, result: CollectionResult) -> None:
        """Append one source's result to a running run, all of it or (on any error) none of it."""
        now = utcnow()
        with self._write() as connection:
            runs.record_collection(connection, run_id, result, now)

    def finish_run(
        self,
        run_id: int,
        status: str,
        stats: CollectionStats | None = None,
        message: str | None = None,
    ) -> None:
        values = runs.finished_values(run_id, status, stats, message)
        with self._write() as connection:
            runs.finish(connection, run_id, values)

    def runs(self, limit: int = 50) -> list[RunRecord]:
        """Newest first. A running run without a heartbeat for `stale_run_after` is "incomplete"."""
        stale_before = utcnow() - self.stale_run_after
        with self.engine.connect() as connection:
            return runs.read_runs(connection, limit, stale_before)

    def failures(self, run_id: int) -> list[ArtifactFailure]:
        with self.engine.connect() as connection:
            return runs.read_failures(connection, run_id)

    # -- evidence ---------------------------------------------------------------------------

    def artifacts(self, tracked_only: bool = False) -> list[ArtifactRecord]:
        with self.engine.connect() as connection:
            return evidence.read_artifacts(connection, tracked_only)

    def artifact_aliases(self) -> dict[ArtifactId, ArtifactId]:
        """Old platform id → current one, for every renamed artifact."""
        with self.engine.connect() as connection:
            return evidence.read_aliases(connection)

    def latest_observations(
        self, as_of: datetime | None = None, metrics: Collection[str] | None = None
    ) -> dict[tuple[ArtifactId, str], Observation]:
        with self.engine.connect() as connection:
            return queries.latest_observations(connection, as_of, metrics)

    def latest_figures(self, metrics: Collection[str] | None = None) -> pd.DataFrame:
        """`latest_observations()` as one frame (`queries.LATEST_FIGURE_COLUMNS`): the same
        figures without a record per figure, for readers that tabulate them all."""
        with self.engine.connect() as connection:
            return queries.latest_figures(connection, metrics)

    def artifact_table(self) -> pd.DataFrame:
        """Every artifact's descriptive columns as one frame (`queries.ARTIFACT_TABLE_COLUMNS`)."""
        with self.engine.connect() as connection:
            return queries.artifact_table(connection)

    def observation_history(
        self,
        artifacts: Collection[ArtifactId] | None = None,
        metrics: Collection[str] | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
        with self.engine.connect() as connection:
            return queries.observation_history(connection, artifacts, metrics, until)

    def product_history(
        self,
        artifacts: Collection[ArtifactId],
        metrics: Collection[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
        """Counted figures of these artifacts from `since` to `until` (both included), oldest
        first: artifact, metric, value, observed_at. Filtered in SQL, no source URLs."""
        with self.engine.connect() as connection:
            return queries.product_history(connection, artifacts, metrics, since, until)

    def edges(self, as_of: datetime | None = None) -> list[Edge]:
        with self.engine.connect() as connection:
            return queries.latest_edges(connection, as_of)

    def benchmark_results(self, as_of: datetime | None = None) -> list[BenchmarkResult]:
        with self.engine.connect() as connection:
            return queries.latest_benchmark_results(connection, as_of)

    # -- conditional-request cache ----------------------------------------------------------

    def cached_response(self, url: str) -> CachedResponse | None:
        with self.engine.connect() as connection:
            return http_cache.read(connection, url)

    def cached_response_urls(self) -> set[str]:
        """Every URL with a cached answer, in one read (a collector's buffer asks once per run)."""
        with self.engine.connect() as connection:
            return http_cache.read_urls(connection)

    def store_cached_response(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes
    ) -> None:
        self.store_cached_responses([CachedResponse(url, etag, last_modified, body, utcnow())])

    def store_cached_responses(self, responses: Sequence[CachedResponse]) -> None:
        """Many answers in one transaction (a collector's buffered cache); the last of a URL wins."""
        if not responses:
            return
        with self._write() as connection:
            http_cache.write(connection, responses)

    # -- scores -----------------------------------------------------------------------------

    def record_scores(
        self,
        run_id: int,
        methodology_version: str,
        as_of: datetime,
        input_run_ids: Sequence[int],
        rows: Sequence[ScoreRow],
        scored_members: Sequence[ScoringMember] = (),
        *,
        purpose: str = "official",
        methodology_hash: str | None = None,
    ) -> int:
        """Store one scoring run, its rows and its members (which artifacts each product grouped)
        in one transaction; returns the scoring run id.

        `purpose`: official (the default ranking from now on), as_of (backdated) or trial (another
        methodology); the latter two are kept and labelled but never become the default.
        """
        scores.check_purpose(purpose)
        with self._write() as connection:
            runs.require_running(connection, run_id)
            return scores.record(
                connection,
                run_id,
                methodology_version,
                as_of,
                input_run_ids,
                rows,
                scored_members,
                purpose,
                methodology_hash,
            )

    def scoring_member_set(self, scoring_run_id: int) -> int | None:
        """The recorded membership a scoring run points at; None for a run scored before runs
        recorded their members."""
        with self.engine.connect() as connection:
            return scores.member_set(connection, scoring_run_id)

    def scoring_members(
        self, scoring_run_id: int | None = None, product_ids: Collection[str] | None = None
    ) -> list[ScoringMember]:
        """What a scoring run grouped (None: the official run), by product then artifact; only
        `product_ids` when given. Empty for a run scored before members were recorded."""
        with self.engine.connect() as connection:
            chosen = scores.chosen_run(connection, scoring_run_id)
            if chosen is None:
                return []
            return members.read_members(connection, chosen, product_ids)

    def official_scoring_run_id(self) -> int | None:
        """The scoring run every default view shows: the newest finished official one."""
        with self.engine.connect() as connection:
            return scores.official_run(connection)

    def scoring_runs(self, limit: int = 20) -> list[ScoringRunRecord]:
        with self.engine.connect() as connection:
            return scores.read_scoring_runs(connection, limit)

    def scores(self, scoring_run_id: int | None = None) -> list[ScoreRow]:
        """The rows of one scoring run; None = the newest one whose run finished."""
        with self.engine.connect() as connection:
            chosen = scores.chosen_run(connection, scoring_run_id)
            if chosen is None:
                return []
            return scores.read_scores(connection, chosen)

    def product_scores(
        self, product_ids: Collection[str], scoring_run_id: int | None = None
    ) -> list[ScoreRow]:
        """Full rows (contributions, flags) of only these products, in `scores()` order.

        What a product page needs: the JSON of the other products is never read.
        """
        with self.engine.connect() as connection:
            chosen = scores.chosen_run(connection, scoring_run_id)
            if chosen is None or not product_ids:
                return []
            return scores.read_product_scores(connection, chosen, product_ids)

    def score_summaries(self, scoring_run_id: int | None = None) -> pd.DataFrame:
        """One scoring run's rows without their contributions, as a frame (SCORE_SUMMARY_COLUMNS).

        What a leaderboard needs, read without decoding any contribution; `flag_kinds` is the
        sorted list of the distinct kinds of the row's integrity flags. None = the official run.
        """
        with self.engine.connect() as connection:
            chosen = scores.chosen_run(connection, scoring_run_id)
            if chosen is None:
                return queries.empty_score_summaries()
            return queries.score_summaries(connection, chosen)

    # -- shortlists -------------------------------------------------------------------------

    def save_shortlist(self, name: str, created_by: str, items: Sequence[tuple[str, str]]) -> int:
        """Save a new version of a shortlist (earlier versions stay); returns the version."""
        clean_name = shortlists.clean_name(name)
        with self._write() as connection:
            return shortlists.save(connection, clean_name, created_by, items)

    def shortlist(self, name: str, version: int | None = None) -> Shortlist | None:
        """A shortlist by name: its newest version, or the one asked for."""
        with self.engine.connect() as connection:
            return shortlists.read_one(connection, name, version)

    def shortlist_versions(self, name: str) -> list[Shortlist]:
        with self.engine.connect() as connection:
            return shortlists.read_versions(connection, name)

    def shortlists(self) -> list[Shortlist]:
        """The newest version of every shortlist, by name."""
        with self.engine.connect() as connection:
            return shortlists.read_newest(connection)

    # -- cross-process lock -----------------------------------------------------------------

    def acquire_lock(self, name: str, holder: str, ttl_seconds: float) -> bool:
        """Take the named lock; False when another holder has it and it has not expired.

        An expired lock (its holder crashed or stopped refreshing) is taken over. The holder that
        already has the lock gets True and a fresh expiry.
        """
        now = utcnow()
        with self._write() as connection:
            return locks.acquire(connection, name, holder, ttl_seconds, now)

    def refresh_lock(self, name: str, holder: str, ttl_seconds: float) -> bool:
        """Extend a lock this holder has; False when it lost it (expired and taken over)."""
        with self._write() as connection:
            return locks.renew(connection, name, holder, ttl_seconds)

    def release_lock(self, name: str, holder: str) -> None:
        with self._write() as connection:
            locks.release(connection, name, holder)

    def lock_holder(self, name: str) -> tuple[str, datetime] | None:
        """Who holds the named lock and since when; None when it is free or expired."""
        with self.engine.connect() as connection:
            return locks.holder(connection, name)

    # -- facts about the database -------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Record a fact about this database, e.g. `synthetic` = `true` for demo data."""
        now = utcnow()
        with self._write() as connection:
            meta.write(connection, key, value, now)

    def meta(self, key: str) -> str | None:
        with self.engine.connect() as connection:
            return meta.read(connection, key)

    def meta_items(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return meta.read_all(connection)

    def data_version(self) -> str:
        """Changes whenever a run or scoring run finishes or the registry is synced."""
        with self.engine.connect() as connection:
            return meta.data_version(connection)

    # -- internals --------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self._refuse_if_read_only("write")
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection

    def _refuse_if_read_only(self, action: str) -> None:
        if self.read_only:
            raise StoreReadOnlyError(f"this store was opened read-only: cannot {action}")
