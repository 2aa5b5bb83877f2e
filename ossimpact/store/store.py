"""The Store: the one object the pipeline, scoring glue, dashboard and exports talk to."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

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
from ossimpact.store import codec, members, migrate, queries, schema
from ossimpact.store.collection import write_collection
from ossimpact.store.engine import WRITE_OPTION, create_store_engine
from ossimpact.store.errors import (
    StoreError,
    StoreReadOnlyError,
    StoreSchemaError,
    StoreUnavailableError,
    UnknownRunError,
    database_fault,
)
from ossimpact.store.lookups import chunks
from ossimpact.store.records import (
    COUNTED_STATUSES,
    FINISHED_STATUSES,
    RUN_KINDS,
    SCORING_PURPOSES,
    RunRecord,
    ScoringMember,
    ScoringRunRecord,
    Shortlist,
    ShortlistItem,
)
from ossimpact.store.schema import (
    artifacts,
    http_cache,
    locks,
    organizations,
    products,
    run_failures,
    run_sources,
    runs,
    scores,
    scoring_runs,
    shortlist_items,
    shortlists,
)
from ossimpact.store.types import MAX_DETAIL, MAX_NOTE, MAX_SHORT_TEXT, bounded

DEFAULT_STALE_RUN_AFTER = timedelta(minutes=15)
_STAT_FIELDS = (
    "requests",
    "not_modified",
    "graphql_points",
    "rate_limit_waits",
    "rate_limit_wait_seconds",
    "paced_seconds",
)


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
            f"cannot open the database {_masked(url)}: {error.strerror or error}"
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
            f"cannot open the database {_masked(url)}: {database_fault(error)}"
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
        self._refuse_unknown_revision()
        migrate.upgrade(self.engine)

    def check_schema(self) -> None:
        current, head = self._refuse_unknown_revision(), migrate.head_revision()
        if current != head:
            raise StoreSchemaError(
                f"the database schema is at revision {current or 'none (empty database)'}, "
                f"this code needs {head}: run the migrations (`ossimpact migrate`, with write access)"
            )

    def _refuse_unknown_revision(self) -> str | None:
        """The current revision; a revision this code has no script for (a newer ossimpact wrote
        the database) is refused before Alembic fails on it with "Can't locate revision"."""
        current = migrate.current_revision(self.engine)
        if current is not None and current not in migrate.known_revisions():
            raise StoreSchemaError(
                f"the database schema is at revision {current}, which this code does not know "
                f"(it knows up to {migrate.head_revision()}): a newer ossimpact wrote it; "
                "upgrade ossimpact instead of opening it with this one"
            )
        return current

    def close(self) -> None:
        self.engine.dispose()

    # -- registry ---------------------------------------------------------------------------

    def sync_registry(
        self, organizations: Iterable[Organization], products: Iterable[Product], source: str
    ) -> None:
        """Upsert organisations and explicit products; ones no longer listed become inactive."""
        orgs = {o.id: o for o in organizations}
        prods = {p.id: p for p in products if not p.implicit}
        now = utcnow()
        with self._write() as connection:
            _upsert(
                connection,
                schema.organizations,
                "id",
                [_organization_row(o, source, now) for o in orgs.values()],
            )
            _upsert(
                connection,
                schema.products,
                "id",
                [_product_row(p, source, now) for p in prods.values()],
            )
            connection.execute(
                update(schema.organizations)
                .where(schema.organizations.c.id.not_in(list(orgs)))
                .where(schema.organizations.c.active.is_(True))
                .values(active=False, updated_at=now)
            )
            connection.execute(
                update(schema.products)
                .where(schema.products.c.id.not_in(list(prods)))
                .where(schema.products.c.active.is_(True))
                .values(active=False, updated_at=now)
            )

    def organizations(self) -> list[Organization]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(organizations)
                .where(organizations.c.active.is_(True))
                .order_by(organizations.c.id)
            )
            return [
                Organization(
                    id=r.id,
                    name=r.name,
                    name_zh=r.name_zh,
                    kind=r.kind,
                    city=r.city,
                    evidence=tuple(r.evidence),
                    confidence=r.confidence,
                    huggingface=tuple(r.huggingface),
                    github=tuple(r.github),
                    notes=r.notes,
                )
                for r in rows
            ]

    def products(self) -> list[Product]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(products).where(products.c.active.is_(True)).order_by(products.c.id)
            )
            return [
                Product(
                    id=r.id,
                    name=r.name,
                    category=r.category,
                    organization=r.organization,
                    include=tuple(r.include),
                    description=r.description,
                    implicit=r.implicit,
                )
                for r in rows
            ]

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, kind: str, source: str | None = None) -> int:
        if kind not in RUN_KINDS:
            raise StoreError(f"unknown run kind {kind!r} (expected one of {', '.join(RUN_KINDS)})")
        now = utcnow()
        with self._write() as connection:
            result = connection.execute(
                insert(runs)
                .values(
                    kind=kind,
                    source=bounded(source, 100),
                    status="running",
                    started_at=now,
                    heartbeat_at=now,
                )
                .returning(runs.c.id)
            )
            return int(result.scalar_one())

    def heartbeat(self, run_id: int) -> None:
        with self._write() as connection:
            self._running(connection, run_id)
            connection.execute(
                update(runs).where(runs.c.id == run_id).values(heartbeat_at=utcnow())
            )

    def record_collection(self, run_id: int, result: CollectionResult) -> None:
        """Append one source's result to a running run, all of it or (on any error) none of it."""
        now = utcnow()
        with self._write() as connection:
            self._running(connection, run_id)
            write_collection(connection, run_id, result, now)
            connection.execute(update(runs).where(runs.c.id == run_id).values(heartbeat_at=now))

    def finish_run(
        self,
        run_id: int,
        status: str,
        stats: CollectionStats | None = None,
        message: str | None = None,
    ) -> None:
        if status not in FINISHED_STATUSES:
            raise StoreError(
                f"cannot finish run {run_id} as {status!r} "
                f"(expected one of {', '.join(FINISHED_STATUSES)})"
            )
        values: dict[str, Any] = {
            "status": status,
            "finished_at": utcnow(),
            "message": bounded(message, MAX_DETAIL),
        }
        if stats is not None:
            values.update({name: getattr(stats, name) for name in _STAT_FIELDS})
            values["stopped_reason"] = bounded(stats.stopped_reason, 500)
        with self._write() as connection:
            self._running(connection, run_id)
            connection.execute(update(runs).where(runs.c.id == run_id).values(values))
            if status in COUNTED_STATUSES:
                queries.refresh_latest(connection, run_id)

    def runs(self, limit: int = 50) -> list[RunRecord]:
        """Newest first. A running run without a heartbeat for `stale_run_after` is "incomplete"."""
        stale_before = utcnow() - self.stale_run_after
        with self.engine.connect() as connection:
            rows = connection.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
            ids = [r.id for r in rows]
            failure_counts: dict[int, int] = dict(
                connection.execute(
                    select(run_failures.c.run_id, func.count())
                    .where(run_failures.c.run_id.in_(ids))
                    .group_by(run_failures.c.run_id)
                ).all()
            )
            sums = {
                row.run_id: row
                for row in connection.execute(
                    select(
                        run_sources.c.run_id,
                        *(func.sum(run_sources.c[name]).label(name) for name in _STAT_FIELDS),
                        func.max(run_sources.c.stopped_reason).label("stopped_reason"),
                    )
                    .where(run_sources.c.run_id.in_(ids))
                    .group_by(run_sources.c.run_id)
                )
            }
        records = []
        for row in rows:
            summed = sums.get(row.id)

            def figure(name: str, row: Any = row, summed: Any = summed) -> Any:
                own = getattr(row, name)
                if own is not None:
                    return own
                return getattr(summed, name) if summed is not None else None

            status = row.status
            if status == "running" and row.heartbeat_at < stale_before:
                status = "incomplete"
            records.append(
                RunRecord(
                    id=row.id,
                    kind=row.kind,
                    source=row.source,
                    status=status,
                    started_at=row.started_at,
                    heartbeat_at=row.heartbeat_at,
                    finished_at=row.finished_at,
                    requests=int(figure("requests") or 0),
                    not_modified=int(figure("not_modified") or 0),
                    graphql_points=int(figure("graphql_points") or 0),
                    rate_limit_waits=int(figure("rate_limit_waits") or 0),
                    rate_limit_wait_seconds=float(figure("rate_limit_wait_seconds") or 0.0),
                    stopped_reason=figure("stopped_reason"),
                    message=row.message,
                    failure_count=int(failure_counts.get(row.id, 0)),
                    paced_seconds=float(figure("paced_seconds") or 0.0),
                )
            )
        return records

    def failures(self, run_id: int) -> list[ArtifactFailure]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(run_failures)
                .where(run_failures.c.run_id == run_id)
                .order_by(run_failures.c.id)
            )
            return [ArtifactFailure(r.subject, r.source, r.reason, r.detail) for r in rows]

    # -- evidence ---------------------------------------------------------------------------

    def artifacts(self, tracked_only: bool = False) -> list[ArtifactRecord]:
        query = select(artifacts).order_by(artifacts.c.platform_id)
        if tracked_only:
            query = query.where(artifacts.c.tracked.is_(True))
        with self.engine.connect() as connection:
            return [
                ArtifactRecord(
                    id=ArtifactId.parse(r.platform_id),
                    owner_handle=r.owner_handle,
                    created_at=r.created_at,
                    last_modified=r.last_modified,
                    license=r.license,
                    pipeline_tag=r.pipeline_tag,
                    library=r.library,
                    language=r.language,
                    gated=r.gated,
                    archived=r.archived,
                    is_fork=r.is_fork,
                    description=r.description,
                    topics=tuple(r.topics),
                    tracked=r.tracked,
                    extra=dict(r.extra),
                )
                for r in connection.execute(query)
            ]

    def artifact_aliases(self) -> dict[ArtifactId, ArtifactId]:
        """Old platform id → current one, for every renamed artifact."""
        aliases = schema.artifact_aliases
        query = select(aliases.c.alias, artifacts.c.platform_id).join(
            artifacts, artifacts.c.id == aliases.c.artifact_id
        )
        with self.engine.connect() as connection:
            return {
                ArtifactId.parse(old): ArtifactId.parse(new)
                for old, new in connection.execute(query)
            }

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

    def edges(self, as_of: datetime | None = None) -> list[Edge]:
        with self.engine.connect() as connection:
            return queries.latest_edges(connection, as_of)

    def benchmark_results(self, as_of: datetime | None = None) -> list[BenchmarkResult]:
        with self.engine.connect() as connection:
            return queries.latest_benchmark_results(connection, as_of)

    # -- conditional-request cache ----------------------------------------------------------

    def cached_response(self, url: str) -> CachedResponse | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(http_cache).where(http_cache.c.url_key == _url_key(url))
            ).first()
        if row is None:
            return None
        return CachedResponse(row.url, row.etag, row.last_modified, bytes(row.body), row.fetched_at)

    def cached_response_urls(self) -> set[str]:
        """Every URL with a cached answer, in one read (a collector's buffer asks once per run)."""
        with self.engine.connect() as connection:
            return set(connection.execute(select(http_cache.c.url)).scalars())

    def store_cached_response(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes
    ) -> None:
        row = {
            "url_key": _url_key(url),
            "url": url,
            "etag": bounded(etag, 500),
            "last_modified": bounded(last_modified, 100),
            "body": body,
            "fetched_at": utcnow(),
        }
        with self._write() as connection:
            _upsert(connection, http_cache, "url_key", [row])

    def store_cached_responses(self, responses: Sequence[CachedResponse]) -> None:
        """Many answers in one transaction (a collector's buffered cache); the last of a URL wins."""
        rows = {
            _url_key(r.url): {
                "url_key": _url_key(r.url),
                "url": r.url,
                "etag": bounded(r.etag, 500),
                "last_modified": bounded(r.last_modified, 100),
                "body": r.body,
                "fetched_at": r.fetched_at,
            }
            for r in responses
        }
        if not rows:
            return
        with self._write() as connection:
            _upsert(connection, http_cache, "url_key", list(rows.values()))

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
        if purpose not in SCORING_PURPOSES:
            raise StoreError(
                f"unknown scoring purpose {purpose!r} (expected {', '.join(SCORING_PURPOSES)})"
            )
        with self._write() as connection:
            self._running(connection, run_id)
            scoring_run_id = int(
                connection.execute(
                    insert(scoring_runs)
                    .values(
                        run_id=run_id,
                        methodology_version=bounded(methodology_version, 100),
                        as_of=as_of,
                        input_run_ids=[int(i) for i in input_run_ids],
                        created_at=utcnow(),
                        purpose=purpose,
                        methodology_hash=methodology_hash,
                    )
                    .returning(scoring_runs.c.id)
                ).scalar_one()
            )
            if rows:
                connection.execute(
                    insert(scores),
                    [
                        {
                            "scoring_run_id": scoring_run_id,
                            "product_id": bounded(row.product_id, 300),
                            "category": row.category,
                            "methodology_version": bounded(row.methodology_version, 100),
                            "total": row.total,
                            "rank": row.rank,
                            "rank_low": row.rank_low,
                            "rank_high": row.rank_high,
                            "top_n_share": row.top_n_share,
                            "coverage": row.coverage,
                            "cohort": bounded(row.cohort, 100),
                            "contributions": codec.contributions_to_json(row.contributions),
                            "flags": codec.flags_to_json(row.flags),
                        }
                        for row in rows
                    ],
                )
            if scored_members:
                member_set_id = members.record_member_set(connection, scored_members)
                connection.execute(
                    update(scoring_runs)
                    .where(scoring_runs.c.id == scoring_run_id)
                    .values(member_set_id=member_set_id)
                )
            return scoring_run_id

    def scoring_member_set(self, scoring_run_id: int) -> int | None:
        """The recorded membership a scoring run points at; None for a run scored before runs
        recorded their members."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(scoring_runs.c.member_set_id).where(scoring_runs.c.id == scoring_run_id)
            ).scalar_one_or_none()
        return None if found is None else int(found)

    def scoring_members(
        self, scoring_run_id: int | None = None, product_ids: Collection[str] | None = None
    ) -> list[ScoringMember]:
        """What a scoring run grouped (None: the official run), by product then artifact; only
        `product_ids` when given. Empty for a run scored before members were recorded."""
        with self.engine.connect() as connection:
            if scoring_run_id is None:
                scoring_run_id = _official_scoring_run(connection)
            if scoring_run_id is None:
                return []
            return members.read_members(connection, scoring_run_id, product_ids)

    def official_scoring_run_id(self) -> int | None:
        """The scoring run every default view shows: the newest finished official one."""
        with self.engine.connect() as connection:
            return _official_scoring_run(connection)

    def scoring_runs(self, limit: int = 20) -> list[ScoringRunRecord]:
        counts = (
            select(scores.c.scoring_run_id, func.count().label("row_count"))
            .group_by(scores.c.scoring_run_id)
            .subquery()
        )
        query = (
            select(scoring_runs, runs.c.status, func.coalesce(counts.c.row_count, 0))
            .join(runs, runs.c.id == scoring_runs.c.run_id)
            .outerjoin(counts, counts.c.scoring_run_id == scoring_runs.c.id)
            .order_by(scoring_runs.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [
                ScoringRunRecord(
                    id=r.id,
                    run_id=r.run_id,
                    run_status=r.status,
                    methodology_version=r.methodology_version,
                    as_of=r.as_of,
                    input_run_ids=tuple(int(i) for i in r.input_run_ids),
                    created_at=r.created_at,
                    row_count=int(r[-1]),
                    purpose=r.purpose,
                    methodology_hash=r.methodology_hash,
                )
                for r in connection.execute(query)
            ]

    def scores(self, scoring_run_id: int | None = None) -> list[ScoreRow]:
        """The rows of one scoring run; None = the newest one whose run finished."""
        with self.engine.connect() as connection:
            if scoring_run_id is None:
                scoring_run_id = _official_scoring_run(connection)
                if scoring_run_id is None:
                    return []
            rows = connection.execute(
                select(scores)
                .where(scores.c.scoring_run_id == scoring_run_id)
                .order_by(scores.c.category, scores.c.rank, scores.c.product_id)
            )
            return [_score_row(r) for r in rows]

    def product_scores(
        self, product_ids: Collection[str], scoring_run_id: int | None = None
    ) -> list[ScoreRow]:
        """Full rows (contributions, flags) of only these products, in `scores()` order.

        What a product page needs: the JSON of the other products is never read.
        """
        wanted = sorted({str(p) for p in product_ids})
        with self.engine.connect() as connection:
            if scoring_run_id is None:
                scoring_run_id = _official_scoring_run(connection)
            if scoring_run_id is None or not wanted:
                return []
            found: list[ScoreRow] = []
            for part in chunks(wanted):
                rows = connection.execute(
                    select(scores).where(
                        scores.c.scoring_run_id == scoring_run_id, scores.c.product_id.in_(part)
                    )
                )
                found.extend(_score_row(r) for r in rows)
        return sorted(found, key=lambda r: (r.category, r.rank, r.product_id))

    def score_summaries(self, scoring_run_id: int | None = None) -> pd.DataFrame:
        """One scoring run's rows without their contributions, as a frame (SCORE_SUMMARY_COLUMNS).

        What a leaderboard needs, read without decoding any contribution; `flag_kinds` is the
        sorted list of the distinct kinds of the row's integrity flags. None = the official run.
        """
        with self.engine.connect() as connection:
            if scoring_run_id is None:
                scoring_run_id = _official_scoring_run(connection)
            if scoring_run_id is None:
                return queries.empty_score_summaries()
            return queries.score_summaries(connection, scoring_run_id)

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

    # -- shortlists -------------------------------------------------------------------------

    def save_shortlist(self, name: str, created_by: str, items: Sequence[tuple[str, str]]) -> int:
        """Save a new version of a shortlist (earlier versions stay); returns the version."""
        clean_name = bounded(name.strip(), MAX_SHORT_TEXT) or ""
        if not clean_name:
            raise StoreError("a shortlist needs a name")
        with self._write() as connection:
            latest = connection.execute(
                select(func.max(shortlists.c.version)).where(shortlists.c.name == clean_name)
            ).scalar_one_or_none()
            version = (latest or 0) + 1
            shortlist_id = connection.execute(
                insert(shortlists)
                .values(
                    name=clean_name,
                    version=version,
                    created_by=bounded(created_by, MAX_SHORT_TEXT) or "",
                    created_at=utcnow(),
                )
                .returning(shortlists.c.id)
            ).scalar_one()
            if items:
                connection.execute(
                    insert(shortlist_items),
                    [
                        {
                            "shortlist_id": shortlist_id,
                            "position": position,
                            "product_id": bounded(product_id, 300),
                            "note": bounded(note, MAX_NOTE) or "",
                        }
                        for position, (product_id, note) in enumerate(items)
                    ],
                )
            return version

    def shortlist(self, name: str, version: int | None = None) -> Shortlist | None:
        """A shortlist by name: its newest version, or the one asked for."""
        query = select(shortlists).where(shortlists.c.name == name)
        if version is not None:
            query = query.where(shortlists.c.version == version)
        query = query.order_by(shortlists.c.version.desc()).limit(1)
        with self.engine.connect() as connection:
            found = self._shortlists(connection, query)
        return found[0] if found else None

    def shortlist_versions(self, name: str) -> list[Shortlist]:
        query = select(shortlists).where(shortlists.c.name == name).order_by(shortlists.c.version)
        with self.engine.connect() as connection:
            return self._shortlists(connection, query)

    def shortlists(self) -> list[Shortlist]:
        """The newest version of every shortlist, by name."""
        newest = (
            select(shortlists.c.name, func.max(shortlists.c.version).label("version"))
            .group_by(shortlists.c.name)
            .subquery()
        )
        query = (
            select(shortlists)
            .join(
                newest,
                (newest.c.name == shortlists.c.name) & (newest.c.version == shortlists.c.version),
            )
            .order_by(shortlists.c.name)
        )
        with self.engine.connect() as connection:
            return self._shortlists(connection, query)

    @staticmethod
    def _shortlists(connection: Connection, query: Any) -> list[Shortlist]:
        heads = connection.execute(query).all()
        items: dict[int, list[ShortlistItem]] = {head.id: [] for head in heads}
        for part in chunks(list(items)):
            for row in connection.execute(
                select(shortlist_items)
                .where(shortlist_items.c.shortlist_id.in_(part))
                .order_by(shortlist_items.c.shortlist_id, shortlist_items.c.position)
            ):
                items[row.shortlist_id].append(ShortlistItem(row.product_id, row.note))
        return [
            Shortlist(h.name, h.version, h.created_by, h.created_at, tuple(items[h.id]))
            for h in heads
        ]

    # -- cross-process lock -----------------------------------------------------------------

    def acquire_lock(self, name: str, holder: str, ttl_seconds: float) -> bool:
        """Take the named lock; False when another holder has it and it has not expired.

        An expired lock (its holder crashed or stopped refreshing) is taken over. The holder that
        already has the lock gets True and a fresh expiry.
        """
        now = utcnow()
        expires = now + timedelta(seconds=ttl_seconds)
        with self._write() as connection:
            connection.execute(delete(locks).where(locks.c.name == name, locks.c.expires_at < now))
            row = {"name": name, "holder": holder, "acquired_at": now, "expires_at": expires}
            if connection.dialect.name == "postgresql":
                statement: Any = postgresql.insert(locks).on_conflict_do_nothing()
            else:
                statement = sqlite.insert(locks).on_conflict_do_nothing()
            if connection.execute(statement, row).rowcount == 1:
                return True
            renewed = connection.execute(
                update(locks)
                .where(locks.c.name == name, locks.c.holder == holder)
                .values(expires_at=expires)
            )
            return renewed.rowcount == 1

    def refresh_lock(self, name: str, holder: str, ttl_seconds: float) -> bool:
        """Extend a lock this holder has; False when it lost it (expired and taken over)."""
        with self._write() as connection:
            result = connection.execute(
                update(locks)
                .where(locks.c.name == name, locks.c.holder == holder)
                .values(expires_at=utcnow() + timedelta(seconds=ttl_seconds))
            )
            return result.rowcount == 1

    def release_lock(self, name: str, holder: str) -> None:
        with self._write() as connection:
            connection.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))

    def lock_holder(self, name: str) -> tuple[str, datetime] | None:
        """Who holds the named lock and since when; None when it is free or expired."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(locks.c.holder, locks.c.acquired_at).where(
                    locks.c.name == name, locks.c.expires_at >= utcnow()
                )
            ).first()
        return None if row is None else (str(row.holder), row.acquired_at)

    # -- facts about the database -------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Record a fact about this database, e.g. `synthetic` = `true` for demo data."""
        row = {"key": key, "value": bounded(value, MAX_NOTE) or "", "updated_at": utcnow()}
        with self._write() as connection:
            _upsert(connection, schema.store_meta, "key", [row])

    def meta(self, key: str) -> str | None:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(schema.store_meta.c.value).where(schema.store_meta.c.key == key)
            ).scalar_one_or_none()
        return None if value is None else str(value)

    def meta_items(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(schema.store_meta.c.key, schema.store_meta.c.value))
            return {str(key): str(value) for key, value in rows}

    # -- cache key for readers --------------------------------------------------------------

    def data_version(self) -> str:
        """Changes whenever a run or scoring run finishes or the registry is synced."""
        with self.engine.connect() as connection:
            finished, last_finished = connection.execute(
                select(func.count(), func.max(runs.c.finished_at)).where(
                    runs.c.finished_at.is_not(None)
                )
            ).one()
            last_scoring = connection.execute(select(func.max(scoring_runs.c.id))).scalar()
            registry = (
                connection.execute(select(func.max(organizations.c.updated_at))).scalar(),
                connection.execute(select(func.max(products.c.updated_at))).scalar(),
            )
        parts = [str(finished), _stamp(last_finished), str(last_scoring or 0)]
        parts.extend(_stamp(value) for value in registry)
        return "-".join(parts)

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

    @staticmethod
    def _running(connection: Connection, run_id: int) -> None:
        status = connection.execute(
            select(runs.c.status).where(runs.c.id == run_id)
        ).scalar_one_or_none()
        if status is None:
            raise UnknownRunError(f"no run {run_id} in the store")
        if status != "running":
            raise StoreError(f"run {run_id} already finished ({status}); start a new run")


def _official_scoring_run(connection: Connection) -> int | None:
    """The newest official scoring run whose run finished (succeeded or partial).

    Not simply the newest: a backdated or trial run recorded after it must not replace the
    ranking everyone reads (see migration 0005).
    """
    found = connection.execute(
        select(func.max(scoring_runs.c.id)).where(
            scoring_runs.c.purpose == "official",
            scoring_runs.c.run_id.in_(select(runs.c.id).where(runs.c.status.in_(COUNTED_STATUSES))),
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


def _masked(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _score_row(r: Any) -> ScoreRow:
    return ScoreRow(
        product_id=r.product_id,
        category=r.category,
        methodology_version=r.methodology_version,
        total=r.total,
        rank=r.rank,
        rank_low=r.rank_low,
        rank_high=r.rank_high,
        top_n_share=r.top_n_share,
        coverage=r.coverage,
        contributions=codec.contributions_from_json(r.contributions),
        flags=codec.flags_from_json(r.flags),
        cohort=r.cohort,
    )


def _stamp(value: datetime | None) -> str:
    return "0" if value is None else str(int(value.timestamp() * 1_000_000))


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def _organization_row(org: Organization, source: str, now: datetime) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": bounded(org.name, 300),
        "name_zh": bounded(org.name_zh, 300),
        "kind": bounded(org.kind, 50),
        "city": bounded(org.city, 100),
        "evidence": [bounded(e, MAX_DETAIL) for e in org.evidence],
        "confidence": org.confidence,
        "huggingface": list(org.huggingface),
        "github": list(org.github),
        "notes": bounded(org.notes, MAX_NOTE),
        "registry_source": bounded(source, 300),
        "active": True,
        "updated_at": now,
    }


def _product_row(product: Product, source: str, now: datetime) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": bounded(product.name, 300),
        "category": product.category,
        "organization": product.organization,
        "include": list(product.include),
        "description": bounded(product.description, MAX_NOTE),
        "implicit": product.implicit,
        "registry_source": bounded(source, 300),
        "active": True,
        "updated_at": now,
    }


def _upsert(connection: Connection, table: Any, key: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = connection.dialect.name
    base: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = base.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: base.excluded[name] for name in rows[0] if name != key},
    )
    connection.execute(statement, rows)
