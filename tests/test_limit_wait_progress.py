"""A wait for a rate limit shows as such in the progress, instead of a bar that looks stuck.

The pacer announces every wait of a second or more, its own or a limit answer waited out by the
HTTP client; the pipeline hands the announcement to the source's progress; the console bar is
renamed "github: waiting for the rate limit (resets …, 38 s)" until the wait is over.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress as RichProgress

from collectors.base import Progress, ResponseCache
from collectors.core.politeness import RateLimitSignal
from collectors.http import HttpClient
from collectors.pacing import GITHUB_REST, Pacer, github_pacer
from ossimpact.console_progress import _SourceProgress, waiting_label
from ossimpact.domain import ArtifactId, CollectionResult
from ossimpact.pipeline import Collector, SourceOutcome, collect_source
from ossimpact.registry import load_registry
from ossimpact.settings import Settings
from ossimpact.store import open_store


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _slow_pacer(fake: FakeTime) -> Pacer:
    # 60 a minute with a burst of 3: the tenth request in a row waits seconds for its token
    return github_pacer(requests_per_minute=60, clock=fake.clock, sleep=fake.sleep)


def test_the_pacer_announces_long_waits_only() -> None:
    fake = FakeTime()
    pacer = _slow_pacer(fake)
    heard: list[tuple[str, float]] = []
    pacer.on_wait = lambda what, seconds: heard.append((what, seconds))
    for _ in range(3):
        pacer.wait(GITHUB_REST)
    assert heard == []  # the burst goes at once
    waits = [pacer.wait(GITHUB_REST) for _ in range(3)]  # then ~1.05 s apart (57 a minute)
    assert all(w >= 1.0 for w in waits)
    assert [what for what, _ in heard] == ["rate limit"] * 3
    assert [round(s, 2) for _, s in heard] == [round(w, 2) for w in waits]
    assert pacer.stats.paced_seconds == sum(waits)


def test_a_limit_answer_waited_out_is_announced_too() -> None:
    fake = FakeTime()
    pacer = _slow_pacer(fake)
    heard: list[tuple[str, float]] = []
    pacer.on_wait = lambda what, seconds: heard.append((what, seconds))
    with HttpClient(
        base_url="http://127.0.0.1:9", token=None, sleep=fake.sleep, pacer=pacer
    ) as client:
        client.rate_limit_pause(RateLimitSignal(38.0, "GitHub secondary rate limit"))
        client.rate_limit_pause(RateLimitSignal(0.5, "GitHub secondary rate limit"))
    assert heard == [("rate limit", 38.0)]
    assert client.stats.rate_limit_wait_seconds == 38.5


def test_the_console_bar_names_the_wait_until_it_is_over() -> None:
    fake = FakeTime()
    console = Console(file=io.StringIO(), force_terminal=False)
    bars = RichProgress(console=console)
    noon = datetime(2026, 12, 6, 5, 41, 29, tzinfo=UTC)
    progress = _SourceProgress(bars, "github", clock=fake.clock, now=lambda: noon)
    progress.begin("InternLM", 10)
    (task,) = bars.tasks
    progress.advance()
    assert task.description == "github: InternLM"
    progress.waiting("rate limit", 38.0)
    assert task.description == "github: waiting for the rate limit (resets 05:42:07 UTC, 38 s)"
    fake.now += 10
    progress.advance()  # another thread's request, before the wait is over
    assert task.description.startswith("github: waiting for the rate limit")
    fake.now += 30
    progress.advance()
    assert task.description == "github: InternLM"
    assert task.completed == 3


def test_waiting_label_reads_as_the_committee_would() -> None:
    at = datetime(2026, 12, 6, 5, 41, 0, tzinfo=UTC)
    assert waiting_label("huggingface", "rate limit", 90.4, at) == (
        "huggingface: waiting for the rate limit (resets 05:42:30 UTC, 90 s)"
    )


class _PacedCollector:
    """A collector whose requests go through a slow pacer, as the real ones' do."""

    source = "github"

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> CollectionResult:
        for _ in range(6):
            self.pacer.wait(GITHUB_REST)
        return CollectionResult(source=self.source)


class _RecordingProgress:
    def __init__(self) -> None:
        self.waits: list[tuple[str, float]] = []

    def begin(self, label: str, total: int | None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None

    def note(self, message: str) -> None:
        return None

    def waiting(self, what: str, seconds: float) -> None:
        self.waits.append((what, seconds))


def test_the_pipeline_hands_the_pacers_waits_to_the_progress(tmp_path: Path) -> None:
    fake = FakeTime()
    pacer = _slow_pacer(fake)

    def factory(source: str, settings: Settings, cache: ResponseCache) -> Collector:
        return _PacedCollector(pacer)

    settings = Settings(data_dir=tmp_path)
    store = open_store(f"sqlite:///{tmp_path / 'ossimpact.db'}")
    progress = _RecordingProgress()
    try:
        outcome = collect_source(
            "github",
            settings,
            store,
            load_registry(settings.registry_path),
            progress=progress,
            collector_factory=factory,
        )
        assert isinstance(outcome, SourceOutcome)
        assert [what for what, _ in progress.waits] == ["rate limit"] * 3
        assert outcome.stats.paced_seconds == pacer.stats.paced_seconds > 3.0
        assert store.runs(1)[0].paced_seconds == outcome.stats.paced_seconds
    finally:
        store.close()
