"""Defect 11: `demo --data-dir DIR` must not delete a store in DIR that is not the demo's."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ossimpact.cli import app
from ossimpact.store import open_store
from tests.test_export_rows import _fill

runner = CliRunner()


def test_demo_refuses_a_directory_holding_a_real_store(tmp_path: Path) -> None:
    database = tmp_path / "ossimpact.db"
    store = open_store(f"sqlite:///{database}")
    _fill(store)
    runs_before = len(store.runs(100))
    store.close()
    size_before = database.stat().st_size

    result = runner.invoke(app, ["demo", "--no-dashboard", "--data-dir", str(tmp_path)])

    assert result.exit_code == 2, result.output
    assert "not a demo's" in " ".join(result.output.split())
    assert database.stat().st_size == size_before
    store = open_store(f"sqlite:///{database}", read_only=True)
    assert len(store.runs(100)) == runs_before
    store.close()


def test_demo_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "ossimpact.db").write_text("my notes")
    result = runner.invoke(app, ["demo", "--no-dashboard", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert (tmp_path / "ossimpact.db").read_text() == "my notes"


def test_demo_may_replace_its_own_store(tmp_path: Path) -> None:
    from ossimpact.demo import _fresh_database

    database = tmp_path / "ossimpact.db"
    store = open_store(f"sqlite:///{database}")
    store.set_meta("synthetic", "true")
    store.close()
    assert _fresh_database(tmp_path) == database
    assert not database.exists()
