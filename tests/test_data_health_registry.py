"""Data health shows the latest live registry check: its findings with the fix to make."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ossimpact.domain import ArtifactFailure, CollectionResult
from ossimpact.store import open_store
from tests.fixtures.dashboard_store import build_dashboard_store

FINDINGS = [
    ArtifactFailure(
        "hf:org:fnlp", "registry-check", "handle_renamed", "replace hf:fnlp with hf:OpenMOSS-Team"
    ),
    ArtifactFailure(
        "product:llama-scope",
        "registry-check",
        "product_matches_nothing",
        "correct or remove hf:model:fnlp/Llama-Scope* of product llama-scope",
    ),
]


@pytest.fixture
def checked_store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    build_dashboard_store(database_url)
    store = open_store(database_url)
    try:
        for findings in ([], FINDINGS):  # an older clean check, then today's findings
            run_id = store.start_run("collect", "registry-check")
            store.record_collection(run_id, CollectionResult("registry-check", failures=findings))
            store.finish_run(run_id, "partial" if findings else "succeeded")
    finally:
        store.close()
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", database_url)
    monkeypatch.delenv("OSSIMPACT_SYNTHETIC", raising=False)
    monkeypatch.delenv("OSSIMPACT_DASHBOARD_PASSWORD", raising=False)
    return database_url


@pytest.mark.parametrize(
    ("lang", "reason", "warning"),
    [("zh", "账号已改名", "名录中有 2 处需要更正。"), ("en", "handle renamed", "2 finding(s)")],
)
def test_the_latest_registry_check_is_shown_with_its_fixes(
    checked_store: str, lang: str, reason: str, warning: str
) -> None:
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("sections/data_health.py").run()
    assert not at.exception
    assert any(warning in str(w.value) for w in at.warning)
    table = at.dataframe[-1].value  # the page's last section
    assert list(table.columns) == ["subject", "reason_name", "detail"]
    assert table["subject"].tolist() == ["hf:org:fnlp", "product:llama-scope"]
    assert table["reason_name"].tolist()[0] == reason
    assert table["detail"].tolist()[0] == "replace hf:fnlp with hf:OpenMOSS-Team"
