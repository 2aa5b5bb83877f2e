"""Appending one source's CollectionResult of a run, inside the caller's transaction."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    CollectionResult,
    Edge,
    mask_token_shapes,
)
from ossimpact.store.lookups import name_ids, resolve_artifacts
from ossimpact.store.records import COUNTED_STATUSES
from ossimpact.store.schema import (
    artifact_aliases,
    artifacts,
    benchmark_results,
    edges,
    metrics,
    observation_groups,
    observation_values,
    run_failures,
    run_sources,
    runs,
    source_urls,
)
from ossimpact.store.statements import chunks
from ossimpact.store.types import (
    MAX_DESCRIPTION,
    MAX_DETAIL,
    MAX_SHORT_TEXT,
    MAX_TOPICS,
    MAX_URL,
    bounded,
    require_aware,
)

_MAX_EXTRA = 50
_MAX_EXTRA_VALUE = 500


def write_collection(
    connection: Connection, run_id: int, result: CollectionResult, now: datetime
) -> None:
    _check_times(result)
    failures = list(result.failures)
    _apply_renames(connection, result.artifacts, now)
    ids = _upsert_records(connection, result.artifacts, now)
    referenced: set[ArtifactId] = {o.artifact for o in result.observations}
    referenced.update(e.source for e in result.edges)
    referenced.update(e.target for e in result.edges)
    referenced.update(b.artifact for b in result.benchmark_results)
    ids.update(_ensure_artifacts(connection, referenced - set(_known(ids)), now))

    urls = {o.source_url for o in result.observations}
    urls.update(e.source_url for e in result.edges)
    urls.update(b.source_url for b in result.benchmark_results)
    stored_urls = name_ids(connection, source_urls, (_url(u) for u in urls))
    url_ids = {url: stored_urls[_url(url)] for url in urls}
    names = {o.metric for o in result.observations}
    stored_metrics = name_ids(connection, metrics, (_metric(name) for name in names))
    metric_ids = {name: stored_metrics[_metric(name)] for name in names}
    artifact_ids = {artifact: ids[str(artifact)] for artifact in referenced}

    # (artifact, time, URL) → metric → (value, reobserved); a repeated metric keeps the later one.
    grouped: dict[tuple[int, datetime, int], dict[int, tuple[float, bool]]] = {}
    for item in result.observations:
        if not isinstance(item.value, int | float) or not math.isfinite(item.value):
            failures.append(
                ArtifactFailure(
                    str(item.artifact),
                    result.source,
                    "malformed",
                    f"{item.metric} = {item.value!r} is not a finite number; not stored",
                )
            )
            continue
        key = (artifact_ids[item.artifact], item.observed_at, url_ids[item.source_url])
        grouped.setdefault(key, {})[metric_ids[item.metric]] = (
            float(item.value),
            item.kind == "reobserved",
        )
    _insert_observations(connection, run_id, grouped)

    fresh_edges = _edges_not_yet_stored(connection, result, artifact_ids)
    if fresh_edges:
        connection.execute(
            insert(edges),
            [
                {
                    "run_id": run_id,
                    "source_artifact_id": artifact_ids[edge.source],
                    "target_artifact_id": artifact_ids[edge.target],
                    "relation": edge.relation,
                    "observed_at": edge.observed_at,
                    "source_url_id": url_ids[edge.source_url],
                }
                for edge in fresh_edges
            ],
        )

    benchmark_rows: list[dict[str, Any]] = []
    for bench in _benchmarks_changed(connection, result, artifact_ids):
        if not math.isfinite(bench.value):
            failures.append(
                ArtifactFailure(
                    str(bench.artifact),
                    result.source,
                    "malformed",
                    f"benchmark {bench.benchmark} value {bench.value!r} is not finite; not stored",
                )
            )
            continue
        benchmark_rows.append(
            {
                "run_id": run_id,
                "artifact_id": artifact_ids[bench.artifact],
                "benchmark": bounded(bench.benchmark, MAX_SHORT_TEXT),
                "raw_name": bounded(bench.raw_name, MAX_SHORT_TEXT),
                "metric": bounded(bench.metric, MAX_SHORT_TEXT),
                "value": float(bench.value),
                "source": bounded(bench.source, 100),
                "trust": bench.trust,
                "observed_at": bench.observed_at,
                "source_url_id": url_ids[bench.source_url],
                "split": bounded(bench.split, MAX_SHORT_TEXT),
                "scaled": _finite(bench.scaled),
                "percent": _finite(bench.percent),
            }
        )
    if benchmark_rows:
        connection.execute(insert(benchmark_results), benchmark_rows)

    if failures:
        connection.execute(
            insert(run_failures),
            [
                {
                    "run_id": run_id,
                    "subject": bounded(failure.subject, 300),
                    "source": bounded(failure.source, 100),
                    "reason": failure.reason,
                    # again here: a collector that forgot to redact must not store a token
                    "detail": bounded(mask_token_shapes(failure.detail), MAX_DETAIL),
                }
                for failure in failures
            ],
        )

    stats = result.stats
    connection.execute(
        insert(run_sources).values(
            run_id=run_id,
            source=bounded(result.source, 100),
            requests=stats.requests,
            not_modified=stats.not_modified,
            graphql_points=stats.graphql_points,
            rate_limit_waits=stats.rate_limit_waits,
            rate_limit_wait_seconds=stats.rate_limit_wait_seconds,
            paced_seconds=stats.paced_seconds,
            stopped_reason=bounded(
                mask_token_shapes(stats.stopped_reason) if stats.stopped_reason else None, 500
            ),
            recorded_at=now,
        )
    )


def _edges_not_yet_stored(
    connection: Connection, result: CollectionResult, artifact_ids: dict[ArtifactId, int]
) -> list[Edge]:
    """Edges no finished run has stored yet: an edge is kept once, at its first sighting.

    Collectors report every derivative of a model on every run (tens of thousands a day for a
    popular family); a row per sighting would outgrow the observations. Edges seen only by a run
    that never finished do not count as stored, so the next run stores them again.
    """
    first: dict[tuple[int, int, str], Edge] = {}
    for edge in result.edges:
        key = (artifact_ids[edge.source], artifact_ids[edge.target], edge.relation)
        if key not in first or edge.observed_at < first[key].observed_at:
            first[key] = edge
    if not first:
        return []
    counted = select(runs.c.id).where(runs.c.status.in_(COUNTED_STATUSES))
    stored: set[tuple[int, int, str]] = set()
    for part in chunks(sorted({key[0] for key in first})):
        query = select(
            edges.c.source_artifact_id, edges.c.target_artifact_id, edges.c.relation
        ).where(edges.c.source_artifact_id.in_(part), edges.c.run_id.in_(counted))
        stored.update((s, t, r) for s, t, r in connection.execute(query).all())
    return [edge for key, edge in first.items() if key not in stored]


def _benchmarks_changed(
    connection: Connection, result: CollectionResult, artifact_ids: dict[ArtifactId, int]
) -> list[BenchmarkResult]:
    """Results whose value differs from the newest stored one (or that are new).

    A model card's results are read on every run and rarely change; a row per reading would
    grow by the thousands a day for nothing. A stored result's time is when its value was first
    seen. Rows of runs that never finished do not count. A result stored before revision 0007
    (no `percent`; its `scaled` may be the collector's old percentile) is stored once more when
    it comes with a percent, so scoring's one percentile scaling takes it over.
    """
    if not result.benchmark_results:
        return []
    b = benchmark_results
    counted = select(runs.c.id).where(runs.c.status.in_(COUNTED_STATUSES))
    newest: dict[
        tuple[int, str, str, str, str | None], tuple[datetime, int, float, float | None]
    ] = {}
    wanted = sorted({artifact_ids[r.artifact] for r in result.benchmark_results})
    for part in chunks(wanted):
        query = select(
            b.c.artifact_id, b.c.benchmark, b.c.metric, b.c.source, b.c.split,
            b.c.observed_at, b.c.id, b.c.value, b.c.percent,
        ).where(b.c.artifact_id.in_(part), b.c.run_id.in_(counted))  # fmt: skip
        for row in connection.execute(query).all():
            artifact_id, benchmark, metric, source, split, at, id_, value, percent = row
            key = (artifact_id, benchmark, metric, source, split)
            if key not in newest or (at, id_) > newest[key][:2]:
                newest[key] = (at, id_, value, percent)
    changed = []
    for bench in result.benchmark_results:
        key = (
            artifact_ids[bench.artifact],
            bounded(bench.benchmark, MAX_SHORT_TEXT) or "",
            bounded(bench.metric, MAX_SHORT_TEXT) or "",
            bounded(bench.source, 100) or "",
            bounded(bench.split, MAX_SHORT_TEXT),
        )
        stored = newest.get(key)
        if (
            stored is not None
            and stored[2] == bench.value
            and (stored[3] is not None or bench.percent is None)
        ):
            continue
        changed.append(bench)
    return changed


def _insert_observations(
    connection: Connection,
    run_id: int,
    grouped: dict[tuple[int, datetime, int], dict[int, tuple[float, bool]]],
) -> None:
    if not grouped:
        return
    keys = list(grouped)
    group_ids = (
        connection.execute(
            insert(observation_groups).returning(
                observation_groups.c.id, sort_by_parameter_order=True
            ),
            [
                {"run_id": run_id, "artifact_id": a, "observed_at": t, "source_url_id": u}
                for a, t, u in keys
            ],
        )
        .scalars()
        .all()
    )
    connection.execute(
        insert(observation_values),
        [
            {"group_id": group_id, "metric_id": metric_id, "value": value, "reobserved": again}
            for group_id, key in zip(group_ids, keys, strict=True)
            for metric_id, (value, again) in grouped[key].items()
        ],
    )


def _check_times(result: CollectionResult) -> None:
    """Refuse naive datetimes before writing anything, naming the figure that has one."""
    for item in result.observations:
        require_aware(item.observed_at, f"observed_at of {item.artifact} {item.metric}")
    for edge in result.edges:
        require_aware(edge.observed_at, f"observed_at of edge {edge.source} → {edge.target}")
    for bench in result.benchmark_results:
        require_aware(bench.observed_at, f"observed_at of {bench.artifact} {bench.benchmark}")
    for record in result.artifacts:
        for name in ("created_at", "last_modified"):
            value = getattr(record, name)
            if value is not None:
                require_aware(value, f"{name} of {record.id}")


def _known(ids: dict[str, int]) -> set[ArtifactId]:
    return {ArtifactId.parse(key) for key in ids}


def _url(url: str) -> str:
    return bounded(url, MAX_URL) or ""


def _metric(name: str) -> str:
    return bounded(str(name), 100) or ""


def _apply_renames(connection: Connection, records: list[ArtifactRecord], now: datetime) -> None:
    """A renamed artifact keeps its integer id (and so its history); the old id becomes an alias."""
    renamed = [r for r in records if r.renamed_from is not None and r.renamed_from != r.id]
    if not renamed:
        return
    known = resolve_artifacts(
        connection, [str(r.id) for r in renamed] + [str(r.renamed_from) for r in renamed]
    )
    for record in renamed:
        old, new = str(record.renamed_from), str(record.id)
        if old in known and new not in known:
            connection.execute(
                update(artifacts)
                .where(artifacts.c.id == known[old])
                .values(
                    platform_id=new,
                    owner=record.id.owner,
                    name=record.id.name,
                    updated_at=now,
                )
            )
            target = known[old]
        elif new in known:
            target = known[new]
        else:
            continue  # neither seen before: the record is inserted below, the alias after it
        if old not in known or known[old] == target:
            _add_alias(connection, old, target, now)
        known[new] = target
    # Records whose old id was never stored get their alias once the new row exists.
    fresh = [r for r in renamed if str(r.renamed_from) not in known]
    if fresh:
        created = _upsert_records(connection, fresh, now)
        for record in fresh:
            _add_alias(connection, str(record.renamed_from), created[str(record.id)], now)


def _add_alias(connection: Connection, alias: str, artifact_id: int, now: datetime) -> None:
    existing = resolve_artifacts(connection, [alias])
    if alias in existing:
        return
    connection.execute(
        insert(artifact_aliases).values(alias=alias, artifact_id=artifact_id, recorded_at=now)
    )


def _record_values(record: ArtifactRecord, now: datetime) -> dict[str, Any]:
    extra = dict(list(record.extra.items())[:_MAX_EXTRA])
    return {
        "owner_handle": bounded(record.owner_handle, 100) or "",
        "created_at": record.created_at,
        "last_modified": record.last_modified,
        "license": bounded(record.license, MAX_SHORT_TEXT),
        "pipeline_tag": bounded(record.pipeline_tag, MAX_SHORT_TEXT),
        "library": bounded(record.library, MAX_SHORT_TEXT),
        "language": bounded(record.language, MAX_SHORT_TEXT),
        "gated": record.gated,
        "archived": record.archived,
        "is_fork": record.is_fork,
        "description": bounded(record.description, MAX_DESCRIPTION),
        "topics": [bounded(t, 100) for t in record.topics[:MAX_TOPICS]],
        "extra": {
            bounded(str(k), 100): bounded(str(v), _MAX_EXTRA_VALUE) for k, v in extra.items()
        },
        "tracked": record.tracked,
        "updated_at": now,
    }


def _upsert_records(
    connection: Connection, records: list[ArtifactRecord], now: datetime
) -> dict[str, int]:
    latest = {str(r.id): r for r in records}  # a later record of the same artifact wins
    ids = resolve_artifacts(connection, latest)
    updates = [
        {"b_id": ids[key], **_record_values(record, now)}
        for key, record in latest.items()
        if key in ids
    ]
    if updates:
        columns: dict[str, Any] = {name: bindparam(name) for name in updates[0] if name != "b_id"}
        connection.execute(
            update(artifacts).where(artifacts.c.id == bindparam("b_id")).values(columns),
            updates,
        )
    inserts = [
        {**_identity(record.id, now), **_record_values(record, now)}
        for key, record in latest.items()
        if key not in ids
    ]
    if inserts:
        connection.execute(insert(artifacts), inserts)
        ids.update(resolve_artifacts(connection, [row["platform_id"] for row in inserts]))
    return ids


def _identity(artifact: ArtifactId, now: datetime) -> dict[str, Any]:
    return {
        "platform_id": str(artifact),
        "platform": artifact.platform,
        "kind": artifact.kind,
        "owner": artifact.owner,
        "name": artifact.name,
        "first_seen_at": now,
    }


def _ensure_artifacts(
    connection: Connection, wanted: set[ArtifactId], now: datetime
) -> dict[str, int]:
    """Rows for artifacts only seen in figures or edges: third-party, untracked until a record."""
    if not wanted:
        return {}
    ids = resolve_artifacts(connection, (str(a) for a in wanted))
    missing = [a for a in wanted if str(a) not in ids]
    if missing:
        connection.execute(
            insert(artifacts),
            [
                {
                    **_identity(artifact, now),
                    "owner_handle": artifact.owner,
                    "topics": [],
                    "extra": {},
                    "tracked": False,
                    "updated_at": now,
                }
                for artifact in missing
            ],
        )
        ids.update(resolve_artifacts(connection, (str(a) for a in missing)))
    return ids


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
