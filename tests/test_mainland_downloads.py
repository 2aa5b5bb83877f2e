"""30-day downloads of the mainland hubs from our own snapshots of their all-time counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from ossimpact.domain import ArtifactId, CollectionResult, Metric, Observation
from ossimpact.mainland_downloads import thirty_day_downloads
from ossimpact.pipeline import collect
from ossimpact.registry import load_registry
from ossimpact.sandbox.mainland import catalogue_for
from ossimpact.sandbox.runner import start_sandbox, world_for_registry
from ossimpact.settings import Settings
from ossimpact.store import open_store
from tests.test_mainland_pipeline import _registry

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
MS = ArtifactId.parse("ms:model:Shanghai_AI_Laboratory/internlm2_5-7b-chat")
HF = ArtifactId.parse("hf:model:internlm/internlm2_5-7b-chat")
URL = "https://modelscope.cn/openapi/v1/models?owner=Shanghai_AI_Laboratory"


def _history(rows: list[tuple[ArtifactId, float, datetime]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "artifact": [str(a) for a, _, _ in rows],
            "metric": [Metric.DOWNLOADS_ALL_TIME] * len(rows),
            "value": [v for _, v, _ in rows],
            "observed_at": pd.to_datetime([t for _, _, t in rows], utc=True),
        }
    )


def _now(artifact: ArtifactId, value: float) -> Observation:
    return Observation(artifact, Metric.DOWNLOADS_ALL_TIME, value, NOW, URL)


def test_the_gain_since_the_newest_count_at_least_30_days_old() -> None:
    history = _history(
        [
            (MS, 1_000.0, NOW - timedelta(days=45)),
            (MS, 1_500.0, NOW - timedelta(days=31)),  # the newest at least 30 days old
            (MS, 2_000.0, NOW - timedelta(days=10)),
        ]
    )
    (derived,) = thirty_day_downloads([_now(MS, 2_600.0)], history)
    assert (derived.metric, derived.value) == (Metric.DOWNLOADS_30D, 1_100.0)
    assert (derived.observed_at, derived.source_url) == (NOW, URL)


def test_nothing_until_the_history_reaches_30_days_back_nor_for_a_decrease() -> None:
    young = _history([(MS, 1_000.0, NOW - timedelta(days=29))])
    assert thirty_day_downloads([_now(MS, 2_000.0)], young) == []
    old = _history([(MS, 3_000.0, NOW - timedelta(days=40))])
    assert thirty_day_downloads([_now(MS, 2_000.0)], old) == []  # fell: flagged, not growth
    # the Hub publishes its own 30-day figure: nothing is derived for it
    assert thirty_day_downloads([_now(HF, 9.0)], _history([(HF, 1.0, NOW - timedelta(40))])) == []


def test_a_modelscope_collection_stores_its_30_day_downloads(
    tmp_path: Path, database_url: str
) -> None:
    registry = load_registry(_registry(tmp_path, ["odl:dataset:OpenDataLab/placeholder"]))
    world = world_for_registry(registry, size=120)
    repo = sorted(catalogue_for(world).ms_models.values(), key=lambda r: r.name)[0]
    artifact = ArtifactId.parse(f"ms:model:{repo.owner}/{repo.name}")
    store = open_store(database_url)
    try:  # a snapshot of 40 days ago, as an earlier daily run would have stored it
        run = store.start_run("collect", "modelscope")
        then = datetime.now(UTC) - timedelta(days=40)
        early = Observation(artifact, Metric.DOWNLOADS_ALL_TIME, 10.0, then, URL)
        store.record_collection(run, CollectionResult(source="modelscope", observations=[early]))
        store.finish_run(run, "succeeded")
    finally:
        store.close()
    with start_sandbox(world, only=("modelscope",)) as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            database_url_override=database_url,
            registry_path=registry.source,
            **sandbox.settings_overrides(),
        )
        collect(settings, ["modelscope"], registry=registry)
    store = open_store(database_url, read_only=True)
    try:
        latest = store.latest_observations()
    finally:
        store.close()
    assert latest[(artifact, Metric.DOWNLOADS_30D)].value == repo.downloads - 10.0
    others = [a for (a, m) in latest if m == Metric.DOWNLOADS_30D and a != artifact]
    assert others == []  # the rest have no history 30 days back yet
