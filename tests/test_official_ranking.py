"""Defect 2: a backdated or trial score must not become the official ranking.

Official used to mean the highest scoring-run id, so `score --as-of 1999-01-01` or
`score --methodology experimental.yaml` replaced the ranking `export` and the dashboard showed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from dashboard.frames.snapshot import load_snapshot
from ossimpact.cli import app
from ossimpact.export import ExportError, export_rows
from ossimpact.export.rows import inputs_fingerprint
from ossimpact.store import Store, open_store
from scoring.methodology import DEFAULT_PATH
from tests.fixtures.dashboard_store import dashboard_store_url
from tests.test_export_rows import EARLY, _fill, _row, _signal

__all__ = ["dashboard_store_url"]

runner = CliRunner()


def _scores_of(store: Store, run_id: int | None = None) -> dict[str, float]:
    return {row.product_id: row.total for row in store.scores(run_id)}


def test_a_later_backdated_or_trial_run_does_not_replace_the_official_one(
    store_url: str,
) -> None:
    store = open_store(store_url)
    _fill(store)  # two official runs; the second (LATE) is the ranking
    official = store.official_scoring_run_id()
    assert official is not None
    before = _scores_of(store)
    run = store.start_run("score")
    backdated = store.record_scores(
        run, "2026.1", EARLY, [], [_row("intruder", "model", 1, 9.0)], purpose="as_of"
    )
    store.finish_run(run, "succeeded")
    run = store.start_run("score")
    trial = store.record_scores(
        run,
        "experimental",
        EARLY,
        [],
        [_row("trialist", "model", 1, 8.0, _signal("downloads_30d", 1.0))],
        purpose="trial",
        methodology_hash="f" * 64,
    )
    store.finish_run(run, "succeeded")

    assert store.official_scoring_run_id() == official
    assert _scores_of(store) == before
    frame = export_rows(store, category="all")
    runs = {r.id: r for r in store.scoring_runs(10)}
    assert set(frame["inputs_fingerprint"]) == {inputs_fingerprint(runs[official])}
    assert "intruder" not in set(frame["product_id"])
    assert load_snapshot(store).scoring_run["id"] == official
    # Asked for explicitly, each is there and labelled.
    explicit = export_rows(store, category="all", scoring_run=trial)
    assert list(explicit["product_id"]) == ["trialist"]
    labels = {r.id: (r.purpose, r.methodology_hash) for r in store.scoring_runs(10)}
    assert labels[backdated] == ("as_of", None)
    assert labels[trial] == ("trial", "f" * 64)
    # By date, a trial is never picked; the backdated run is the ranking as of its day.
    dated = export_rows(store, category="all", as_of=EARLY.date())
    assert set(dated["inputs_fingerprint"]) == {inputs_fingerprint(runs[backdated])}
    store.close()


def test_only_backdated_runs_leave_no_default_ranking(store_url: str) -> None:
    store = open_store(store_url)
    run = store.start_run("score")
    store.record_scores(run, "2026.1", EARLY, [], [_row("x", "model", 1, 1.0)], purpose="as_of")
    store.finish_run(run, "succeeded")
    assert store.scores() == []
    with pytest.raises(ExportError, match="no official scoring run"):
        export_rows(store, category="all")
    store.close()


@pytest.fixture
def scored_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    store = open_store(url)
    _fill(store)
    store.close()
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", url)
    monkeypatch.setenv("OSSIMPACT_DATA_DIR", str(tmp_path))
    return url


def test_cli_score_as_of_and_trial_are_labelled_not_official(
    scored_store: str, tmp_path: Path
) -> None:
    store = open_store(scored_store)
    official = store.official_scoring_run_id()
    store.close()

    result = runner.invoke(app, ["score", "--as-of", "1999-01-01"])
    assert result.exit_code == 0, result.output
    assert "backdated to 1999-01-01" in " ".join(result.output.split())

    experimental = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    experimental["intervals"]["concentration"] = 50.0  # same label, different content
    path = tmp_path / "experimental.yaml"
    path.write_text(yaml.safe_dump(experimental, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["score", "--methodology", str(path)])
    assert result.exit_code == 0, result.output
    assert "a trial" in result.output

    store = open_store(scored_store)
    runs = store.scoring_runs(10)
    assert store.official_scoring_run_id() == official
    assert [r.purpose for r in runs[:2]] == ["trial", "as_of"]
    # Same version label, different files: the hashes tell them apart.
    assert runs[0].methodology_version == runs[1].methodology_version
    assert runs[0].methodology_hash != runs[1].methodology_hash
    store.close()

    out = tmp_path / "ranking.csv"
    assert runner.invoke(app, ["export", "-o", str(out)]).exit_code == 0
    assert set(pd.read_csv(out, encoding="utf-8-sig")["product_id"]) >= {"internlm"}


def test_cli_score_with_the_configured_methodology_is_official(scored_store: str) -> None:
    result = runner.invoke(app, ["score", "--methodology", str(DEFAULT_PATH)])
    assert result.exit_code == 0, result.output
    store = open_store(scored_store)
    newest = store.scoring_runs(1)[0]
    assert newest.purpose == "official"
    assert store.official_scoring_run_id() == newest.id
    store.close()


def test_the_dashboard_shows_the_official_ranking_unless_a_run_is_chosen(
    dashboard_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    store = open_store(dashboard_store_url)
    official = store.official_scoring_run_id()
    run = store.start_run("score")
    trial = store.record_scores(
        run, "experimental", EARLY, [], [_row("trialist", "model", 1, 8.0)], purpose="trial"
    )
    store.finish_run(run, "succeeded")
    store.close()
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", dashboard_store_url)
    monkeypatch.delenv("OSSIMPACT_DASHBOARD_PASSWORD", raising=False)
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30).run()
    assert not at.exception
    assert not at.warning or all("trial" not in str(w.value) for w in at.warning)
    assert at.session_state["scoring_run"] is None
    picker = at.selectbox(key="scoring_run")
    assert trial in picker.options or str(trial) in " ".join(map(str, picker.options))
    picker.set_value(trial).run()
    assert not at.exception
    assert any("trial" in str(w.value) for w in at.warning)
    at.switch_page("sections/leaderboard.py").run()
    assert not at.exception
    assert official != trial
