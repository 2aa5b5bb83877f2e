"""The benchmark collector end to end against the fake OpenCompass and Hub leaderboards, with
each source failing alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collectors.benchmarks import BenchmarkCollector, normalise
from ossimpact.domain import ArtifactId, CollectionResult
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.hf_leaderboards import make_hf_leaderboards_app
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.model import HfEvalResult, World
from ossimpact.sandbox.opencompass import make_opencompass_app
from tests.fixtures.hf_sandbox import hf_dataset, hf_model, hf_world


class Notes:
    def __init__(self) -> None:
        self.labels: list[tuple[str, int | None]] = []
        self.notes: list[str] = []
        self.advanced = 0

    def begin(self, label: str, total: int | None) -> None:
        self.labels.append((label, total))

    def advance(self, amount: int = 1) -> None:
        self.advanced += amount

    def note(self, message: str) -> None:
        self.notes.append(message)


Start = Callable[..., FakeServer]


@pytest.fixture
def serve() -> Iterator[Start]:
    servers: list[FakeServer] = []

    def start(factory: Callable[[str], Any], plan: FaultPlan | None = None) -> FakeServer:
        server = FakeServer(factory, plan).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def collector(hf: FakeServer, oc: FakeServer, **kw: Any) -> BenchmarkCollector:
    return BenchmarkCollector(
        hf_endpoint=hf.url, opencompass_url=oc.url, timeout=2.0, sleep=lambda _: None, **kw
    )


def tracked(world: World) -> list[ArtifactId]:
    return [ArtifactId.hf_model(m) for m in world.models] + [
        ArtifactId.hf_dataset(d) for d in world.datasets
    ]


def by_source(result: CollectionResult) -> Counter[str]:
    return Counter(r.source for r in result.benchmark_results)


def test_collects_all_sources_on_the_small_world(
    small_world: World, serve: Start, tmp_path: Path
) -> None:
    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(lambda url: make_opencompass_app(small_world, url))
    some_model = next(iter(small_world.models))
    parquet = tmp_path / "contents.parquet"
    pq.write_table(
        pa.Table.from_pylist([{"fullname": some_model, "IFEval": 55.0, "IFEval Raw": 0.55}]),
        parquet,
    )
    progress = Notes()
    bench = collector(hf, oc, open_llm_parquet=parquet)
    result = bench.collect([], tracked(small_world), progress)

    assert result.failures == []
    board = [e for e in small_world.leaderboard if e.source == "opencompass"]
    counts = by_source(result)
    assert counts["opencompass"] == len(board)  # every world row matched, by URL or by name
    assert counts["open_llm_leaderboard"] == 1
    on_hub = sum(len(m.eval_results) for m in small_world.models.values())
    assert counts["hf_leaderboard"] == on_hub  # base_model=false: derivatives included
    trusts = {(r.source, r.trust) for r in result.benchmark_results}
    assert ("opencompass", "independent") in trusts
    assert ("hf_leaderboard", "verified") in trusts
    assert ("hf_leaderboard", "self_reported") in trusts
    assert result.stats.requests == hf.requests + oc.requests
    report = bench.last_report
    assert report is not None
    assert report.unmatched == ["GPT-4o-20241120", "Llama-3.1-8B-Instruct"]
    assert [label for label, _ in progress.labels] == [
        "benchmarks: Hugging Face leaderboards",
        "benchmarks: OpenCompass",
        "benchmarks: Open LLM Leaderboard archive",
    ]
    assert "results" in progress.notes[-1]

    normalised, unknown = normalise(result.benchmark_results)
    ids = {r.benchmark for r in normalised}
    assert ids <= {"mmlu", "mmlu_pro", "cmmlu", "ceval", "gsm8k", "gpqa", "humaneval"} | {
        "ifeval",
        "bbh",
        "mmmu",
        "mmbench",
        "ocrbench",
    }
    assert unknown.unknown_names == {}
    ocr = [r for r in normalised if r.benchmark == "ocrbench" and r.source == "opencompass"]
    assert ocr
    assert all(r.value > 100 for r in ocr)


def test_owner_produced_hub_rows_are_independent(serve: Start) -> None:
    model = hf_model(
        "internlm/m-7b",
        eval_results=[
            HfEvalResult(
                "cais/mmlu",
                "mmlu",
                60.0,
                verified=False,
                source_name="CAIS",
                source_url="https://huggingface.co/datasets/cais/mmlu",
            ),
            HfEvalResult("TIGER-Lab/MMLU-Pro", "mmlu_pro", 30.0, verified=True),
        ],
    )
    world = hf_world([model], [hf_dataset("cais/mmlu", benchmark=True)])
    hf = serve(lambda url: make_hf_leaderboards_app(world, url))
    oc = serve(lambda url: make_opencompass_app(world, url))
    bench = collector(hf, oc)
    result = bench.collect([], tracked(world))
    assert sorted((r.benchmark, r.trust) for r in result.benchmark_results) == [
        ("TIGER-Lab/MMLU-Pro", "verified"),
        ("cais/mmlu", "independent"),
    ]
    assert bench.last_report is not None
    assert bench.last_report.corpora == {ArtifactId.hf_dataset("cais/mmlu"): "mmlu"}


def test_opencompass_down_leaves_the_hub_leaderboards_intact(
    small_world: World, serve: Start
) -> None:
    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(
        lambda url: make_opencompass_app(small_world, url),
        FaultPlan(faults=[Fault("server_error", status=503, times=None)]),
    )
    result = collector(hf, oc).collect([], tracked(small_world))
    assert [(f.subject, f.reason) for f in result.failures] == [
        ("benchmarks:opencompass", "server_error")
    ]
    assert "HTTP 503" in result.failures[0].detail
    assert by_source(result)["hf_leaderboard"] > 0
    assert by_source(result)["opencompass"] == 0


def test_changed_opencompass_shape_is_one_clear_failure(small_world: World, serve: Start) -> None:
    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(
        lambda url: make_opencompass_app(
            small_world, url, transform=lambda p: {"data": list(p["results"].items())}
        )
    )
    result = collector(hf, oc).collect([], tracked(small_world))
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert (failure.subject, failure.reason) == ("benchmarks:opencompass", "malformed")
    assert "no `results` object of models (found keys: data)" in failure.detail
    assert by_source(result)["hf_leaderboard"] > 0


def test_malformed_opencompass_rows_are_skipped_with_reasons(
    small_world: World, serve: Start
) -> None:
    def spoil(payload: dict[str, Any]) -> dict[str, Any]:
        payload["results"]["broken-row"] = "oops"
        return payload

    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(lambda url: make_opencompass_app(small_world, url, transform=spoil))
    bench = collector(hf, oc)
    result = bench.collect([], tracked(small_world))
    assert result.failures == []
    assert by_source(result)["opencompass"] > 0
    assert bench.last_report is not None
    assert any("broken-row" in line for line in bench.last_report.skipped)


def test_hub_unreachable_leaves_opencompass_intact(small_world: World, serve: Start) -> None:
    hf = serve(
        lambda url: make_hf_leaderboards_app(small_world, url),
        FaultPlan(faults=[Fault("reset", times=None)]),
    )
    oc = serve(lambda url: make_opencompass_app(small_world, url))
    result = collector(hf, oc).collect([], tracked(small_world))
    assert [(f.subject, f.reason) for f in result.failures] == [
        ("benchmarks:hf_leaderboard", "connection")
    ]
    assert hf.requests <= 4  # stopped after the first unreachable dataset (1 try + 3 retries)
    assert by_source(result)["opencompass"] > 0


def test_one_broken_leaderboard_is_one_dataset_failure(small_world: World, serve: Start) -> None:
    hf = serve(
        lambda url: make_hf_leaderboards_app(small_world, url),
        FaultPlan(
            faults=[Fault("server_error", path_pattern="cais/mmlu/", status=500, times=None)]
        ),
    )
    oc = serve(lambda url: make_opencompass_app(small_world, url))
    result = collector(hf, oc).collect([], tracked(small_world))
    assert [(f.subject, f.reason) for f in result.failures] == [
        ("hf:dataset:cais/mmlu", "server_error")
    ]
    assert {r.raw_name for r in result.benchmark_results if r.source == "hf_leaderboard"} >= {
        "TIGER-Lab/MMLU-Pro"
    }


def test_rate_limited_opencompass_is_waited_out(small_world: World, serve: Start) -> None:
    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(
        lambda url: make_opencompass_app(small_world, url),
        FaultPlan(faults=[Fault("rate_limit", retry_after=2, times=1)]),
    )
    result = collector(hf, oc).collect([], tracked(small_world))
    assert result.failures == []
    assert result.stats.rate_limit_waits == 1
    assert by_source(result)["opencompass"] > 0


def test_broken_archive_fails_alone(small_world: World, serve: Start, tmp_path: Path) -> None:
    junk = tmp_path / "contents.parquet"
    junk.write_bytes(b"PAR1 broken")
    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(lambda url: make_opencompass_app(small_world, url))
    result = collector(hf, oc, open_llm_parquet=junk).collect([], tracked(small_world))
    assert [f.subject for f in result.failures] == ["benchmarks:open_llm_leaderboard"]
    assert "not a readable Parquet file" in result.failures[0].detail
    assert by_source(result)["opencompass"] > 0
    assert by_source(result)["hf_leaderboard"] > 0


def test_no_tracked_models_sends_no_request(small_world: World, serve: Start) -> None:
    hf = serve(lambda url: make_hf_leaderboards_app(small_world, url))
    oc = serve(lambda url: make_opencompass_app(small_world, url))
    result = collector(hf, oc).collect([], [])
    assert result.benchmark_results == []
    assert hf.requests == oc.requests == 0
