"""Collection faults the operator meets: a full disk, a source that got nothing, SIGTERM, and two
collects at once.

A full disk while appending left the run "running" for ever; a source whose every artifact failed
was "partial"; an interrupted `collect` exited 0; two `collect`s of one source interleaved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from collectors.base import Progress, ResponseCache
from ossimpact.cli import app
from ossimpact.domain import ArtifactFailure, ArtifactId, CollectionResult, Observation
from ossimpact.pipeline import Collector, collect
from ossimpact.refresh_lock import REFRESH_LOCK
from ossimpact.registry import load_registry
from ossimpact.sandbox.model import World
from ossimpact.sandbox.runner import Sandbox, start_sandbox
from ossimpact.settings import Settings
from ossimpact.store import Store, open_store
from tests.fixtures.sandbox import SMALL_GH_HANDLES, SMALL_HF_HANDLES

REPO = Path(__file__).resolve().parent.parent
ARTIFACT = ArtifactId.hf_model("internlm/internlm3-8b")


class _Returns:
    """A collector that returns a prepared result: the pipeline's handling is under test."""

    source = "huggingface"

    def __init__(self, result: CollectionResult) -> None:
        self.result = result

    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> CollectionResult:
        return self.result


def _factory(result: CollectionResult) -> Any:
    def make(source: str, settings: Settings, cache: ResponseCache) -> Collector:
        return _Returns(result)

    return make


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'ossimpact.db'}")
    yield store
    store.close()


def test_a_full_disk_while_appending_ends_the_run_failed(sqlite_store: Store) -> None:
    store = sqlite_store
    settings = Settings()
    registry = load_registry(settings.registry_path)
    store.sync_registry(
        registry.organizations.values(), registry.products.values(), str(registry.source)
    )
    with store.engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())
    store.engine.dispose()

    # SQLite's own quota: past it every write fails with SQLITE_FULL, as on a full disk.
    @event.listens_for(store.engine, "connect")
    def _quota(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 4}")

    now = datetime.now(UTC)
    big = CollectionResult(
        source="huggingface",
        observations=[
            Observation(ARTIFACT, f"metric_{i}", float(i), now, "http://127.0.0.1/x")
            for i in range(20_000)
        ],
    )
    outcomes = collect(
        settings,
        ["huggingface"],
        store=store,
        registry=registry,
        collector_factory=_factory(big),
    )
    (outcome,) = outcomes
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "full" in outcome.message
    (run,) = [r for r in store.runs(5) if r.kind == "collect"]
    assert run.status == "failed"
    assert run.message == outcome.message
    assert store.observation_history().empty


def test_a_source_that_collected_nothing_is_failed(sqlite_store: Store) -> None:
    nothing = CollectionResult(
        source="huggingface",
        failures=[ArtifactFailure(str(ARTIFACT), "huggingface", "server_error", "HTTP 500")],
    )
    settings = Settings()
    (outcome,) = collect(
        settings,
        ["huggingface"],
        store=sqlite_store,
        registry=load_registry(settings.registry_path),
        collector_factory=_factory(nothing),
    )
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "nothing collected" in outcome.message
    assert sqlite_store.runs(1)[0].status == "failed"


def test_collect_waits_for_nobody_while_a_refresh_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    store = open_store(url)
    assert store.acquire_lock(REFRESH_LOCK, "refresh@elsewhere:1", 3600)
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", url)
    result = CliRunner().invoke(app, ["collect", "-s", "huggingface"])
    assert result.exit_code == 1, result.output
    assert "refresh@elsewhere:1" in " ".join(result.output.split())
    assert [r for r in store.runs(5) if r.kind == "collect"] == []
    store.close()


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
    sandbox = start_sandbox(small_world, latency=0.3, only=("huggingface",))
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_sigterm_during_collect_exits_non_zero(slow_hub: Sandbox, tmp_path: Path) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        _REGISTRY.format(hf=", ".join(SMALL_HF_HANDLES), gh=", ".join(SMALL_GH_HANDLES)),
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    env = {
        **os.environ,
        **slow_hub.environment(),
        "PYTHONPATH": str(REPO),
        "HF_HOME": str(tmp_path / "hf-home"),
        "OSSIMPACT_DATABASE_URL": url,
        "OSSIMPACT_REGISTRY": str(registry),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ossimpact.cli", "collect", "-s", "huggingface"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    started = False
    while time.monotonic() < deadline and process.poll() is None and not started:
        time.sleep(0.3)
        try:
            store = open_store(url, migrate=False)
            started = any(r.status == "running" for r in store.runs(5))
            store.close()
        except Exception:  # the command may still be creating the schema
            pass
    assert started, "collect did not start a run"
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("collect did not stop within 60 s of SIGTERM")
    assert process.returncode not in (0, 3), err
    store = open_store(url)
    (run,) = [r for r in store.runs(5) if r.kind == "collect"]
    assert run.status == "interrupted"
    store.close()
