"""The daemon's schedule: cron per source, explicit timezone, coalesce and misfire with a fake clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.debug import DebugExecutor
from pydantic import ValidationError

from ossimpact.schedule import (
    ScheduleConfigError,
    build_scheduler,
    job_id,
    load_schedule_settings,
    refresh_groups,
    run_daemon,
)
from ossimpact.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_default_jobs_one_per_cron_with_explicit_timezone() -> None:
    scheduler = build_scheduler(Settings())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "refresh:huggingface+github",
        "refresh:modelscope+opendatalab",
        "refresh:opendigger",
        "refresh:benchmarks",
    }
    for job in jobs.values():
        assert job.trigger.timezone == SHANGHAI
    assert jobs["refresh:huggingface+github"].kwargs["sources"] == ("huggingface", "github")
    assert str(jobs["refresh:benchmarks"].trigger.fields[4]) == "mon"
    assert str(jobs["refresh:opendigger"].trigger.fields[2]) == "3"
    assert scheduler._job_defaults == {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 3600,
    }


def test_three_oclock_shanghai_is_seven_pm_utc_the_day_before() -> None:
    scheduler = build_scheduler(Settings())
    (job,) = [job for job in scheduler.get_jobs() if job.id == "refresh:huggingface+github"]
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    fire = job.trigger.get_next_fire_time(None, now)
    assert fire.astimezone(UTC) == datetime(2026, 11, 28, 19, 0, tzinfo=UTC)
    assert fire.astimezone(SHANGHAI).hour == 3


_PROBE = """
import json
from datetime import UTC, datetime
from apscheduler.triggers.cron import CronTrigger
from ossimpact.schedule import build_scheduler
from ossimpact.settings import Settings
now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
job = build_scheduler(Settings()).get_job("refresh:huggingface+github")
naive = CronTrigger.from_crontab("0 3 * * *")  # the pitfall: falls back to the host zone
print(json.dumps({
    "ours": job.trigger.get_next_fire_time(None, now).astimezone(UTC).isoformat(),
    "host_zone": naive.get_next_fire_time(None, now).astimezone(UTC).isoformat(),
}))
"""


@pytest.mark.parametrize("host_zone", ["America/New_York", "UTC", "Europe/Berlin"])
def test_host_timezone_does_not_move_the_schedule(host_zone: str) -> None:
    env = {**os.environ, "TZ": host_zone, "PYTHONPATH": str(REPO)}
    env.pop("OSSIMPACT_SCHEDULE_TIMEZONE", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    probe = json.loads(done.stdout)
    assert probe["ours"] == "2026-11-28T19:00:00+00:00"
    # The host zone really was in effect: a trigger without a timezone follows it.
    expected_naive = {
        "America/New_York": "2026-11-29T08:00:00+00:00",
        "UTC": "2026-11-29T03:00:00+00:00",
        "Europe/Berlin": "2026-11-29T02:00:00+00:00",
    }
    assert probe["host_zone"] == expected_naive[host_zone]


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSIMPACT_SCHEDULE_GITHUB_CRON", "30 2 * * *")
    monkeypatch.setenv("OSSIMPACT_SCHEDULE_BENCHMARKS_CRON", "")
    monkeypatch.setenv("OSSIMPACT_SCHEDULE_MISFIRE_GRACE_SECONDS", "600")
    settings = Settings()
    assert refresh_groups(settings) == {
        "0 3 * * *": ("huggingface",),
        "30 2 * * *": ("github",),
        "30 3 * * *": ("modelscope", "opendatalab"),
        "0 4 3 * *": ("opendigger",),
    }
    scheduler = build_scheduler(settings)
    assert {job.id for job in scheduler.get_jobs()} == {
        "refresh:huggingface",
        "refresh:github",
        "refresh:modelscope+opendatalab",
        "refresh:opendigger",
    }
    assert scheduler._job_defaults["misfire_grace_time"] == 600


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("benchmarks_cron", "0 5 * * 1", "weekday as a name"),
        ("github_cron", "0 3 * *", "5-field"),
        ("github_cron", "0 25 * * *", "25"),
        ("timezone", "Mars/Olympus", "unknown timezone"),
    ],
)
def test_bad_schedule_settings_are_named(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        Settings.model_validate({f"schedule_{field}": value})
    assert field in str(caught.value)


class FakeClock:
    """What APScheduler's scheduler loop and executor read as "now"."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        clock = self

        class ClockedDatetime(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
                return clock.now.astimezone(tz) if tz else clock.now.replace(tzinfo=None)

        monkeypatch.setattr(apscheduler.schedulers.base, "datetime", ClockedDatetime)
        monkeypatch.setattr(apscheduler.executors.base, "datetime", ClockedDatetime)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.events: list[JobExecutionEvent] = []
        self.seen = threading.Event()

    def job(self, sources: tuple[str, ...]) -> str:
        self.calls.append(sources)
        return "done"

    def listen(self, event: JobExecutionEvent) -> None:
        self.events.append(event)
        self.seen.set()


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, FakeClock, Recorder]]:
    clock = FakeClock(datetime(2026, 11, 28, 18, 0, tzinfo=UTC))
    clock.install(monkeypatch)
    recorder = Recorder()
    settings = Settings(
        schedule_github_cron="",
        schedule_modelscope_cron="",
        schedule_opendatalab_cron="",
        schedule_opendigger_cron="",
        schedule_benchmarks_cron="",
    )
    scheduler = build_scheduler(settings, job=recorder.job, executor=DebugExecutor())
    scheduler.add_listener(recorder.listen, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    loop = threading.Thread(target=scheduler.start, daemon=True)
    loop.start()
    try:
        yield scheduler, clock, recorder
    finally:
        scheduler.shutdown(wait=False)
        loop.join(5)


def _advance(scheduler: Any, clock: FakeClock, recorder: Recorder, to: datetime) -> None:
    recorder.seen.clear()
    clock.now = to
    scheduler.wakeup()
    assert recorder.seen.wait(5), "the scheduler did not process the due job"


def test_coalesce_runs_missed_days_once(running: tuple[Any, FakeClock, Recorder]) -> None:
    scheduler, clock, recorder = running
    job = scheduler.get_job(job_id(["huggingface"]))
    assert job.next_run_time == datetime(2026, 11, 28, 19, 0, tzinfo=UTC)
    # The host slept through four 03:00 runs; it wakes ten minutes after the last one.
    _advance(scheduler, clock, recorder, datetime(2026, 12, 1, 19, 10, tzinfo=UTC))
    assert recorder.calls == [("huggingface",)]
    assert [(e.code, e.scheduled_run_time) for e in recorder.events] == [
        (EVENT_JOB_EXECUTED, datetime(2026, 12, 2, 3, 0, tzinfo=SHANGHAI))
    ]
    assert scheduler.get_job(job.id).next_run_time == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


def test_misfire_past_grace_is_skipped_not_run(running: tuple[Any, FakeClock, Recorder]) -> None:
    scheduler, clock, recorder = running
    # Two hours late with an hour of grace: recorded as missed, the next day's run stays.
    _advance(scheduler, clock, recorder, datetime(2026, 11, 28, 21, 0, tzinfo=UTC))
    assert recorder.calls == []
    assert [e.code for e in recorder.events] == [EVENT_JOB_MISSED]
    assert scheduler.get_job("refresh:huggingface").next_run_time == datetime(
        2026, 11, 29, 19, 0, tzinfo=UTC
    )


def test_late_within_grace_still_runs(running: tuple[Any, FakeClock, Recorder]) -> None:
    scheduler, clock, recorder = running
    _advance(
        scheduler,
        clock,
        recorder,
        datetime(2026, 11, 28, 19, 0, tzinfo=UTC) + timedelta(minutes=59),
    )
    assert recorder.calls == [("huggingface",)]


def test_run_at_start_is_due_now() -> None:
    scheduler = build_scheduler(Settings(schedule_run_at_start=True))
    for job in scheduler.get_jobs():
        assert job.next_run_time is not None
        assert abs(job.next_run_time - datetime.now(UTC)) < timedelta(minutes=1)


def test_load_schedule_settings_names_the_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSIMPACT_SCHEDULE_BENCHMARKS_CRON", "0 5 * * 1")
    monkeypatch.setenv("OSSIMPACT_SCHEDULE_TIMEZONE", "Shanghai")
    with pytest.raises(ScheduleConfigError) as caught:
        load_schedule_settings()
    message = str(caught.value)
    assert "OSSIMPACT_SCHEDULE_BENCHMARKS_CRON: '0 5 * * 1': write the weekday as a name" in message
    assert "OSSIMPACT_SCHEDULE_TIMEZONE: unknown timezone 'Shanghai'" in message


def test_daemon_with_nothing_scheduled_exits_2() -> None:
    empty = Settings(
        schedule_huggingface_cron="",
        schedule_github_cron="",
        schedule_modelscope_cron="",
        schedule_opendatalab_cron="",
        schedule_opendigger_cron="",
        schedule_benchmarks_cron="",
    )
    assert run_daemon(empty) == 2
