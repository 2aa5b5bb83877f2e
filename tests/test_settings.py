from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ossimpact.cli import app
from ossimpact.settings import Settings, graphql_url_for


@pytest.mark.parametrize(
    ("api_url", "graphql"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://ghe.example.org/api/v3", "https://ghe.example.org/api/graphql"),
        ("https://ghe.example.org/api/v3/", "https://ghe.example.org/api/graphql"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123/graphql"),
    ],
)
def test_graphql_url_is_derived_like_github_enterprise(api_url: str, graphql: str) -> None:
    assert graphql_url_for(api_url) == graphql


def test_defaults_are_the_real_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HF_ENDPOINT", "GITHUB_API_URL", "OSSIMPACT_DATABASE_URL", "OSSIMPACT_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.hf_endpoint == "https://huggingface.co"
    assert settings.github_api_url == "https://api.github.com"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/data/ossimpact.db")


def test_environment_selects_mirror_and_enterprise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example.cn/")
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.org/api/v3")
    monkeypatch.setenv("OSSIMPACT_DATA_DIR", "/srv/ossimpact")
    settings = Settings()
    assert settings.hf_endpoint == "https://hf-mirror.example.cn"
    assert settings.github_graphql_url == "https://ghe.example.org/api/graphql"
    assert settings.database_url == "sqlite:////srv/ossimpact/ossimpact.db"


def test_config_masks_tokens_and_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secretvalue123")
    monkeypatch.setenv("HF_TOKEN", "hf_secretvalue456")
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", "postgresql+psycopg://u:pw-very-secret@db/oss")
    result = CliRunner().invoke(app, ["config"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ghp_secretvalue123" not in result.output
    assert "hf_secretvalue456" not in result.output
    assert "pw-very-secret" not in result.output
    assert "**********" in result.output
    assert "postgresql+psycopg://u:***@db/oss" in result.output
