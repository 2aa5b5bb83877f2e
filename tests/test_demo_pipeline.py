"""The whole chain on the sandbox: registry → fake servers → real collectors → store → scoring.

This is `ossimpact demo --no-dashboard` on a small world; it checks what the demo promises: every
source ran against 127.0.0.1 only, the data is labelled synthetic, each category has a ranking,
and the troublemakers of the world are recorded as failures while the run goes on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ossimpact.cli import app
from ossimpact.demo import run_demo
from ossimpact.domain import CATEGORIES
from ossimpact.store import open_store


@pytest.fixture(scope="module")
def demo_database(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    data_dir = tmp_path_factory.mktemp("demo")
    console = Console(record=True, width=160)
    code = run_demo(
        data_dir=data_dir,
        size=200,
        dashboard=False,
        console=console,
        database_url=module_database_url,
    )
    assert code == 0, console.export_text()
    return module_database_url


def test_demo_collects_every_source_and_scores_every_category(demo_database: str) -> None:
    store = open_store(demo_database, read_only=True)
    runs = store.runs()
    sources = {run.source for run in runs if run.kind == "collect"}
    assert {"huggingface", "github", "opendigger", "benchmarks", "sandbox-history"} <= sources
    assert all(run.status in ("succeeded", "partial") for run in runs)
    rows = store.scores()
    for category in CATEGORIES:
        ranked = [row for row in rows if row.category == category]
        assert ranked, f"no {category} ranking"
        assert [row.rank for row in ranked] == list(range(1, len(ranked) + 1))
        assert all(row.rank_low <= row.rank <= row.rank_high for row in ranked)
    assert store.meta("synthetic") == "true"


def test_demo_figures_come_from_the_local_fake_servers(demo_database: str) -> None:
    store = open_store(demo_database, read_only=True)
    latest = store.latest_observations()
    urls = {observation.source_url for observation in latest.values()}
    assert urls
    assert all(url.startswith(("http://127.0.0.1:", "sandbox://")) for url in urls), sorted(urls)[
        :5
    ]


def test_troublemakers_are_failures_of_their_artifacts_only(demo_database: str) -> None:
    store = open_store(demo_database, read_only=True)
    github = next(run for run in store.runs() if run.source == "github")
    reasons = {failure.reason for failure in store.failures(github.id)}
    assert github.status == "partial"
    assert {"empty_repository", "unavailable_legal"} <= reasons
    tracked = [a for a in store.artifacts(tracked_only=True) if a.id.platform == "gh"]
    assert len(tracked) > github.failure_count


def test_registry_check_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["registry", "check"]).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("organizations:\n  - id: x\n    nmae: typo\n", encoding="utf-8")
    result = runner.invoke(app, ["registry", "check", str(broken)])
    assert result.exit_code == 2
    assert "broken.yaml:3" in result.output
