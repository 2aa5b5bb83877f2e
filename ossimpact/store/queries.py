"""Reads of the evidence: newest figures as of a date, history, edges, benchmark results.

Only runs that finished (succeeded or partial) count: a killed run's rows stay in the database
(append-only) but are invisible here.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Select, and_, cast, func, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ossimpact.domain import ArtifactId, BenchmarkResult, Edge, Observation
from ossimpact.store.lookups import resolve_artifacts
from ossimpact.store.records import COUNTED_STATUSES
from ossimpact.store.schema import (
    artifacts,
    benchmark_results,
    edges,
    metrics,
    observation_groups,
    observation_latest,
    observation_values,
    runs,
    scores,
    source_urls,
)

groups = observation_groups
values = observation_values

HISTORY_COLUMNS = ["artifact", "metric", "value", "observed_at", "source_url", "kind", "run_id"]
PRODUCT_HISTORY_COLUMNS = ["artifact", "metric", "value", "observed_at"]
SCORE_SUMMARY_COLUMNS = [
    "product_id",
    "category",
    "methodology_version",
    "total",
    "rank",
    "rank_low",
    "rank_high",
    "top_n_share",
    "coverage",
    "cohort",
    "flag_kinds",
]


@lru_cache(maxsize=200_000)
def _artifact(platform_id: str) -> ArtifactId:
    return ArtifactId.parse(platform_id)


def _counted_runs() -> Select[Any]:
    return select(runs.c.id).where(runs.c.status.in_(COUNTED_STATUSES))


def latest_observations(
    connection: Connection,
    as_of: datetime | None = None,
    metric_names: Collection[str] | None = None,
) -> dict[tuple[ArtifactId, str], Observation]:
    """The newest counted figure per (artifact, metric): a key lookup now, a ranked scan as of."""
    if as_of is None:
        newest = select(observation_latest.c.metric_id, observation_latest.c.group_id).subquery()
    else:
        rank = func.row_number().over(
            partition_by=(groups.c.artifact_id, values.c.metric_id),
            order_by=(groups.c.observed_at.desc(), groups.c.id.desc()),
        )
        ranked = (
            select(values.c.metric_id, values.c.group_id, rank.label("newest"))
            .join_from(values, groups, groups.c.id == values.c.group_id)
            .where(groups.c.run_id.in_(_counted_runs()), groups.c.observed_at <= as_of)
        )
        if metric_names is not None:
            ranked = ranked.where(values.c.metric_id.in_(_metric_ids(metric_names)))
        inner = ranked.subquery()
        newest = select(inner.c.metric_id, inner.c.group_id).where(inner.c.newest == 1).subquery()
    query = _figures_of(newest, metric_names, values.c.reobserved)
    found: dict[tuple[ArtifactId, str], Observation] = {}
    for platform_id, metric, value, observed_at, url, reobserved in connection.execute(query).all():
        artifact = _artifact(platform_id)
        found[(artifact, metric)] = Observation(
            artifact, metric, value, observed_at, url, "reobserved" if reobserved else "new"
        )
    return found


LATEST_FIGURE_COLUMNS = ["artifact", "metric", "value", "observed_at", "source_url"]


def latest_figures(
    connection: Connection, metric_names: Collection[str] | None = None
) -> pd.DataFrame:
    """`latest_observations()` now, as one frame (LATEST_FIGURE_COLUMNS) rather than a record per
    figure: for readers that tabulate thousands of artifacts (the dashboard's snapshot)."""
    query = _figures_of(observation_latest, metric_names)
    rows = [tuple(row) for row in connection.execute(query)]  # plain tuples: pandas probes Rows
    frame = pd.DataFrame(rows, columns=LATEST_FIGURE_COLUMNS)
    # Spelled as ArtifactId spells it, like every other reader's artifact column.
    spelled = {text: str(_artifact(text)) for text in frame["artifact"].unique()}
    return frame.assign(artifact=frame["artifact"].map(spelled)).astype({"value": "float64"})


ARTIFACT_TABLE_COLUMNS = [
    "artifact",
    "platform",
    "kind",
    "url",
    "license",
    "pipeline_tag",
    "description",
    "tracked",
    "gated",
    "created_at",
]


def artifact_table(connection: Connection) -> pd.DataFrame:
    """Every artifact's descriptive columns (ARTIFACT_TABLE_COLUMNS), by platform id, without
    decoding each one's topics and extra fields."""
    query = select(
        artifacts.c.platform_id,
        artifacts.c.license,
        artifacts.c.pipeline_tag,
        artifacts.c.description,
        artifacts.c.tracked,
        artifacts.c.gated,
        artifacts.c.created_at,
    ).order_by(artifacts.c.platform_id)
    rows = []
    for platform_id, *described in connection.execute(query):  # licence … created_at
        artifact = _artifact(platform_id)
        rows.append((str(artifact), artifact.platform, artifact.kind, artifact.web_url, *described))
    return pd.DataFrame(rows, columns=ARTIFACT_TABLE_COLUMNS)


def refresh_latest(connection: Connection, run_id: int) -> None:
    """Fold a run that just finished (succeeded or partial) into `observation_latest`."""
    rank = func.row_number().over(
        partition_by=(groups.c.artifact_id, values.c.metric_id),
        order_by=(groups.c.observed_at.desc(), groups.c.id.desc()),
    )
    inner = (
        select(
            groups.c.artifact_id,
            values.c.metric_id,
            groups.c.id.label("group_id"),
            groups.c.observed_at,
            rank.label("newest"),
        )
        .join_from(values, groups, groups.c.id == values.c.group_id)
        .where(groups.c.run_id == run_id)
        .subquery()
    )
    columns = ["artifact_id", "metric_id", "group_id", "observed_at"]
    source = select(*(inner.c[name] for name in columns)).where(inner.c.newest == 1)
    dialect = connection.dialect.name
    base: Any = (
        postgresql.insert(observation_latest)
        if dialect == "postgresql"
        else sqlite.insert(observation_latest)
    )
    statement = base.from_select(columns, source)
    current = observation_latest.c
    statement = statement.on_conflict_do_update(
        index_elements=[current.artifact_id, current.metric_id],
        set_={
            "group_id": statement.excluded.group_id,
            "observed_at": statement.excluded.observed_at,
        },
        where=(statement.excluded.observed_at > current.observed_at)
        | (
            (statement.excluded.observed_at == current.observed_at)
            & (statement.excluded.group_id > current.group_id)
        ),
    )
    connection.execute(statement)


def _figures_of(
    newest: Any, metric_names: Collection[str] | None, *more: ColumnElement[Any]
) -> Select[Any]:
    """The figures `newest` (metric_id, group_id pairs) points at, only of `metric_names` when
    given: platform id, metric, value, time, source URL, then `more`."""
    query = (
        select(
            artifacts.c.platform_id,
            metrics.c.name,
            values.c.value,
            groups.c.observed_at,
            source_urls.c.url,
            *more,
        )
        .select_from(newest)
        .join(
            values,
            (values.c.group_id == newest.c.group_id) & (values.c.metric_id == newest.c.metric_id),
        )
        .join(groups, groups.c.id == newest.c.group_id)
        .join(artifacts, artifacts.c.id == groups.c.artifact_id)
        .join(metrics, metrics.c.id == newest.c.metric_id)
        .join(source_urls, source_urls.c.id == groups.c.source_url_id)
    )
    if metric_names is not None:
        query = query.where(newest.c.metric_id.in_(_metric_ids(metric_names)))
    return query


def _metric_ids(names: Collection[str]) -> Select[Any]:
    return select(metrics.c.id).where(metrics.c.name.in_(list(names)))


def observation_history(
    connection: Connection,
    artifact_ids: Collection[ArtifactId] | None = None,
    metric_names: Collection[str] | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """Counted figures in (artifact, metric, time) order, typed for scoring at scale: artifact and
    metric as categoricals over their sorted names (built from the integer ids), value float64,
    observed_at datetime64[ns, UTC] from epoch integers; source_url, kind, run_id as before."""
    query = (
        select(
            groups.c.artifact_id,
            values.c.metric_id,
            values.c.value,
            _epoch_us(connection, groups.c.observed_at),
            source_urls.c.url.label("source_url"),
            values.c.reobserved,
            groups.c.run_id,
        )
        .join_from(values, groups, groups.c.id == values.c.group_id)
        .join(artifacts, artifacts.c.id == groups.c.artifact_id)
        .join(metrics, metrics.c.id == values.c.metric_id)
        .join(source_urls, source_urls.c.id == groups.c.source_url_id)
        .where(groups.c.run_id.in_(_counted_runs()))
        .order_by(artifacts.c.platform_id, metrics.c.name, groups.c.observed_at, groups.c.id)
    )
    if artifact_ids is not None:
        resolved = resolve_artifacts(connection, (str(a) for a in artifact_ids))
        query = query.where(groups.c.artifact_id.in_(sorted(set(resolved.values()))))
    if metric_names is not None:
        query = query.where(values.c.metric_id.in_(_metric_ids(metric_names)))
    if until is not None:
        query = query.where(groups.c.observed_at <= until)
    rows = connection.execute(query).all()
    columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 7
    artifact_id, metric_id, value, stamp_us, source_url, reobserved, run_id = columns
    artifact_names = dict(connection.execute(select(artifacts.c.id, artifacts.c.platform_id)).all())
    metric_names_by_id = dict(connection.execute(select(metrics.c.id, metrics.c.name)).all())
    nanoseconds = np.asarray(stamp_us, dtype=np.int64) * 1000
    frame = pd.DataFrame(
        {
            "artifact": _named_codes(np.asarray(artifact_id, dtype=np.int64), artifact_names),
            "metric": _named_codes(np.asarray(metric_id, dtype=np.int64), metric_names_by_id),
            "value": np.asarray(value, dtype=np.float64),
            "observed_at": pd.DatetimeIndex(nanoseconds.view("datetime64[ns]")).tz_localize("UTC"),
            "source_url": pd.Series(source_url, dtype="object"),
            "kind": pd.Series(
                np.where(np.asarray(reobserved, dtype=bool), "reobserved", "new"), dtype="object"
            ),
            "run_id": np.asarray(run_id, dtype=np.int64),
        }
    )
    return frame[HISTORY_COLUMNS]


def _epoch_us(connection: Connection, column: Any) -> ColumnElement[Any]:
    """A time column as integer epoch microseconds, computed by the database (SQLite stores them
    so; PostgreSQL converts its timestamptz), so no datetime object is made per row."""
    if connection.dialect.name == "sqlite":
        return type_coerce(column, BigInteger).label("observed_us")
    epoch = func.extract("epoch", column) * 1_000_000
    return cast(func.round(epoch), BigInteger).label("observed_us")


def _named_codes(ids: npt.NDArray[np.int64], names: dict[int, str]) -> pd.Categorical:
    """Integer ids as a categorical over their names, categories sorted (code order = text order)."""
    present = np.unique(ids)
    labels = np.array([names[int(i)] for i in present], dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(present), dtype=np.int32)
    rank[order] = np.arange(len(present), dtype=np.int32)
    codes = rank[np.searchsorted(present, ids)] if len(ids) else np.zeros(0, dtype=np.int32)
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels[order]))


def product_history(
    connection: Connection,
    artifact_ids: Collection[ArtifactId],
    metric_names: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """Counted figures of some artifacts in a time range, oldest first (PRODUCT_HISTORY_COLUMNS)."""
    resolved = resolve_artifacts(connection, (str(a) for a in artifact_ids))
    ids = sorted(set(resolved.values()))
    if not ids:
        return _product_history_frame([])
    query = (
        select(artifacts.c.platform_id, metrics.c.name, values.c.value, groups.c.observed_at)
        .join_from(values, groups, groups.c.id == values.c.group_id)
        .join(artifacts, artifacts.c.id == groups.c.artifact_id)
        .join(metrics, metrics.c.id == values.c.metric_id)
        .where(groups.c.artifact_id.in_(ids), groups.c.run_id.in_(_counted_runs()))
        .order_by(groups.c.observed_at, groups.c.id, metrics.c.name)
    )
    if metric_names is not None:
        query = query.where(values.c.metric_id.in_(_metric_ids(metric_names)))
    if since is not None:
        query = query.where(groups.c.observed_at >= since)
    if until is not None:
        query = query.where(groups.c.observed_at <= until)
    return _product_history_frame(connection.execute(query).all())


def _product_history_frame(rows: Any) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=PRODUCT_HISTORY_COLUMNS)
    return frame.astype({"artifact": "object", "metric": "object", "value": "float64"}).assign(
        observed_at=pd.to_datetime(frame["observed_at"], utc=True)
    )


def score_summaries(connection: Connection, scoring_run_id: int) -> pd.DataFrame:
    """A scoring run's rows without contributions (SCORE_SUMMARY_COLUMNS), leaderboard order."""
    s = scores.c
    query = (
        select(
            s.product_id,
            s.category,
            s.methodology_version,
            s.total,
            s.rank,
            s.rank_low,
            s.rank_high,
            s.top_n_share,
            s.coverage,
            s.cohort,
            s.flags,
        )
        .where(s.scoring_run_id == scoring_run_id)
        .order_by(s.category, s.rank, s.product_id)
    )
    records = [
        (*row[:-1], sorted({str(flag["kind"]) for flag in row[-1]}) if row[-1] else [])
        for row in connection.execute(query).all()
    ]
    if not records:
        return empty_score_summaries()
    return pd.DataFrame.from_records(records, columns=SCORE_SUMMARY_COLUMNS)


def empty_score_summaries() -> pd.DataFrame:
    return pd.DataFrame(columns=SCORE_SUMMARY_COLUMNS)


def latest_edges(connection: Connection, as_of: datetime | None = None) -> list[Edge]:
    """Every edge any finished run has seen (at or before as_of), with its first sighting.

    Edges are stored once, when first seen (see collection._edges_not_yet_stored); an edge that a
    platform later drops stays in this set.
    """
    newest = func.row_number().over(
        partition_by=(edges.c.source_artifact_id, edges.c.target_artifact_id, edges.c.relation),
        order_by=(edges.c.observed_at, edges.c.id),
    )
    inner = select(
        edges.c.source_artifact_id,
        edges.c.target_artifact_id,
        edges.c.relation,
        edges.c.observed_at,
        edges.c.source_url_id,
        newest.label("newest"),
    ).where(edges.c.run_id.in_(_counted_runs()))
    if as_of is not None:
        inner = inner.where(edges.c.observed_at <= as_of)
    ranked = inner.subquery()
    source = artifacts.alias("source")
    target = artifacts.alias("target")
    query = (
        select(
            source.c.platform_id,
            target.c.platform_id,
            ranked.c.relation,
            ranked.c.observed_at,
            source_urls.c.url,
        )
        .join_from(ranked, source, source.c.id == ranked.c.source_artifact_id)
        .join(target, target.c.id == ranked.c.target_artifact_id)
        .join(source_urls, source_urls.c.id == ranked.c.source_url_id)
        .where(ranked.c.newest == 1)
        .order_by(source.c.platform_id, target.c.platform_id, ranked.c.relation)
    )
    return [
        Edge(_artifact(s), _artifact(t), relation, observed_at, url)
        for s, t, relation, observed_at, url in connection.execute(query).all()
    ]


def latest_benchmark_results(
    connection: Connection, as_of: datetime | None = None
) -> list[BenchmarkResult]:
    """The newest result per (artifact, benchmark, metric, source, split)."""
    b = benchmark_results
    newest = func.row_number().over(
        partition_by=(b.c.artifact_id, b.c.benchmark, b.c.metric, b.c.source, b.c.split),
        order_by=(b.c.observed_at.desc(), b.c.id.desc()),
    )
    conditions: list[ColumnElement[bool]] = [b.c.run_id.in_(_counted_runs())]
    if as_of is not None:
        conditions.append(b.c.observed_at <= as_of)
    ranked = select(b, newest.label("newest")).where(and_(*conditions)).subquery()
    query = (
        select(ranked, artifacts.c.platform_id, source_urls.c.url)
        .join_from(ranked, artifacts, artifacts.c.id == ranked.c.artifact_id)
        .join(source_urls, source_urls.c.id == ranked.c.source_url_id)
        .where(ranked.c.newest == 1)
        .order_by(artifacts.c.platform_id, ranked.c.benchmark, ranked.c.metric)
    )
    return [
        BenchmarkResult(
            artifact=_artifact(row.platform_id),
            benchmark=row.benchmark,
            raw_name=row.raw_name,
            metric=row.metric,
            value=row.value,
            source=row.source,
            trust=row.trust,
            observed_at=row.observed_at,
            source_url=row.url,
            split=row.split,
            scaled=row.scaled,
            percent=row.percent,
        )
        for row in connection.execute(query).all()
    ]
