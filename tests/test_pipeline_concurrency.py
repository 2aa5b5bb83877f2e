"""The pipeline runs Hugging Face and GitHub side by side, then the sources that read the store.

Scripted collectors stand in for the real ones (the pipeline is under test, not the collectors):
each source gets its own run, outcomes come back in the order the sources were asked for, a stop
request interrupts every running source and starts no later one, and a failing source leaves the
others intact.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from collectors.base import NullProgress, Progress, ResponseCache
from ossimpact.domain import ArtifactId, ArtifactRecord, CollectionResult
from ossimpact.pipeline import Collector, SourceOutcome, collect
from ossimpact.registry import Registry, load_registry
from ossimpact.settings import Settings
from ossimpact.store import Store

# Long enough never to fire when the sources do run side by side; a sequential pipeline would
# leave the first source waiting for the second until it runs out, and the test fails.
RENDEZVOUS_SECONDS = 30.0

HF_MODEL = ArtifactId.parse("hf:model:shlab/base-7b")
GH_REPO = ArtifactId.parse("gh:shlab/toolkit")

_REGISTRY = """
organizations:
  - id: shanghai-lab
    name: Shanghai Lab
    city: Shanghai
    evidence: ["https://example.org/shanghai-lab"]
    huggingface: [shlab]
    github: [shlab]
products: []
"""

Script = Callable[[Sequence[str], Sequence[ArtifactId], Progress], CollectionResult]


@dataclass
class Scripted:
    """A collector whose collect() is a script; it remembers what it was asked for."""

    source: str
    script: Script
    calls: list[tuple[list[str], list[ArtifactId]]] = field(default_factory=list)

    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> CollectionResult:
        self.calls.append((list(handles), list(explicit)))
        return self.script(handles, explicit, progress or NullProgress())


def tracked(source: str, *artifacts: ArtifactId) -> CollectionResult:
    result = CollectionResult(source=source)
    result.artifacts = [ArtifactRecord(id=a, owner_handle=a.owner, tracked=True) for a in artifacts]
    return result


def empty(source: str) -> Script:
    return lambda _handles, _explicit, _progress: CollectionResult(source=source)


@dataclass
class RecordingProgress:
    """A PipelineProgress that keeps each source's notes and the order sources finished in."""

    notes: dict[str, list[str]] = field(default_factory=dict)
    finished: list[SourceOutcome] = field(default_factory=list)

    def source_progress(self, source: str) -> Progress:
        notes = self.notes.setdefault(source, [])

        class Notes(NullProgress):
            def note(self, message: str) -> None:
                notes.append(message)

        return Notes()

    def source_finished(self, outcome: SourceOutcome) -> None:
        self.finished.append(outcome)


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    path = tmp_path / "registry.yaml"
    path.write_text(_REGISTRY, encoding="utf-8")
    return load_registry(path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def run(
    settings: Settings,
    store: Store,
    registry: Registry,
    scripts: dict[str, Script],
    sources: Sequence[str] | None = None,
    stop: threading.Event | None = None,
    progress: RecordingProgress | None = None,
) -> tuple[list[SourceOutcome], dict[str, Scripted]]:
    built: dict[str, Scripted] = {}

    def factory(source: str, _settings: Settings, _cache: ResponseCache) -> Collector:
        built[source] = Scripted(source, scripts[source])
        return built[source]

    outcomes = collect(
        settings,
        sources,
        store=store,
        registry=registry,
        progress=progress,
        stop=stop,
        collector_factory=factory,
    )
    return outcomes, built


def test_hugging_face_and_github_run_side_by_side_then_the_store_readers(
    settings: Settings, store: Store, registry: Registry
) -> None:
    rendezvous = threading.Barrier(2, timeout=RENDEZVOUS_SECONDS)

    def hub(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], p: Progress
    ) -> CollectionResult:
        rendezvous.wait()  # returns only when GitHub is collecting at the same time
        p.note("hub listed")
        return tracked("huggingface", HF_MODEL)

    def github(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], p: Progress
    ) -> CollectionResult:
        rendezvous.wait()
        p.note("github listed")
        return tracked("github", GH_REPO)

    progress = RecordingProgress()
    outcomes, built = run(
        settings,
        store,
        registry,
        {
            "huggingface": hub,
            "github": github,
            "opendigger": empty("opendigger"),
            "benchmarks": empty("benchmarks"),
        },
        sources=["huggingface", "github", "opendigger", "benchmarks"],
        progress=progress,
    )
    assert [(o.source, o.status) for o in outcomes] == [
        ("huggingface", "succeeded"),
        ("github", "succeeded"),
        ("opendigger", "succeeded"),
        ("benchmarks", "succeeded"),
    ]
    assert len({o.run_id for o in outcomes}) == 4  # one run per source
    assert built["huggingface"].calls == [(["shlab"], [])]
    assert built["github"].calls == [(["shlab"], [])]
    # the store readers started after both wrote their artifacts
    assert built["opendigger"].calls == [([], [GH_REPO])]
    assert built["benchmarks"].calls == [([], [HF_MODEL])]
    assert progress.notes["huggingface"] == ["hub listed"]
    assert progress.notes["github"] == ["github listed"]
    assert sorted(o.source for o in progress.finished) == sorted(o.source for o in outcomes)


def test_outcomes_keep_the_requested_order_whatever_finishes_first(
    settings: Settings, store: Store, registry: Registry
) -> None:
    github_returned = threading.Event()

    def hub(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], _p: Progress
    ) -> CollectionResult:
        assert github_returned.wait(RENDEZVOUS_SECONDS)  # GitHub finishes collecting first
        return tracked("huggingface", HF_MODEL)

    def github(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], _p: Progress
    ) -> CollectionResult:
        github_returned.set()
        return tracked("github", GH_REPO)

    progress = RecordingProgress()
    outcomes, built = run(
        settings,
        store,
        registry,
        {"huggingface": hub, "github": github, "benchmarks": empty("benchmarks")},
        sources=["benchmarks", "huggingface", "github"],
        progress=progress,
    )
    assert [o.source for o in outcomes] == ["benchmarks", "huggingface", "github"]
    assert all(o.status == "succeeded" for o in outcomes)
    # recorded and reported in the order asked, step by step: the store readers come last
    assert [o.source for o in progress.finished] == ["huggingface", "github", "benchmarks"]
    run_ids = {o.source: o.run_id or 0 for o in outcomes}
    assert run_ids["huggingface"] < run_ids["github"] < run_ids["benchmarks"]
    # asked for first, the benchmarks still read the models Hugging Face had just written
    assert built["benchmarks"].calls == [([], [HF_MODEL])]


def test_stop_interrupts_every_running_source_and_starts_no_later_one(
    settings: Settings, store: Store, registry: Registry
) -> None:
    stop = threading.Event()

    def hub(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], p: Progress
    ) -> CollectionResult:
        stop.set()  # e.g. SIGTERM while the listings run
        p.advance()
        raise AssertionError("the progress should have interrupted the source")

    def github(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], p: Progress
    ) -> CollectionResult:
        assert stop.wait(RENDEZVOUS_SECONDS)
        p.advance()
        raise AssertionError("the progress should have interrupted the source")

    outcomes, built = run(
        settings,
        store,
        registry,
        {
            "huggingface": hub,
            "github": github,
            "opendigger": empty("opendigger"),
            "benchmarks": empty("benchmarks"),
        },
        sources=["huggingface", "github", "opendigger", "benchmarks"],
        stop=stop,
    )
    assert [(o.source, o.status) for o in outcomes] == [
        ("huggingface", "interrupted"),
        ("github", "interrupted"),
    ]
    assert "opendigger" not in built
    assert "benchmarks" not in built
    runs = {r.source: r.status for r in store.runs() if r.kind == "collect"}
    assert runs == {"huggingface": "interrupted", "github": "interrupted"}


def test_a_failing_source_leaves_the_others_intact(
    settings: Settings, store: Store, registry: Registry
) -> None:
    def hub(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], _p: Progress
    ) -> CollectionResult:
        raise RuntimeError("a collector bug")

    outcomes, built = run(
        settings,
        store,
        registry,
        {
            "huggingface": hub,
            "github": lambda _h, _e, _p: tracked("github", GH_REPO),
            "opendigger": empty("opendigger"),
        },
        sources=["huggingface", "github", "opendigger"],
    )
    assert [(o.source, o.status) for o in outcomes] == [
        ("huggingface", "failed"),
        ("github", "succeeded"),
        ("opendigger", "succeeded"),
    ]
    assert outcomes[0].message == "RuntimeError: a collector bug"
    assert built["opendigger"].calls == [([], [GH_REPO])]


def test_a_stop_before_the_start_collects_nothing(
    settings: Settings, store: Store, registry: Registry
) -> None:
    stop = threading.Event()
    stop.set()
    outcomes, built = run(
        settings, store, registry, {"huggingface": empty("huggingface")}, stop=stop
    )
    assert outcomes == []
    assert built == {}
    assert [r for r in store.runs() if r.kind == "collect"] == []


def test_garbage_collection_is_rarer_during_a_refresh_and_as_before_after_it(
    settings: Settings, store: Store, registry: Registry
) -> None:
    before = gc.get_threshold()
    seen: list[tuple[tuple[int, ...], int]] = []

    def hub(
        _handles: Sequence[str], _explicit: Sequence[ArtifactId], _p: Progress
    ) -> CollectionResult:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        raise RuntimeError("a collector bug")  # a failed source restores them too

    outcomes, _built = run(settings, store, registry, {"huggingface": hub}, ["huggingface"])
    assert [o.status for o in outcomes] == ["failed"]
    ((during, frozen),) = seen
    assert during[0] >= 50_000
    assert frozen > 0  # objects older than the refresh are left out of its collections
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
