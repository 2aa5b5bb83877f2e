"""Crash trials: `ossimpact refresh` killed with SIGKILL at seeded random moments.

A subprocess refreshes from the sandbox (with latency, so a refresh lasts seconds) and is killed
at a moment drawn from the length of a clean refresh's work, counted from the start of its first
run (interpreter start-up is most of a refresh on a busy machine and no data is written during
it); every 10th trial counts from the spawn instead, so a kill during start-up, migrations and
lock taking is tried too. After each kill: the database is intact
(SQLite `PRAGMA integrity_check`, foreign keys; on PostgreSQL the same consistency queries), the
run that was in progress is not counted as complete, every row of the earlier runs is unchanged,
the latest figures are those of counted runs only, and the next refresh completes.

The refresh lock of a killed holder is never released: it expires after its TTL. The trials set
`OSSIMPACT_REFRESH_LOCK_TTL` to a few seconds (production: 120 s) and the recovering refresh uses
`--wait`, so it has to take the dead holder's lock over rather than find it free.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from ossimpact.sandbox.model import World
from ossimpact.sandbox.runner import Sandbox, start_sandbox
from ossimpact.sandbox.world import generate_world
from ossimpact.store import open_store
from tests.fixtures.sandbox import (
    SMALL_GH_HANDLES,
    SMALL_HF_HANDLES,
    SMALL_PRODUCT_PATTERNS,
    SMALL_WORLD_SEED,
)
from tests.support.refresh_env import ossimpact_command, refresh_environment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

TRIALS = 20
POSTGRES_TRIALS = 4
RECOVER_EVERY = 10  # a full refresh must complete after every 10th kill (and after the last)
KILL_SEED = 20260209
LATENCY = 0.01
LOCK_TTL_SECONDS = 4.0
WORLD_SIZE = 40  # ~110 tracked artifacts: a refresh lasts seconds, not minutes
COUNTED = ("succeeded", "partial")
REFRESH_TIMEOUT = 240.0
FAR_FUTURE = datetime(2999, 1, 1, tzinfo=UTC)

# Tables whose rows belong to one run; with the values of observation groups and scoring runs.
_RUN_TABLES: tuple[str, ...] = (
    "runs",
    "run_sources",
    "run_failures",
    "observation_groups",
    "edges",
    "benchmark_results",
    "scoring_runs",
)


@pytest.fixture(scope="module")
def crash_world() -> World:
    return generate_world(
        SMALL_WORLD_SEED,
        WORLD_SIZE,
        hf_handles=SMALL_HF_HANDLES,
        gh_handles=SMALL_GH_HANDLES,
        product_patterns=SMALL_PRODUCT_PATTERNS,
    )


@pytest.fixture(scope="module")
def slow_sandbox(crash_world: World) -> Iterator[Sandbox]:
    sandbox = start_sandbox(crash_world, latency=LATENCY)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@dataclass
class Trial:
    number: int
    moment: float
    killed_runs: dict[int, str] = field(default_factory=dict)  # run id → status at the kill
    exited_first: bool = False


class Refresher:
    """Runs `ossimpact refresh` subprocesses against one database."""

    def __init__(self, sandbox: Sandbox, directory: Path, url: str) -> None:
        self.url = url
        self.directory = directory
        self.env = refresh_environment(
            sandbox, directory, url, OSSIMPACT_REFRESH_LOCK_TTL=str(LOCK_TTL_SECONDS)
        )

    def complete(self, *, wait: bool) -> float:
        """A refresh that must finish (exit 0, or 3 for the world's planted failures)."""
        started = time.monotonic()
        done = subprocess.run(
            ossimpact_command("refresh", "--wait" if wait else "--no-wait"),
            env=self.env,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=REFRESH_TIMEOUT,
            check=False,
        )
        assert done.returncode in (0, 3), f"refresh failed ({done.returncode}):\n{done.stderr}"
        return time.monotonic() - started

    def killed(self, moment: float, engine: Engine | None) -> bool:
        """Start a refresh and SIGKILL it `moment` seconds after its first run started (after the
        spawn when `engine` is None); True if it ended by itself before that."""
        newest = _newest_run(engine) if engine is not None else 0
        process = subprocess.Popen(
            ossimpact_command("refresh", "--no-wait"),
            env=self.env,
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if engine is not None:
                while _newest_run(engine) == newest:
                    if process.poll() is not None:
                        return True
                    time.sleep(0.02)
            process.wait(timeout=moment)
            return True
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            if process.returncode in (0, 3):
                # It finished by itself between the timeout and the kill (a race, not a defect).
                return True
            assert process.returncode == -signal.SIGKILL
            return False
        finally:
            if process.poll() is None:  # the test itself failed or was interrupted
                process.kill()
                process.wait(timeout=30)


def _rows(engine: Engine, query: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query), params)]


def _evidence_of_runs(engine: Engine, run_ids: list[int]) -> dict[str, list[str]]:
    """Every row that belongs to these runs, as text, in a stable order."""
    if not run_ids:
        return {}
    ids = ", ".join(str(int(i)) for i in run_ids)
    dumped: dict[str, list[str]] = {}
    for table in _RUN_TABLES:
        column = "id" if table == "runs" else "run_id"
        dumped[table] = [
            repr(row)
            for row in _rows(engine, f"SELECT * FROM {table} WHERE {column} IN ({ids}) ORDER BY id")
        ]
    dumped["observation_values"] = [
        repr(row)
        for row in _rows(
            engine,
            "SELECT v.* FROM observation_values v JOIN observation_groups g ON g.id = v.group_id "
            f"WHERE g.run_id IN ({ids}) ORDER BY v.group_id, v.metric_id",
        )
    ]
    dumped["scores"] = [
        repr(row)
        for row in _rows(
            engine,
            "SELECT s.* FROM scores s JOIN scoring_runs r ON r.id = s.scoring_run_id "
            f"WHERE r.run_id IN ({ids}) ORDER BY s.id",
        )
    ]
    return dumped


def _latest_with_runs(engine: Engine) -> dict[tuple[str, str], tuple[int, str, str]]:
    """(artifact, metric) → (run id, status of that run, value) of the materialised latest figures."""
    rows = _rows(
        engine,
        "SELECT a.platform_id, m.name, g.run_id, r.status, v.value "
        "FROM observation_latest l "
        "JOIN observation_groups g ON g.id = l.group_id "
        "JOIN observation_values v ON v.group_id = l.group_id AND v.metric_id = l.metric_id "
        "JOIN artifacts a ON a.id = l.artifact_id JOIN metrics m ON m.id = l.metric_id "
        "JOIN runs r ON r.id = g.run_id",
    )
    return {(p, m): (int(run), str(status), repr(value)) for p, m, run, status, value in rows}


def _newest_run(engine: Engine) -> int:
    rows = _rows(engine, "SELECT max(id) FROM runs")
    return int(rows[0][0] or 0)


def _work_seconds(url: str, after: int) -> float:
    """From the start of the first run after `after` to the end of the last one."""
    store = open_store(url, read_only=True)
    try:
        runs = [run for run in store.runs(limit=100) if run.id > after]
    finally:
        store.close()
    ends = [run.finished_at for run in runs if run.finished_at is not None]
    return (max(ends) - min(run.started_at for run in runs)).total_seconds()


def _run_statuses(engine: Engine) -> dict[int, str]:
    return {int(i): str(s) for i, s in _rows(engine, "SELECT id, status FROM runs")}


def _assert_consistent(engine: Engine, url: str) -> None:
    """The database is intact and its derived tables agree with the counted evidence."""
    if url.startswith("sqlite"):
        assert _rows(engine, "PRAGMA integrity_check") == [("ok",)]
        assert _rows(engine, "PRAGMA foreign_key_check") == []
    # Orphans (PostgreSQL enforces the foreign keys; checked on both all the same).
    assert (
        _rows(
            engine,
            "SELECT v.group_id FROM observation_values v "
            "LEFT JOIN observation_groups g ON g.id = v.group_id WHERE g.id IS NULL",
        )
        == []
    )
    assert (
        _rows(
            engine,
            "SELECT s.id FROM scores s LEFT JOIN scoring_runs r ON r.id = s.scoring_run_id "
            "WHERE r.id IS NULL",
        )
        == []
    )
    # Only counted runs feed the latest figures, and the materialised table equals a full scan.
    latest = _latest_with_runs(engine)
    assert all(status in COUNTED for _, status, _ in latest.values())
    store = open_store(url, read_only=True)
    try:
        materialised = store.latest_observations()
        scanned = store.latest_observations(as_of=FAR_FUTURE)
    finally:
        store.close()
    assert materialised == scanned


def _wait_for_lock_expiry(url: str) -> None:
    """A killed holder's lock is never released: it lapses after the TTL (set short here)."""
    store = open_store(url, read_only=True)
    try:
        deadline = time.monotonic() + LOCK_TTL_SECONDS + 10
        while store.lock_holder("refresh") is not None:
            assert time.monotonic() < deadline, "a killed holder's lock outlived its TTL"
            time.sleep(0.25)
    finally:
        store.close()


def _one_trial(refresher: Refresher, engine: Engine, trial: Trial) -> None:
    before_runs = _run_statuses(engine)
    earlier = sorted(before_runs)
    evidence_before = _evidence_of_runs(engine, earlier)
    latest_before = _latest_with_runs(engine)
    official_before = _official_scoring_run(engine)

    from_spawn = trial.number % 10 == 0
    trial.exited_first = refresher.killed(trial.moment, None if from_spawn else engine)

    after_runs = _run_statuses(engine)
    _assert_consistent(engine, refresher.url)
    # Earlier runs: not one row changed (append-only; a kill leaves what was there).
    assert _evidence_of_runs(engine, earlier) == evidence_before, f"trial {trial.number}"
    new_runs = {i: s for i, s in after_runs.items() if i not in before_runs}
    trial.killed_runs = new_runs
    in_progress = [i for i, s in new_runs.items() if s not in ("succeeded", "partial", "failed")]
    if not trial.exited_first:
        # The run that was in progress stays "running" (reported "incomplete" once stale).
        assert all(new_runs[i] == "running" for i in in_progress), new_runs
    # The latest figures: unchanged, except where a run the killed process finished supersedes.
    finished_by_killed = {i for i, s in new_runs.items() if s in COUNTED}
    latest_after = _latest_with_runs(engine)
    for key in latest_before.keys() | latest_after.keys():
        if latest_after.get(key) != latest_before.get(key):
            assert key in latest_after, key
            assert latest_after[key][0] in finished_by_killed, key
    if not finished_by_killed:
        assert latest_after == latest_before
    official_after = _official_scoring_run(engine)
    if official_after != official_before:
        assert official_after is not None
        assert new_runs.get(official_after[1]) == "succeeded"


def _official_scoring_run(engine: Engine) -> tuple[int, int] | None:
    rows = _rows(
        engine,
        "SELECT s.id, s.run_id FROM scoring_runs s JOIN runs r ON r.id = s.run_id "
        "WHERE r.status = 'succeeded' ORDER BY s.id DESC LIMIT 1",
    )
    return (int(rows[0][0]), int(rows[0][1])) if rows else None


def _run_trials(sandbox: Sandbox, directory: Path, url: str, trials: int) -> list[Trial]:
    refresher = Refresher(sandbox, directory, url)
    refresher.complete(wait=False)  # baseline: migrates the schema, fills store and HTTP cache
    engine = create_engine(url)
    # The kill moments span a warm refresh (conditional requests answered 304), like the trials'.
    newest = _newest_run(engine)
    whole = refresher.complete(wait=False)
    work = _work_seconds(url, newest)
    rng = random.Random(KILL_SEED)
    done: list[Trial] = []
    killed_ids: set[int] = set()
    try:
        for number in range(1, trials + 1):
            _wait_for_lock_expiry(url)
            span = whole if number % 10 == 0 else work
            trial = Trial(number, rng.uniform(0.0, span))
            _one_trial(refresher, engine, trial)
            killed_ids.update(i for i, s in trial.killed_runs.items() if s == "running")
            done.append(trial)
            if number % RECOVER_EVERY == 0 or number == trials:
                # No waiting for the TTL here: --wait must take the dead holder's lock over.
                known = set(_run_statuses(engine))
                refresher.complete(wait=True)
                statuses = _run_statuses(engine)
                recovered = {i: s for i, s in statuses.items() if i not in known}
                assert recovered
                assert all(s in COUNTED for s in recovered.values()), recovered
                official = _official_scoring_run(engine)
                assert official is not None
                assert official[1] in recovered
                _assert_consistent(engine, url)
        # A killed run never turns complete later, and is reported running/incomplete.
        statuses = _run_statuses(engine)
        assert all(statuses[i] == "running" for i in killed_ids)
        store = open_store(url, read_only=True)
        try:
            reported = {run.id: run.status for run in store.runs(limit=10_000)}
        finally:
            store.close()
        assert all(reported[i] in ("running", "incomplete") for i in killed_ids)
    finally:
        engine.dispose()
    _report(done, whole, work)
    return done


def _report(trials: list[Trial], whole: float, work: float) -> None:
    killed_mid_run = [t for t in trials if any(s == "running" for s in t.killed_runs.values())]
    print(
        f"\n{len(trials)} crash trials (clean refresh {whole:.1f} s, its runs {work:.1f} s): "
        f"{len(killed_mid_run)} killed a run in progress, "
        f"{sum(t.exited_first for t in trials)} finished before the kill"
    )
    for trial in trials:
        print(f"  trial {trial.number:2}: kill at {trial.moment:5.2f} s → {trial.killed_runs}")


def test_sqlite_survives_sigkill_at_random_moments(slow_sandbox: Sandbox, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    trials = _run_trials(slow_sandbox, tmp_path, url, TRIALS)
    assert len(trials) == TRIALS
    # The trials are worth something only if most kills landed inside a run.
    inside = [t for t in trials if any(s == "running" for s in t.killed_runs.values())]
    assert len(inside) >= TRIALS // 2, [t.killed_runs for t in trials]


@pytest.mark.postgres
def test_postgres_survives_sigkill_at_random_moments(
    slow_sandbox: Sandbox, tmp_path: Path, postgres_url: str
) -> None:
    trials = _run_trials(slow_sandbox, tmp_path, postgres_url, POSTGRES_TRIALS)
    assert len(trials) == POSTGRES_TRIALS
