"""`ossimpact export` end to end: the file it writes, and exit 2 with no file on bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ossimpact.cli import app
from ossimpact.store import open_store
from tests.test_export_rows import _fill

runner = CliRunner()


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    store = open_store(database_url)
    _fill(store)
    store.save_shortlist("final", "secretariat", [("internlm", "=1+1 首选")])
    store.close()
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", database_url)
    return database_url


def test_csv_export_of_a_category(database: str, tmp_path: Path) -> None:
    out = tmp_path / "model.csv"
    result = runner.invoke(app, ["export", "--category", "model", "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrank,rank_low,rank_high,product_id,")
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 3


def test_shortlist_parquet_export(database: str, tmp_path: Path) -> None:
    out = tmp_path / "final.parquet"
    args = ["export", "--shortlist", "final", "--format", "parquet", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert frame["note"].tolist() == ["=1+1 首选"]  # Parquet keeps data as it is


def test_observations_parquet_export(database: str, tmp_path: Path) -> None:
    out = tmp_path / "observations.parquet"
    args = ["export", "--what", "observations", "--format", "parquet", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(out)["value"].tolist() == [1200.0, 5400.0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--category", "models"], "unknown category"),
        (["--shortlist", "nope"], "no shortlist named 'nope'"),
        (["--as-of", "2020-01-01"], "no scoring run on or before 2020-01-01"),
        (["--top", "0"], "--top must be at least 1"),
    ],
)
def test_bad_input_exits_2_without_a_file(
    database: str, tmp_path: Path, args: list[str], message: str
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    result = runner.invoke(app, ["export", *args, "--output", str(exports / "out.csv")])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert os.listdir(exports) == []


def test_missing_output_directory_exits_2(database: str, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "out.csv"
    result = runner.invoke(app, ["export", "--output", str(out)])
    assert result.exit_code == 2
    assert "no directory" in " ".join(result.output.split())
    assert not out.parent.exists()
