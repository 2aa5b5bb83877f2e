"""The scoring glue on a real store: inputs from the store, a recorded scoring run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Edge,
    Metric,
    Observation,
    Organization,
    Product,
)
from ossimpact.registry import Registry
from ossimpact.scoring_service import build_inputs, run_scoring
from ossimpact.store import Store, open_store
from scoring import load_methodology, scores_csv_bytes

DAY = datetime(2026, 9, 1, 3, tzinfo=UTC)
LAB = Organization("lab", "Lab", huggingface=("lab",), github=("lab",))
FAMILY = Product("lab-a", "Lab A", "model", "lab", include=("hf:model:lab/a-*",))


def _registry() -> Registry:
    return Registry({"lab": LAB}, {FAMILY.id: FAMILY}, [], Path("registry.yaml"))


def _collection(day: datetime, downloads: float) -> CollectionResult:
    a7 = ArtifactId.hf_model("lab/a-7b")
    a1 = ArtifactId.hf_model("lab/a-1b")
    other = ArtifactId.hf_model("lab/b")
    repo = ArtifactId.gh_repo("lab/tool")
    outside = ArtifactId.hf_model("alice/a-7b-ft")
    result = CollectionResult(source="test")
    result.artifacts = [
        ArtifactRecord(a, a.owner, created_at=datetime(2025, 1, 1, tzinfo=UTC))
        for a in (a7, a1, other, repo)
    ] + [ArtifactRecord(outside, "alice", tracked=False)]
    for artifact, metric, value in (
        (a7, Metric.DOWNLOADS_30D, downloads),
        (a1, Metric.DOWNLOADS_30D, 100.0),
        (other, Metric.DOWNLOADS_30D, 50.0),
        (a7, Metric.LIKES, 40.0),
        (repo, Metric.STARS, 500.0),
        (repo, Metric.FORKS, 50.0),
    ):
        result.observations.append(Observation(artifact, metric, value, day, "test://"))
    result.edges = [Edge(a7, outside, "finetune", day, "test://")]
    return result


@pytest.fixture
def two_runs(database_url: str) -> Iterator[tuple[Store, list[int]]]:
    """A store with two collection runs ten days apart; the collect run ids."""
    store = open_store(database_url)
    try:
        store.sync_registry([LAB], [FAMILY], "registry.yaml")
        ids = []
        for day, downloads in ((DAY, 1000.0), (DAY + timedelta(days=10), 5000.0)):
            run_id = store.start_run("collect", "test")
            store.record_collection(run_id, _collection(day, downloads))
            store.finish_run(run_id, "succeeded")
            ids.append(run_id)
        yield store, ids
    finally:
        store.close()


def test_inputs_group_artifacts_into_the_registrys_products(
    two_runs: tuple[Store, list[int]],
) -> None:
    store, _ = two_runs
    inputs = build_inputs(store, _registry(), DAY + timedelta(days=1))
    assert {p.id for p in inputs.products} >= {"lab-a", "hf:model:lab/b", "gh:lab/tool"}
    assert sorted(str(a) for a in inputs.members["lab-a"]) == [
        "hf:model:lab/a-1b",
        "hf:model:lab/a-7b",
    ]
    assert "hf:model:alice/a-7b-ft" not in {p.id for p in inputs.products}
    assert inputs.history["observed_at"].max() <= DAY + timedelta(days=1)


def test_run_scoring_records_a_reproducible_scoring_run(
    two_runs: tuple[Store, list[int]],
) -> None:
    store, collect_ids = two_runs
    methodology = load_methodology()
    past = DAY + timedelta(days=1)
    scoring_id, result = run_scoring(store, _registry(), methodology, past, draws=50)
    family = result.row("lab-a")
    assert {c.signal: c.raw for c in family.contributions}["downloads_30d"] == 1100.0
    assert {c.signal: c.raw for c in family.contributions}["derivatives"] == 1.0
    (recorded,) = [r for r in store.scoring_runs() if r.id == scoring_id]
    assert recorded.methodology_version == "2026.2"
    assert recorded.input_run_ids == (collect_ids[0],)
    assert recorded.row_count == len(result.rows)
    # the past ranking again, after a later collection: byte-identical
    _, again = run_scoring(store, _registry(), methodology, past, draws=50)
    assert scores_csv_bytes(again.rows) == scores_csv_bytes(result.rows)
    _, now = run_scoring(store, _registry(), methodology, None, draws=50)
    assert {c.signal: c.raw for c in now.row("lab-a").contributions}["downloads_30d"] == 5100.0
