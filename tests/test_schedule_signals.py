"""SIGTERM/SIGINT to the daemon during a real refresh against the slow sandbox Hub.

The daemon runs in a subprocess (`run_daemon`, jobs due at start); the real pipeline collects from
the fake Hugging Face server with latency. A signal mid-run must end the run as "interrupted"
with none of its observations stored, release the refresh lock, and exit 0 (SIGTERM) or 130
(SIGINT).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ossimpact.refresh_lock import current_holder
from ossimpact.sandbox.model import World
from ossimpact.sandbox.runner import Sandbox, start_sandbox
from ossimpact.store import RunRecord, Store, open_store
from ossimpact.store.schema import metadata
from tests.fixtures.sandbox import SMALL_GH_HANDLES, SMALL_HF_HANDLES

REPO = Path(__file__).resolve().parent.parent
LATENCY = 0.3  # seconds per request: the Hub collection takes far longer than the test waits

_DAEMON = """
import sys
from ossimpact.schedule import run_daemon
from ossimpact.settings import load_settings
sys.exit(run_daemon(load_settings()))
"""

_REGISTRY = """
organizations:
  - id: shanghai-test
    name: Shanghai Test Organisation
    city: Shanghai
    evidence: ["https://example.org/shanghai"]
    huggingface: [{hf}]
    github: [{gh}]
products: []
"""


@pytest.fixture
def slow_hub(small_world: World) -> Iterator[Sandbox]:
    sandbox = start_sandbox(small_world, latency=LATENCY, only=("huggingface",))
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _daemon(sandbox: Sandbox, tmp_path: Path, database_url: str) -> subprocess.Popen[str]:
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        _REGISTRY.format(hf=", ".join(SMALL_HF_HANDLES), gh=", ".join(SMALL_GH_HANDLES)),
        encoding="utf-8",
    )
    data = tmp_path / "data"
    env = {
        **os.environ,
        **sandbox.environment(),
        "PYTHONPATH": str(REPO),
        "HF_HOME": str(tmp_path / "hf-home"),
        "OSSIMPACT_DATA_DIR": str(data),
        "OSSIMPACT_DATABASE_URL": database_url,
        "OSSIMPACT_REGISTRY": str(registry),
        "OSSIMPACT_SCHEDULE_RUN_AT_START": "true",
        "OSSIMPACT_SCHEDULE_GITHUB_CRON": "",
        "OSSIMPACT_SCHEDULE_MODELSCOPE_CRON": "",
        "OSSIMPACT_SCHEDULE_OPENDATALAB_CRON": "",
        "OSSIMPACT_SCHEDULE_OPENDIGGER_CRON": "",
        "OSSIMPACT_SCHEDULE_BENCHMARKS_CRON": "",
    }
    return subprocess.Popen(
        [sys.executable, "-c", _DAEMON],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_running_collection(process: subprocess.Popen[str], url: str) -> Store:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the daemon exited early ({process.returncode}): {out}\n{err}")
        store = None
        try:
            store = open_store(url, migrate=False)
            if any(r.kind == "collect" and r.status == "running" for r in store.runs(5)):
                return store
        except Exception:  # the daemon may still be creating the schema
            pass
        if store is not None:
            store.close()
        time.sleep(0.2)
    process.kill()
    pytest.fail("the daemon did not start a collection run within 120 s")


def _rows_of_run(store: Store, run_id: int) -> dict[str, int]:
    """Rows any table holds for the run (evidence, failures, per-source stats...)."""
    counts = {}
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            if "run_id" in table.c and table.name != "scoring_runs":
                query = select(func.count()).select_from(table).where(table.c.run_id == run_id)
                counts[table.name] = int(connection.execute(query).scalar_one())
    return counts


@pytest.mark.parametrize(
    ("sent", "exit_code", "name"),
    [(signal.SIGTERM, 0, "SIGTERM"), (signal.SIGINT, 130, "SIGINT")],
)
def test_signal_mid_run_interrupts_cleanly(
    slow_hub: Sandbox,
    tmp_path: Path,
    database_url: str,
    sent: signal.Signals,
    exit_code: int,
    name: str,
) -> None:
    process = _daemon(slow_hub, tmp_path, database_url)
    store = _wait_for_running_collection(process, database_url)
    time.sleep(1.0)  # well inside the collection: a few artifacts done, many to go
    process.send_signal(sent)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the daemon did not stop within 60 s of the signal")
    assert process.returncode == exit_code, err
    (run,) = [r for r in store.runs(10) if r.kind == "collect"]
    assert isinstance(run, RunRecord)
    assert run.status == "interrupted"
    assert run.finished_at is not None
    rows = _rows_of_run(store, run.id)
    assert "edges" in rows
    assert set(rows.values()) == {0}, rows  # all of a run's rows or none
    assert store.observation_history().empty
    assert store.scoring_runs() == []
    assert current_holder(store) is None  # the refresh lock was released
    assert "refresh huggingface: interrupted" in err
    assert f"scheduler stopped ({name})" in err
    assert "Traceback" not in err
    store.close()
