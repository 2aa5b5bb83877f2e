"""The scheduler daemon: refresh each source on its cron, score after each collection.

One foreground process (`ossimpact schedule`) runs an APScheduler 3 `BlockingScheduler` with an
in-memory job store: the schedule is re-declared from settings (`Settings.schedule_*`, read from
OSSIMPACT_SCHEDULE_* like every other setting in `ossimpact.settings`) at every start, so there is nothing
to pickle and no duplicate jobs after a restart. Runs themselves are serialised across processes
by the store's refresh lock (`ossimpact.refresh_lock`), which `pipeline.refresh` takes.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import FrameType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobEvent,
    SchedulerEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from pydantic import ValidationError

from ossimpact.collector_setup import SOURCES
from ossimpact.cron import crontab_trigger
from ossimpact.settings import Settings, load_settings, variable_problems

log = logging.getLogger("ossimpact.schedule")

JOB_REF = "ossimpact.schedule:run_job"
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_SIGINT = 130  # the shell convention for a process ended by Ctrl-C (128 + SIGINT)

SchedulerT = TypeVar("SchedulerT", bound=BaseScheduler)


def crons(settings: Settings) -> dict[str, str]:
    """Source → cron expression, for the sources that are on."""
    all_crons = {source: getattr(settings, f"schedule_{source}_cron") for source in SOURCES}
    return {source: cron for source, cron in all_crons.items() if cron}


def refresh_groups(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Cron expression → the sources due then, collected in one refresh and scored once."""
    groups: dict[str, list[str]] = {}
    for source, cron in crons(settings).items():
        groups.setdefault(cron, []).append(source)
    return {cron: tuple(sources) for cron, sources in groups.items()}


class ScheduleConfigError(Exception):
    """A bad setting, OSSIMPACT_SCHEDULE_* or other; the message names the variable (CLI exit 2)."""


def load_schedule_settings() -> Settings:
    """The settings from the environment, or ScheduleConfigError naming each bad variable."""
    try:
        return load_settings()
    except ValidationError as error:
        raise ScheduleConfigError(variable_problems(error)) from None


def job_id(sources: Sequence[str]) -> str:
    return "refresh:" + "+".join(sources)


def configure_scheduler(
    scheduler: SchedulerT,
    settings: Settings,
    *,
    job: Callable[..., object] | str = JOB_REF,
    job_kwargs: Mapping[str, Any] | None = None,
    executor: Any | None = None,
) -> SchedulerT:
    """Add the refresh jobs and the log listener to a not yet started scheduler.

    Each job is called as `job(sources=(...), **job_kwargs)`. `executor` replaces the thread pool
    (tests pass APScheduler's `DebugExecutor` to run jobs in the scheduler's thread).
    """
    groups = refresh_groups(settings)
    # One worker per job: two jobs due together queue on the store lock, not in the pool, so the
    # second is not counted as a misfire while the first runs.
    pool = executor if executor is not None else ThreadPoolExecutor(max_workers=max(1, len(groups)))
    scheduler.configure(
        timezone=ZoneInfo(settings.schedule_timezone),
        executors={"default": pool},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.schedule_misfire_grace_seconds,
        },
    )
    for cron, sources in groups.items():
        options: dict[str, Any] = {}
        if settings.schedule_run_at_start:
            options["next_run_time"] = datetime.now(ZoneInfo(settings.schedule_timezone))
        scheduler.add_job(
            job,
            trigger=crontab_trigger(cron, settings.schedule_timezone),
            id=job_id(sources),
            name=f"refresh {'+'.join(sources)} ({cron} {settings.schedule_timezone})",
            kwargs={"sources": sources, **(job_kwargs or {})},
            replace_existing=True,
            **options,
        )
    scheduler.add_listener(_log_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    return scheduler


def build_scheduler(
    settings: Settings,
    *,
    job: Callable[..., object] | str = JOB_REF,
    job_kwargs: Mapping[str, Any] | None = None,
    executor: Any | None = None,
) -> BlockingScheduler:
    """The daemon's scheduler, configured from settings and not yet started."""
    return configure_scheduler(
        BlockingScheduler(), settings, job=job, job_kwargs=job_kwargs, executor=executor
    )


def _log_event(event: JobEvent) -> None:
    when = event.scheduled_run_time
    if event.code == EVENT_JOB_MISSED:
        log.warning(
            "%s scheduled at %s was missed (too late to start); skipped", event.job_id, when
        )
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning(
            "%s scheduled at %s skipped: the previous one is still running", event.job_id, when
        )
    elif event.code == EVENT_JOB_ERROR:
        exception = getattr(event, "exception", None)
        log.error("%s scheduled at %s failed: %s", event.job_id, when, exception)


def run_job(
    sources: Sequence[str],
    settings: Settings | None = None,
    stop: threading.Event | None = None,
    lock_timeout: float = 4 * 3600.0,
) -> object:
    """One scheduled refresh: collect `sources`, then score; logs one line. The daemon's job."""
    from ossimpact.pipeline import refresh
    from ossimpact.refresh_lock import RefreshBusy, default_holder

    name = "+".join(sources)
    started = time.monotonic()
    try:
        outcome = refresh(
            settings or load_settings(),
            sources=list(sources),
            stop=stop,
            wait_for_lock=True,
            lock_timeout=lock_timeout,
            holder=default_holder("schedule"),
        )
    except RefreshBusy as busy:
        log.warning("refresh %s skipped: %s", name, busy)
        return None
    seconds = time.monotonic() - started
    parts = [
        f"{o.source} {o.status} (run {o.run_id}, {o.artifacts} artifacts, {o.failures} failed)"
        for o in outcome.sources
    ]
    if outcome.registry_check is not None:  # renamed or emptied handles, noticed the same day
        check = outcome.registry_check
        parts.append(
            f"registry check {check.status} (run {check.run_id}, {check.failures} findings)"
        )
    scoring = (
        f"scoring run {outcome.scoring_run_id}"
        if outcome.scoring_run_id is not None
        else (outcome.scoring_message or "not scored")
    )
    status = "interrupted" if outcome.interrupted else f"exit {outcome.exit_code}"
    log.info("refresh %s: %s in %.1fs; %s; %s", name, status, seconds, "; ".join(parts), scoring)
    return outcome


def run_daemon(
    settings: Settings,
    *,
    job: Callable[..., object] | str = JOB_REF,
) -> int:
    """Run the scheduler in the foreground until SIGTERM or SIGINT; returns the exit code.

    A signal asks the running refresh to stop after its current artifact (the pipeline records the
    run as interrupted), waits for it, then exits: 0 after SIGTERM, 130 after SIGINT.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # One line per run: the HTTP clients log every request at INFO.
    for noisy in (
        "apscheduler",
        "alembic",
        "httpx",
        "httpx2",
        "httpcore",
        "huggingface_hub",
        "urllib3",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not crons(settings):
        log.error("nothing to schedule: every OSSIMPACT_SCHEDULE_*_CRON is empty")
        return EXIT_USAGE
    stop = threading.Event()
    scheduler = build_scheduler(
        settings,
        job=job,
        job_kwargs={
            "settings": settings,
            "stop": stop,
            "lock_timeout": settings.schedule_lock_timeout_seconds,
        },
    )
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if received:  # already stopping; a second signal must not break the wait for the job
            return
        received.append(signum)
        stop.set()
        # Leaves BlockingScheduler's wait loop; shutdown(wait=True) runs outside the handler
        # (inside it, it can deadlock the thread pool: python/cpython#121649).
        raise SystemExit

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def on_started(_event: SchedulerEvent) -> None:
        for scheduled in scheduler.get_jobs():
            log.info("scheduled %s, next at %s", scheduled.name, scheduled.next_run_time)

    scheduler.add_listener(on_started, EVENT_SCHEDULER_STARTED)
    try:
        scheduler.start()
    except SystemExit:
        pass
    finally:
        stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    name = signal.Signals(received[0]).name if received else "no signal"
    log.info("scheduler stopped (%s)", name)
    return EXIT_SIGINT if received == [signal.SIGINT] else EXIT_OK
