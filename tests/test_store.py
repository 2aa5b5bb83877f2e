"""The append-only store, on SQLite and on a real PostgreSQL server (see tests/fixtures/db.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    CollectionResult,
    CollectionStats,
    Edge,
    IntegrityFlag,
    Observation,
    Organization,
    Product,
    ScoreRow,
    SignalContribution,
)
from ossimpact.store import Store, StoreError, StoreReadOnlyError, UnknownRunError, open_store
from ossimpact.store.types import NaiveDatetimeError

MODEL = ArtifactId.hf_model("OpenGVLab/InternVL3-8B")
DATASET = ArtifactId.hf_dataset("opendatalab/WanJuan")
REPO = ArtifactId.gh_repo("InternLM/lmdeploy")
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
URL = "https://huggingface.co/api/models/OpenGVLab/InternVL3-8B"


def figures(
    at: datetime, values: dict[str, float], artifact: ArtifactId = MODEL, source: str = "hf"
) -> CollectionResult:
    return CollectionResult(
        source=source,
        observations=[Observation(artifact, m, v, at, URL) for m, v in values.items()],
    )


def collect(store: Store, *results: CollectionResult, status: str = "succeeded") -> int:
    run_id = store.start_run("collect", "test")
    for result in results:
        store.record_collection(run_id, result)
    store.finish_run(run_id, status)
    return run_id


def test_append_only_rejects_raw_update_and_delete(store: Store) -> None:
    collect(
        store,
        CollectionResult(
            "hf",
            observations=[Observation(MODEL, "likes", 5, T0, URL)],
            edges=[Edge(MODEL, ArtifactId.hf_model("fan/ft"), "finetune", T0, URL)],
            benchmark_results=[
                BenchmarkResult(
                    MODEL, "mmlu", "MMLU", "acc", 0.7, "model_index", "self_reported", T0, URL
                )
            ],
        ),
    )
    columns = {
        "observation_groups": "run_id",
        "observation_values": "value",
        "edges": "run_id",
        "benchmark_results": "value",
    }
    for table, column in columns.items():
        with store.engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(f"UPDATE {table} SET {column} = {column}"))
        with store.engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(f"DELETE FROM {table}"))
    assert len(store.observation_history()) == 1


def test_a_second_run_appends_and_keeps_the_first(store: Store) -> None:
    first = collect(store, figures(T0, {"likes": 5}))
    second = collect(store, figures(T0 + timedelta(days=1), {"likes": 7}))
    history = store.observation_history()
    assert list(history["value"]) == [5.0, 7.0]
    assert list(history["run_id"]) == [first, second]
    assert list(history.columns) == [
        "artifact", "metric", "value", "observed_at", "source_url", "kind", "run_id",
    ]  # fmt: skip
    assert str(history["observed_at"].dt.tz) == "UTC"


def test_record_collection_is_one_transaction(store: Store) -> None:
    run_id = store.start_run("collect", "hf")
    broken = CollectionResult(
        "hf",
        artifacts=[ArtifactRecord(MODEL, "OpenGVLab")],
        observations=[Observation(MODEL, "likes", 5, T0, URL)],
        benchmark_results=[
            BenchmarkResult(MODEL, "mmlu", "MMLU", "acc", "high", "card", "self_reported", T0, URL)  # type: ignore[arg-type]
        ],
        failures=[ArtifactFailure(str(REPO), "gh", "not_found", "404")],
    )
    # Fails after the artifact, metric, URL and observation rows were written in the transaction.
    with pytest.raises(TypeError):
        store.record_collection(run_id, broken)
    store.finish_run(run_id, "failed", message="bad value")
    assert store.artifacts() == []
    assert store.failures(run_id) == []
    assert store.observation_history().empty
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM metrics")).scalar() == 0


def test_naive_datetimes_are_refused_with_a_clear_error(store: Store) -> None:
    run_id = store.start_run("collect", "hf")
    naive = figures(datetime(2025, 3, 1), {"likes": 5})
    with pytest.raises(NaiveDatetimeError, match=f"observed_at of {MODEL} likes is naive"):
        store.record_collection(run_id, naive)
    assert store.observation_history().empty


def test_a_killed_run_is_invisible_and_reported_incomplete(store: Store) -> None:
    collect(store, figures(T0, {"likes": 5}))
    killed = store.start_run("collect", "hf")
    store.record_collection(killed, figures(T0 + timedelta(days=1), {"likes": 99}))
    failed = collect(store, figures(T0 + timedelta(days=2), {"likes": 98}), status="failed")
    latest = store.latest_observations()
    assert latest[(MODEL, "likes")].value == 5
    assert set(store.observation_history()["value"]) == {5.0}
    statuses = {run.id: run.status for run in store.runs()}
    assert statuses[killed] == "running"  # heartbeat still fresh
    assert statuses[failed] == "failed"
    store.stale_run_after = timedelta(0)
    assert {run.id: run.status for run in store.runs()}[killed] == "incomplete"


def test_partial_runs_count(store: Store) -> None:
    collect(store, figures(T0, {"likes": 5}), status="partial")
    assert store.latest_observations()[(MODEL, "likes")].value == 5


def test_latest_observations_as_of(store: Store) -> None:
    for day, value in enumerate([10, 20, 30]):
        collect(
            store, figures(T0 + timedelta(days=day), {"likes": value, "downloads_30d": value * 100})
        )
    assert store.latest_observations()[(MODEL, "likes")].value == 30
    as_of = store.latest_observations(as_of=T0 + timedelta(days=1, hours=1))
    assert as_of[(MODEL, "likes")].value == 20
    assert as_of[(MODEL, "likes")].observed_at == T0 + timedelta(days=1)
    exact = store.latest_observations(as_of=T0 + timedelta(days=2))
    assert exact[(MODEL, "likes")].value == 30
    assert store.latest_observations(as_of=T0 - timedelta(seconds=1)) == {}
    only = store.latest_observations(metrics=["downloads_30d"])
    assert set(only) == {(MODEL, "downloads_30d")}
    assert only[(MODEL, "downloads_30d")].source_url == URL


def test_reobserved_kind_round_trips(store: Store) -> None:
    result = CollectionResult(
        "hf", observations=[Observation(MODEL, "likes", 5, T0, URL, kind="reobserved")]
    )
    collect(store, result)
    assert store.latest_observations()[(MODEL, "likes")].kind == "reobserved"
    assert list(store.observation_history()["kind"]) == ["reobserved"]


def test_rename_keeps_id_and_history(store: Store) -> None:
    old = ArtifactId.hf_model("OpenGVLab/InternVL3-8B-Preview")
    collect(
        store,
        CollectionResult("hf", artifacts=[ArtifactRecord(old, "OpenGVLab")]),
        figures(T0, {"likes": 1}, old),
    )
    renamed = CollectionResult(
        "hf",
        artifacts=[ArtifactRecord(MODEL, "OpenGVLab", renamed_from=old, license="mit")],
        observations=[Observation(MODEL, "likes", 2, T0 + timedelta(days=1), URL)],
    )
    collect(store, renamed)
    records = store.artifacts()
    assert [r.id for r in records] == [MODEL]
    assert records[0].license == "mit"
    assert store.artifact_aliases() == {old: MODEL}
    history = store.observation_history(artifacts=[MODEL])
    assert list(history["value"]) == [1.0, 2.0]
    assert set(history["artifact"]) == {str(MODEL)}
    by_old_id = store.observation_history(artifacts=[old])
    assert list(by_old_id["value"]) == [1.0, 2.0]
    # A later figure under the old id (a stale source) still lands on the same artifact.
    collect(store, figures(T0 + timedelta(days=2), {"likes": 3}, old))
    assert store.latest_observations()[(MODEL, "likes")].value == 3


def test_unknown_artifacts_are_created_untracked(store: Store) -> None:
    fan = ArtifactId.hf_model("fan/InternVL3-8B-GGUF")
    collect(
        store,
        CollectionResult(
            "hf",
            artifacts=[ArtifactRecord(MODEL, "OpenGVLab")],
            edges=[Edge(MODEL, fan, "quantized", T0, URL)],
        ),
    )
    tracked = {r.id: r.tracked for r in store.artifacts()}
    assert tracked == {MODEL: True, fan: False}
    assert [r.id for r in store.artifacts(tracked_only=True)] == [MODEL]
    collect(store, CollectionResult("hf", artifacts=[ArtifactRecord(fan, "fan", tracked=True)]))
    assert {r.id: r.tracked for r in store.artifacts()}[fan] is True


def test_edges_and_benchmarks_latest_as_of(store: Store) -> None:
    fan = ArtifactId.hf_model("fan/ft")
    bench = BenchmarkResult(
        MODEL, "mmlu", "MMLU", "acc", 0.70, "model_index", "self_reported", T0, URL
    )
    collect(
        store,
        CollectionResult(
            "hf", edges=[Edge(MODEL, fan, "finetune", T0, URL)], benchmark_results=[bench]
        ),
    )
    later = T0 + timedelta(days=1)
    collect(
        store,
        CollectionResult(
            "hf",
            edges=[
                Edge(MODEL, fan, "finetune", later, URL),
                Edge(DATASET, MODEL, "trained_on", later, URL),
            ],
            benchmark_results=[
                BenchmarkResult(
                    MODEL, "mmlu", "MMLU", "acc", 0.72, "model_index", "self_reported", later, URL
                )
            ],
        ),
    )
    edges = store.edges()
    assert {(e.source, e.target, e.relation, e.observed_at) for e in edges} == {
        (MODEL, fan, "finetune", T0),  # known since its first sighting
        (DATASET, MODEL, "trained_on", later),
    }
    assert [(e.relation, e.observed_at) for e in store.edges(as_of=T0)] == [("finetune", T0)]
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM edges")).scalar() == 2
    assert [b.value for b in store.benchmark_results()] == [0.72]
    assert [b.value for b in store.benchmark_results(as_of=T0)] == [0.70]


def test_a_result_stored_before_percents_is_stored_once_more_with_its_percent(
    store: Store,
) -> None:
    # stored by the collector before revision 0007: a percentile of its own run in `scaled`
    old = BenchmarkResult(
        MODEL, "bbh", "BBH", "acc", 0.55, "opencompass", "independent", T0, URL, scaled=0.8
    )
    collect(store, CollectionResult("hf", benchmark_results=[old]))
    later = T0 + timedelta(days=7)
    now = replace(old, observed_at=later, scaled=None, percent=55.0)
    collect(store, CollectionResult("hf", benchmark_results=[now]))
    (newest,) = store.benchmark_results()
    assert (newest.scaled, newest.percent, newest.observed_at) == (None, 55.0, later)
    collect(store, CollectionResult("hf", benchmark_results=[replace(now, observed_at=later)]))
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM benchmark_results")).scalar() == 2


def test_a_benchmark_results_percent_round_trips(store: Store) -> None:
    bench = BenchmarkResult(
        MODEL, "ocrbench", "OCRBench", "score", 880.0, "opencompass", "independent", T0, URL
    )
    collect(store, CollectionResult("hf", benchmark_results=[replace(bench, percent=88.0)]))
    (stored,) = store.benchmark_results()
    assert (stored.value, stored.percent, stored.scaled) == (880.0, 88.0, None)


def test_an_unchanged_benchmark_result_is_stored_once(store: Store) -> None:
    def card(value: float, at: datetime) -> CollectionResult:
        return CollectionResult(
            "hf",
            benchmark_results=[
                BenchmarkResult(
                    MODEL, "mmlu", "MMLU", "acc", value, "card", "self_reported", at, URL
                )
            ],
        )

    day = timedelta(days=1)
    for offset, value in enumerate([0.7, 0.7, 0.75, 0.75]):
        collect(store, card(value, T0 + offset * day))
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM benchmark_results")).scalar() == 2
    [latest] = store.benchmark_results()
    assert (latest.value, latest.observed_at) == (0.75, T0 + 2 * day)
    assert [b.value for b in store.benchmark_results(as_of=T0 + day)] == [0.7]


def test_an_edge_seen_only_by_a_killed_run_is_stored_again(store: Store) -> None:
    fan = ArtifactId.hf_model("fan/ft")
    killed = store.start_run("collect", "hf")
    store.record_collection(
        killed, CollectionResult("hf", edges=[Edge(MODEL, fan, "adapter", T0, URL)])
    )
    assert store.edges() == []
    later = T0 + timedelta(days=1)
    collect(store, CollectionResult("hf", edges=[Edge(MODEL, fan, "adapter", later, URL)] * 2))
    assert [(e.target, e.observed_at) for e in store.edges()] == [(fan, later)]


def test_failures_and_stats_of_a_run(store: Store) -> None:
    run_id = store.start_run("refresh")
    hf = figures(T0, {"likes": 1})
    hf.failures.append(ArtifactFailure(str(DATASET), "hf", "gated", "403 gated dataset"))
    hf.stats = CollectionStats(
        requests=10, not_modified=3, rate_limit_waits=1, rate_limit_wait_seconds=2.5
    )
    gh = CollectionResult(
        "gh", stats=CollectionStats(requests=5, graphql_points=7, stopped_reason="budget")
    )
    gh.failures.append(ArtifactFailure(str(REPO), "gh", "not_found", "404"))
    store.record_collection(run_id, hf)
    store.record_collection(run_id, gh)
    running = store.runs()[0]
    assert (running.requests, running.not_modified, running.graphql_points) == (15, 3, 7)
    assert running.rate_limit_wait_seconds == 2.5
    assert running.stopped_reason == "budget"
    store.finish_run(run_id, "partial", stats=CollectionStats(requests=16), message="gh budget")
    record = store.runs()[0]
    assert (record.status, record.requests, record.failure_count) == ("partial", 16, 2)
    assert record.message == "gh budget"
    assert record.finished_at is not None
    assert record.finished_at >= record.started_at
    assert [f.reason for f in store.failures(run_id)] == ["gated", "not_found"]


def test_non_finite_value_becomes_a_failure(store: Store) -> None:
    run_id = collect(store, figures(T0, {"likes": float("nan"), "downloads_30d": 4}))
    assert set(store.observation_history()["metric"]) == {"downloads_30d"}
    assert [f.reason for f in store.failures(run_id)] == ["malformed"]


def test_run_bookkeeping_errors(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown run kind"):
        store.start_run("dance")
    with pytest.raises(UnknownRunError, match="no run 999"):
        store.record_collection(999, figures(T0, {"likes": 1}))
    run_id = collect(store, figures(T0, {"likes": 1}))
    with pytest.raises(StoreError, match="already finished"):
        store.record_collection(run_id, figures(T0, {"likes": 2}))
    other = store.start_run("collect")
    with pytest.raises(StoreError, match="cannot finish"):
        store.finish_run(other, "running")


def test_hostile_text_is_bounded(store: Store) -> None:
    record = ArtifactRecord(
        MODEL,
        "OpenGVLab",
        description="A\x00" + "x" * 100_000,
        license="l" * 10_000,
        topics=tuple(f"topic{i}" for i in range(500)),
        extra={"card": "y" * 10_000},
    )
    failure = ArtifactFailure(str(MODEL), "hf", "malformed", "z" * 100_000)
    collect(store, CollectionResult("hf", artifacts=[record], failures=[failure]))
    stored = store.artifacts()[0]
    assert stored.description is not None
    assert "\x00" not in stored.description
    assert len(stored.description) <= 2000
    assert stored.license is not None
    assert len(stored.license) <= 200
    assert len(stored.topics) == 50
    assert len(stored.extra["card"]) <= 500
    assert len(store.failures(store.runs()[0].id)[0].detail) <= 2000


def test_conditional_cache_round_trip(store: Store) -> None:
    url = "https://api.github.com/repos/InternLM/lmdeploy?per_page=100"
    assert store.cached_response(url) is None
    store.store_cached_response(url, 'W/"abc"', None, b'{"a": 1}\x00\xff')
    cached = store.cached_response(url)
    assert cached is not None
    assert (cached.url, cached.etag, cached.last_modified, cached.body) == (
        url, 'W/"abc"', None, b'{"a": 1}\x00\xff',
    )  # fmt: skip
    assert cached.fetched_at.tzinfo is not None
    store.store_cached_response(url, None, "Sat, 01 Mar 2025 08:00:00 GMT", b"new")
    again = store.cached_response(url)
    assert again is not None
    assert (again.etag, again.last_modified, again.body) == (
        None,
        "Sat, 01 Mar 2025 08:00:00 GMT",
        b"new",
    )


def test_lock_across_two_stores(store_url: str, store: Store) -> None:
    other = open_store(store_url, migrate=False)
    try:
        assert store.acquire_lock("refresh", "host-a:1", ttl_seconds=60)
        assert not other.acquire_lock("refresh", "host-b:2", ttl_seconds=60)
        assert store.acquire_lock(
            "refresh", "host-a:1", ttl_seconds=60
        )  # re-entrant for its holder
        assert store.refresh_lock("refresh", "host-a:1", ttl_seconds=60)
        assert not other.refresh_lock("refresh", "host-b:2", ttl_seconds=60)
        other.release_lock("refresh", "host-b:2")  # not the holder: no effect
        assert not other.acquire_lock("refresh", "host-b:2", ttl_seconds=60)
        store.release_lock("refresh", "host-a:1")
        assert other.acquire_lock("refresh", "host-b:2", ttl_seconds=0.05)
        # host-b "crashes": its lock expires and host-a takes over; host-b then cannot refresh.
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while not store.acquire_lock("refresh", "host-a:1", ttl_seconds=60):
            assert datetime.now(UTC) < deadline, "an expired lock was never released"
        assert not other.refresh_lock("refresh", "host-b:2", ttl_seconds=60)
        assert other.acquire_lock("another", "host-b:2", ttl_seconds=60)
        holder = other.lock_holder("refresh")
        assert holder is not None
        assert holder[0] == "host-a:1"
        assert holder[1].tzinfo is not None
        assert store.lock_holder("nobody") is None
    finally:
        other.close()


def test_shortlist_versions(store: Store) -> None:
    assert store.shortlist("final") is None
    assert (
        store.save_shortlist("final", "张三", [("internvl3", "strong downloads"), ("wanjuan", "")])
        == 1
    )
    assert store.save_shortlist("final", "李四", [("wanjuan", '=HYPERLINK("x")')]) == 2
    store.save_shortlist("longlist", "张三", [])
    newest = store.shortlist("final")
    assert newest is not None
    assert (newest.version, newest.created_by) == (2, "李四")
    assert [(i.product_id, i.note) for i in newest.items] == [("wanjuan", '=HYPERLINK("x")')]
    first = store.shortlist("final", version=1)
    assert first is not None
    assert [i.product_id for i in first.items] == ["internvl3", "wanjuan"]
    assert [s.version for s in store.shortlist_versions("final")] == [1, 2]
    assert [(s.name, s.version) for s in store.shortlists()] == [("final", 2), ("longlist", 1)]
    with pytest.raises(StoreError, match="needs a name"):
        store.save_shortlist("  ", "x", [])


def _score_row(product: str, rank: int) -> ScoreRow:
    return ScoreRow(
        product_id=product,
        category="model",
        methodology_version="2025.1",
        total=0.8 / rank,
        rank=rank,
        rank_low=rank,
        rank_high=rank + 1,
        top_n_share=0.9,
        coverage=0.75,
        contributions=(
            SignalContribution("downloads", 1000.0, 0.9, 0.5, 0.6, 0.54),
            SignalContribution("benchmarks", None, None, 0.2, 0.0, 0.0),
        ),
        flags=(
            IntegrityFlag(
                "star_burst", REPO, "300 stars in 1 h", T0, T0 + timedelta(hours=1), True
            ),
            IntegrityFlag("ratio_outlier", None, "likes/downloads"),
        ),
        cohort="7B",
    )


def test_scores_round_trip(store: Store) -> None:
    collect_run = collect(store, figures(T0, {"likes": 1}))
    score_run = store.start_run("score")
    rows = [_score_row("internvl3", 1), _score_row("intern-s1", 2)]
    scoring_id = store.record_scores(score_run, "2025.1", T0, [collect_run], rows)
    assert store.scores() == []  # its run has not finished
    assert store.scores(scoring_id) == rows
    store.finish_run(score_run, "succeeded")
    assert store.scores() == rows
    [record] = store.scoring_runs()
    assert (record.id, record.run_id, record.run_status) == (scoring_id, score_run, "succeeded")
    assert (record.methodology_version, record.as_of, record.input_run_ids, record.row_count) == (
        "2025.1", T0, (collect_run,), 2,
    )  # fmt: skip
    crashed = store.start_run("score")
    store.record_scores(crashed, "2025.2", T0, [collect_run], [_score_row("x", 1)])
    assert store.scores() == rows  # the newest *finished* scoring run


def test_datetimes_come_back_aware_utc(store: Store) -> None:
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2025, 3, 1, 16, 0, 0, 123456, tzinfo=shanghai)
    collect(
        store,
        CollectionResult(
            "hf",
            artifacts=[ArtifactRecord(MODEL, "OpenGVLab", created_at=local)],
            observations=[Observation(MODEL, "likes", 1, local, URL)],
        ),
    )
    observed = store.latest_observations()[(MODEL, "likes")].observed_at
    assert observed == T0.replace(microsecond=123456)
    assert observed.utcoffset() == timedelta(0)
    created = store.artifacts()[0].created_at
    assert created is not None
    assert created.tzinfo is not None
    assert created == local
    run = store.runs()[0]
    assert run.started_at.utcoffset() == timedelta(0)


def test_registry_sync(store: Store) -> None:
    lab = Organization(
        "shanghai-ai-lab",
        "Shanghai AI Lab",
        name_zh="上海人工智能实验室",
        huggingface=("OpenGVLab",),
        modelscope=("Shanghai_AI_Laboratory",),
        opendatalab=("OpenDataLab",),
        evidence=("https://example.org",),
    )
    other = Organization("fudan", "Fudan University", github=("OpenMOSS",))
    family = Product(
        "internvl3",
        "InternVL3",
        "model",
        "shanghai-ai-lab",
        include=("hf:model:OpenGVLab/InternVL3-*",),
    )
    implicit = Product(str(REPO), "lmdeploy", "community", "shanghai-ai-lab", implicit=True)
    store.sync_registry([lab, other], [family, implicit], "registry.yaml")
    assert store.organizations() == [other, lab]
    assert store.products() == [family]
    before = store.data_version()
    renamed = Product("internvl3", "InternVL 3", "model", "shanghai-ai-lab", include=family.include)
    store.sync_registry([lab], [renamed], "registry.yaml")
    assert store.organizations() == [lab]
    assert store.products() == [renamed]
    assert store.data_version() != before


def test_data_version_changes_when_a_run_finishes(store: Store) -> None:
    empty = store.data_version()
    run_id = store.start_run("collect")
    store.record_collection(run_id, figures(T0, {"likes": 1}))
    assert store.data_version() == empty
    store.finish_run(run_id, "succeeded")
    assert store.data_version() != empty


def test_read_only_store_refuses_writes(store_url: str, store: Store) -> None:
    collect(store, figures(T0, {"likes": 1}))
    reader = open_store(store_url, read_only=True)
    try:
        assert reader.latest_observations()[(MODEL, "likes")].value == 1
        with pytest.raises(StoreReadOnlyError, match="read-only"):
            reader.start_run("collect")
        with pytest.raises(StoreReadOnlyError):
            reader.store_cached_response("https://x", None, None, b"")
        with reader.engine.connect() as connection, pytest.raises(DBAPIError, match=r"read.?only"):
            connection.execute(text("INSERT INTO metrics (name) VALUES ('sneaky')"))
    finally:
        reader.close()


def test_meta_facts(store: Store) -> None:
    assert store.meta("synthetic") is None
    store.set_meta("synthetic", "true")
    store.set_meta("synthetic", "false")
    store.set_meta("seed", "7")
    assert store.meta("synthetic") == "false"
    assert store.meta_items() == {"synthetic": "false", "seed": "7"}


def test_heartbeat_keeps_a_long_run_running(store: Store) -> None:
    run_id = store.start_run("refresh")
    store.stale_run_after = timedelta(milliseconds=200)
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while store.runs()[0].status != "incomplete":
        assert datetime.now(UTC) < deadline
    store.heartbeat(run_id)
    assert store.runs()[0].status == "running"


def test_history_filters(store: Store) -> None:
    collect(
        store, figures(T0, {"likes": 1, "downloads_30d": 10}), figures(T0, {"stars": 5}, REPO, "gh")
    )
    collect(store, figures(T0 + timedelta(days=1), {"likes": 2, "downloads_30d": 20}))
    likes = store.observation_history(artifacts=[MODEL], metrics=["likes"])
    assert list(likes["value"]) == [1.0, 2.0]
    until = store.observation_history(until=T0)
    assert sorted(until["metric"]) == ["downloads_30d", "likes", "stars"]
    assert set(store.observation_history(artifacts=[REPO])["artifact"]) == {str(REPO)}
    assert store.observation_history(artifacts=[DATASET]).empty


def test_score_summaries_and_product_scores_read_the_official_run(store: Store) -> None:
    collect_run = collect(store, figures(T0, {"likes": 1}))
    assert store.score_summaries().empty
    assert store.product_scores(["internvl3"]) == []
    score_run = store.start_run("score")
    plain = dataclasses.replace(_score_row("plain", 3), flags=())
    rows = [_score_row("internvl3", 1), _score_row("intern-s1", 2), plain]
    scoring_id = store.record_scores(score_run, "2025.1", T0, [collect_run], rows)
    assert store.score_summaries().empty  # its run has not finished
    assert list(store.score_summaries(scoring_id)["product_id"]) == [
        "internvl3", "intern-s1", "plain",
    ]  # fmt: skip
    store.finish_run(score_run, "succeeded")
    crashed = store.start_run("score")
    store.record_scores(crashed, "2025.2", T0, [collect_run], [_score_row("x", 1)])

    summaries = store.score_summaries()
    assert "contributions" not in summaries.columns
    first = summaries.iloc[0]
    assert (first["product_id"], first["rank"], first["rank_high"], first["cohort"]) == (
        "internvl3", 1, 2, "7B",
    )  # fmt: skip
    assert first["total"] == pytest.approx(0.8)
    assert list(summaries["flag_kinds"]) == [
        ["ratio_outlier", "star_burst"], ["ratio_outlier", "star_burst"], [],
    ]  # fmt: skip
    assert store.product_scores(["intern-s1", "unknown"]) == [rows[1]]
    assert store.product_scores(["plain", "internvl3"]) == [rows[0], plain]
    assert store.product_scores([]) == []


def test_product_history_filters_artifacts_metrics_and_time_in_sql(store: Store) -> None:
    old = ArtifactId.hf_model("OpenGVLab/InternVL3-8B-Preview")
    collect(
        store,
        CollectionResult("hf", artifacts=[ArtifactRecord(old, "OpenGVLab")]),
        figures(T0, {"likes": 1, "downloads_30d": 10}, old),
        figures(T0, {"stars": 5}, REPO, "gh"),
    )
    renamed = CollectionResult(
        "hf", artifacts=[ArtifactRecord(MODEL, "OpenGVLab", renamed_from=old)]
    )
    collect(store, renamed, figures(T0 + timedelta(days=1), {"likes": 2, "downloads_30d": 20}))
    collect(store, figures(T0 + timedelta(days=2), {"likes": 3}))
    killed = store.start_run("collect", "hf")
    store.record_collection(killed, figures(T0 + timedelta(days=3), {"likes": 99}))

    history = store.product_history([MODEL], ["likes"])
    assert list(history.columns) == ["artifact", "metric", "value", "observed_at"]
    assert list(history["value"]) == [1.0, 2.0, 3.0]  # the killed run's figure is not counted
    assert set(history["artifact"]) == {str(MODEL)}
    assert str(history["observed_at"].dt.tz) == "UTC"
    window = store.product_history(
        [MODEL, REPO], since=T0 + timedelta(days=1), until=T0 + timedelta(days=1)
    )
    assert sorted(zip(window["metric"], window["value"], strict=True)) == [
        ("downloads_30d", 20.0), ("likes", 2.0),
    ]  # fmt: skip
    both = store.product_history([old, REPO], until=T0)
    assert sorted(both["metric"]) == ["downloads_30d", "likes", "stars"]
    assert store.product_history([DATASET]).empty
    assert store.product_history([]).empty


def test_history_is_typed_for_scoring(store: Store) -> None:
    """What scoring relies on at scale (and the P4 benchmark builds its inputs as): artifact and
    metric categoricals over sorted names, values float64, times datetime64[ns, UTC], rows in
    (artifact, metric, time) order, the other columns with their plain values."""
    import numpy as np
    import pandas as pd

    later = T0 + timedelta(days=1, microseconds=7)
    collect(store, figures(later, {"likes": 2, "downloads_30d": 20}))
    collect(store, figures(T0, {"stars": 5}, REPO, "gh"), figures(T0, {"likes": 1}))
    history = store.observation_history()
    for column in ("artifact", "metric"):
        dtype = history[column].dtype
        assert isinstance(dtype, pd.CategoricalDtype)
        assert list(dtype.categories) == sorted(dtype.categories)
    assert history["value"].dtype == np.float64
    assert str(history["observed_at"].dtype) == "datetime64[ns, UTC]"
    assert list(history.columns) == [
        "artifact", "metric", "value", "observed_at", "source_url", "kind", "run_id",
    ]  # fmt: skip
    rows = list(zip(history["artifact"], history["metric"], history["value"], strict=True))
    assert rows == [
        (str(REPO), "stars", 5.0),
        (str(MODEL), "downloads_30d", 20.0),
        (str(MODEL), "likes", 1.0),
        (str(MODEL), "likes", 2.0),
    ]
    stamps = [pd.Timestamp(T0), pd.Timestamp(later)]
    assert list(history["observed_at"]) == [stamps[0], stamps[1], stamps[0], stamps[1]]
    assert history["run_id"].dtype == np.int64
    assert set(history["kind"]) <= {"new", "reobserved"}
    assert all(isinstance(url, str) for url in history["source_url"])
    empty = store.observation_history(artifacts=[DATASET])
    assert empty.empty
    assert isinstance(empty["artifact"].dtype, pd.CategoricalDtype)
