"""What the measurements share: the options, the registry, the sandbox world and its refreshes.

The main run (P1, P2, P3) is one sandbox over one world at the requested size and latency: a first
refresh of the daily sources, then the monthly/weekly ones, then an unchanged second refresh.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.naive import NaiveRun, run_naive, tracked_sample
from benchmarks.traffic import Traffic, since
from ossimpact.pipeline import SourceOutcome, collect, score
from ossimpact.registry import Registry, load_registry
from ossimpact.sandbox.backfill import BACKFILL_SOURCE, history_observations
from ossimpact.sandbox.model import World
from ossimpact.sandbox.process import ProcessSandbox, start_sandbox_process
from ossimpact.sandbox.runner import Sandbox, start_sandbox, world_for_registry
from ossimpact.settings import Settings, load_settings
from ossimpact.store import Store, open_store

DAILY_SOURCES = ("huggingface", "github")
# Daily too in the scheduler; measured apart so the Hugging Face + GitHub figures stay comparable
# with the naive loop (which reads those two only).
MAINLAND_SOURCES = ("modelscope", "opendatalab")
OTHER_SOURCES = ("opendigger", "benchmarks")  # monthly and weekly in the scheduler


@dataclass(frozen=True)
class Options:
    size: int = 10_000
    latency: float = 0.05
    quick: bool = False
    seed: int = 20251
    naive_sample: int = 300
    workdir: Path | None = None
    # The main sandbox's servers run in a child process, as the platforms are remote: the
    # collectors get a core of their own. False serves them from threads of this process.
    sandbox_process: bool = True


@dataclass
class Refresh:
    """One call of `collect` over some sources: wall time, answers by route, outcomes."""

    sources: tuple[str, ...]
    seconds: float
    traffic: Counter[tuple[str, str, str, int]]
    outcomes: list[SourceOutcome] = field(default_factory=list)
    cpu_seconds: float = 0.0  # this process: collectors, parsing, store writes
    sandbox_cpu_seconds: float | None = None  # the fake servers, when in a process of their own


def sandbox_settings(sandbox: Sandbox | ProcessSandbox, data_dir: Path, database: Path) -> Settings:
    base = load_settings()
    return Settings(
        data_dir=data_dir,
        database_url_override=f"sqlite:///{database.resolve()}",
        registry_path=base.registry_path,
        methodology_path=base.methodology_path,
        **sandbox.settings_overrides(),
    )


def timed_collect(
    settings: Settings,
    store: Store,
    registry: Registry,
    traffic: Traffic,
    sources: tuple[str, ...],
    sandbox: Sandbox | ProcessSandbox | None = None,
) -> Refresh:
    before = traffic.snapshot()
    remote = sandbox if isinstance(sandbox, ProcessSandbox) else None
    sandbox_cpu = remote.cpu_seconds() if remote is not None else 0.0
    cpu = time.process_time()
    started = time.perf_counter()
    outcomes = collect(settings, list(sources), store=store, registry=registry)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    served = remote.cpu_seconds() - sandbox_cpu if remote is not None else None
    return Refresh(sources, seconds, since(traffic.snapshot(), before), outcomes, cpu, served)


class BenchContext:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.registry = load_registry(load_settings().registry_path)
        self._own_dir = options.workdir is None
        self.workdir = options.workdir or Path(tempfile.mkdtemp(prefix="ossimpact-bench-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._world: World | None = None
        self._sandbox: Sandbox | ProcessSandbox | None = None
        self._store: Store | None = None
        self._settings: Settings | None = None
        self.traffic = Traffic()
        self.world_seconds = 0.0
        self.first: Refresh | None = None
        self.monthly: Refresh | None = None
        self.mainland: Refresh | None = None
        self.second: Refresh | None = None
        self._naive: NaiveRun | None = None
        self._scored: dict[str, float] | None = None

    # -- the world and the main sandbox ---------------------------------------------------
    def world(self) -> World:
        if self._world is None:
            started = time.perf_counter()
            self._world = world_for_registry(
                self.registry, size=self.options.size, seed=self.options.seed
            )
            self.world_seconds = time.perf_counter() - started
        return self._world

    def main_database(self) -> Path:
        return self.workdir / "main" / "ossimpact.db"

    def _main(self) -> tuple[Settings, Store]:
        if self._settings is None or self._store is None:
            world, latency = self.world(), self.options.latency
            sandbox: Sandbox | ProcessSandbox = (
                start_sandbox_process(world, latency=latency)
                if self.options.sandbox_process
                else start_sandbox(world, latency=latency)
            )
            self._sandbox = sandbox
            self.traffic.attach(sandbox)
            database = self.main_database()
            database.parent.mkdir(parents=True, exist_ok=True)
            self._settings = sandbox_settings(sandbox, database.parent, database)
            self._store = open_store(self._settings.database_url)
        return self._settings, self._store

    def first_refresh(self) -> Refresh:
        """The first refresh of the daily sources (Hugging Face, GitHub) into an empty store."""
        if self.first is None:
            settings, store = self._main()
            self.first = timed_collect(
                settings, store, self.registry, self.traffic, DAILY_SOURCES, self._sandbox
            )
        return self.first

    def mainland_refresh(self) -> Refresh:
        """ModelScope and OpenDataLab (daily), after the first Hugging Face + GitHub refresh."""
        self.first_refresh()
        if self.mainland is None:
            settings, store = self._main()
            self.mainland = timed_collect(
                settings, store, self.registry, self.traffic, MAINLAND_SOURCES, self._sandbox
            )
        return self.mainland

    def monthly_refresh(self) -> Refresh:
        """OpenDigger (monthly) and benchmarks (weekly), after the first daily refresh."""
        self.first_refresh()
        if self.monthly is None:
            settings, store = self._main()
            self.monthly = timed_collect(
                settings, store, self.registry, self.traffic, OTHER_SOURCES, self._sandbox
            )
        return self.monthly

    def second_refresh(self) -> Refresh:
        """The daily sources again on the unchanged world (conditional requests can answer 304)."""
        self.first_refresh()
        if self.second is None:
            settings, store = self._main()
            self.second = timed_collect(
                settings, store, self.registry, self.traffic, DAILY_SOURCES, self._sandbox
            )
        return self.second

    def naive(self) -> NaiveRun:
        """The naive loop on a sample, against the same sandbox, after the first refresh."""
        if self._naive is None:
            self.first_refresh()
            sample = tracked_sample(self.world(), self.options.naive_sample, self.options.seed)
            self._naive = run_naive(self.sandbox(), self.traffic, sample)
        return self._naive

    def scored_store(self) -> dict[str, float]:
        """The main store after the first refresh, the world's history backfilled, and scored."""
        if self._scored is None:
            self.first_refresh()
            settings, store = self._main()
            started = time.perf_counter()
            history = history_observations(self.world())
            run_id = store.start_run("collect", BACKFILL_SOURCE)
            store.record_collection(run_id, history)
            store.finish_run(run_id, "succeeded", message="synthetic daily history (benchmark)")
            backfilled = time.perf_counter() - started
            started = time.perf_counter()
            score(settings, store=store, registry=self.registry)
            self._scored = {
                "backfill_seconds": backfilled,
                "backfill_observations": float(len(history.observations)),
                "scoring_seconds": time.perf_counter() - started,
            }
        return self._scored

    def main_store(self) -> Store:
        return self._main()[1]

    def tracked(self, platform: str | None = None) -> int:
        """Tracked artifacts in the main store (what the refresh found of the registry's)."""
        records = self.main_store().artifacts(tracked_only=True)
        return sum(1 for r in records if platform is None or r.id.platform == platform)

    def sandbox(self) -> Sandbox | ProcessSandbox:
        self._main()
        assert self._sandbox is not None
        return self._sandbox

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)
