"""Refresh = run each collector → append to the store → score. Run bookkeeping lives here.

The CLI (`ossimpact collect`, `ossimpact refresh`), the scheduler daemon and the demo all call
`collect` / `refresh`: one code path. Each source gets its own run; a source that fails leaves the
others intact; a failed artifact keeps its earlier observations (the store only appends).

The collectors themselves are built from the settings in `collector_setup` (re-exported here).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from collectors.base import BufferedResponseCache, NullProgress, Progress, ResponseCache
from collectors.pacing import Pacer
from ossimpact.collector_setup import (
    SOURCES,
    Collector,
    SourceUnavailable,
    make_collector,
    published_rates,
)
from ossimpact.domain import (
    ArtifactId,
    BenchmarkResult,
    CollectionResult,
    CollectionStats,
    Metric,
    Observation,
)
from ossimpact.mainland_downloads import thirty_day_downloads
from ossimpact.registry import Registry, load_registry
from ossimpact.resume import resume_order
from ossimpact.settings import Settings
from ossimpact.store import Store, StoreUnavailableError, open_store

# Sources whose targets come from the registry (and, for OpenDataLab, its own earlier artifacts);
# the others read the store's tracked artifacts that these write.
REGISTRY_SOURCES = frozenset({"huggingface", "github", "modelscope", "opendatalab"})

__all__ = [
    "SOURCES",
    "Collector",
    "RefreshOutcome",
    "SourceOutcome",
    "SourceUnavailable",
    "collect",
    "collect_source",
    "make_collector",
    "published_rates",
    "refresh",
    "score",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_PARTIAL = 3


class RefreshInterrupted(Exception):
    """SIGTERM/SIGINT asked the refresh to stop; the current run is recorded as interrupted."""


@dataclass
class SourceOutcome:
    source: str
    run_id: int | None
    status: str  # succeeded | partial | failed | interrupted | unavailable
    artifacts: int = 0
    observations: int = 0
    benchmark_results: int = 0
    failures: int = 0
    stats: CollectionStats = field(default_factory=CollectionStats)
    message: str | None = None


@dataclass
class RefreshOutcome:
    sources: list[SourceOutcome] = field(default_factory=list)
    scoring_run_id: int | None = None
    scoring_message: str | None = None
    interrupted: bool = False
    # The live registry check of the refreshed platforms' handles: a run of its own whose
    # failures are the findings. It informs (Data health) and leaves the exit code alone.
    registry_check: SourceOutcome | None = None

    @property
    def exit_code(self) -> int:
        statuses = {outcome.status for outcome in self.sources}
        # An interrupted source ends the command non-zero whichever command ran it (collect too).
        if self.interrupted or statuses & {"failed", "interrupted"}:
            return EXIT_FAILURE
        if "partial" in statuses:
            return EXIT_PARTIAL
        return EXIT_OK


class PipelineProgress(Protocol):
    """What the CLI shows while a refresh runs (Rich); the daemon logs one line per source."""

    def source_progress(self, source: str) -> Progress: ...

    def source_finished(self, outcome: SourceOutcome) -> None: ...


class _StoppableProgress:
    """Checks the stop event between artifacts, so an interrupt lands on an artifact boundary."""

    def __init__(self, inner: Progress, stop: threading.Event | None) -> None:
        self._inner = inner
        self._stop = stop

    def _check(self) -> None:
        if self._stop is not None and self._stop.is_set():
            raise RefreshInterrupted("refresh interrupted by a stop request")

    def begin(self, label: str, total: int | None) -> None:
        self._check()
        self._inner.begin(label, total)

    def advance(self, amount: int = 1) -> None:
        self._inner.advance(amount)
        self._check()

    def note(self, message: str) -> None:
        self._inner.note(message)

    def waiting(self, what: str, seconds: float) -> None:
        """A limit wait starts (the pacer's listener): shown by a progress that can say so."""
        show = getattr(self._inner, "waiting", None)
        if callable(show):
            show(what, seconds)


def _targets(source: str, registry: Registry, store: Store) -> tuple[list[str], list[ArtifactId]]:
    """Which handles and explicit artifacts a source reads."""
    explicit = registry.explicit_artifacts()
    if source == "huggingface":
        return registry.hf_handles(), [a for a in explicit if a.platform == "hf"]
    if source == "github":
        return registry.gh_handles(), [a for a in explicit if a.platform == "gh"]
    if source == "modelscope":
        return registry.ms_handles(), [a for a in explicit if a.platform == "ms"]
    if source == "opendatalab":
        # No listing by publisher: the registry's named datasets and those seen before.
        stored = {record.id for record in store.artifacts() if record.id.platform == "od"}
        named = {a for a in explicit if a.platform == "od"}
        return registry.odl_handles(), sorted(stored | named)
    tracked = [record.id for record in store.artifacts(tracked_only=True)]
    if source == "opendigger":
        repos = sorted(
            {a for a in tracked if a.platform == "gh"} | {a for a in explicit if a.platform == "gh"}
        )
        return [], repos
    # Benchmarks: tracked models get results; tracked datasets may be benchmarks with leaderboards.
    return [], sorted({a for a in tracked if a.platform == "hf"})


@dataclass
class _StartedSource:
    """A source whose run has started: its collector, targets and watched progress."""

    source: str
    run_id: int
    collector: Collector
    handles: list[str]
    explicit: list[ArtifactId]
    progress: _StoppableProgress
    cache: BufferedResponseCache


def _last_requests(store: Store, source: str) -> float | None:
    for run in store.runs(200):
        if (
            run.kind == "collect"
            and run.source == source
            and run.status in ("succeeded", "partial")
        ):
            return float(run.requests - run.not_modified)
    return None


def _start_source(
    source: str,
    settings: Settings,
    store: Store,
    registry: Registry,
    progress: Progress | None,
    stop: threading.Event | None,
    collector_factory: Callable[[str, Settings, ResponseCache], Collector],
) -> _StartedSource | SourceOutcome:
    # Conditional-request answers are written in batches, not one transaction per request.
    cache = BufferedResponseCache(store)
    try:
        collector = collector_factory(source, settings, cache)
    except SourceUnavailable as exc:
        return SourceOutcome(source, None, "unavailable", message=str(exc))
    watched = _StoppableProgress(progress or NullProgress(), stop)
    pacer = getattr(collector, "pacer", None)
    if isinstance(pacer, Pacer):
        # what this source asked for last time: the hour is spread only if it would not cover it
        pacer.planned = _last_requests(store, source)
        pacer.on_wait = watched.waiting  # a long wait shows as such, not as a stuck bar
    if hasattr(collector, "resume_order"):
        # stopped by its hourly budget last time: what it did not reach goes first
        collector.resume_order = resume_order(store, source)
    run_id = store.start_run("collect", source)
    handles, explicit = _targets(source, registry, store)
    return _StartedSource(source, run_id, collector, handles, explicit, watched, cache)


def _collect_started(started: _StartedSource) -> CollectionResult | Exception:
    """The collection itself (on a thread of its own when sources run side by side)."""
    try:
        return started.collector.collect(started.handles, started.explicit, started.progress)
    except Exception as exc:  # a collector bug must not take the other sources down
        return exc


def _thirty_day_downloads(store: Store, observations: list[Observation]) -> list[Observation]:
    """The mainland hubs' 30-day downloads, from our own snapshots of their all-time counts."""
    counted = {o.artifact for o in observations if o.metric == Metric.DOWNLOADS_ALL_TIME}
    if not counted:
        return []
    history = store.observation_history(counted, [Metric.DOWNLOADS_ALL_TIME])
    return thirty_day_downloads(observations, history)


def _finish_source(
    store: Store, started: _StartedSource, collected: CollectionResult | Exception
) -> SourceOutcome:
    """Append the result in one transaction and finish the run with its status."""
    source, run_id = started.source, started.run_id
    started.cache.flush()  # the answers received are valid whatever became of the run
    if isinstance(collected, RefreshInterrupted):
        store.finish_run(run_id, "interrupted", message=str(collected))
        return SourceOutcome(source, run_id, "interrupted", message=str(collected))
    if isinstance(collected, Exception):
        message = f"{type(collected).__name__}: {collected}"
        store.finish_run(run_id, "failed", message=message)
        return SourceOutcome(source, run_id, "failed", message=message)
    result = collected
    pacer = getattr(started.collector, "pacer", None)
    if isinstance(pacer, Pacer):  # the seconds its requests waited for a limit's tokens
        result.stats.paced_seconds = pacer.stats.paced_seconds
    if result.benchmark_results:
        result.benchmark_results, unplaced = _normalised(result.benchmark_results)
        for line in unplaced[:20]:
            started.progress.note(line)
    if source in ("modelscope", "opendatalab"):
        result.observations += _thirty_day_downloads(store, result.observations)
    try:
        store.record_collection(run_id, result)
    except Exception as exc:  # a full disk, a lost database: the run must not stay "running"
        reason = f"could not store the collection: {type(exc).__name__}: {_first_line(exc)}"
        store.finish_run(run_id, "failed", result.stats, message=reason)
        return SourceOutcome(source, run_id, "failed", stats=result.stats, message=reason)
    partial = bool(result.failures) or result.stats.stopped_reason is not None
    status = "partial" if partial else "succeeded"
    nothing = not (result.artifacts or result.observations or result.benchmark_results)
    if nothing and result.failures:
        # Every artifact it tried failed: not a partial success. (A run stopped by its rate-limit
        # budget before its first artifact stays partial: its stopped reason says why, and the
        # next run resumes; tests/test_fault_matrix.py holds that cell.)
        status = "failed"
    note = result.stats.stopped_reason
    if status == "failed" and note is None:
        note = f"nothing collected: all {len(result.failures)} artifact(s) failed"
    store.finish_run(run_id, status, result.stats, message=note)
    return SourceOutcome(
        source,
        run_id,
        status,
        artifacts=len(result.artifacts),
        observations=len(result.observations),
        benchmark_results=len(result.benchmark_results),
        failures=len(result.failures),
        stats=result.stats,
        message=note,
    )


def _first_line(exc: BaseException) -> str:
    """The first line of an error (SQLAlchemy appends the statement and a link on later ones)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def collect_source(
    source: str,
    settings: Settings,
    store: Store,
    registry: Registry,
    *,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    collector_factory: Callable[[str, Settings, ResponseCache], Collector] = make_collector,
) -> SourceOutcome:
    """One source, one run: collect, append in one transaction, finish the run with its status."""
    started = _start_source(source, settings, store, registry, progress, stop, collector_factory)
    if isinstance(started, SourceOutcome):
        return started
    return _finish_source(store, started, _collect_started(started))


def _normalised(results: list[BenchmarkResult]) -> tuple[list[BenchmarkResult], list[str]]:
    """Canonical benchmark ids and 0..1 scaling, the same for every source's results.

    Returns the results and the report lines of what could not be placed (kept, not dropped).
    """
    from collectors.benchmarks import normalise

    normalised, unplaced = normalise(results)
    return normalised, unplaced.lines()


def open_configured_store(settings: Settings) -> Store:
    if settings.database_url.startswith("sqlite:///"):
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # OSSIMPACT_DATA_DIR names a file, or a read-only place
            reason = "it is a file" if settings.data_dir.is_file() else exc.strerror
            raise StoreUnavailableError(
                f"cannot use the data directory {settings.data_dir} (OSSIMPACT_DATA_DIR): {reason}"
            ) from exc
    return open_store(settings.database_url)


# A refresh allocates ~10 objects per figure, most kept until its append: with the default first
# threshold (700) the collector spends about a fifth of its CPU in garbage-collection passes.
_REFRESH_GC_THRESHOLD = 50_000


@contextmanager
def _fewer_garbage_collections() -> Iterator[None]:
    """During a refresh: objects older than it are left out of collections, and passes are rarer.

    Only when garbage is looked for changes (nothing is collected later than the run's end):
    the thresholds are restored and the older objects put back afterwards.
    """
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(previous[0], _REFRESH_GC_THRESHOLD), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def collect(
    settings: Settings,
    sources: Sequence[str] | None = None,
    *,
    store: Store | None = None,
    registry: Registry | None = None,
    progress: PipelineProgress | None = None,
    stop: threading.Event | None = None,
    collector_factory: Callable[[str, Settings, ResponseCache], Collector] = make_collector,
) -> list[SourceOutcome]:
    """Collect the sources, each in a run of its own; outcomes in the order the sources were given.

    Hugging Face and GitHub read only the registry: they collect side by side. OpenDigger and the
    benchmarks read the store's tracked artifacts, which the first two write: they collect after
    them, side by side too. Results are appended by this thread in the order asked, each as soon
    as its source and those asked before it are done, while the later ones may still collect
    (Hugging Face's append overlaps GitHub's requests). Their conditional-request answers are
    written in batches of 500 (`BufferedResponseCache`), so on SQLite a batch waits for an
    append's write lock once, for seconds, well within the busy timeout. A stop request ends every
    running source at its next artifact, and no later source starts.
    """
    with _fewer_garbage_collections():
        return _collect(settings, sources, store, registry, progress, stop, collector_factory)


def _collect(
    settings: Settings,
    sources: Sequence[str] | None,
    store: Store | None,
    registry: Registry | None,
    progress: PipelineProgress | None,
    stop: threading.Event | None,
    collector_factory: Callable[[str, Settings, ResponseCache], Collector],
) -> list[SourceOutcome]:
    store = store or open_configured_store(settings)
    registry = registry or load_registry(settings.registry_path)
    store.sync_registry(
        registry.organizations.values(), registry.products.values(), str(registry.source)
    )
    requested = list(sources or SOURCES)
    done: dict[int, SourceOutcome] = {}
    steps = (
        [i for i, source in enumerate(requested) if source in REGISTRY_SOURCES],
        [i for i, source in enumerate(requested) if source not in REGISTRY_SOURCES],
    )
    for step in steps:
        if not step or (stop is not None and stop.is_set()):
            continue
        started: dict[int, _StartedSource] = {}
        for i in step:
            source = requested[i]
            begun = _start_source(
                source,
                settings,
                store,
                registry,
                progress.source_progress(source) if progress else None,
                stop,
                collector_factory,
            )
            if isinstance(begun, SourceOutcome):
                done[i] = begun
            else:
                started[i] = begun
        with ThreadPoolExecutor(max(len(started), 1), thread_name_prefix="collect") as pool:
            futures = {i: pool.submit(_collect_started, s) for i, s in started.items()}
            for i in step:
                if i in started:
                    # appended as soon as it and those asked before it are done, while the
                    # later ones may still collect
                    done[i] = _finish_source(store, started[i], futures[i].result())
                if progress:
                    progress.source_finished(done[i])
        if any(done[i].status == "interrupted" for i in step):
            break
    return [done[i] for i in sorted(done)]


def score(
    settings: Settings,
    *,
    store: Store,
    registry: Registry,
    as_of: datetime | None = None,
) -> int:
    """Score at an as-of date and record the scoring run; returns its id."""
    from ossimpact.scoring_service import run_scoring
    from scoring import load_methodology

    methodology = load_methodology(settings.methodology_path)
    scoring_run_id, _ = run_scoring(store, registry, methodology, as_of)
    return scoring_run_id


def check_registry_handles(
    settings: Settings, store: Store, registry: Registry, sources: Sequence[str]
) -> SourceOutcome | None:
    """Ask the refreshed platforms about every registry handle and record the findings.

    So a renamed or emptied handle shows in Data health the day it happens, not as a quiet gap
    in the figures. None when neither Hugging Face nor GitHub was refreshed.
    """
    from ossimpact.registry.live import SOURCE, check_live

    platforms = [
        tag for source, tag in (("huggingface", "hf"), ("github", "gh")) if source in sources
    ]
    if not platforms:
        return None
    run_id = store.start_run("collect", SOURCE)
    try:
        report = check_live(registry, settings, platforms=platforms)
    except Exception as exc:  # the check must not take the refresh down
        error = f"{type(exc).__name__}: {exc}"
        store.finish_run(run_id, "failed", message=error)
        return SourceOutcome(SOURCE, run_id, "failed", message=error)
    failures = report.failures()
    store.record_collection(
        run_id, CollectionResult(source=SOURCE, failures=failures, stats=report.stats)
    )
    status = "partial" if failures else "succeeded"
    message = f"{len(failures)} registry finding(s)" if failures else None
    store.finish_run(run_id, status, report.stats, message=message)
    return SourceOutcome(
        SOURCE, run_id, status, failures=len(failures), stats=report.stats, message=message
    )


def refresh(
    settings: Settings,
    *,
    sources: Sequence[str] | None = None,
    score_after: bool = True,
    progress: PipelineProgress | None = None,
    stop: threading.Event | None = None,
    wait_for_lock: bool = False,
    lock_timeout: float = 3600.0,
    holder: str | None = None,
) -> RefreshOutcome:
    """Collect every source then score — one refresh at a time across processes."""
    from ossimpact.refresh_lock import refresh_guard

    registry = load_registry(settings.registry_path)
    if score_after:  # a bad methodology fails now, not after every source has been collected
        from scoring import load_methodology

        load_methodology(settings.methodology_path)
    store = open_configured_store(settings)
    outcome = RefreshOutcome()
    stop = stop or threading.Event()
    # A refresh whose lock was taken over (it stalled past the TTL) winds down at the next artifact.
    with refresh_guard(
        store,
        holder=holder,
        wait=wait_for_lock,
        timeout=lock_timeout,
        ttl_seconds=settings.refresh_lock_ttl_seconds,
        stop_when_lost=stop,
    ):
        outcome.sources = collect(
            settings, sources, store=store, registry=registry, progress=progress, stop=stop
        )
        outcome.interrupted = any(o.status == "interrupted" for o in outcome.sources)
        if not outcome.interrupted and not stop.is_set():
            outcome.registry_check = check_registry_handles(
                settings, store, registry, sources or SOURCES
            )
        collected = any(o.status in ("succeeded", "partial") for o in outcome.sources)
        if score_after and collected and not outcome.interrupted:
            try:
                outcome.scoring_run_id = score(settings, store=store, registry=registry)
            except ImportError as exc:
                outcome.scoring_message = f"scoring is not available: {exc}"
    return outcome
