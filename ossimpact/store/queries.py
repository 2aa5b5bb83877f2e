"""Reads of the evidence: newest figures as of a date, history, edges, benchmark results.

Only runs that finished (succeeded or partial) count: a killed run's rows stay in the database
(append-only) but are invisible here.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.engine import Connection

from ossimpact.domain import ArtifactId, BenchmarkResult, Edge, Observation
from ossimpact.store.lookups import resolve_artifacts
from ossimpact.store.records import COUNTED_STATUSES
from ossimpact.store.schema import (
    artifacts,
    benchmark_results,
    edges,
    metrics,
    observations,
    runs,
    source_urls,
)

HISTORY_COLUMNS = ["artifact", "metric", "value", "observed_at", "source_url", "kind", "run_id"]


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
    newest = func.row_number().over(
        partition_by=(observations.c.artifact_id, observations.c.metric_id),
        order_by=(observations.c.observed_at.desc(), observations.c.id.desc()),
    )
    inner = select(
        observations.c.artifact_id,
        observations.c.metric_id,
        observations.c.value,
        observations.c.observed_at,
        observations.c.source_url_id,
        observations.c.reobserved,
        newest.label("newest"),
    ).where(observations.c.run_id.in_(_counted_runs()))
    if as_of is not None:
        inner = inner.where(observations.c.observed_at <= as_of)
    if metric_names is not None:
        inner = inner.where(
            observations.c.metric_id.in_(
                select(metrics.c.id).where(metrics.c.name.in_(list(metric_names)))
            )
        )
    ranked = inner.subquery()
    query = (
        select(
            artifacts.c.platform_id,
            metrics.c.name,
            ranked.c.value,
            ranked.c.observed_at,
            source_urls.c.url,
            ranked.c.reobserved,
        )
        .join_from(ranked, artifacts, artifacts.c.id == ranked.c.artifact_id)
        .join(metrics, metrics.c.id == ranked.c.metric_id)
        .join(source_urls, source_urls.c.id == ranked.c.source_url_id)
        .where(ranked.c.newest == 1)
    )
    found: dict[tuple[ArtifactId, str], Observation] = {}
    for platform_id, metric, value, observed_at, url, reobserved in connection.execute(query):
        artifact = _artifact(platform_id)
        found[(artifact, metric)] = Observation(
            artifact, metric, value, observed_at, url, "reobserved" if reobserved else "new"
        )
    return found


def observation_history(
    connection: Connection,
    artifact_ids: Collection[ArtifactId] | None = None,
    metric_names: Collection[str] | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    query = (
        select(
            artifacts.c.platform_id.label("artifact"),
            metrics.c.name.label("metric"),
            observations.c.value,
            observations.c.observed_at,
            source_urls.c.url.label("source_url"),
            observations.c.reobserved,
            observations.c.run_id,
        )
        .join_from(observations, artifacts, artifacts.c.id == observations.c.artifact_id)
        .join(metrics, metrics.c.id == observations.c.metric_id)
        .join(source_urls, source_urls.c.id == observations.c.source_url_id)
        .where(observations.c.run_id.in_(_counted_runs()))
        .order_by(artifacts.c.platform_id, metrics.c.name, observations.c.observed_at)
    )
    if artifact_ids is not None:
        resolved = resolve_artifacts(connection, (str(a) for a in artifact_ids))
        query = query.where(observations.c.artifact_id.in_(sorted(set(resolved.values()))))
    if metric_names is not None:
        query = query.where(metrics.c.name.in_(list(metric_names)))
    if until is not None:
        query = query.where(observations.c.observed_at <= until)
    rows = connection.execute(query).all()
    frame = pd.DataFrame(
        {
            "artifact": pd.Series([r.artifact for r in rows], dtype="object"),
            "metric": pd.Series([r.metric for r in rows], dtype="object"),
            "value": pd.Series([r.value for r in rows], dtype="float64"),
            "observed_at": pd.to_datetime(pd.Series([r.observed_at for r in rows]), utc=True),
            "source_url": pd.Series([r.source_url for r in rows], dtype="object"),
            "kind": pd.Series(
                ["reobserved" if r.reobserved else "new" for r in rows], dtype="object"
            ),
            "run_id": pd.Series([r.run_id for r in rows], dtype="int64"),
        }
    )
    return frame[HISTORY_COLUMNS]


def latest_edges(connection: Connection, as_of: datetime | None = None) -> list[Edge]:
    """Every edge any finished run has seen, each with its most recent sighting."""
    newest = func.row_number().over(
        partition_by=(edges.c.source_artifact_id, edges.c.target_artifact_id, edges.c.relation),
        order_by=(edges.c.observed_at.desc(), edges.c.id.desc()),
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
        for s, t, relation, observed_at, url in connection.execute(query)
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
        )
        for row in connection.execute(query)
    ]
