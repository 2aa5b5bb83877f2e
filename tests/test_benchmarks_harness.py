"""The benchmarks harness runs on a tiny world and writes its table as JSON (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import main
from benchmarks.traffic import BULK, OTHER, route_class
from dashboard.launch import CHROMIUM


def _run(tmp_path: Path, only: str) -> dict[str, Any]:
    output = tmp_path / "results.json"
    code = main(["--quick", "--only", only, "--output", str(output)])
    assert code == 0
    payload: dict[str, Any] = json.loads(output.read_text())
    return payload


def _figures(payload: dict[str, Any], target: str) -> list[dict[str, Any]]:
    return [f for f in payload["figures"] if f["target_id"] == target]


def test_quick_run_measures_requests_time_304s_scoring_and_storage(tmp_path: Path) -> None:
    payload = _run(tmp_path, "P1,P2,P3,P4,P6")
    assert payload["machine"]["cores"] >= 1
    assert {f["target_id"] for f in payload["figures"]} == {"P1", "P2", "P3", "P4", "P6"}
    assert all(f["name"] != "failed" for f in payload["figures"]), payload["figures"]
    bulk, daily, modelscope, everything = _figures(payload, "P1")
    # listings bring many artifacts each; everything else comes on top of them
    assert 0 < bulk["measured"] < daily["measured"] <= everything["measured"]
    # ModelScope's owner listings carry every figure: far fewer requests than artifacts
    assert 0 < modelscope["measured"] < 1
    assert bulk["details"]["modelscope_listing_requests"] > 0
    assert bulk["baseline"] == 1.0  # the naive loop: one info call per artifact
    assert daily["baseline"] > daily["measured"]
    assert bulk["details"]["naive_requests"] > 0
    (refresh, mainland, _all) = _figures(payload, "P2")
    assert mainland["measured"] > 0
    assert refresh["details"]["source_status"]["modelscope"] == "succeeded"
    assert refresh["measured"] > 0
    assert refresh["baseline"] > 0
    assert refresh["details"]["sandbox"] == "child process"
    assert refresh["details"]["daily_cpu_seconds"] > 0
    assert refresh["details"]["daily_sandbox_cpu_seconds"] > 0
    (not_modified,) = _figures(payload, "P3")
    assert 0 <= not_modified["measured"] <= 100
    assert not_modified["details"]["second_rest_gets"] > 0
    scoring, intervals = _figures(payload, "P4")
    assert scoring["details"]["rows"] == 1_000
    assert scoring["details"]["peak_mb"] > 0
    assert intervals["measured"] > 0
    per_refresh, year = _figures(payload, "P6")
    assert per_refresh["details"]["bytes_after_first"] > 0
    assert year["met"] is not None


@pytest.mark.browser
def test_quick_run_times_the_dashboard_in_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium missing: run `make system-deps`")
    payload = _run(tmp_path, "P5")
    leaderboard, product = _figures(payload, "P5")
    assert len(leaderboard["details"]["leaderboard_seconds"]) == 5
    assert leaderboard["details"]["products"] > 0
    assert product["measured"] > 0


def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "P9"])
    assert exit_info.value.code == 2
    assert "unknown measurement(s) P9" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--latency", "fast"])
    assert "not a number of seconds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("server", "method", "path", "expected"),
    [
        ("huggingface", "GET", "/api/models?author=internlm&expand=downloads&limit=1000", BULK),
        ("huggingface", "GET", "/api/datasets?author=internlm&limit=1000", BULK),
        ("huggingface", "GET", "/api/models?filter=base_model%3Ainternlm%2Fx", OTHER),
        ("huggingface", "GET", "/api/models/internlm/x?expand=likes", OTHER),
        ("github", "POST", "/graphql", BULK),
        ("github", "GET", "/orgs/InternLM/repos?per_page=100", BULK),
        ("github", "GET", "/repos/InternLM/lmdeploy/contributors?per_page=100", OTHER),
        ("opendigger", "GET", "/github/InternLM/lmdeploy/openrank.json", OTHER),
    ],
)
def test_requests_are_classed_by_route(server: str, method: str, path: str, expected: str) -> None:
    assert route_class(server, method, path) == expected
